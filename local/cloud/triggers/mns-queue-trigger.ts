/**
 * The trigger between an MNS queue and an FC function, as EventBridge event streaming runs it (MNS source, FC
 * sink, s.yaml's `triggerType: eventbridge`): it takes messages off the queue, gathers a batch (CountBasedWindow
 * messages or TimeBasedWindow seconds, whichever comes first), wraps each message into the CloudEvent of the
 * official trigger event format (`data.messageBody`, base64-decoded when `IsBase64Decode`), invokes the function
 * through the local FC's InvokeFunction API with `@alicloud/fc20230330`, and deletes the messages once the batch is
 * done. A failed push (the function threw, or FC answered an error) is retried by the retry strategy; after the
 * last retry the batch's events go to the dead-letter queue (`errorsTolerance: ALL`) or the stream stops
 * (`NONE`, status `ready`) and the messages stay in the queue.
 *
 * Time comes from an injectable {@link TriggerClock} (windows and retry delays are its `sleep`s), so tests with a fake
 * clock run a day of retries at once. The trigger holds the messages it works on by extending their visibility
 * before every wait, so a message is never handed out twice while its batch is in flight.
 *
 * Local choices: the trigger signs its InvokeFunction calls with the function account's root key (standing in
 * for EventBridge's service-linked role); a body that is not valid base64 is delivered as it is; a dead-letter
 * message is the CloudEvent JSON of one failed message (the raw event, unchanged).
 */
import { randomUUID } from 'node:crypto';
import type { CloudCore } from '../contract.js';
import { CloudSetupError } from '../errors.js';
import { mnsOptions } from '../services/mns/service.js';
import {
  changeVisibility,
  deleteMessage,
  findQueue,
  mnsState,
  receiveMessages,
  type StoredMessage,
  sendMessage,
} from '../services/mns/store.js';
import { type FunctionInvocation, invokeFunctionOnce } from './invoke-function.js';
import { SerialDrain } from './serial-drain.js';
import {
  deadLetterQueueOf,
  parseTriggerConfig,
  type QueueTriggerConfig,
  retryDelaysSeconds,
} from './trigger-config.js';

/** Which function and queue a trigger connects, and how (s.yaml's trigger). */
export interface QueueTriggerDefinition {
  /** The function invoked, in `accountId`. */
  readonly functionName: string;
  readonly triggerName: string;
  /** The account of the queue and the function. */
  readonly accountId: string;
  readonly qualifier?: string;
  /** s.yaml's `triggerConfig` (validated here). */
  readonly triggerConfig: unknown;
}

/** The local cloud a trigger runs in: its core and its address. */
export interface TriggerCloud {
  readonly core: CloudCore;
  /** `127.0.0.1:<port>`. */
  readonly endpoint: string;
}

/** What one invocation of the function answered. */
export type TriggerInvocation = FunctionInvocation;

/** How a batch ended. */
export const DeliveryOutcome = {
  Delivered: 'delivered',
  DeadLettered: 'deadLettered',
  Discarded: 'discarded',
  /** errorsTolerance NONE: the stream stopped; the messages stay in the queue. */
  Blocked: 'blocked',
} as const;
/** One of {@link DeliveryOutcome}. */
export type DeliveryOutcome = (typeof DeliveryOutcome)[keyof typeof DeliveryOutcome];

/** One batch the trigger pushed. */
export interface TriggerDelivery {
  readonly messageIds: readonly string[];
  /** The events as the function got them. */
  readonly events: readonly unknown[];
  readonly invocations: TriggerInvocation[];
  outcome?: DeliveryOutcome;
}

/** The time a trigger waits on: its batch windows and retry delays are `sleep`s (tests pass a fake clock). */
export interface TriggerClock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

/** Options of a trigger. */
export interface QueueTriggerOptions {
  /** Time for windows and retry delays (default: the real clock). */
  readonly clock?: TriggerClock;
  /** Jitter of BACKOFF_RETRY, in [0, 1) (default Math.random). */
  readonly random?: () => number;
  /** Called after every invocation (tests end an outage there). */
  readonly onInvocation?: (invocation: TriggerInvocation, delivery: TriggerDelivery) => void | Promise<void>;
}

