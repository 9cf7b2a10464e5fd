import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareRoleKeys, type RoleKey } from '../../../shared/domain/grant.js';
import { type RoleVisit, RunMode, type RunResult } from '../../../shared/reconcile/index.js';
import type { KeptVisits } from '../../../shared/usecases/kept-visits.js';
import { type SurveyOptions, surveyRoles } from '../../../shared/usecases/role-survey.js';
import { planShards, type Shard } from '../../../shared/usecases/shards.js';

const account = (n: number): string => `70000000000000${String(n).padStart(2, '0')}`;

/** Visits of accounts with these role counts, in account order, each read noted in `seen` as it is handed over. */
async function* visitsOf(
  counts: readonly number[],
  seen: string[] = [],
  failAfter = Infinity,
): AsyncIterable<RoleVisit> {
  let read = 0;
  for (const [i, roles] of counts.entries()) {
    for (let r = 0; r < roles; r++) {
      if (read === failAfter) throw new Error('the status table went away');
      read += 1;
      seen.push(`visit ${account(i)}`);
      yield { ownerAccountId: account(i), roleName: `role-${r}`, declared: true, status: null };
    }
  }
}

/** The keys of those visits after `last` (what the stores' key scans list), each noted in `seen` as it is handed over. */
function keysAfterOf(counts: readonly number[], seen: string[] = []): (last: RoleKey) => AsyncIterable<RoleKey> {
  return async function* (last) {
    for await (const visit of visitsOf(counts)) {
      if (compareRoleKeys(visit, last) <= 0) continue;
      seen.push(`key ${visit.ownerAccountId}`);
      yield { ownerAccountId: visit.ownerAccountId, roleName: visit.roleName };
    }
  };
}

const accountsOf = (shards: readonly Shard[]): string[] => shards.map((s) => s.ownerAccountIds.join(',')).sort();

/** The result of a run here that reconciled `roles` roles (the survey passes it through). */
const hereResult = (roles: number): RunResult => ({
  correlationId: 'c',
  mode: RunMode.Inline,
  dryRun: false,
  roles,
  outcomes: { inSync: roles },
  failedAccounts: [],
  durationMs: 0,
  apiCalls: { ram: 2 * roles, assumeRole: 0 },
  statusWriteFailures: 0,
  expiredGrants: 0,
  results: [],
  resultsTruncated: false,
});

/**
 * A run here that takes each visit as a lane would (noting it in `seen` as `here <account>`), a step of the event
 * loop per visit, and notes the most visits the survey held for it.
 */
