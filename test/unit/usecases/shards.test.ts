import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ASYNC_TASK_ID_RULE, planShards, shardTaskId } from '../../../shared/usecases/shards.js';

describe('planShards', () => {
  it('keeps every shard within the role limit and every account in exactly one shard', () => {
    const counts = new Map(Array.from({ length: 50 }, (_, i) => [`acc${String(i).padStart(2, '0')}`, (i % 7) + 1]));
    const shards = planShards(counts, 20);
    expect(shards.every((s) => s.roles <= 20)).toBe(true);
    const accounts = shards.flatMap((s) => s.ownerAccountIds);
    expect(new Set(accounts).size).toBe(50);
    expect(accounts).toHaveLength(50);
    expect(shards.reduce((n, s) => n + s.roles, 0)).toBe([...counts.values()].reduce((a, b) => a + b, 0));
  });

  it('never splits an account, even one larger than a shard', () => {
    const shards = planShards(
      new Map([
        ['big', 30],
        ['small', 5],
      ]),
      20,
    );
    expect(shards).toEqual([
      { ownerAccountIds: ['big'], roles: 30 },
      { ownerAccountIds: ['small'], roles: 5 },
    ]);
  });

  it('gives no shard for no accounts', () => {
    expect(planShards(new Map(), 10)).toEqual([]);
  });
});

describe('shardTaskId', () => {
  const accounts = ['1437508826153950', '2750194836201847'];

  it('gives the same id for the same run and accounts, whatever their order', () => {
    expect(shardTaskId('2026-12-01T08:15:00Z', accounts)).toBe(
      shardTaskId('2026-12-01T08:15:00Z', [...accounts].reverse()),
    );
  });

  it('gives another id for another run or another set of accounts', () => {
    const id = shardTaskId('2026-12-01T08:15:00Z', accounts);
    expect(shardTaskId('2026-12-01T08:30:00Z', accounts)).not.toBe(id);
    expect(shardTaskId('2026-12-01T08:15:00Z', accounts.slice(0, 1))).not.toBe(id);
  });

  it("follows FC's task id rule for any trigger time and accounts", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
        fc.array(fc.stringMatching(/^\d{16}$/), { minLength: 1, maxLength: 50 }),
        (when, ids) => ASYNC_TASK_ID_RULE.test(shardTaskId(when.toISOString(), ids)),
      ),
    );
  });

  it('refuses a trigger time that is not a date', () => {
    expect(() => shardTaskId('yesterday', accounts)).toThrow(/yesterday/);
  });
});
