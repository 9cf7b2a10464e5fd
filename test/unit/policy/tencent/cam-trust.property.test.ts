/**
 * Property tests of the CAM trust dialect: whatever CAM does to a document we wrote (any of its rewrites, any
 * formatting), reading it back shows no drift; and whatever undeclared principals a live document adds, the diff
 * removes every one of them, reports each with a finding, and never removes or adds a declared one wrongly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entryKey } from '../../../../shared/policy/index.js';
import {
  buildCamTrustPolicy,
  type CamTrustPolicyDocument,
  diffCamTrust,
  parseCamTrustPolicy,
  parsedFromCamDocument,
  renderCamTrustPolicy,
} from '../../../../shared/policy/tencent/index.js';

const OWNER = '100000000001';
const uin = fc.integer({ min: 100_000_000_100, max: 100_000_000_999 }).map(String);
const externalId = fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{2,16}$/), { nil: undefined });

/** One of CAM's rewrites (or formatting noise), each switchable. */
interface Rewrites {
  readonly rootAsUin: boolean;
  readonly loneAsString: boolean;
  readonly upperKeys: boolean;
  readonly dropNamePrefix: boolean;
  readonly conditionValueAsList: boolean;
  readonly pretty: boolean;
  readonly reverse: boolean;
}
const rewrites: fc.Arbitrary<Rewrites> = fc.record({
  rootAsUin: fc.boolean(),
  loneAsString: fc.boolean(),
  upperKeys: fc.boolean(),
  dropNamePrefix: fc.boolean(),
  conditionValueAsList: fc.boolean(),
  pretty: fc.boolean(),
  reverse: fc.boolean(),
});

/** The document as CAM might hand it back after the chosen rewrites. */
function rewrite(document: CamTrustPolicyDocument, r: Rewrites): string {
  const key = (k: string) => (r.upperKeys ? k[0]?.toUpperCase() + k.slice(1) : k);
  const statements = document.statement.map((s) => {
    let qcs = (s.principal.qcs ?? []).map((p) => (r.rootAsUin ? p.replace(/uin\/(\d+):root$/, 'uin/$1:uin/$1') : p));
    if (r.reverse) qcs = [...qcs].reverse();
    const condition =
      s.condition === undefined
        ? undefined
        : Object.fromEntries(
            Object.entries(s.condition).map(([op, keys]) => [
              op,
              Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, r.conditionValueAsList ? [v] : v])),
            ]),
          );
    return {
      [key('effect')]: r.upperKeys ? 'Allow' : s.effect,
      [key('action')]: r.dropNamePrefix ? s.action.replace(/^name\//, '') : s.action,
      [key('principal')]: { qcs: r.loneAsString && qcs.length === 1 ? qcs[0] : qcs },
      ...(condition === undefined ? {} : { [key('condition')]: condition }),
    };
  });
  const out = { [key('version')]: document.version, [key('statement')]: statements };
  return r.pretty ? JSON.stringify(out, null, 2) : JSON.stringify(out);
}

/** A principal as CAM reads it: an account's root written as its own uin is that account's root. */
function asCamReadsIt(principal: string): string {
  return principal.replace(/uin\/(\d+):uin\/\1$/, 'uin/$1:root');
}

describe('the CAM trust dialect (properties)', () => {
  it('shows no perpetual diff: any CAM rewrite of the desired document reads as up to date', () => {
    fc.assert(
      fc.property(fc.uniqueArray(uin, { minLength: 1, maxLength: 5 }), externalId, rewrites, (uins, ext, r) => {
        const document = buildCamTrustPolicy(uins, ext === undefined ? {} : { externalId: ext });
        const live = parseCamTrustPolicy(rewrite(document, r));
        expect(diffCamTrust(parsedFromCamDocument(document), live, { ownerAccountId: OWNER }).upToDate).toBe(true);
        expect(parseCamTrustPolicy(renderCamTrustPolicy(document))).toEqual(parsedFromCamDocument(document));
      }),
    );
  });

  it('removes every undeclared principal, with a finding, and keeps every declared one', () => {
    const undeclared = fc.oneof(
      uin.map((u) => `qcs::cam::uin/${u}:root`),
      fc.tuple(uin, uin).map(([root, sub]) => `qcs::cam::uin/${root}:uin/${sub}`),
      uin.map((u) => `qcs::cam::uin/${u}:roleName/some-role`),
      fc.constant('*'),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(uin, { minLength: 1, maxLength: 3 }),
        fc.array(undeclared, { maxLength: 5 }),
        rewrites,
        (declared, extra, r) => {
          const desired = buildCamTrustPolicy(declared);
          const desiredPrincipals = new Set(desired.statement[0]?.principal.qcs);
          const foreign = extra.filter((p) => !desiredPrincipals.has(asCamReadsIt(p)));
          const liveDoc: CamTrustPolicyDocument = {
            ...desired,
            statement: [{ ...desired.statement[0]!, principal: { qcs: [...desiredPrincipals, ...foreign] } }],
          };
          const diff = diffCamTrust(parsedFromCamDocument(desired), parseCamTrustPolicy(rewrite(liveDoc, r)), {
            ownerAccountId: OWNER,
          });
          expect(diff.toAdd).toEqual([]);
          const removed = new Set(diff.toRemove.map((x) => x.entry.principal));
          // CAM reads `uin/N:uin/N` as `uin/N:root`: the two spellings are one principal, removed (and reported) once.
          expect(removed.size).toBe(new Set(foreign.map(asCamReadsIt)).size);
          for (const removal of diff.toRemove) expect(desiredPrincipals.has(removal.entry.principal)).toBe(false);
          for (const removal of diff.toRemove) expect(removal.finding).toBeTruthy();
          const desiredKeys = new Set(parsedFromCamDocument(desired).entries.map(entryKey));
          for (const removal of diff.toRemove) expect(desiredKeys.has(entryKey(removal.entry))).toBe(false);
        },
      ),
    );
  });
});
