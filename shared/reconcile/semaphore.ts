/** A counting semaphore: at most `permits` holders at a time, waiters served in order. */
export class Semaphore {
  #available: number;
  readonly #waiters: (() => void)[] = [];

  constructor(permits: number) {
    if (!(permits >= 1)) throw new RangeError('a semaphore needs at least one permit');
    this.#available = Math.floor(permits);
  }

  /** Wait for a permit. */
  async acquire(): Promise<void> {
    if (this.#available > 0) {
      this.#available -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** Give a permit back (to the longest waiter, if any). */
  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#available += 1;
  }
}
