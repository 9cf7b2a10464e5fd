import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RoleVisit } from '../../../shared/reconcile/index.js';
import { surveyRoles } from '../../../shared/usecases/role-survey.js';
import { planShards, type Shard } from '../../../shared/usecases/shards.js';

const account = (n: number): string => `70000000000000${String(n).padStart(2, '0')}`;

/** Visits of accounts with these role counts, in account order, each read noted in `seen` as it is handed over. */
async function* visitsOf(counts: readonly number[], seen: string[] = []): AsyncIterable<RoleVisit> {
  for (const [i, roles] of counts.entries()) {
    for (let r = 0; r < roles; r++) {
      seen.push(`visit ${account(i)}`);
      yield { ownerAccountId: account(i), roleName: `role-${r}`, declared: true, status: null };
    }
  }
}

const accountsOf = (shards: readonly Shard[]): string[] => shards.map((s) => s.ownerAccountIds.join(',')).sort();

describe('surveyRoles', () => {
  it('keeps the visits of a run that fits and hands no account out', async () => {
    const handed: Shard[] = [];
    const survey = await surveyRoles(visitsOf([2, 1]), 3, (s) => handed.push(s));
    expect(survey.fits).toBe(true);
    const streams = survey.fits ? survey.visits.takeStreams() : [];
    const accounts = [];
    for (const stream of streams) for await (const v of stream) accounts.push(v.ownerAccountId);
    expect(accounts).toEqual([account(0), account(0), account(1)]);
    expect(handed).toEqual([]);
  });

  it("hands an account of at least the threshold to a shard of its own when the next account's first visit comes", async () => {
    const seen: string[] = [];
    const survey = await surveyRoles(visitsOf([1, 3, 2], seen), 2, (s) => seen.push(`shard ${s.ownerAccountIds}`));
    expect(seen).toEqual([
      `visit ${account(0)}`,
      `visit ${account(1)}`,
      `visit ${account(1)}`,
      `visit ${account(1)}`,
      `visit ${account(2)}`,
      `shard ${account(1)}`,
      `visit ${account(2)}`,
    ]);
    expect(survey).toMatchObject({ fits: false, handedOut: new Set([account(1)]) });
    expect(survey.rolesByAccount).toEqual(
      new Map([
        [account(0), 1],
        [account(1), 3],
        [account(2), 2],
      ]),
    );
  });

  it('holds a full account back while the run may still fit, and hands it out once the run is past the threshold', async () => {
    const seen: string[] = [];
    await surveyRoles(visitsOf([2, 1], seen), 2, (s) => seen.push(`shard ${s.ownerAccountIds}`));
    expect(seen.slice(-2)).toEqual([`visit ${account(1)}`, `shard ${account(0)}`]);
    const alone: Shard[] = [];
    expect((await surveyRoles(visitsOf([2]), 2, (s) => alone.push(s))).fits).toBe(true);
    expect(alone).toEqual([]);
  });

  it('cuts the same shards as planShards over the whole count: those handed out, and the rest cut at the end', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 8 }),
        fc.integer({ min: 1, max: 8 }),
        async (counts, threshold) => {
          const handed: Shard[] = [];
          const survey = await surveyRoles(visitsOf(counts), threshold, (s) => handed.push(s));
          const whole = planShards(survey.rolesByAccount, threshold);
          if (survey.fits) {
            expect(handed).toEqual([]);
            return;
          }
          const rest = new Map([...survey.rolesByAccount].filter(([id]) => !survey.handedOut.has(id)));
          expect(accountsOf([...handed, ...planShards(rest, threshold)])).toEqual(accountsOf(whole));
        },
      ),
    );
  });
});
