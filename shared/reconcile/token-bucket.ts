import type { Clock } from '../ports.js';

/** The rate a token bucket allows. */
export interface TokenBucketOptions {
  /** Tokens added per second (the sustained calls per second). */
  readonly ratePerSecond: number;
  /** Tokens the bucket holds at most (the burst); defaults to `ratePerSecond`. */
  readonly burst?: number;
}

/**
 * A token bucket over the {@link Clock} port: {@link TokenBucket.take} returns at once while tokens last and
 * otherwise sleeps until the caller's token is due ({@link TokenBucket.tryTake}: the same without waiting). Takers
 * reserve tokens in call order (the balance may go negative), so concurrent callers are served first come, first
 * served without polling.
 */
export class TokenBucket {
  readonly #clock: Clock;
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #updatedAt: number;

  constructor(clock: Clock, options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be a positive number');
    this.#clock = clock;
    this.#rate = options.ratePerSecond;
    this.#burst = Math.max(1, options.burst ?? options.ratePerSecond);
    this.#tokens = this.#burst;
    this.#updatedAt = clock.now().getTime();
  }

  /** Take one token now if the bucket holds one (true), without reserving one otherwise (false). */
  tryTake(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Take one token, waiting (through the clock) as long as the rate requires. */
  async take(): Promise<void> {
    this.#refill();
    this.#tokens -= 1;
    if (this.#tokens >= 0) return;
    await this.#clock.sleep(Math.ceil((-this.#tokens / this.#rate) * 1000));
  }

  #refill(): void {
    const now = this.#clock.now().getTime();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#updatedAt) / 1000) * this.#rate);
    this.#updatedAt = now;
  }
}
