import { describe, expect, it } from 'vitest';
import { accountBound, BoundFactor, type BoundInput, median, percentile, runBound } from '../../../bench/bound.js';

const base: BoundInput = {
  rolesPerAccount: [10],
  ramCallsPerRole: 2,
  ramLatencyMs: 35,
  stsLatencyMs: 0,
  ratePerSecond: 20,
  burst: 20,
  accountConcurrency: 8,
  roleConcurrency: 4,
};

describe('accountBound', () => {
  it('counts waves of roleConcurrency roles, each waiting for its RAM calls in series', () => {
    // 10 roles, 4 at a time: 3 waves of 2 calls of 35 ms.
    expect(accountBound(10, base)).toEqual({ ms: 210, limitedBy: BoundFactor.Latency });
  });

  it('adds the AssumeRole made before the first role', () => {
    expect(accountBound(4, { ...base, stsLatencyMs: 40 }).ms).toBe(40 + 70);
  });

  it('is rate-bound when the calls beyond the burst take longer at the account rate than the latency', () => {
    // 100 roles x 2 calls = 200 calls; 180 beyond the burst at 20/s = 9 s; latency: 25 waves x 70 ms = 1.75 s.
    expect(accountBound(100, base)).toEqual({ ms: 9000, limitedBy: BoundFactor.Rate });
  });

  it('costs nothing for an account without roles', () => {
    expect(accountBound(0, base).ms).toBe(0);
  });
});

describe('runBound', () => {
  it('packs the accounts into accountConcurrency lanes', () => {
    const bound = runBound({ ...base, rolesPerAccount: Array.from({ length: 1000 }, () => 10) });
    // 1,000 accounts x 210 ms / 8 lanes.
    expect(bound.ms).toBeCloseTo(26_250);
    expect(bound.limitedBy).toBe(BoundFactor.Latency);
  });

  it('is never less than the slowest account on its own', () => {
    const bound = runBound({ ...base, rolesPerAccount: [100, 1, 1] });
    expect(bound.ms).toBe(9000);
    expect(bound.slowestAccountMs).toBe(9000);
    expect(bound.limitedBy).toBe(BoundFactor.Rate);
  });

  it('rejects a rate or concurrency that is not positive', () => {
    expect(() => runBound({ ...base, ratePerSecond: 0 })).toThrow(/ratePerSecond/);
    expect(() => runBound({ ...base, accountConcurrency: 0 })).toThrow(/accountConcurrency/);
    expect(() => runBound({ ...base, ramLatencyMs: -1 })).toThrow(/negative/);
  });
});

describe('percentile', () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i);

  it('takes the nearest rank', () => {
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });

  it('is NaN without values', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(median([3, 1, 2])).toBe(2);
  });
});
