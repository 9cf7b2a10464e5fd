/**
 * The queues of the local MNS: their attributes and messages, and the operations on them as the queue API
 * defines them (send with delay and priority, receive with a visibility timeout and a receipt handle, delete and
 * change visibility by receipt handle, retention). Everything reads time from the caller, so the core's clock (a
 * fake one in tests) decides when a message becomes visible again. Errors are {@link LocalCloudError}s with the
 * MNS codes, which the service module turns into MNS error XML.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { CloudCore } from '../../contract.js';
import { CloudSetupError, LocalCloudError } from '../../errors.js';

/** The module name, also the key of its state bag and options. */
export const MNS_SERVICE = 'mns';

/** The error codes the local MNS answers with (and their HTTP status). */
export const MnsErrorCode = {
  AccessDenied: 'AccessDenied',
  InvalidAccessKeyId: 'InvalidAccessKeyId',
  InvalidArgument: 'InvalidArgument',
  InvalidAuthorizationHeader: 'InvalidAuthorizationHeader',
  InvalidDegist: 'InvalidDegist',
  InvalidQueueName: 'InvalidQueueName',
  InvalidRequestURL: 'InvalidRequestURL',
  MalformedXML: 'MalformedXML',
  MessageNotExist: 'MessageNotExist',
  MissingAuthorizationHeader: 'MissingAuthorizationHeader',
  MissingDateHeader: 'MissingDateHeader',
  MissingReceiptHandle: 'MissingReceiptHandle',
  MissingVisibilityTimeout: 'MissingVisibilityTimeout',
  QueueAlreadyExist: 'QueueAlreadyExist',
  QueueNotExist: 'QueueNotExist',
  ReceiptHandleError: 'ReceiptHandleError',
  SignatureDoesNotMatch: 'SignatureDoesNotMatch',
  TimeExpired: 'TimeExpired',
  SecurityTokenInvalid: 'InvalidSecurityToken',
} as const;

/** Queue attribute bounds (inclusive) and defaults, as CreateQueue documents them. */
export const QueueAttributeRules = {
  DelaySeconds: { min: 0, max: 604_800, default: 0 },
  MaximumMessageSize: { min: 1024, max: 65_536, default: 65_536 },
  MessageRetentionPeriod: { min: 60, max: 604_800, default: 345_600 },
  VisibilityTimeout: { min: 1, max: 43_200, default: 30 },
  PollingWaitSeconds: { min: 0, max: 30, default: 0 },
} as const;

/** Per-request limits of the message API. */
export const MessageLimits = {
  /** Messages per BatchSendMessage, BatchReceiveMessage, BatchPeekMessage, BatchDeleteMessage. */
  batch: 16,
  /** Bytes of all message bodies of one BatchSendMessage. */
  batchBytes: 65_536,
  /** Priority range; 1 is served first. */
  priority: { min: 1, max: 16, default: 8 },
  /** `waitseconds` of a receive. */
  waitSeconds: { min: 0, max: 30 },
  /** `visibilityTimeout` of ChangeMessageVisibility, seconds. */
  visibilityTimeout: { min: 1, max: 43_200 },
} as const;

/** A queue's attributes. */
export interface QueueAttributes {
  DelaySeconds: number;
  MaximumMessageSize: number;
  MessageRetentionPeriod: number;
  VisibilityTimeout: number;
  PollingWaitSeconds: number;
  LoggingEnabled: boolean;
}

/** One message in a queue. */
export interface StoredMessage {
  readonly id: string;
  readonly body: string;
  readonly md5: string;
  readonly priority: number;
  /** Milliseconds since the epoch. */
  readonly enqueueTime: number;
  /** Order of arrival, for FIFO within a priority. */
  readonly seq: number;
  /** When the message is (again) visible to a receive. */
  visibleAt: number;
  firstDequeueTime?: number | undefined;
  dequeueCount: number;
  /** The handle of the latest receive; valid until `visibleAt`. */
  receiptHandle?: string | undefined;
}

/** One queue. */
export interface StoredQueue {
  readonly accountId: string;
  readonly name: string;
  readonly createTime: number;
  lastModifyTime: number;
  attributes: QueueAttributes;
  readonly messages: Map<string, StoredMessage>;
  /** Receivers waiting (long polling) for a message to arrive. */
  readonly waiters: Set<() => void>;
}

/** The MNS state bag of a core. */
export interface MnsState {
  readonly queues: Map<string, StoredQueue>;
  seq: number;
}

