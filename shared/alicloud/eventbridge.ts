import EventBridgeSdk from '@alicloud/eventbridge';
import { z } from 'zod';
import type { AuditEvent } from '../domain/audit.js';
import type { AuditSink, CallFailure, PublishResult, RejectedEntry } from '../ports.js';
import { toCloudApiError } from './cloud-error.js';
import { type CredentialKeys, modelWithFields, StaticSigningCredential } from './signing-credential.js';

/** Where an EventBridge client calls. */
export interface EventBridgeEndpoint {
  /** `<account>.eventbridge.<region>.aliyuncs.com`, or `127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly protocol: 'https' | 'http';
  readonly regionId?: string;
}

/**
 * The configuration of an `@alicloud/eventbridge` client signing with `keys` at `where`: the keys as the client's
 * `credential`, the config built without its constructor, so the client loads nothing of `@alicloud/credentials`
 * (see shared/alicloud/signing-credential.ts).
 */
export function eventBridgeConfig(keys: CredentialKeys, where: EventBridgeEndpoint): EventBridgeSdk.Config {
  return modelWithFields(EventBridgeSdk.Config, {
    // The SDK types `credential` as `@alicloud/credentials`' client class (it has a private member); the client
    // only calls the accessors StaticSigningCredential has.
    credential: new StaticSigningCredential(keys) as unknown as NonNullable<EventBridgeSdk.Config['credential']>,
    endpoint: where.endpoint,
    protocol: where.protocol,
    regionId: where.regionId,
  });
}

/** EventBridge actions the audit sink calls. */
export const EVENTBRIDGE_SINK_ACTIONS = ['eventbridge:PutEvents'] as const;

/**
 * The PutEvents limits the sink keeps to, with the smaller of the documented figures (the limits page and the
 * PutEvents page disagree: 256 KB vs 64 KB per event, 1 MB vs 256 KB per call).
 */
export const PUT_EVENTS_LIMITS = {
  eventsPerCall: 16,
  bytesPerEvent: 64 * 1024,
  /** A little under 256 KB, for the array's brackets and commas and the SDK's own serialisation. */
  bytesPerCall: 250 * 1024,
  idChars: 128,
  typeChars: 64,
  sourceChars: 128,
  subjectChars: 512,
} as const;

/** EventBridge accepts at most this many events per PutEvents call. */
export const MAX_EVENTS_PER_CALL = PUT_EVENTS_LIMITS.eventsPerCall;

/** What an event `id` may look like on the bus: letters, digits and `-`, starting with a letter or digit. */
const EVENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

/** Codes the sink gives events it refuses before sending them (the bus would refuse them for good). */
export const LocalRejection = {
  EventSizeExceed: 'EventSizeExceed',
  JsonAttributeInvalid: 'JsonAttributeInvalid',
} as const;

/**
 * Entry codes that blame the event itself, so a retry cannot help. The real service documents none; these are
 * the open-source peer's names and the shapes such names take. Any other code gets a bounded number of tries.
 */
const PERMANENT_ENTRY_CODE = /SizeExceed|TooLarge|TooLong|Invalid|Malformed/;

/** An entry that carries one of these codes (or none) was accepted (`Success` is the peer's marker). */
const ACCEPTED_CODES = new Set(['', 'Success']);

/** Settings of the audit sink. */
export interface EventBridgeSinkOptions {
  /** `<account>.eventbridge.<region>.aliyuncs.com`, or `127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly protocol: 'https' | 'http';
  readonly eventBus: string;
  readonly keys: () => Promise<{ accessKeyId: string; accessKeySecret: string; securityToken?: string | undefined }>;
  /** Extra attempts within one publish for entries rejected with a code that may pass (default 1). */
  readonly entryRetries?: number;
}

const PutEventsBody = z.object({
  failedEntryCount: z.number().int().nonnegative().optional(),
  entryList: z
    .array(
      z
        .object({
          eventId: z.string().optional(),
          errorCode: z.string().optional(),
          errorMessage: z.string().optional(),
        })
        .passthrough(),
    )
    .optional(),
});

/** One event as the SDK will send it, with its size. */
interface Prepared {
  readonly event: AuditEvent;
  readonly cloudEvent: InstanceType<typeof EventBridgeSdk.CloudEvent>;
  readonly bytes: number;
}

/** How one PutEvents call went, matched to its events by id. */
type CallOutcome =
  | { readonly kind: 'answered'; readonly delivered: string[]; readonly rejected: RejectedEntry[] }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string };

