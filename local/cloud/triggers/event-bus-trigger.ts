/**
 * The trigger between an EventBridge bus and an FC function (s.yaml's `triggerType: eventbridge` with
 * `eventSourceType: Default`: the account's default bus, where Alibaba Cloud services publish their events): every
 * event accepted onto the bus that matches `eventRuleFilterPattern` is pushed to the function, gathered into
 * batches (CountBasedWindow events or TimeBasedWindow seconds, whichever comes first) and delivered as a JSON array
 * of CloudEvents through the local FC's InvokeFunction API. A failed push is retried by the retry strategy
 * (BACKOFF_RETRY, EXPONENTIAL_DECAY_RETRY); after the last retry the batch is dropped (errorsTolerance ALL) or the
 * trigger stops (NONE).
 *
 * Time comes from an injectable {@link TriggerClock}: windows, retry delays and the polling of {@link start} are its
 * `sleep`s, so tests with a fake clock run at once.
 */
import type { CloudCore } from '../contract.js';
import { CloudSetupError } from '../errors.js';
import { checkEventPattern, EventPatternError, matchesEventPattern } from '../services/eventbridge/pattern.js';
import { DEFAULT_EVENT_BUS, eventBridgeState, type StoredEvent } from '../services/eventbridge/store.js';
import { type FunctionInvocation, invokeFunctionOnce } from './invoke-function.js';
import type { TriggerClock } from './mns-queue-trigger.js';
import { SerialDrain } from './serial-drain.js';
import { type BusTriggerConfig, parseTriggerConfig, retryDelaysSeconds } from './trigger-config.js';

export type { BusTriggerConfig } from './trigger-config.js';

/** Which function a bus trigger pushes to, and how (s.yaml's trigger). */
export interface BusTriggerDefinition {
  readonly functionName: string;
  readonly triggerName: string;
  /** The account of the function and of the default bus it reads. */
  readonly accountId: string;
  readonly qualifier?: string | undefined;
  /** s.yaml's `triggerConfig` (validated here). */
  readonly triggerConfig: unknown;
}

/** One batch the trigger pushed. */
export interface BusDelivery {
  readonly eventIds: readonly string[];
  /** When the batch was complete and its first push began (the trigger's clock). */
  readonly pushedAt: Date;
  readonly invocations: FunctionInvocation[];
  /** `delivered`, `discarded` (failed for good, ALL) or `blocked` (failed for good, NONE: the trigger stopped). */
  outcome?: 'delivered' | 'discarded' | 'blocked';
}

/** Options of a bus trigger. */
export interface BusTriggerOptions {
  readonly clock?: TriggerClock;
  readonly random?: () => number;
  /** How long {@link EventBusTrigger.start} waits between looks at the bus (ms; default 200). */
  readonly pollMs?: number;
}

const realClock: TriggerClock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** An EventBridge trigger of one function on its account's default bus. */
export class EventBusTrigger {
  readonly config: BusTriggerConfig;
  readonly definition: BusTriggerDefinition;
  /** Every batch pushed so far, oldest first. */
  readonly deliveries: BusDelivery[] = [];
  status: 'running' | 'ready' = 'running';
  readonly #cloud: { core: CloudCore; endpoint: string };
  readonly #pattern: Record<string, unknown>;
  readonly #clock: TriggerClock;
  readonly #random: () => number;
  readonly #pollMs: number;
  /** Events already pushed (or skipped as not matching), by identity. */
  readonly #seen = new WeakSet<StoredEvent>();
  readonly #drain = new SerialDrain<BusDelivery>();
  #loop: { stopped: boolean; done: Promise<void> } | undefined;

