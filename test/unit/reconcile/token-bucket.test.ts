import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../shared/reconcile/token-bucket.js';
import { FakeClock } from '../../support/fake-clock.js';

describe('TokenBucket', () => {
  it('lets a burst through at once, then one call per 1/rate seconds', async () => {
    const clock = new FakeClock();
    const start = clock.millis;
    const bucket = new TokenBucket(clock, { ratePerSecond: 5, burst: 2 });
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      await bucket.take();
      times.push(clock.millis - start);
    }
    expect(times).toEqual([0, 0, 200, 400, 600, 800]);
  });

  it('serves concurrent takers first come, first served at the rate', async () => {
    const clock = new FakeClock();
    const start = clock.millis;
    const bucket = new TokenBucket(clock, { ratePerSecond: 10, burst: 1 });
    const times: number[] = [];
    await Promise.all(Array.from({ length: 5 }, () => bucket.take().then(() => times.push(clock.millis - start))));
    expect(times).toEqual([0, 100, 200, 300, 400]);
  });

  it('refills while idle, up to the burst only', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(clock, { ratePerSecond: 1, burst: 3 });
    for (let i = 0; i < 3; i++) await bucket.take();
    clock.advance(60_000);
    const before = clock.millis;
    for (let i = 0; i < 4; i++) await bucket.take();
    expect(clock.millis - before).toBe(1000);
  });

  it('takes a token at once when one is there, and otherwise neither waits nor reserves one', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(clock, { ratePerSecond: 10, burst: 2 });
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    const before = clock.millis;
    await bucket.take();
    // The refused tries reserved nothing: the next token is due one period after the burst, not three.
    expect(clock.millis - before).toBe(100);
    clock.advance(100);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
  });

  it('rejects a rate that is not positive', () => {
    expect(() => new TokenBucket(new FakeClock(), { ratePerSecond: 0 })).toThrow(RangeError);
  });
});
