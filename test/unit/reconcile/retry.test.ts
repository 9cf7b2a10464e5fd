import { describe, expect, it } from 'vitest';
import { backoffDelay, withRetry } from '../../../shared/reconcile/retry.js';
import { CloudErrors } from '../../support/cloud-errors.js';
import { FakeClock, FixedRandom, SeededRandom } from '../../support/fake-clock.js';

const policy = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 1000 };

describe('backoffDelay', () => {
  it.each([
    { retry: 1, low: 50, high: 100 },
    { retry: 2, low: 100, high: 200 },
    { retry: 3, low: 200, high: 400 },
    { retry: 4, low: 400, high: 800 },
    { retry: 5, low: 500, high: 1000 },
    { retry: 9, low: 500, high: 1000 },
  ])('waits between $low and $high ms before retry $retry', ({ retry, low, high }) => {
    expect(backoffDelay(retry, policy, new FixedRandom(0))).toBe(low);
    expect(backoffDelay(retry, policy, new FixedRandom(0.99999))).toBe(high);
    const jittered = backoffDelay(retry, policy, new SeededRandom(retry));
    expect(jittered).toBeGreaterThanOrEqual(low);
    expect(jittered).toBeLessThanOrEqual(high);
  });
});

describe('withRetry', () => {
  it('returns the first success after retryable failures', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const value = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw CloudErrors.unavailable();
        return 'ok';
      },
      policy,
      { clock, random: new SeededRandom() },
    );
    expect(value).toBe('ok');
    expect(clock.sleeps).toHaveLength(2);
  });

  it('rethrows a terminal error at once', async () => {
    const clock = new FakeClock();
    const error = CloudErrors.noPermission();
    await expect(withRetry(() => Promise.reject(error), policy, { clock, random: new SeededRandom() })).rejects.toBe(
      error,
    );
    expect(clock.sleeps).toEqual([]);
  });

  it('rethrows the last throttling error after maxAttempts', async () => {
    const clock = new FakeClock();
    let calls = 0;
    await expect(
      withRetry(
        () => {
          calls += 1;
          return Promise.reject(CloudErrors.throttled());
        },
        { ...policy, maxAttempts: 4 },
        { clock, random: new SeededRandom() },
      ),
    ).rejects.toMatchObject({ code: 'Throttling.User' });
    expect(calls).toBe(4);
    expect(clock.sleeps).toHaveLength(3);
  });
});
