import { describe, expect, it } from 'vitest';
import { planShards } from '../../../shared/runtime/shards.js';

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
