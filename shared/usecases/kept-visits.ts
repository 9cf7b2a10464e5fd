import type { RoleVisit } from '../reconcile/index.js';

/**
 * The role visits a timer run read and reconciles itself, kept by owner account in the order they came (the visits
 * stream sorted by account) and handed to the run as they come: one stream per account, each forgetting a visit as
 * it yields it. The survey that fills it waits while more than `readAhead` visits are held (the run has not taken
 * them yet), so what a run keeps is bounded by the read-ahead and one account, not by the fleet (docs/benchmarks.md,
 * "Memory, next pass"). Iterated by the run's account lanes, each waiting for the next account until {@link close}.
 */
export class KeptVisits implements AsyncIterable<AsyncIterable<RoleVisit>> {
  readonly #readAhead: number;
  readonly #accounts: AsyncIterable<RoleVisit>[] = [];
  readonly #takers: ((next: IteratorResult<AsyncIterable<RoleVisit>, undefined>) => void)[] = [];
  #waiting: (() => void) | undefined;
  #held = 0;
  #closed = false;
  #abandoned = false;

  /** `readAhead`: visits held before {@link addAccount} waits for the run to take some. */
  constructor(readAhead: number) {
    this.#readAhead = readAhead;
  }

  /** Visits kept and not yet handed to the run. */
  get held(): number {
    return this.#held;
  }

  /**
   * Keep one owner account's visits (all of them, in order) for the run; resolves once at most `readAhead` visits
   * are held. Dropped once the run was abandoned.
   */
  async addAccount(visits: readonly RoleVisit[]): Promise<void> {
    if (this.#closed) throw new Error('KeptVisits: an account was added after the last one');
    if (this.#abandoned || visits.length === 0) return;
    this.#held += visits.length;
    const stream = this.#forgetting([...visits]);
    const taker = this.#takers.shift();
    if (taker) taker({ done: false, value: stream });
    else this.#accounts.push(stream);
    if (this.#held > this.#readAhead) await new Promise<void>((resolve) => (this.#waiting = resolve));
  }

  /** No more accounts come: the run ends once it has reconciled those kept. */
  close(): void {
    this.#closed = true;
    for (const taker of this.#takers.splice(0)) taker({ done: true, value: undefined });
  }

  /** The run failed as a whole: keep nothing more, and let the survey read on without waiting. */
  abandon(): void {
    this.#abandoned = true;
    this.#accounts.length = 0;
    this.#held = 0;
    for (const taker of this.#takers.splice(0)) taker({ done: true, value: undefined });
    this.#release();
  }

  [Symbol.asyncIterator](): AsyncIterator<AsyncIterable<RoleVisit>, undefined> {
    return {
      next: () => {
        const stream = this.#accounts.shift();
        if (stream) return Promise.resolve({ done: false, value: stream });
        if (this.#closed || this.#abandoned) return Promise.resolve({ done: true, value: undefined });
        return new Promise((resolve) => this.#takers.push(resolve));
      },
    };
  }

  #release(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.();
  }

  /** A stream of `items` that drops its hold on each item as it yields it, counting it as taken. */
  #forgetting(items: (RoleVisit | undefined)[]): AsyncIterable<RoleVisit> {
    let next = 0;
    return {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<RoleVisit, undefined>> => {
          if (next >= items.length) return { done: true, value: undefined };
          const value = items[next] as RoleVisit;
          items[next] = undefined;
          next += 1;
          if (!this.#abandoned) {
            this.#held -= 1;
            if (this.#held <= this.#readAhead) this.#release();
          }
          return { done: false, value };
        },
      }),
    };
  }
}
