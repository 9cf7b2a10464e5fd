import { z } from 'zod';
import { ValidationError } from '../domain/errors.js';
import { problemsFromZodError } from '../domain/zod-problems.js';
import type { QueueMessage } from '../intake/queue-message.js';

/** One CloudEvent as the FC 3.0 MNS queue trigger (through EventBridge) delivers it. */
export const MnsCloudEventSchema = z
  .object({
    id: z.string().min(1),
    source: z.string().optional(),
    type: z.string().optional(),
    specversion: z.string().optional(),
    time: z.string().optional(),
    data: z
      .object({
        messageId: z.string().min(1).optional(),
        requestId: z.string().optional(),
        messageBody: z.string(),
      })
      .passthrough(),
  })
  .passthrough();
/** One MNS CloudEvent. */
export type MnsCloudEvent = z.infer<typeof MnsCloudEventSchema>;

/** The FC timer trigger's event. */
export const TimerEventSchema = z.object({
  triggerTime: z.string().datetime({ offset: true }),
  triggerName: z.string().min(1),
  payload: z.string().optional().default(''),
});
/** The FC timer trigger's event. */
export type TimerEvent = z.infer<typeof TimerEventSchema>;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decode an MNS message body: the trigger passes it as is, or base64-encoded when `IsBase64Decode` is off.
 * A body that is valid base64 of a JSON text is decoded; anything else is kept.
 */
export function decodeMessageBody(body: string): string {
  const trimmed = body.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || !BASE64.test(trimmed) || trimmed.length < 4) return body;
  const decoded = Buffer.from(trimmed, 'base64').toString('utf8');
  const head = decoded.trimStart()[0];
  return head === '{' || head === '[' ? decoded : body;
}

/** FC hands the event as a Buffer; tests and local tools may pass a string or an object. */
export function eventText(event: unknown): string {
  if (Buffer.isBuffer(event)) return event.toString('utf8');
  if (typeof event === 'string') return event;
  if (event instanceof Uint8Array) return Buffer.from(event).toString('utf8');
  return JSON.stringify(event);
}

/**
 * Parse a trigger event as JSON and check it against `schema`; a body that is not JSON or not of the schema's
 * shape throws a {@link ValidationError} naming each bad field (`event.triggerTime`, `event[1].data`).
 */
export function parseEvent<T extends z.ZodTypeAny>(event: unknown, schema: T, fix: string): z.output<T> {
  let json: unknown;
  try {
    json = JSON.parse(eventText(event));
  } catch (error) {
    throw new ValidationError(
      [{ code: 'MalformedEvent', field: 'event', message: 'the trigger event is not JSON', fix }],
      { cause: error },
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ValidationError(problemsFromZodError(parsed.error, 'event'));
  return parsed.data;
}

/** The MNS trigger's payload: an array of CloudEvents, or a single one. */
const MnsEventSchema = z.preprocess((v) => (Array.isArray(v) ? v : [v]), z.array(MnsCloudEventSchema));

/**
 * Parse the MNS queue trigger's event: a JSON array of CloudEvents, or a single CloudEvent. Each message is
 * returned with its decoded body; a malformed envelope throws a {@link ValidationError} naming the field.
 */
export function parseMnsEvent(event: unknown): QueueMessage[] {
  const events = parseEvent(
    event,
    MnsEventSchema,
    'deliver the MNS queue trigger event (a CloudEvents JSON array) unchanged',
  );
  return events.map((e, index) => ({
    index,
    messageId: e.data.messageId ?? e.id,
    body: decodeMessageBody(e.data.messageBody),
  }));
}

/** Parse the timer trigger's event; throws a {@link ValidationError} naming the field. */
export function parseTimerEvent(event: unknown): TimerEvent {
  return parseEvent(event, TimerEventSchema, 'the timer trigger sends {triggerTime, triggerName, payload}');
}
