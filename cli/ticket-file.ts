/**
 * Ticket files for `ticket sign` and `ticket send`: one ticket body, or a list of them, in YAML or JSON (a `.json`
 * file is read by the intake's own strict I-JSON reader). YAML is turned into plain I-JSON values and refused
 * where it cannot be one (an integer beyond ±2^53-1, `.nan`/`.inf`, a key that is not a string, a tag), so what is
 * signed is exactly what the intake reads. A body without `id` gets a random UUID, one without `issuedAt` the time
 * of signing; then each body is checked against the ticket schema.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { ValidationError, type ValidationProblem } from '../shared/domain/errors.js';
import { problemsFromZodError } from '../shared/domain/zod-problems.js';
import { parseStrictJson, StrictJsonError } from '../shared/intake/strict-json.js';
import {
  CanonicalJsonError,
  signTicketMessage,
  TicketBodySchema,
  type TicketMessage,
} from '../shared/intake/ticket-message.js';

/** A ticketing system's signing key. */
export interface TicketKey {
  readonly keyId: string;
  readonly secret: string;
}

/** Bounds on a ticket file (a list of tickets may be larger than one message, which the intake bounds itself). */
const TICKET_FILE_LIMITS = { maxBytes: 1024 * 1024, maxDepth: 9 } as const;

function problem(field: string, message: string, fix: string, code = 'NotIJson'): ValidationProblem {
  return { code, field, message, fix };
}

/** A YAML value as plain I-JSON, or the problems that keep it from being one. */
function toIJson(value: unknown, field: string, problems: ValidationProblem[]): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') {
    if (value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(value);
    problems.push(problem(field, `the integer ${value} is beyond ±(2^53-1), outside I-JSON`, 'quote it as a string'));
    return null;
  }
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    problems.push(problem(field, `${value} is not a JSON number`, 'give a finite number or a string'));
    return null;
  }
  if (Array.isArray(value)) return value.map((v, i) => toIJson(v, `${field}[${i}]`, problems));
  if (value instanceof Map) {
    const entries: [string, unknown][] = [];
    for (const [k, v] of value) {
      if (typeof k !== 'string') {
        problems.push(problem(field || 'file', `the key ${String(k)} is not a string`, 'quote the key'));
        continue;
      }
      entries.push([k, toIJson(v, field ? `${field}.${k}` : k, problems)]);
    }
    return Object.fromEntries(entries);
  }
  problems.push(
    problem(
      field || 'file',
      `a ${value?.constructor?.name ?? typeof value} is not a JSON value`,
      'use plain YAML scalars, lists and maps (no tags)',
    ),
  );
  return null;
}

/** Parse YAML text into I-JSON values; throws a {@link ValidationError} naming each problem. */
export function parseTicketYaml(text: string): unknown {
  const doc = parseDocument(text, { intAsBigInt: true, uniqueKeys: true, merge: false, schema: 'core' });
  const issues = [...doc.errors, ...doc.warnings];
  if (issues.length > 0) {
    throw new ValidationError(
      issues.map((e) =>
        problem('file', e.message.split('\n')[0] ?? e.message, 'fix the YAML at the line given', 'MalformedTicketFile'),
      ),
    );
  }
  const problems: ValidationProblem[] = [];
  const value = toIJson(doc.toJS({ mapAsMap: true }), '', problems);
  if (problems.length > 0) throw new ValidationError(problems);
  return value;
}

/** Read a ticket file (`.json` strictly as I-JSON, anything else as YAML) into its raw bodies. */
export async function readTicketFile(path: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ValidationError(
      [
        problem(
          'file',
          `cannot read ${path}: ${(error as Error).message}`,
          'give a readable YAML or JSON file',
          'TicketFileUnreadable',
        ),
      ],
      { cause: error },
    );
  }
  let value: unknown;
  if (extname(path).toLowerCase() === '.json') {
    try {
      value = parseStrictJson(text, TICKET_FILE_LIMITS);
    } catch (error) {
      if (error instanceof StrictJsonError) {
        throw new ValidationError(
          [problem('file', error.message, 'give one JSON object (a ticket body) or a list of them', error.code)],
          { cause: error },
        );
      }
      throw error;
    }
  } else value = parseTicketYaml(text);
  return Array.isArray(value) ? value : [value];
}

/**
 * Complete (`id`, `issuedAt`) and validate raw bodies against the ticket schema; throws one
 * {@link ValidationError} naming every problem of every body (`tickets[1].relationship.source.accountId`).
 */
export function ticketBodies(raw: readonly unknown[], now: Date): Record<string, unknown>[] {
  if (raw.length === 0)
    throw new ValidationError([problem('file', 'the file holds no ticket', 'give a ticket body or a list of them')]);
  const problems: ValidationProblem[] = [];
  const bodies: Record<string, unknown>[] = [];
  raw.forEach((value, i) => {
    const field = raw.length === 1 ? 'ticket' : `tickets[${i}]`;
    const completed =
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? { id: randomUUID(), issuedAt: now.toISOString().replace(/\.\d{3}Z$/, 'Z'), ...(value as object) }
        : value;
    const parsed = TicketBodySchema.safeParse(completed);
    // What is signed is what the file says (plus id and issuedAt), not the schema's defaults: the intake applies
    // those itself, and a signed ticket keeps meaning what its author wrote.
    if (parsed.success) bodies.push(completed as Record<string, unknown>);
    else problems.push(...problemsFromZodError(parsed.error, field));
  });
  if (problems.length > 0) throw new ValidationError(problems);
  return bodies;
}

/** Sign one body: the dts-trust/v1 message, checked to be what the intake's reader accepts. */
export function signedTicket(body: Record<string, unknown>, key: TicketKey): TicketMessage {
  let message: TicketMessage;
  try {
    message = signTicketMessage(body, key.keyId, key.secret);
  } catch (error) {
    if (error instanceof CanonicalJsonError) {
      throw new ValidationError([problem('ticket', error.message, 'give only I-JSON values')], { cause: error });
    }
    throw error;
  }
  try {
    parseStrictJson(JSON.stringify(message));
  } catch (error) {
    if (error instanceof StrictJsonError) {
      throw new ValidationError(
        [problem('ticket', `the intake would refuse it: ${error.message}`, 'make the ticket smaller')],
        {
          cause: error,
        },
      );
    }
    throw error;
  }
  return message;
}
