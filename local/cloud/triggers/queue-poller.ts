/**
 * The background side of an MNS queue trigger for a local cloud that keeps running (`npm run local-cloud --
 * --deploy-bundles`): EventBridge polls the queue all the time, so a message sent with any MNS client reaches the
 * function without anyone calling `drain()`. Each pass drains the queue (batch windows, retries and the dead-letter
 * queue as the trigger's settings say), then the poller waits `intervalMs` on its clock and looks again.
 */
import type { MnsQueueTrigger, TriggerClock, TriggerDelivery } from './mns-queue-trigger.js';

/** Options of a {@link QueuePoller}. */
export interface QueuePollerOptions {
  /** The wait between passes (default 1 s). */
  readonly intervalMs?: number;
  /** The clock the wait runs on (tests pass a fake one; default the real clock). */
  readonly clock?: Pick<TriggerClock, 'sleep'>;
  /** Called with the batches of every pass that pushed any (logging). */
  readonly onDeliveries?: (deliveries: readonly TriggerDelivery[]) => void;
  /** Called when a pass fails (the poller goes on with the next pass). */
  readonly onError?: (error: unknown) => void;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Polls one trigger's queue in the background until {@link stop}. */
export class QueuePoller {
  readonly #trigger: MnsQueueTrigger;
  readonly #intervalMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #options: QueuePollerOptions;
  #running: Promise<void> | undefined;
  #stopped = false;
  #passes = 0;
  #waiters: { after: number; resolve: () => void }[] = [];

  constructor(trigger: MnsQueueTrigger, options: QueuePollerOptions = {}) {
    this.#trigger = trigger;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#sleep = options.clock ? (ms) => options.clock!.sleep(ms) : realSleep;
    this.#options = options;
  }

  /** Start polling (idempotent). */
  start(): this {
    this.#running ??= this.#loop();
    return this;
  }

  /** Passes completed so far. */
  get passes(): number {
    return this.#passes;
  }

  /** Resolves once a pass that started after this call has completed (a test's way to wait for delivery). */
  nextPass(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push({ after: this.#passes + 1, resolve }));
  }

  /** Stop after the pass in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
    for (const w of this.#waiters.splice(0)) w.resolve();
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      try {
        const deliveries = await this.#trigger.drain();
        if (deliveries.length > 0) this.#options.onDeliveries?.(deliveries);
      } catch (error) {
        this.#options.onError?.(error);
      }
      this.#passes += 1;
      const done = this.#waiters.filter((w) => w.after < this.#passes);
      this.#waiters = this.#waiters.filter((w) => w.after >= this.#passes);
      for (const w of done) w.resolve();
      if (!this.#stopped) await this.#sleep(this.#intervalMs);
    }
  }
}
