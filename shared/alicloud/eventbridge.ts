import EventBridgeSdk from '@alicloud/eventbridge';
import { z } from 'zod';
import type { AuditEvent } from '../domain/audit.js';
import type { AuditSink } from '../ports.js';
import { toCloudApiError } from './cloud-error.js';

/** EventBridge actions the audit sink calls. */
export const EVENTBRIDGE_SINK_ACTIONS = ['eventbridge:PutEvents'] as const;

/** EventBridge accepts at most this many events per PutEvents call. */
export const MAX_EVENTS_PER_CALL = 16;

/** Settings of the audit sink. */
export interface EventBridgeSinkOptions {
  /** `<account>.eventbridge.<region>.aliyuncs.com`, or `127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly protocol: 'https' | 'http';
  readonly eventBus: string;
  readonly keys: () => Promise<{ accessKeyId: string; accessKeySecret: string; securityToken?: string }>;
  /** Extra attempts for entries the bus rejected (default 2). */
  readonly entryRetries?: number;
}

const PutEventsBody = z.object({
  failedEntryCount: z.number().int().nonnegative().optional(),
  entryList: z
    .array(z.object({ eventId: z.string().optional(), errorCode: z.string().optional() }).passthrough())
    .optional(),
});

/** An {@link AuditSink} over `@alicloud/eventbridge`: batches of at most 16, rejected entries retried. */
export class EventBridgeAuditSink implements AuditSink {
  readonly #options: EventBridgeSinkOptions;

  constructor(options: EventBridgeSinkOptions) {
    this.#options = options;
  }

  async publish(
    events: readonly AuditEvent[],
  ): Promise<{ delivered: string[]; failed: { id: string; code: string }[] }> {
    const delivered: string[] = [];
    const failed: { id: string; code: string }[] = [];
    if (events.length === 0) return { delivered, failed };
    const keys = await this.#options.keys();
    const client = new EventBridgeSdk.default(
      new EventBridgeSdk.Config({
        accessKeyId: keys.accessKeyId,
        accessKeySecret: keys.accessKeySecret,
        securityToken: keys.securityToken,
        endpoint: this.#options.endpoint,
        protocol: this.#options.protocol,
      }),
    );
    for (let i = 0; i < events.length; i += MAX_EVENTS_PER_CALL) {
      let batch = events.slice(i, i + MAX_EVENTS_PER_CALL);
      for (let attempt = 0; attempt <= (this.#options.entryRetries ?? 2) && batch.length > 0; attempt += 1) {
        const rejected = await this.#putBatch(client, batch);
        for (const e of batch) if (!rejected.has(e.id)) delivered.push(e.id);
        batch = batch.filter((e) => rejected.has(e.id));
        if (batch.length > 0 && attempt === (this.#options.entryRetries ?? 2)) {
          for (const e of batch) failed.push({ id: e.id, code: rejected.get(e.id) ?? 'Unknown' });
        }
      }
    }
    return { delivered, failed };
  }

  /** One PutEvents call; returns the ids the bus rejected with their codes (all of them if the call failed). */
  async #putBatch(
    client: InstanceType<typeof EventBridgeSdk.default>,
    batch: readonly AuditEvent[],
  ): Promise<Map<string, string>> {
    const rejected = new Map<string, string>();
    try {
      const res = await client.putEvents(batch.map((e) => this.#toCloudEvent(e)));
      const body = PutEventsBody.safeParse(res);
      if (!body.success) {
        for (const e of batch) rejected.set(e.id, 'MalformedResponse');
        return rejected;
      }
      const entries = body.data.entryList ?? [];
      batch.forEach((event, index) => {
        const entry = entries[index];
        if (entry?.errorCode) rejected.set(event.id, entry.errorCode);
      });
      if ((body.data.failedEntryCount ?? 0) > 0 && rejected.size === 0) {
        for (const e of batch) rejected.set(e.id, 'UnattributedFailure');
      }
    } catch (error) {
      const e = toCloudApiError('eventbridge:PutEvents', error);
      for (const event of batch) rejected.set(event.id, e.code);
    }
    return rejected;
  }

  #toCloudEvent(event: AuditEvent): InstanceType<typeof EventBridgeSdk.CloudEvent> {
    return new EventBridgeSdk.CloudEvent({
      id: event.id,
      source: event.source,
      specversion: '1.0',
      type: event.type,
      subject: event.subject,
      time: event.time,
      datacontenttype: 'application/json;charset=utf-8',
      data: Buffer.from(JSON.stringify(event.data)),
      extensions: { aliyuneventbusname: this.#options.eventBus },
    });
  }
}
