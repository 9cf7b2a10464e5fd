import { Semaphore } from '../reconcile/semaphore.js';

/**
 * Tasks started as they are handed in, at most `concurrency` running at once, in the order handed in (each gets
 * its index: how many came before it). After a failure no further task starts; {@link FanOut.done} rethrows the
 * first failure once the tasks already started have ended. A task's failure is never left unhandled meanwhile.
 */
export class FanOut<T> {
  readonly #slots: Semaphore;
  readonly #task: (item: T, index: number) => Promise<unknown>;
  readonly #started: Promise<void>[] = [];
  #failure: { error: unknown } | undefined;

  constructor(concurrency: number, task: (item: T, index: number) => Promise<unknown>) {
    this.#slots = new Semaphore(concurrency);
    this.#task = task;
  }

  /** How many items were handed in. */
  get count(): number {
    return this.#started.length;
  }

  /** Start `item` as soon as a slot is free (not at all once a task has failed). */
  add(item: T): void {
    const index = this.#started.length;
    this.#started.push(
      (async () => {
        await this.#slots.acquire();
        try {
          if (this.#failure === undefined) await this.#task(item, index);
        } catch (error) {
          this.#failure ??= { error };
        } finally {
          this.#slots.release();
        }
      })(),
    );
  }

  /** Wait until every task handed in has ended; rethrows the first failure. */
  async done(): Promise<void> {
    await Promise.all(this.#started);
    if (this.#failure) throw this.#failure.error;
  }
}