const realClock: TriggerClock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Seconds a held message stays invisible beyond the wait ahead (covers an invocation of up to 15 minutes). */
const HOLD_MARGIN_SECONDS = 900;
const MAX_VISIBILITY_SECONDS = 43_200;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The UTF-8 text a base64 body encodes; a body that is not base64 is delivered as it is. */
function decodeBase64(body: string): string {
  if (body.length === 0 || !BASE64.test(body)) return body;
  return Buffer.from(body, 'base64').toString('utf8');
}

interface Held {
  message: StoredMessage;
  handle: string;
}

/** An MNS queue trigger of one function; {@link drain} runs it until the queue has nothing visible. */
export class MnsQueueTrigger {
  readonly config: QueueTriggerConfig;
  readonly definition: QueueTriggerDefinition;
  /** Every batch pushed so far, oldest first. */
  readonly deliveries: TriggerDelivery[] = [];
  /** `running`, or `ready` once a batch failed for good under errorsTolerance NONE (as EventBridge reports it). */
  status: 'running' | 'ready' = 'running';
  readonly #cloud: TriggerCloud;
  readonly #clock: TriggerClock;
  readonly #random: () => number;
  readonly #onInvocation: QueueTriggerOptions['onInvocation'];
  readonly #drain = new SerialDrain<TriggerDelivery>();

  constructor(cloud: TriggerCloud, definition: QueueTriggerDefinition, options: QueueTriggerOptions = {}) {
    this.#cloud = cloud;
    this.definition = definition;
    this.config = parseTriggerConfig(
      'queue',
      definition.triggerConfig,
      `triggers.${definition.triggerName}.triggerConfig`,
    );
    if (this.config.asyncInvocationType) {
      throw new CloudSetupError(
        `triggers.${definition.triggerName}.triggerConfig.asyncInvocationType: true is not emulated; use false (synchronous pushes, retried by the trigger)`,
      );
    }
    this.#clock = options.clock ?? realClock;
    this.#random = options.random ?? Math.random;
    this.#onInvocation = options.onInvocation;
  }

