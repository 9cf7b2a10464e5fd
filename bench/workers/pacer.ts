/** A per-account pace for the bench's own loops: at most `ratePerSecond` calls a second after a burst of as many. */
export class Pacer {
  readonly #intervalMs: number;
  readonly #burst: number;
  #tokens: number;
  #updatedAt = Date.now();

  constructor(ratePerSecond: number) {
    this.#intervalMs = 1000 / ratePerSecond;
    this.#burst = ratePerSecond;
    this.#tokens = ratePerSecond;
  }

  /** Wait for this call's turn (callers are served in call order). */
  async turn(): Promise<void> {
    const now = Date.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#updatedAt) / this.#intervalMs);
    this.#updatedAt = now;
    this.#tokens -= 1;
    if (this.#tokens >= 0) return;
    await new Promise((resolve) => setTimeout(resolve, Math.ceil(-this.#tokens * this.#intervalMs)));
  }
}
