/**
 * Puts ticket messages on the MNS queue through `@alicloud/mns` 1.2.0 (what a ticketing system does; used by the
 * CLI's `ticket send` and the local demo). That SDK writes `MessageBody` into its XML unescaped, so every body is
 * sent base64-encoded, which the trigger's `IsBase64Decode: true` decodes before the intake sees it.
 */
import MnsClient from '@alicloud/mns';
import { CloudApiError, CloudErrorKind, ValidationError } from '../domain/errors.js';
import { classifyCloudError } from './cloud-error.js';
import type { OwnKeysSource } from './credentials.js';

/** RAM actions a ticket sender needs on the queue (`acs:mns:<region>:<uid>:/queues/<queue>/messages`). */
export const TICKET_SENDER_ACTIONS = ['mns:SendMessage', 'mns:BatchSendMessage'] as const;

/** MNS limits a send respects before it asks. */
export const MnsSendLimits = {
  /** Bytes of one message body as sent (after base64), the queues' default MaximumMessageSize. */
  messageBytes: 65_536,
  /** Messages per BatchSendMessage. */
  batchMessages: 16,
  /** Bytes of the bodies of one BatchSendMessage together. */
  batchBytes: 65_536,
} as const;

/** Where the queue is. */
export interface TicketQueueOptions {
  /** `https://<uid>.mns.<region>.aliyuncs.com` ({@link mnsEndpoint}) or the local cloud's `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** The account that owns the queue. */
  readonly accountId: string;
  readonly queueName: string;
  readonly keys: OwnKeysSource;
}

/** The public endpoint of an account's MNS in a region. */
export function mnsEndpoint(accountId: string, region: string): string {
  return `https://${accountId}.mns.${region}.aliyuncs.com`;
}

/** A message the queue accepted. */
export interface SentMessage {
  /** Position in the list given to {@link TicketQueue.send}. */
  readonly index: number;
  readonly messageId: string;
}

/** What `@alicloud/mns` threw, as a classified {@link CloudApiError}. */
export function mnsCloudError(api: string, error: unknown): CloudApiError {
  if (error instanceof CloudApiError) return error;
  const e = error as { name?: unknown; message?: unknown; code?: unknown };
  const name = typeof e.name === 'string' ? e.name : '';
  const message = typeof e.message === 'string' ? e.message : String(error);
  const fromName = /^MNS(.+)Error$/.exec(name)?.[1];
  const code = fromName ?? (typeof e.code === 'string' ? e.code : 'TransportError');
  const status = /failed with (\d{3})\./.exec(message)?.[1];
  const statusCode = status === undefined ? undefined : Number(status);
  const requestId = /requestid: ([^,\s]+)/.exec(message)?.[1];
  return new CloudApiError(
    {
      api,
      code,
      kind: classifyCloudError(code, statusCode),
      message,
      ...(statusCode !== undefined ? { statusCode } : {}),
      ...(requestId ? { requestId } : {}),
    },
    { cause: error },
  );
}

/** Group base64 bodies into BatchSendMessage calls within the count and size limits. */
function batches(bodies: readonly string[]): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  bodies.forEach((body, index) => {
    if (current.length === MnsSendLimits.batchMessages || bytes + body.length > MnsSendLimits.batchBytes) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(index);
    bytes += body.length;
  });
  if (current.length > 0) out.push(current);
  return out;
}

/** The ticket queue, for senders. */
export class TicketQueue {
  readonly #options: TicketQueueOptions;

  constructor(options: TicketQueueOptions) {
    this.#options = options;
  }

  /**
   * Send message bodies (text, base64-encoded here) in as few BatchSendMessage calls as the limits allow; returns
   * each message's id. A body over 64 KB once encoded is refused before anything is sent; a failure of the queue
   * throws a {@link CloudApiError} that names the messages already sent, if any.
   */
  async send(bodies: readonly string[]): Promise<SentMessage[]> {
    const encoded = bodies.map((b) => Buffer.from(b, 'utf8').toString('base64'));
    const tooBig = encoded
      .map((b, index) => ({ index, bytes: b.length }))
      .filter((b) => b.bytes > MnsSendLimits.messageBytes);
    if (tooBig.length > 0) {
      throw new ValidationError(
        tooBig.map(({ index, bytes }) => ({
          code: 'MessageTooLarge',
          field: `messages[${index}]`,
          message: `is ${bytes} bytes once base64-encoded; MNS takes at most ${MnsSendLimits.messageBytes}`,
          fix: 'split the ticket into several (fewer relationships per ticket) so each message stays under 48 KB of JSON',
        })),
      );
    }
    const keys = await this.#options.keys();
    const client = new MnsClient(this.#options.accountId, {
      accessKeyId: keys.accessKeyId,
      accessKeySecret: keys.accessKeySecret,
      ...(keys.securityToken ? { securityToken: keys.securityToken } : {}),
      endpoint: this.#options.endpoint,
    });
    const sent: SentMessage[] = [];
    const api = 'mns:BatchSendMessage';
    for (const batch of batches(encoded)) {
      let reply: Awaited<ReturnType<MnsClient['batchSendMessage']>>;
      try {
        reply = await client.batchSendMessage(
          this.#options.queueName,
          batch.map((i) => ({ MessageBody: encoded[i]! })),
        );
      } catch (error) {
        throw this.#partial(mnsCloudError(api, error), sent);
      }
      const entries = Array.isArray(reply.body) ? reply.body : [];
      const failed: string[] = [];
      batch.forEach((index, i) => {
        const entry = entries[i];
        if (entry?.MessageId) sent.push({ index, messageId: entry.MessageId });
        else failed.push(`messages[${index}]: ${entry?.ErrorCode ?? 'NoEntry'} ${entry?.ErrorMessage ?? ''}`.trim());
      });
      if (failed.length > 0 || reply.code !== 201) {
        const error = new CloudApiError({
          api,
          code: 'BatchSendFail',
          kind: CloudErrorKind.Invalid,
          message: `the queue refused ${failed.length} message(s) (HTTP ${reply.code}): ${failed.join('; ')}`,
          statusCode: reply.code,
        });
        throw this.#partial(error, sent);
      }
    }
    return sent;
  }

  #partial(error: CloudApiError, sent: readonly SentMessage[]): CloudApiError {
    if (sent.length === 0) return error;
    return new CloudApiError(
      {
        api: error.api,
        code: error.code,
        kind: error.kind,
        message: `${error.message}; already sent: ${sent.map((s) => `messages[${s.index}] as ${s.messageId}`).join(', ')}`,
        ...(error.statusCode !== undefined ? { statusCode: error.statusCode } : {}),
      },
      { cause: error },
    );
  }
}