/** The MNS state of this core, created empty on first use. */
export function mnsState(core: CloudCore): MnsState {
  return core.serviceState<MnsState>(MNS_SERVICE, () => ({ queues: new Map(), seq: 0 }));
}

const QUEUE_NAME = /^[A-Za-z][A-Za-z0-9-]{0,255}$/;

function queueKey(accountId: string, name: string): string {
  return `${accountId}/${name}`;
}

function defaultAttributes(): QueueAttributes {
  return {
    DelaySeconds: QueueAttributeRules.DelaySeconds.default,
    MaximumMessageSize: QueueAttributeRules.MaximumMessageSize.default,
    MessageRetentionPeriod: QueueAttributeRules.MessageRetentionPeriod.default,
    VisibilityTimeout: QueueAttributeRules.VisibilityTimeout.default,
    PollingWaitSeconds: QueueAttributeRules.PollingWaitSeconds.default,
    LoggingEnabled: false,
  };
}

/** An `InvalidArgument` for a value outside its documented range, worded as MNS words it. */
export function outOfRange(element: string, min: number, max: number, unit: 'seconds' | 'bytes' | ''): LocalCloudError {
  return new LocalCloudError(
    400,
    MnsErrorCode.InvalidArgument,
    `The value of ${element} should between ${min} and ${max}${unit ? ` ${unit}` : ''}.`,
  );
}

/** Parse an integer attribute or parameter and check its range; throws `InvalidArgument`. */
export function boundedInteger(
  element: string,
  raw: string,
  range: { readonly min: number; readonly max: number },
  unit: 'seconds' | 'bytes' | '' = '',
): number {
  const value = /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw outOfRange(element, range.min, range.max, unit);
  }
  return value;
}

/** Attribute values given in a `<Queue>` document (strings as sent), validated and merged over `base`. */
export function mergeAttributes(base: QueueAttributes, given: Readonly<Record<string, string>>): QueueAttributes {
  const next = { ...base };
  for (const [name, raw] of Object.entries(given)) {
    if (name === 'LoggingEnabled') {
      if (raw !== 'True' && raw !== 'False' && raw !== 'true' && raw !== 'false') {
        throw new LocalCloudError(
          400,
          MnsErrorCode.InvalidArgument,
          'The value of LoggingEnabled should be True or False.',
        );
      }
      next.LoggingEnabled = raw.toLowerCase() === 'true';
      continue;
    }
    const rule = QueueAttributeRules[name as keyof typeof QueueAttributeRules];
    if (!rule) continue;
    next[name as keyof typeof QueueAttributeRules] = boundedInteger(
      name,
      raw,
      rule,
      name === 'MaximumMessageSize' ? 'bytes' : 'seconds',
    );
  }
  return next;
}

/** The queue called `name` in `accountId`; throws `QueueNotExist`. */
export function findQueue(state: MnsState, accountId: string, name: string): StoredQueue {
  const queue = state.queues.get(queueKey(accountId, name));
  if (!queue) throw new LocalCloudError(404, MnsErrorCode.QueueNotExist, 'The queue name you provided is not exist.');
  return queue;
}

/**
 * CreateQueue: `created` for a new queue; `unchanged` when it exists with the same attributes (MNS answers 204);
 * throws `QueueAlreadyExist` when it exists with others.
 */
export function createQueue(
  state: MnsState,
  accountId: string,
  name: string,
  given: Readonly<Record<string, string>>,
  now: Date,
): 'created' | 'unchanged' {
  if (!QUEUE_NAME.test(name)) {
    throw new LocalCloudError(
      400,
      MnsErrorCode.InvalidQueueName,
      'The queue name you provided is not valid: it starts with a letter and has only letters, digits and "-" (at most 256).',
    );
  }
  const attributes = mergeAttributes(defaultAttributes(), given);
  const existing = state.queues.get(queueKey(accountId, name));
  if (existing) {
    if (JSON.stringify(existing.attributes) === JSON.stringify(attributes)) return 'unchanged';
    throw new LocalCloudError(
      409,
      MnsErrorCode.QueueAlreadyExist,
      'The queue you want to create is already exist with different attributes.',
    );
  }
  const t = now.getTime();
  state.queues.set(queueKey(accountId, name), {
    accountId,
    name,
    createTime: t,
    lastModifyTime: t,
    attributes,
    messages: new Map(),
    waiters: new Set(),
  });
  return 'created';
}

/** DeleteQueue; deleting a missing queue is not an error (MNS answers 204). */
export function deleteQueue(state: MnsState, accountId: string, name: string): void {
  const queue = state.queues.get(queueKey(accountId, name));
  if (!queue) return;
  state.queues.delete(queueKey(accountId, name));
  for (const wake of queue.waiters) wake();
}

