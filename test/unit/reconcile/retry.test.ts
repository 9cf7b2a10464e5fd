import { describe, expect, it } from 'vitest';
import { ConcurrentModificationError } from '../../../shared/domain/errors.js';
import { backoffDelay, isRetryable, isRetryableStep, withRetry } from '../../../shared/reconcile/retry.js';
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

describe('withRetry with a rule of its own', () => {
  it('retries only what the given rule names, with the same backoff', async () => {
    const clock = new FakeClock();
    const settling = CloudErrors.invalid();
    let calls = 0;
    const value = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw settling;
        return 'deleted';
      },
      policy,
      { clock, random: new FixedRandom(0) },
      (error) => error === settling,
    );
    expect(value).toBe('deleted');
    expect(clock.sleeps).toEqual([50, 100]);
  });

  it('does not retry what the default rule would, when the given rule does not name it', async () => {
    const clock = new FakeClock();
    const error = CloudErrors.throttled();
    await expect(
      withRetry(
        () => Promise.reject(error),
        policy,
        { clock, random: new SeededRandom() },
        () => false,
      ),
    ).rejects.toBe(error);
    expect(clock.sleeps).toEqual([]);
  });
});

describe('isRetryable', () => {
  it.each([
    { what: 'throttling', error: CloudErrors.throttled(), retryable: true },
    { what: 'an outage', error: CloudErrors.unavailable(), retryable: true },
    { what: 'a refusal', error: CloudErrors.noPermission(), retryable: false },
    { what: 'a bad request', error: CloudErrors.invalid(), retryable: false },
    { what: 'an absent role', error: CloudErrors.roleNotFound(), retryable: false },
    { what: 'a lost race', error: new ConcurrentModificationError('the row changed'), retryable: false },
    { what: 'an error of our own', error: new Error('defect'), retryable: false },
  ])('is $retryable for $what', ({ error, retryable }) => {
    expect(isRetryable(error)).toBe(retryable);
  });
});

describe('isRetryableStep', () => {
  it.each([
    { what: 'throttling', error: CloudErrors.throttled(), retryable: true },
    { what: 'an outage', error: CloudErrors.unavailable(), retryable: true },
    {
      what: 'a lost race, which a fresh read settles',
      error: new ConcurrentModificationError('the row changed'),
      retryable: true,
    },
    { what: 'a refusal', error: CloudErrors.noPermission(), retryable: false },
    { what: 'an error of our own', error: new Error('defect'), retryable: false },
  ])('is $retryable for $what', ({ error, retryable }) => {
    expect(isRetryableStep(error)).toBe(retryable);
  });
});
