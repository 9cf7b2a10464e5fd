import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { processTicketBatch, processTicketMessage } from '../../../shared/intake/process-ticket.js';
import { parseStrictJson, StrictJsonCode, StrictJsonError } from '../../../shared/intake/strict-json.js';
import { canonicalJson, signTicketMessage } from '../../../shared/intake/ticket-message.js';
import { grantKey, intakeWorld, keyOf, signedBy, ticketBody } from '../../support/intake-world.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value inside `value` (objects by member name, arrays by index). */
function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const here = prefix.length > 0 ? [prefix] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => pathsOf(v, [...prefix, i]))];
  if (value !== null && typeof value === 'object') {
    return [...here, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
  }
  return here;
}

function setAt(value: Json, path: readonly (string | number)[], replacement: Json): Json {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? setAt(v, rest, replacement) : v));
  const record = value as Record<string, Json>;
  return { ...record, [head]: setAt(record[head as string] ?? null, rest, replacement) };
}

/** JSON values within I-JSON (fast-check's also holds integers beyond 2^53, which the intake refuses anyway). */
const jsonValue = (fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>).filter((v) => {
  try {
    parseStrictJson(JSON.stringify(v));
    return true;
  } catch {
    return false;
  }
});

describe('intake properties', () => {
  it('rejects any change to the signed body, and stores nothing', async () => {
    const original = ticketBody('jira') as unknown as Json;
    const paths = pathsOf(original);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ kind: fc.constant('replace' as const), path: fc.constantFrom(...paths), value: jsonValue }),
          fc.record({ kind: fc.constant('add' as const), name: fc.string({ maxLength: 8 }), value: jsonValue }),
        ),
        async (change) => {
          const changed =
            change.kind === 'replace'
              ? setAt(original, change.path, change.value)
              : { ...(original as Record<string, Json>), [change.name]: change.value };
          fc.pre(canonicalJson(changed) !== canonicalJson(original));
          const { keyId, secret } = keyOf('jira');
          const signed = signTicketMessage(original as never, keyId, secret);
          const { deps, grants } = intakeWorld();
          const result = await processTicketMessage(
            { index: 0, messageId: 'm', body: JSON.stringify({ ...signed, body: changed }) },
            deps,
          );
          expect(result.outcome).toBe('rejected');
          expect(result.codes).toContain('TicketSignatureInvalid');
          expect(await grants.getGrant(grantKey())).toBeUndefined();
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses a duplicate member name at any depth, whatever the values', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 6 }),
        jsonValue,
        jsonValue,
        fc.array(fc.tuple(fc.string({ maxLength: 6 }), jsonValue), { maxLength: 3 }),
        fc.nat(3),
        fc.nat(2),
        (name, first, second, others, position, depth) => {
          const members = others
            .filter(([k]) => k !== name)
            .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
          const dup = [
            `${JSON.stringify(name)}:${JSON.stringify(first)}`,
            `${JSON.stringify(name)}:${JSON.stringify(second)}`,
          ];
          members.splice(Math.min(position, members.length), 0, dup[0]!);
          members.push(dup[1]!);
          let text = `{${members.join(',')}}`;
          for (let i = 0; i < depth; i += 1) text = i % 2 === 0 ? `[1,${text}]` : `{"wrap":${text}}`;
          try {
            parseStrictJson(text);
            return false;
          } catch (error) {
            return error instanceof StrictJsonError && error.code === StrictJsonCode.DuplicateKey;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects a signed ticket whose body repeats a member, though JSON.parse would read a valid ticket', async () => {
    const body = ticketBody('jira');
    const { keyId, secret } = keyOf('jira');
    const signed = signTicketMessage(body, keyId, secret);
    const text = JSON.stringify(signed).replace('"action":"declare"', '"action":"revoke","action":"declare"');
    const { deps } = intakeWorld();
    const result = await processTicketMessage({ index: 0, messageId: 'm', body: text }, deps);
    expect(result.codes).toEqual(['DuplicateJsonKey']);
  });

  it('lets no message, however malformed, make another message of its batch fail', async () => {
    const good = signedBy('jira', ticketBody('jira'));
    const validText = good.body;
    const poison = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 4 }),
      fc.nat({ max: 5000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
      fc.nat({ max: 3000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
      fc.nat({ max: validText.length }).map((n) => validText.slice(0, n)),
      fc
        .tuple(fc.nat({ max: validText.length - 1 }), fc.string({ minLength: 1, maxLength: 3 }))
        .map(([at, s]) => validText.slice(0, at) + s + validText.slice(at + 1)),
      fc.constant(`"${'x'.repeat(40_000)}"`),
      fc.constant('{"schema":"dts-trust/v1","keyId":"jira-2026","signature":"00","body":{"__proto__":{"x":1}}}'),
      fc.constant('"\\ud800"'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(poison, { minLength: 1, maxLength: 4 }), fc.nat(4), async (bad, at) => {
        const { deps, grants } = intakeWorld();
        const bodies = bad.filter((b) => b !== validText);
        const position = Math.min(at, bodies.length);
        bodies.splice(position, 0, validText);
        const messages = bodies.map((body, index) => ({ index, messageId: `m-${index}`, body }));
        const results = await processTicketBatch(messages, deps);
        expect(results).toHaveLength(messages.length);
        expect(results[position]?.outcome).toBe('declared');
        for (const [i, r] of results.entries()) {
          if (i !== position) expect(['rejected', 'duplicate']).toContain(r.outcome);
        }
        expect(await grants.getGrant(grantKey())).toBeDefined();
      }),
      { numRuns: 120 },
    );
  });
});