/** The queues of an account, by name, from `marker` on, at most `limit`, optionally with a name prefix. */
export function listQueues(
  state: MnsState,
  accountId: string,
  options: { prefix?: string; marker?: string; limit: number },
): { queues: StoredQueue[]; nextMarker?: string } {
  const all = [...state.queues.values()]
    .filter((q) => q.accountId === accountId && (!options.prefix || q.name.startsWith(options.prefix)))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .filter((q) => !options.marker || q.name >= options.marker);
  const queues = all.slice(0, options.limit);
  const next = all[options.limit];
  return next ? { queues, nextMarker: next.name } : { queues };
}

/** Drop messages older than the queue's retention period. */
function expire(queue: StoredQueue, now: number): void {
  const oldest = now - queue.attributes.MessageRetentionPeriod * 1000;
  for (const [id, m] of queue.messages) if (m.enqueueTime <= oldest) queue.messages.delete(id);
}

/** Counts for GetQueueAttributes. */
export function queueCounts(queue: StoredQueue, now: Date): { active: number; inactive: number; delayed: number } {
  const t = now.getTime();
  expire(queue, t);
  let active = 0;
  let inactive = 0;
  let delayed = 0;
  for (const m of queue.messages.values()) {
    if (m.visibleAt <= t) active += 1;
    else if (m.dequeueCount === 0) delayed += 1;
    else inactive += 1;
  }
  return { active, inactive, delayed };
}

/** A message to send. */
export interface OutgoingMessage {
  readonly body: string;
  readonly delaySeconds?: number;
  readonly priority?: number;
}

/** Checks one message against the queue's limits; throws `InvalidArgument`. */
export function checkOutgoing(queue: StoredQueue, message: OutgoingMessage): void {
  const bytes = Buffer.byteLength(message.body, 'utf8');
  if (bytes < 1 || bytes > queue.attributes.MaximumMessageSize) {
    throw outOfRange('MessageBody', 1, queue.attributes.MaximumMessageSize, 'bytes');
  }
}

function messageId(state: MnsState, queue: StoredQueue, now: number): string {
  const queueHash = createHash('md5').update(`${queue.accountId}/${queue.name}`).digest('hex').slice(0, 16);
  state.seq += 1;
  return `${queueHash}-1-${now.toString(16)}-${state.seq.toString(16).padStart(9, '0')}`.toUpperCase();
}

/** SendMessage: enqueue, wake a long-polling receiver; returns the stored message. */
export function sendMessage(state: MnsState, queue: StoredQueue, message: OutgoingMessage, now: Date): StoredMessage {
  checkOutgoing(queue, message);
  const t = now.getTime();
  const delay = message.delaySeconds ?? queue.attributes.DelaySeconds;
  const stored: StoredMessage = {
    id: messageId(state, queue, t),
    body: message.body,
    md5: createHash('md5').update(message.body, 'utf8').digest('hex').toUpperCase(),
    priority: message.priority ?? MessageLimits.priority.default,
    enqueueTime: t,
    seq: state.seq,
    visibleAt: t + delay * 1000,
    dequeueCount: 0,
  };
  queue.messages.set(stored.id, stored);
  if (delay === 0) {
    for (const wake of queue.waiters) wake();
    queue.waiters.clear();
  }
  return stored;
}

function visibleMessages(queue: StoredQueue, now: number): StoredMessage[] {
  expire(queue, now);
  return [...queue.messages.values()]
    .filter((m) => m.visibleAt <= now)
    .sort((a, b) => a.priority - b.priority || a.seq - b.seq);
}

function newReceiptHandle(message: StoredMessage): string {
  const raw = `${message.id}#${message.dequeueCount}#${randomBytes(6).toString('hex')}`;
  return `1-${Buffer.from(raw, 'utf8').toString('base64url')}`;
}

/** The message id a receipt handle names; throws `ReceiptHandleError` for a handle MNS never issued. */
export function parseReceiptHandle(handle: string): string {
  const match = /^1-([A-Za-z0-9_-]+={0,2})$/.exec(handle);
  const decoded = match ? Buffer.from(match[1]!, 'base64url').toString('utf8') : '';
  const parts = /^([0-9A-F-]+)#\d+#[0-9a-f]{12}$/.exec(decoded);
  if (!parts) {
    throw new LocalCloudError(400, MnsErrorCode.ReceiptHandleError, 'The receipt handle you provided is not valid.');
  }
  return parts[1]!;
}

