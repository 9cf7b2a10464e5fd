/**
 * The configuration of an MNS queue trigger of an FC function (EventBridge event streaming: MNS source, FC sink),
 * in the shape the fc3 component takes as `triggerConfig` of a `triggerType: eventbridge` trigger in s.yaml.
 * Only what the local cloud emulates is accepted; anything else is refused with the field and the fix.
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
        mode: z.string().optional(),
        /** Applies to Kafka sources only; accepted and ignored. */
        maximumTasks: z.number().int().positive().optional(),
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
        deadLetterQueue: z
          .object({
            Arn: z.string().regex(DEAD_LETTER_ARN, 'must be acs:mns:<region>:<account>:/queues/<name> (an MNS queue)'),
          })
          .passthrough()
          .optional(),
        batchWindow: z
          .object({
            /** Most messages per invocation (1-10000). */
            CountBasedWindow: z.number().int().min(1).max(10_000).default(1),
            /** Seconds to gather a batch before invoking (0-15; 0 invokes at once). */
            TimeBasedWindow: z.number().int().min(0).max(15).default(0),
          })
          .passthrough()
          .default({}),
      })
      .passthrough()
      .default({}),
  })
  .passthrough();

/** A validated trigger configuration. */
export type QueueTriggerConfig = z.output<typeof QueueTriggerConfigSchema>;

/** Validate a `triggerConfig`; throws {@link CloudSetupError} naming each bad field. */
export function parseQueueTriggerConfig(raw: unknown, source = 'triggerConfig'): QueueTriggerConfig {
  const parsed = QueueTriggerConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const detail = parsed.error.issues.map((i) => `${source}.${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new CloudSetupError(`Invalid MNS queue trigger: ${detail}`, { cause: parsed.error });
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
