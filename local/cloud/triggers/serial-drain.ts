/**
 * The drain both triggers share (the MNS queue trigger and the EventBridge trigger): push batches one after the
 * other until a step has nothing to push or the trigger stops; a drain called while one runs waits for it, so two
 * drains never push the same batch.
 */
export class SerialDrain<T> {
  #busy: Promise<unknown> = Promise.resolve();

  /** Run `step` until it answers nothing or `running()` turns false, after any drain in progress; the batches pushed. */
  run(step: () => Promise<T | undefined>, running: () => boolean): Promise<T[]> {
    const run = this.#busy.then(async () => {
      const done: T[] = [];
      while (running()) {
        const delivery = await step();
        if (!delivery) break;
        done.push(delivery);
      }
      return done;
    });
    this.#busy = run.catch(() => undefined);
    return run;
  }
}