/**
 * ReceiveMessage / BatchReceiveMessage: up to `max` visible messages (priority, then arrival), each made invisible
 * for the queue's VisibilityTimeout with a new receipt handle. Empty when nothing is visible.
 */
export function receiveMessages(queue: StoredQueue, max: number, now: Date): StoredMessage[] {
  const t = now.getTime();
  const taken = visibleMessages(queue, t).slice(0, max);
  for (const m of taken) {
    m.dequeueCount += 1;
    m.firstDequeueTime ??= t;
    m.visibleAt = t + queue.attributes.VisibilityTimeout * 1000;
    m.receiptHandle = newReceiptHandle(m);
  }
  return taken;
}

/** PeekMessage / BatchPeekMessage: visible messages, unchanged. */
export function peekMessages(queue: StoredQueue, max: number, now: Date): StoredMessage[] {
  return visibleMessages(queue, now.getTime()).slice(0, max);
}

/** The message a live receipt handle holds; throws `ReceiptHandleError` / `MessageNotExist`. */
function heldMessage(queue: StoredQueue, handle: string, now: number): StoredMessage {
  const id = parseReceiptHandle(handle);
  expire(queue, now);
  const message = queue.messages.get(id);
  if (!message || message.receiptHandle !== handle || message.visibleAt <= now) {
    throw new LocalCloudError(404, MnsErrorCode.MessageNotExist, 'Message not exist or the receipt handle expired.');
  }
  return message;
}

/** DeleteMessage by receipt handle (valid until the message becomes visible again). */
export function deleteMessage(queue: StoredQueue, handle: string, now: Date): void {
  const message = heldMessage(queue, handle, now.getTime());
  queue.messages.delete(message.id);
}

/** ChangeMessageVisibility: visible again `seconds` from now; returns the new handle and next visible time. */
export function changeVisibility(
  queue: StoredQueue,
  handle: string,
  seconds: number,
  now: Date,
): { receiptHandle: string; nextVisibleTime: number } {
  const t = now.getTime();
  const message = heldMessage(queue, handle, t);
  message.visibleAt = t + seconds * 1000;
  message.receiptHandle = newReceiptHandle(message);
  return { receiptHandle: message.receiptHandle, nextVisibleTime: message.visibleAt };
}

/** Resolves when a message is sent to the queue (or it is deleted); `cancel` stops waiting. */
export function nextArrival(queue: StoredQueue): { arrived: Promise<void>; cancel(): void } {
  let wake: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => {
    wake = resolve;
  });
  queue.waiters.add(wake);
  return { arrived, cancel: () => queue.waiters.delete(wake) };
}

/** The JSON form of the queues for `--state`. */
export function snapshotMns(core: CloudCore): unknown {
  const state = mnsState(core);
  return {
    seq: state.seq,
    queues: [...state.queues.values()].map((q) => ({
      accountId: q.accountId,
      name: q.name,
      createTime: q.createTime,
      lastModifyTime: q.lastModifyTime,
      attributes: q.attributes,
      messages: [...q.messages.values()],
    })),
  };
}

const SnapshotSchema = z.object({
  seq: z.number().int().min(0),
  queues: z.array(
    z.object({
      accountId: z.string(),
      name: z.string(),
      createTime: z.number(),
      lastModifyTime: z.number(),
      attributes: z.object({
        DelaySeconds: z.number(),
        MaximumMessageSize: z.number(),
        MessageRetentionPeriod: z.number(),
        VisibilityTimeout: z.number(),
        PollingWaitSeconds: z.number(),
        LoggingEnabled: z.boolean(),
      }),
      messages: z.array(
        z.object({
          id: z.string(),
          body: z.string(),
          md5: z.string(),
          priority: z.number(),
          enqueueTime: z.number(),
          seq: z.number(),
          visibleAt: z.number(),
          firstDequeueTime: z.number().optional(),
          dequeueCount: z.number(),
          receiptHandle: z.string().optional(),
        }),
      ),
    }),
  ),
});

/** Restore what {@link snapshotMns} wrote; throws {@link CloudSetupError} naming the field of a damaged snapshot. */
export function restoreMns(core: CloudCore, data: unknown): void {
  const parsed = SnapshotSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CloudSetupError(
      `state file: services.mns.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}; delete the state file to start empty`,
      { cause: parsed.error },
    );
  }
  const state = mnsState(core);
  state.seq = parsed.data.seq;
  for (const q of parsed.data.queues) {
    state.queues.set(queueKey(q.accountId, q.name), {
      ...q,
      messages: new Map(q.messages.map((m) => [m.id, m])),
      waiters: new Set(),
    });
  }
}