function runHere(seen: string[] = [], held: number[] = []): SurveyOptions['reconcileHere'] {
  return async (accounts: KeptVisits) => {
    let roles = 0;
    for await (const stream of accounts) {
      for await (const visit of stream) {
        held.push(accounts.held);
        seen.push(`here ${visit.ownerAccountId}`);
        roles += 1;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return hereResult(roles);
  };
}

describe('surveyRoles', () => {
  it('reconciles every account of a run that fits here, in order, and hands no account out', async () => {
    const handed: Shard[] = [];
    const seen: string[] = [];
    const survey = await surveyRoles(visitsOf([2, 1]), {
      threshold: 3,
      ownShard: (s) => handed.push(s),
      reconcileHere: runHere(seen),
    });
    expect(survey).toMatchObject({ fits: true, here: new Set([account(0), account(1)]), run: { roles: 3 } });
    expect(seen).toEqual([`here ${account(0)}`, `here ${account(0)}`, `here ${account(1)}`]);
    expect(handed).toEqual([]);
  });

  it('starts the run here only once the read has ended when the threshold is within the read-ahead', async () => {
    const seen: string[] = [];
    await surveyRoles(visitsOf([2, 2], seen), { threshold: 4, readAhead: 4, reconcileHere: runHere(seen) });
    expect(seen).toEqual([
      `visit ${account(0)}`,
      `visit ${account(0)}`,
      `visit ${account(1)}`,
      `visit ${account(1)}`,
      `here ${account(0)}`,
      `here ${account(0)}`,
      `here ${account(1)}`,
      `here ${account(1)}`,
    ]);
  });

  it('reconciles here while it reads once more than the read-ahead is kept, holding no more than that and an account', async () => {
    const seen: string[] = [];
    const held: number[] = [];
    const counts = [3, 3, 3, 3, 3, 3];
    const survey = await surveyRoles(visitsOf(counts, seen), {
      threshold: 100,
      readAhead: 4,
      reconcileHere: runHere(seen, held),
    });
    expect(survey).toMatchObject({ fits: true, run: { roles: 18 } });
    expect(seen.indexOf(`here ${account(0)}`)).toBeLessThan(seen.indexOf(`visit ${account(5)}`));
    expect(Math.max(...held)).toBeLessThanOrEqual(4 + 3);
  });

  it("hands an account of at least the threshold to a shard of its own when the next account's first visit comes", async () => {
    const seen: string[] = [];
    const survey = await surveyRoles(visitsOf([1, 3, 2], seen), {
      threshold: 2,
      ownShard: (s) => seen.push(`shard ${s.ownerAccountIds}`),
      reconcileHere: runHere(seen),
    });
    expect(seen).toEqual([
      `visit ${account(0)}`,
      `visit ${account(1)}`,
      `visit ${account(1)}`,
      `visit ${account(1)}`,
      `visit ${account(2)}`,
      `shard ${account(1)}`,
      `visit ${account(2)}`,
    ]);
    expect(survey).toMatchObject({ fits: false, handedOut: new Set([account(1)]), here: new Set(), run: undefined });
    expect(survey.rolesByAccount).toEqual(
      new Map([
        [account(0), 1],
        [account(1), 3],
        [account(2), 2],
      ]),
    );
  });

  it('counts the roles past the threshold from their keys alone, leaving the visits after the first one past it unread', async () => {
    const seen: string[] = [];
    const survey = await surveyRoles(visitsOf([1, 3, 2], seen), {
      threshold: 2,
      ownShard: (s) => seen.push(`shard ${s.ownerAccountIds}`),
      reconcileHere: runHere(seen),
      keysAfter: keysAfterOf([1, 3, 2], seen),
    });
    expect(seen).toEqual([
      `visit ${account(0)}`,
      `visit ${account(1)}`,
      `visit ${account(1)}`,
      `key ${account(1)}`,
      `key ${account(2)}`,
      `shard ${account(1)}`,
      `key ${account(2)}`,
    ]);
    expect(survey).toMatchObject({ fits: false, handedOut: new Set([account(1)]), here: new Set(), run: undefined });
    expect(survey.rolesByAccount).toEqual(
      new Map([
        [account(0), 1],
        [account(1), 3],
        [account(2), 2],
      ]),
    );
  });

  it('reads no key of a run that fits', async () => {
    const seen: string[] = [];
    const survey = await surveyRoles(visitsOf([2, 1]), {
      threshold: 3,
      reconcileHere: runHere(),
      keysAfter: keysAfterOf([2, 1], seen),
    });
    expect(survey.fits).toBe(true);
    expect(seen).toEqual([]);
  });

  it('finds the same survey from the keys past the threshold as from the visits alone', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 10 }),
        async (counts, threshold, readAhead) => {
          const byVisits: Shard[] = [];
          const byKeys: Shard[] = [];
          const [hereByVisits, hereByKeys]: [string[], string[]] = [[], []];
          const whole = await surveyRoles(visitsOf(counts), {
            threshold,
            readAhead,
            ownShard: (s) => byVisits.push(s),
            reconcileHere: runHere(hereByVisits),
          });
          const keyed = await surveyRoles(visitsOf(counts), {
            threshold,
            readAhead,
            ownShard: (s) => byKeys.push(s),
            reconcileHere: runHere(hereByKeys),
            keysAfter: keysAfterOf(counts),
          });
          expect(keyed).toEqual(whole);
          expect(byKeys).toEqual(byVisits);
          expect(hereByKeys).toEqual(hereByVisits);
        },
      ),
    );
  });

  it('holds a full account back while the run may still fit, and hands it out once the run is past the threshold', async () => {
    const seen: string[] = [];
    await surveyRoles(visitsOf([2, 1], seen), {
      threshold: 2,
      ownShard: (s) => seen.push(`shard ${s.ownerAccountIds}`),
      reconcileHere: runHere(),
    });
    expect(seen.slice(-2)).toEqual([`visit ${account(1)}`, `shard ${account(0)}`]);
    const alone: Shard[] = [];
    const fits = await surveyRoles(visitsOf([2]), {
      threshold: 2,
      ownShard: (s) => alone.push(s),
      reconcileHere: runHere(),
    });
    expect(fits.fits).toBe(true);
    expect(alone).toEqual([]);
  });

  it('keeps the accounts given to the run here when the run turns out not to fit, and counts the rest for shards', async () => {
    const seen: string[] = [];
    const survey = await surveyRoles(visitsOf([2, 2, 2, 2], seen), {
      threshold: 5,
      readAhead: 1,
      reconcileHere: runHere(seen),
    });
    expect(survey).toMatchObject({ fits: false, here: new Set([account(0), account(1)]), run: { roles: 4 } });
    expect(seen.filter((s) => s.startsWith('here')).sort()).toEqual([
      `here ${account(0)}`,
      `here ${account(0)}`,
      `here ${account(1)}`,
      `here ${account(1)}`,
    ]);
  });

  it('lets the run here finish the accounts it was given before a failed read is rethrown', async () => {
    const seen: string[] = [];
    const survey = surveyRoles(visitsOf([2, 2, 2], seen, 5), {
      threshold: 100,
      readAhead: 1,
      reconcileHere: runHere(seen),
    });
    await expect(survey).rejects.toThrow(/went away/);
    expect(seen.filter((s) => s.startsWith('here'))).toHaveLength(4);
  });

  it('reads on when the run here fails as a whole, and rethrows its failure', async () => {
    const survey = surveyRoles(visitsOf([2, 2, 2]), {
      threshold: 100,
      readAhead: 1,
      reconcileHere: async () => {
        throw new Error('the reconciler broke');
      },
    });
    await expect(survey).rejects.toThrow(/reconciler broke/);
  });

  it('reconciles every role once, here or in a shard, each account whole and at most the threshold here', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 10 }),
        async (counts, threshold, readAhead) => {
          const handed: Shard[] = [];
          const seen: string[] = [];
          const survey = await surveyRoles(visitsOf(counts), {
            threshold,
            readAhead,
            ownShard: (s) => handed.push(s),
            reconcileHere: runHere(seen),
          });
          const all = counts.map((_, i) => account(i));
          const hereRoles = [...survey.here].reduce((n, id) => n + (survey.rolesByAccount.get(id) ?? 0), 0);
          expect(seen).toHaveLength(hereRoles);
          expect(survey.run?.roles ?? 0).toBe(hereRoles);
          if (survey.fits) {
            expect([...survey.here].sort()).toEqual(all);
            expect(handed).toEqual([]);
            return;
          }
          expect(hereRoles).toBeLessThanOrEqual(threshold);
          const rest = new Map(
            [...survey.rolesByAccount].filter(([id]) => !survey.handedOut.has(id) && !survey.here.has(id)),
          );
          const sharded = accountsOf([...handed, ...planShards(rest, threshold)]).flatMap((s) => s.split(','));
          expect([...sharded, ...survey.here].sort()).toEqual(all);
          if (survey.here.size === 0) {
            expect(accountsOf([...handed, ...planShards(rest, threshold)])).toEqual(
              accountsOf(planShards(survey.rolesByAccount, threshold)),
            );
          }
        },
      ),
    );
  });
});