  get #queueName(): string {
    return this.config.eventSourceConfig.eventSourceParameters.sourceMNSParameters.QueueName;
  }

  /**
   * Push batches until the queue has no visible message (or the stream stopped); returns the batches pushed by
   * this call. Calls are serialised: a drain waits for one in progress.
   */
  drain(): Promise<TriggerDelivery[]> {
    return this.#drain.run(
      () => this.#step(),
      () => this.status === 'running' && this.config.triggerEnable,
    );
  }

  #queue() {
    mnsOptions(this.#cloud.core);
    return findQueue(mnsState(this.#cloud.core), this.definition.accountId, this.#queueName);
  }

  /** Take a batch, push it with retries, settle it; undefined when nothing is visible. */
  async #step(): Promise<TriggerDelivery | undefined> {
    const { CountBasedWindow: count, TimeBasedWindow: windowSeconds } = this.config.runOptions.batchWindow;
    const core = this.#cloud.core;
    const queue = this.#queue();
    let held: Held[] = receiveMessages(queue, count, core.now()).map((m) => ({ message: m, handle: m.receiptHandle! }));
    if (held.length === 0) return undefined;
    if (held.length < count && windowSeconds > 0) {
      held = this.#hold(held, windowSeconds);
      await this.#clock.sleep(windowSeconds * 1000);
      const more = receiveMessages(this.#queue(), count - held.length, core.now());
      held.push(...more.map((m) => ({ message: m, handle: m.receiptHandle! })));
    }
    const events = held.map(({ message }) => this.#event(message));
    const delivery: TriggerDelivery = { messageIds: held.map((h) => h.message.id), events, invocations: [] };
    this.deliveries.push(delivery);
    const delays = retryDelaysSeconds(this.config.runOptions.retryStrategy.PushRetryStrategy, this.#random);
    for (let retry = 0; ; retry += 1) {
      held = this.#hold(held, 0);
      const invocation = await this.#invoke(events, retry);
      delivery.invocations.push(invocation);
      await this.#onInvocation?.(invocation, delivery);
      if (invocation.ok) {
        delivery.outcome = DeliveryOutcome.Delivered;
        break;
      }
      const delay = delays[retry];
      if (delay === undefined) {
        delivery.outcome = this.#giveUp(events);
        if (delivery.outcome === DeliveryOutcome.Blocked) return delivery;
        break;
      }
      held = this.#hold(held, delay);
      await this.#clock.sleep(delay * 1000);
    }
    for (const h of held) {
      try {
        deleteMessage(this.#queue(), h.handle, core.now());
      } catch {
        /* the message is gone already (deleted by someone else): nothing to settle */
      }
    }
    return delivery;
  }

  /** Keep the held messages invisible for `waitSeconds` plus the margin; drops those no longer held. */
  #hold(held: Held[], waitSeconds: number): Held[] {
    const seconds = Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(waitSeconds) + HOLD_MARGIN_SECONDS);
    const kept: Held[] = [];
    for (const h of held) {
      try {
        kept.push({
          message: h.message,
          handle: changeVisibility(this.#queue(), h.handle, seconds, this.#cloud.core.now()).receiptHandle,
        });
      } catch {
        /* deleted or expired meanwhile: no longer ours */
      }
    }
    return kept;
  }

  /** The batch failed for good: dead-letter queue, discard, or stop (errorsTolerance NONE). */
  #giveUp(events: readonly unknown[]): DeliveryOutcome {
    if (this.config.runOptions.errorsTolerance === 'NONE') {
      this.status = 'ready';
      return DeliveryOutcome.Blocked;
    }
    const arn = this.config.runOptions.deadLetterQueue?.Arn;
    if (!arn) return DeliveryOutcome.Discarded;
    const dlq = deadLetterQueueOf(arn);
    const state = mnsState(this.#cloud.core);
    const queue = findQueue(state, dlq.accountId, dlq.queueName);
    for (const event of events) sendMessage(state, queue, { body: JSON.stringify(event) }, this.#cloud.core.now());
    return DeliveryOutcome.DeadLettered;
  }

  /** The event of one message, as the function gets it. */
  #event(message: StoredMessage): unknown {
    const { accountId, functionName, triggerName } = this.definition;
    const region = mnsOptions(this.#cloud.core).region;
    const decode = this.config.eventSourceConfig.eventSourceParameters.sourceMNSParameters.IsBase64Decode;
    const data = {
      requestId: randomUUID().replace(/-/g, '').toUpperCase().slice(0, 24),
      messageId: message.id,
      messageBody: decode ? decodeBase64(message.body) : message.body,
    };
    if (this.config.eventSinkConfig.deliveryOption.eventSchema === 'RawData') return data;
    const bus = `MNS-${functionName}-${triggerName}`;
    return {
      id: randomUUID(),
      source: bus,
      specversion: '1.0',
      type: 'mns:Queue:SendMessage',
      datacontenttype: 'application/json; charset=utf-8',
      subject: `acs:mns:${region}:${accountId}:queues/${this.#queueName}`,
      time: new Date(message.enqueueTime).toISOString(),
      aliyunaccountid: accountId,
      aliyunpublishtime: this.#cloud.core.now().toISOString(),
      aliyunoriginalaccountid: accountId,
      aliyuneventbusname: bus,
      aliyunregionid: region,
      aliyunpublishaddr: '127.0.0.1',
      data,
    };
  }

  /** One synchronous InvokeFunction of the batch through the local FC; never throws. */
  #invoke(events: readonly unknown[], retry: number): Promise<TriggerInvocation> {
    const { accountId, functionName, qualifier } = this.definition;
    const { core, endpoint } = this.#cloud;
    const target = { core, endpoint, accountId, functionName, qualifier, region: mnsOptions(core).region };
    return invokeFunctionOnce(target, events, retry);
  }
}