/**
 * An {@link AuditSink} over `@alicloud/eventbridge`. Events are checked against the documented limits first (one
 * that breaks them is rejected as permanent without a call), sent in calls of at most 16 events and 250 KB, and
 * the answer is matched to events by `EventId`, never by position (the bus lists entries as they complete).
 */
export class EventBridgeAuditSink implements AuditSink {
  readonly #options: EventBridgeSinkOptions;

  constructor(options: EventBridgeSinkOptions) {
    this.#options = options;
  }

  get destination(): string {
    return this.#options.eventBus;
  }

  async publish(events: readonly AuditEvent[]): Promise<PublishResult> {
    const delivered: string[] = [];
    const rejected: RejectedEntry[] = [];
    const sendable: Prepared[] = [];
    for (const event of events) {
      const prepared = this.#prepare(event);
      if ('code' in prepared) rejected.push(prepared);
      else sendable.push(prepared);
    }
    if (sendable.length === 0) return { delivered, rejected };
    let client: InstanceType<typeof EventBridgeSdk.default>;
    try {
      const keys = await this.#options.keys();
      client = new EventBridgeSdk.default(
        eventBridgeConfig(keys, { endpoint: this.#options.endpoint, protocol: this.#options.protocol }),
      );
    } catch (error) {
      // No keys or a client the SDK refuses to build: no call can succeed, so it is a failure of the call.
      const e = toCloudApiError('eventbridge:PutEvents', error);
      const notDelivered = sendable.map((p) => p.event.id);
      return { delivered, rejected, callFailure: { code: e.code, message: e.message, notDelivered } };
    }
    const batches = batchesOf(sendable);
    for (const [index, first] of batches.entries()) {
      let batch = first;
      for (let attempt = 0; batch.length > 0; attempt += 1) {
        const outcome = await this.#put(client, batch);
        if (outcome.kind === 'failed') {
          const notDelivered = [...batch, ...batches.slice(index + 1).flat()].map((p) => p.event.id);
          const callFailure: CallFailure = { code: outcome.code, message: outcome.message, notDelivered };
          return { delivered, rejected, callFailure };
        }
        delivered.push(...outcome.delivered);
        const retry = attempt < (this.#options.entryRetries ?? 1);
        const again = new Set(outcome.rejected.filter((r) => retry && !r.permanent).map((r) => r.id));
        rejected.push(...outcome.rejected.filter((r) => !again.has(r.id)));
        batch = batch.filter((p) => again.has(p.event.id));
      }
    }
    return { delivered, rejected };
  }

  /** The CloudEvent and its size, or the rejection of an event the bus would refuse for good. */
  #prepare(event: AuditEvent): Prepared | RejectedEntry {
    const refuse = (code: string, message: string): RejectedEntry => ({
      id: event.id,
      code,
      message: `${message} (checked before sending)`,
      permanent: true,
    });
    const L = PUT_EVENTS_LIMITS;
    if (!EVENT_ID_PATTERN.test(event.id) || event.id.length > L.idChars) {
      return refuse(
        LocalRejection.JsonAttributeInvalid,
        `id must be letters, digits and "-", starting with a letter or digit, at most ${L.idChars} characters`,
      );
    }
    for (const [field, value, max] of [
      ['type', event.type, L.typeChars],
      ['source', event.source, L.sourceChars],
      ['subject', event.subject, L.subjectChars],
    ] as const) {
      if (value.length > max) return refuse(LocalRejection.JsonAttributeInvalid, `${field} is over ${max} characters`);
    }
    // The attributes the SDK sends as written; data and the bus name differ between the SDK's model and the wire.
    const attributes = {
      id: event.id,
      source: event.source,
      specversion: '1.0',
      type: event.type,
      subject: event.subject,
      time: event.time,
      datacontenttype: 'application/json;charset=utf-8',
    };
    const cloudEvent = new EventBridgeSdk.CloudEvent({
      ...attributes,
      data: Buffer.from(JSON.stringify(event.data)),
      extensions: { aliyuneventbusname: this.#options.eventBus },
    });
    // The JSON the SDK puts on the wire for this event (data as parsed JSON, extensions flattened).
    const wire = { ...attributes, data: event.data, aliyuneventbusname: this.#options.eventBus };
    const bytes = Buffer.byteLength(JSON.stringify(wire), 'utf8');
    if (bytes > L.bytesPerEvent) {
      return refuse(LocalRejection.EventSizeExceed, `the event is ${bytes} bytes, over ${L.bytesPerEvent}`);
    }
    return { event, cloudEvent, bytes };
  }

  /** One PutEvents call, its answer matched to the batch by event id. */
  async #put(client: InstanceType<typeof EventBridgeSdk.default>, batch: readonly Prepared[]): Promise<CallOutcome> {
    let res: unknown;
    try {
      res = await client.putEvents(batch.map((p) => p.cloudEvent));
    } catch (error) {
      const e = toCloudApiError('eventbridge:PutEvents', error);
      return { kind: 'failed', code: e.code, message: e.message };
    }
    const body = PutEventsBody.safeParse(res);
    if (!body.success || (body.data.entryList === undefined && body.data.failedEntryCount === undefined)) {
      return {
        kind: 'failed',
        code: 'MalformedResponse',
        message: 'PutEvents answered without an entry list or a failed-entry count',
      };
    }
    return matchEntries(
      batch.map((p) => p.event.id),
      body.data,
    );
  }
}

/** Calls of at most 16 events and {@link PUT_EVENTS_LIMITS}.bytesPerCall bytes, in the order given. */
function batchesOf(events: readonly Prepared[]): Prepared[][] {
  const batches: Prepared[][] = [];
  let current: Prepared[] = [];
  let bytes = 2;
  for (const p of events) {
    if (
      current.length > 0 &&
      (current.length >= PUT_EVENTS_LIMITS.eventsPerCall || bytes + p.bytes + 1 > PUT_EVENTS_LIMITS.bytesPerCall)
    ) {
      batches.push(current);
      current = [];
      bytes = 2;
    }
    current.push(p);
    bytes += p.bytes + 1;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Match a PutEvents answer to the ids sent. An entry with no code, `""` or `Success` is accepted. An event with
 * no entry of its id counts as accepted only when the answer's failed-entry count is covered by the rejections
 * it does name; otherwise it is rejected as `UnattributedFailure` (tried again, a bounded number of times).
 */
export function matchEntries(
  ids: readonly string[],
  answer: z.infer<typeof PutEventsBody>,
): { kind: 'answered'; delivered: string[]; rejected: RejectedEntry[] } {
  const byId = new Map<string, { errorCode?: string | undefined; errorMessage?: string | undefined }>();
  for (const entry of answer.entryList ?? []) if (entry.eventId !== undefined) byId.set(entry.eventId, entry);
  const failedInAnswer =
    answer.failedEntryCount ?? (answer.entryList ?? []).filter((e) => !ACCEPTED_CODES.has(e.errorCode ?? '')).length;
  const delivered: string[] = [];
  const rejected: RejectedEntry[] = [];
  const unmatched: string[] = [];
  for (const id of ids) {
    const entry = byId.get(id);
    if (!entry) unmatched.push(id);
    else if (ACCEPTED_CODES.has(entry.errorCode ?? '')) delivered.push(id);
    else {
      const code = entry.errorCode ?? '';
      rejected.push({
        id,
        code,
        message: entry.errorMessage ?? '',
        permanent: PERMANENT_ENTRY_CODE.test(code),
      });
    }
  }
  if (unmatched.length > 0 && failedInAnswer <= rejected.length) delivered.push(...unmatched);
  else {
    for (const id of unmatched) {
      rejected.push({
        id,
        code: 'UnattributedFailure',
        message: `the answer counts ${failedInAnswer} failed entries and names no entry for this event`,
        permanent: false,
      });
    }
  }
  return { kind: 'answered', delivered, rejected };
}
