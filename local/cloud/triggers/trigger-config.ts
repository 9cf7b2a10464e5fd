/**
 * The configurations of the EventBridge triggers of FC functions the local cloud emulates, in the shape the fc3
 * component takes as `triggerConfig` of a `triggerType: eventbridge` trigger in s.yaml: an MNS queue (event
 * streaming: MNS source, FC sink) and an account's default bus (`eventSourceType: Default`). One reader for both:
 * the run options they share (errors tolerance, retry strategy, batch window) are one schema, and a configuration
 * that does not parse is refused with each field and its fix. Only what the local cloud emulates is accepted.
 */
import { z } from 'zod';
import { CloudSetupError } from '../errors.js';

/** How EventBridge retries a failed push to the function. */
export const PushRetryStrategy = {
  /** 3 retries, 10 to 20 s apart (random). The default. */
  Backoff: 'BACKOFF_RETRY',
  /** 176 retries: 1, 2, 4, ... 256 s, then 512 s 167 times (about a day). */
  ExponentialDecay: 'EXPONENTIAL_DECAY_RETRY',
} as const;

const DEAD_LETTER_ARN = /^acs:mns:([a-z0-9-]+):(\d{16}):\/queues\/([A-Za-z][A-Za-z0-9-]{0,255})$/;

/** The run options both triggers take. */
const runOptionsShape = {
  mode: z.string().optional(),
  /** ALL: after the last retry the batch goes to the dead-letter queue (or is dropped); NONE: the stream stops. */
  errorsTolerance: z.enum(['ALL', 'NONE']).default('ALL'),
  retryStrategy: z
    .object({
      PushRetryStrategy: z
        .enum([PushRetryStrategy.Backoff, PushRetryStrategy.ExponentialDecay])
        .default(PushRetryStrategy.Backoff),
    })
    .passthrough()
    .default({}),
  batchWindow: z
    .object({
      /** Most events per invocation (1-10000). */
      CountBasedWindow: z.number().int().min(1).max(10_000).default(1),
      /** Seconds to gather a batch before invoking (0-15; 0 invokes at once). */
      TimeBasedWindow: z.number().int().min(0).max(15).default(0),
    })
    .passthrough()
    .default({}),
};

/** The `triggerConfig` of an MNS queue trigger (fc3 component, `triggerType: eventbridge`). */
export const QueueTriggerConfigSchema = z
  .object({
    triggerEnable: z.boolean().default(true),
    /** true pushes asynchronously (FC answers 202 and retries on its own); false invokes synchronously. */
    asyncInvocationType: z.boolean().default(false),
    eventRuleFilterPattern: z
      .string()
      .default('{}')
      .refine((v) => v.replace(/\s/g, '') === '{}', 'only "{}" (every event) is emulated by the local cloud'),
    eventSourceConfig: z.object({
      eventSourceType: z.literal('MNS', { errorMap: () => ({ message: 'must be MNS for a queue trigger' }) }),
      eventSourceParameters: z.object({
        sourceMNSParameters: z
          .object({
            QueueName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,255}$/, 'must be an MNS queue name'),
            /** Decode base64 message bodies before delivery (default true). */
            IsBase64Decode: z.boolean().default(true),
          })
          .passthrough(),
      }),
    }),
    eventSinkConfig: z
      .object({
        deliveryOption: z
          .object({
            mode: z.string().optional(),
            eventSchema: z.enum(['CloudEvents', 'RawData']).default('CloudEvents'),
          })
          .passthrough()
          .default({}),
      })
      .passthrough()
      .default({}),
    runOptions: z
      .object({
        ...runOptionsShape,
        /** Applies to Kafka sources only; accepted and ignored. */
        maximumTasks: z.number().int().positive().optional(),
        deadLetterQueue: z
          .object({
            Arn: z.string().regex(DEAD_LETTER_ARN, 'must be acs:mns:<region>:<account>:/queues/<name> (an MNS queue)'),
          })
          .passthrough()
          .optional(),
      })
      .passthrough()
      .default({}),
  })
  .passthrough();

/** A validated queue trigger configuration. */
export type QueueTriggerConfig = z.output<typeof QueueTriggerConfigSchema>;

/** The `triggerConfig` of a bus trigger (fc3 component, `triggerType: eventbridge`, default bus source). */
export const BusTriggerConfigSchema = z
  .object({
    triggerEnable: z.boolean().default(true),
    asyncInvocationType: z.literal(false, {
      errorMap: () => ({ message: 'only false (synchronous pushes, retried by the trigger) is emulated' }),
    }),
    /** The event pattern, as JSON text. */
    eventRuleFilterPattern: z.string().min(2),
    eventSourceConfig: z.object({
      eventSourceType: z.literal('Default', {
        errorMap: () => ({ message: 'must be Default (the default bus) for a bus trigger' }),
      }),
    }),
    eventSinkConfig: z
      .object({
        deliveryOption: z
          .object({ mode: z.string().optional(), eventSchema: z.literal('CloudEvents').default('CloudEvents') })
          .passthrough()
          .default({}),
      })
      .passthrough()
      .default({}),
    runOptions: z.object(runOptionsShape).passthrough().default({}),
  })
  .passthrough();

/** A validated bus trigger configuration. */
export type BusTriggerConfig = z.output<typeof BusTriggerConfigSchema>;

/** The triggers this module reads, with the words their errors start with. */
const KINDS = {
  queue: { schema: QueueTriggerConfigSchema, title: 'Invalid MNS queue trigger' },
  bus: { schema: BusTriggerConfigSchema, title: 'Invalid EventBridge bus trigger' },
} as const;

/** Validate a `triggerConfig` of one kind; throws {@link CloudSetupError} naming each bad field under `source`. */
export function parseTriggerConfig(kind: 'queue', raw: unknown, source?: string): QueueTriggerConfig;
export function parseTriggerConfig(kind: 'bus', raw: unknown, source?: string): BusTriggerConfig;
export function parseTriggerConfig(
  kind: keyof typeof KINDS,
  raw: unknown,
  source = 'triggerConfig',
): QueueTriggerConfig | BusTriggerConfig {
  const { schema, title } = KINDS[kind];
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const detail = parsed.error.issues.map((i) => `${source}.${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new CloudSetupError(`${title}: ${detail}`, { cause: parsed.error });
}

/** The account and queue name of a dead-letter queue ARN (validated by the schema). */
export function deadLetterQueueOf(arn: string): { region: string; accountId: string; queueName: string } {
  const match = DEAD_LETTER_ARN.exec(arn);
  if (!match) throw new CloudSetupError(`${arn} is not an MNS queue ARN (acs:mns:<region>:<account>:/queues/<name>)`);
  return { region: match[1]!, accountId: match[2]!, queueName: match[3]! };
}

/** The seconds EventBridge waits before each retry of a failed push, in order. */
export function retryDelaysSeconds(
  strategy: QueueTriggerConfig['runOptions']['retryStrategy']['PushRetryStrategy'],
  random: () => number,
): number[] {
  if (strategy === PushRetryStrategy.Backoff) return [0, 1, 2].map(() => 10 + Math.floor(random() * 11));
  const doubling = [1, 2, 4, 8, 16, 32, 64, 128, 256];
  return [...doubling, ...Array.from({ length: 176 - doubling.length }, () => 512)];
}
