import { describe, expect, it } from 'vitest';
import { median, percentile, rateBoundMs } from '../../../bench/bound.js';

describe('rateBoundMs', () => {
  it('is the slowest account: its two calls per role beyond the burst, at the account rate', () => {
    // 500 roles x 2 calls = 1,000 calls; 980 beyond the burst at 20/s = 49 s; the smaller account takes less.
    expect(rateBoundMs([500, 100], 20)).toBe(49_000);
  });

  it('does not grow with the number of accounts: RAM limits each account on its own', () => {
    expect(
      rateBoundMs(
        Array.from({ length: 20 }, () => 500),
        20,
      ),
    ).toBe(49_000);
  });

  it('is 0 when every account fits in its burst', () => {
    expect(rateBoundMs([10, 5], 20)).toBe(0);
    expect(rateBoundMs([], 20)).toBe(0);
  });

  it('takes a burst other than the rate', () => {
    expect(rateBoundMs([100], 10, 0)).toBe(20_000);
  });

  it('rejects a rate that is not positive and a negative burst', () => {
    expect(() => rateBoundMs([1], 0)).toThrow(/ratePerSecond/);
    expect(() => rateBoundMs([1], 1, -1)).toThrow(/burst/);
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
