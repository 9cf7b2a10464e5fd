import { CloudApiError, ConcurrentModificationError } from '../domain/errors.js';
import type { Clock, Random } from '../ports.js';

/** How throttled and unavailable cloud calls are retried. */
export interface RetryPolicy {
  /** Attempts in total, the first included (1 = no retry). */
  readonly maxAttempts: number;
  /** The ceiling of the first backoff; it doubles with every further attempt. */
  readonly baseDelayMs: number;
  /** No backoff is ever longer than this. */
  readonly maxDelayMs: number;
}

/** Retries used when the caller configures none. */
export const DEFAULT_RETRY_POLICY = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
} as const satisfies RetryPolicy;

/**
 * The backoff before retry number `retry` (1 for the first retry): "equal jitter" over an exponential ceiling,
 * `ceiling / 2 + random * ceiling / 2` with `ceiling = min(maxDelayMs, baseDelayMs * 2^(retry - 1))`, so delays
 * grow, never exceed the cap, and callers that failed together do not retry together.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: Random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + random.next() * (ceiling / 2));
}

/**
 * The retry rule: true for failures worth the same call again, a {@link CloudApiError} of kind `throttled` or
 * `unavailable` (`CloudApiError.retryable`: throttling, 5xx, transport, a loading table). Everything else (a
 * refusal, an absent or conflicting resource, a defect of the request, an error of our own) fails at once.
 */
export function isRetryable(error: unknown): boolean {
  return error instanceof CloudApiError && error.retryable;
}

/**
 * The retry rule for a whole step that starts by reading (an intake message, redelivered by the queue): the
 * {@link isRetryable} failures, and a conditional write that lost a race ({@link ConcurrentModificationError}),
 * since a step that reads again sees the winner's row, where the same call would only lose again.
 */
export function isRetryableStep(error: unknown): boolean {
  return isRetryable(error) || error instanceof ConcurrentModificationError;
}

/**
 * Run `call` up to `policy.maxAttempts` times, waiting {@link backoffDelay} through the clock's `sleep` before each
 * retry, while `retryOn` says the failure is worth another attempt ({@link isRetryable} unless an adapter names
 * the one transient answer it waits out, such as RAM's settling DeleteRole); any other error, or the last
 * attempt's, is rethrown unchanged.
 */
export async function withRetry<T>(
  call: () => Promise<T>,
  policy: RetryPolicy,
  time: { clock: Pick<Clock, 'sleep'>; random: Random },
  retryOn: (error: unknown) => boolean = isRetryable,
): Promise<T> {
  const attempts = Math.max(1, Math.floor(policy.maxAttempts));
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !retryOn(error)) throw error;
      await time.clock.sleep(backoffDelay(attempt, policy, time.random));
    }
  }
}