  constructor(
    cloud: { core: CloudCore; endpoint: string },
    definition: BusTriggerDefinition,
    options: BusTriggerOptions = {},
  ) {
    this.#cloud = cloud;
    this.definition = definition;
    const source = `triggers.${definition.triggerName}.triggerConfig`;
    this.config = parseTriggerConfig('bus', definition.triggerConfig, source);
    let pattern: unknown;
    try {
      pattern = JSON.parse(this.config.eventRuleFilterPattern);
      checkEventPattern(pattern, `${source}.eventRuleFilterPattern`);
    } catch (error) {
      const message = error instanceof EventPatternError ? error.message : 'is not JSON text';
      throw new CloudSetupError(`Invalid EventBridge bus trigger: ${source}.eventRuleFilterPattern ${message}`, {
        cause: error,
      });
    }
    this.#pattern = pattern as Record<string, unknown>;
    this.#clock = options.clock ?? realClock;
    this.#random = options.random ?? Math.random;
    this.#pollMs = options.pollMs ?? 200;
  }

  /** Matching events on the bus not pushed yet, oldest first, at most `limit`. */
  #pending(limit: number): StoredEvent[] {
    const out: StoredEvent[] = [];
    for (const stored of eventBridgeState(this.#cloud.core).events) {
      if (out.length >= limit) break;
      if (this.#seen.has(stored)) continue;
      if (stored.accountId !== this.definition.accountId || stored.bus !== DEFAULT_EVENT_BUS) continue;
      if (!matchesEventPattern(this.#pattern, stored.event)) {
        this.#seen.add(stored);
        continue;
      }
      out.push(stored);
    }
    for (const stored of out) this.#seen.add(stored);
    return out;
  }

  /** Push batches until no matching event is pending (or the trigger stopped); returns the batches pushed. */
  drain(): Promise<BusDelivery[]> {
    return this.#drain.run(
      () => this.#step(),
      () => this.status === 'running' && this.config.triggerEnable,
    );
  }

  /** Look at the bus every `pollMs` (on the trigger's clock) and push what arrived, until {@link stop}. */
  start(): void {
    if (this.#loop) return;
    const loop = { stopped: false, done: Promise.resolve() };
    loop.done = (async () => {
      while (!loop.stopped) {
        await this.drain();
        if (!loop.stopped) await this.#clock.sleep(this.#pollMs);
      }
    })();
    this.#loop = loop;
  }

  /** End the loop of {@link start}; resolves once its last push finished. */
  async stop(): Promise<void> {
    const loop = this.#loop;
    if (!loop) return;
    loop.stopped = true;
    this.#loop = undefined;
    await loop.done;
  }

  async #step(): Promise<BusDelivery | undefined> {
    const { CountBasedWindow: count, TimeBasedWindow: windowSeconds } = this.config.runOptions.batchWindow;
    const batch = this.#pending(count);
    if (batch.length === 0) return undefined;
    if (batch.length < count && windowSeconds > 0) {
      await this.#clock.sleep(windowSeconds * 1000);
      batch.push(...this.#pending(count - batch.length));
    }
    const events = batch.map((stored) => stored.event);
    const delivery: BusDelivery = {
      eventIds: batch.map((s) => s.eventId),
      pushedAt: this.#clock.now(),
      invocations: [],
    };
    this.deliveries.push(delivery);
    const delays = retryDelaysSeconds(this.config.runOptions.retryStrategy.PushRetryStrategy, this.#random);
    const target = {
      core: this.#cloud.core,
      endpoint: this.#cloud.endpoint,
      accountId: this.definition.accountId,
      functionName: this.definition.functionName,
      qualifier: this.definition.qualifier,
      region: this.#cloud.core.serviceOptions<{ region?: string }>('eventbridge')?.region ?? 'cn-hangzhou',
    };
    for (let retry = 0; ; retry += 1) {
      const invocation = await invokeFunctionOnce(target, events, retry);
      delivery.invocations.push(invocation);
      if (invocation.ok) {
        delivery.outcome = 'delivered';
        return delivery;
      }
      const delay = delays[retry];
      if (delay === undefined) {
        if (this.config.runOptions.errorsTolerance === 'NONE') {
          this.status = 'ready';
          delivery.outcome = 'blocked';
        } else delivery.outcome = 'discarded';
        return delivery;
      }
      await this.#clock.sleep(delay * 1000);
    }
  }
}
