/**
 * `ticket sign FILE` and `ticket send FILE`: what a ticketing system does, from the command line. The file holds a
 * ticket body (or a list of them) in YAML or JSON; `sign` prints each signed dts-trust/v1 message as one JSON line,
 * `send` puts them on the ticket queue through `@alicloud/mns` (base64 bodies). The key comes from `--key-id` and
 * `--key-file`, or `DTS_TRUST_TICKET_KEY_ID` and `DTS_TRUST_TICKET_KEY_SECRET`.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { defaultChainKeys, staticKeys } from '../shared/alicloud/credentials.js';
import { mnsEndpoint, TicketQueue } from '../shared/alicloud/mns.js';
import { alibabaAccountIdSchema } from '../shared/domain/account-id.js';
import { CloudApiError, ValidationError, type ValidationProblem } from '../shared/domain/errors.js';
import { problemsFromZodError } from '../shared/domain/zod-problems.js';
import type { TicketMessage } from '../shared/intake/ticket-message.js';
import { diagnose, type Output } from './commands.js';
import { ExitCode } from './exit-codes.js';
import { sentJson } from './json-documents.js';
import { printJson } from './render.js';
import { readTicketFile, signedTicket, type TicketKey, ticketBodies } from './ticket-file.js';

/** The queue ticket messages go to unless `--queue` or `DTS_TRUST_TICKET_QUEUE` says otherwise (s.yaml's). */
export const DEFAULT_TICKET_QUEUE = 'dts-trust-tickets';

const KeyOptionsSchema = z.object({
  keyId: z.string().min(1).max(64),
  secret: z.string().min(32, 'a ticket key secret has at least 32 characters (as the trust settings require)'),
});

const SendOptionsSchema = z.object({
  queue: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,255}$/, '--queue must be an MNS queue name')
    .default(DEFAULT_TICKET_QUEUE),
  account: alibabaAccountIdSchema('the queue account'),
  region: z.string().min(1).default('cn-hangzhou'),
  endpoint: z
    .string()
    .regex(
      /^https?:\/\/[^/\s]+$/,
      '--endpoint must be http(s)://host[:port], e.g. https://<uid>.mns.cn-hangzhou.aliyuncs.com',
    )
    .optional(),
});

/** The environment the CLI reads. */
export type Env = Readonly<Record<string, string | undefined>>;

function validated<T extends z.ZodTypeAny>(schema: T, value: unknown, prefix: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError(problemsFromZodError(parsed.error, prefix));
  return parsed.data;
}

/** The ticketing-system key from `--key-id`/`--key-file` or the environment, validated. */
export async function ticketKey(opts: { keyId?: string; keyFile?: string }, env: Env): Promise<TicketKey> {
  let secret = env.DTS_TRUST_TICKET_KEY_SECRET;
  if (opts.keyFile !== undefined) {
    try {
      secret = (await readFile(opts.keyFile, 'utf8')).replace(/\r?\n$/, '');
    } catch (error) {
      throw new ValidationError(
        [
          {
            code: 'InvalidField',
            field: 'options.keyFile',
            message: `cannot read ${opts.keyFile}`,
            fix: 'give a readable file holding only the secret',
          },
        ],
        { cause: error },
      );
    }
  }
  const keyId = opts.keyId ?? env.DTS_TRUST_TICKET_KEY_ID;
  const missing: ValidationProblem[] = [];
  if (keyId === undefined) {
    missing.push({
      code: 'MissingTicketKey',
      field: 'options.keyId',
      message: 'no key id was given',
      fix: 'give --key-id or DTS_TRUST_TICKET_KEY_ID: the keyId the trust settings bind to your ticketing system',
    });
  }
  if (secret === undefined) {
    missing.push({
      code: 'MissingTicketKey',
      field: 'options.keyFile',
      message: 'no key secret was given',
      fix: 'give --key-file <a file holding only the secret> or DTS_TRUST_TICKET_KEY_SECRET',
    });
  }
  if (missing.length > 0) throw new ValidationError(missing);
  return validated(KeyOptionsSchema, { keyId, secret }, 'options');
}

async function signFile(file: string, opts: { keyId?: string; keyFile?: string }, env: Env) {
  const key = await ticketKey(opts, env);
  const bodies = ticketBodies(await readTicketFile(file), new Date());
  return bodies.map((body) => signedTicket(body, key));
}

/** Context the ticket commands run in. */
export interface TicketCommandContext {
  readonly env: Env;
  readonly out: Output;
  /** Records the exit code of the command that ran. */
  done(code: number): void;
}

/** Register `ticket sign` and `ticket send` on the CLI. */
export function registerTicketCommands(program: Command, context: TicketCommandContext): void {
  const { env, out } = context;
  const ticket = program.command('ticket').description('sign ticket files as a ticketing system does, or send them');
  ticket
    .command('sign <file>')
    .description('print the signed dts-trust/v1 message of each ticket in FILE (YAML or JSON), one JSON line each')
    .option('--key-id <id>', 'the keyId (default DTS_TRUST_TICKET_KEY_ID)')
    .option('--key-file <file>', 'a file holding the key secret (default DTS_TRUST_TICKET_KEY_SECRET)')
    .action(async (file: string, opts: { keyId?: string; keyFile?: string }) => {
      for (const message of await signFile(file, opts, env)) out.line(JSON.stringify(message));
      context.done(ExitCode.Ok);
    });
  ticket
    .command('send <file>')
    .description('sign each ticket in FILE and put it on the ticket queue (MNS, base64 bodies)')
    .option('--key-id <id>', 'the keyId (default DTS_TRUST_TICKET_KEY_ID)')
    .option('--key-file <file>', 'a file holding the key secret (default DTS_TRUST_TICKET_KEY_SECRET)')
    .option('--queue <name>', `the queue (default DTS_TRUST_TICKET_QUEUE, else ${DEFAULT_TICKET_QUEUE})`)
    .option('--account <uid>', 'the account of the queue (default DTS_TRUST_AUTOMATION_ACCOUNT_ID)')
    .option(
      '--endpoint <url>',
      'the MNS endpoint (default DTS_TRUST_MNS_ENDPOINT, else https://<uid>.mns.<region>.aliyuncs.com)',
    )
    .option('--json', 'print the sent messages as one JSON document')
    .action(async (file: string, opts: QueueOptions & { keyId?: string; keyFile?: string; json?: boolean }) => {
      const where = queueTarget(opts, env);
      const messages = await signFile(file, opts, env);
      const sent = await sendSigned(messages, where, env, out);
      if (sent === undefined) {
        context.done(ExitCode.Failed);
        return;
      }
      if (opts.json === true) printJson(out, sentJson(sent, where.queue));
      else {
        for (const r of sent) out.line(`sent ${r.messageId}  ${r.action} ${r.ticket}  (message ${r.id})`);
        out.line(`${sent.length} ticket(s) sent to ${where.queue}`);
      }
      context.done(ExitCode.Ok);
    });
}

/** Where `--queue`, `--account`, `--endpoint` say tickets go. */
export interface QueueOptions {
  readonly queue?: string;
  readonly account?: string;
  readonly endpoint?: string;
}

/** A validated queue target. */
export type QueueTarget = z.output<typeof SendOptionsSchema>;

/** The queue target from the options and the environment; throws a {@link ValidationError} naming what is missing. */
export function queueTarget(opts: QueueOptions, env: Env): QueueTarget {
  const account = opts.account ?? env.DTS_TRUST_AUTOMATION_ACCOUNT_ID;
  if (account === undefined) {
    throw new ValidationError([
      {
        code: 'MissingQueueAccount',
        field: 'options.account',
        message: 'the account of the queue was not given',
        fix: 'give --account or DTS_TRUST_AUTOMATION_ACCOUNT_ID (the automation account that owns the queue)',
      },
    ]);
  }
  return validated(
    SendOptionsSchema,
    {
      queue: opts.queue ?? env.DTS_TRUST_TICKET_QUEUE,
      account,
      region: env.DTS_TRUST_REGION,
      endpoint: opts.endpoint ?? env.DTS_TRUST_MNS_ENDPOINT,
    },
    'options',
  );
}

/** One ticket put on the queue. */
export interface SentTicket {
  readonly messageId: string;
  /** `system:id` of the ticket. */
  readonly ticket: string;
  readonly action: string;
  /** The body's own id (the intake's idempotency key with the key id). */
  readonly id: string;
}

/**
 * Put signed messages on the queue (base64 bodies) as the caller's RAM identity (ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET
 * or the default chain). Returns what was sent, or undefined after printing the queue's refusal.
 */
export async function sendSigned(
  messages: readonly TicketMessage[],
  where: QueueTarget,
  env: Env,
  out: Output,
): Promise<SentTicket[] | undefined> {
  const id = env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const secret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  const token = env.ALIBABA_CLOUD_SECURITY_TOKEN;
  const keys =
    id && secret
      ? staticKeys({ accessKeyId: id, accessKeySecret: secret, ...(token ? { securityToken: token } : {}) })
      : defaultChainKeys();
  const queue = new TicketQueue({
    endpoint: where.endpoint ?? mnsEndpoint(where.account, where.region),
    accountId: where.account,
    queueName: where.queue,
    keys,
  });
  let sent: Awaited<ReturnType<TicketQueue['send']>>;
  try {
    sent = await queue.send(messages.map((m) => JSON.stringify(m)));
  } catch (error) {
    if (!(error instanceof CloudApiError)) throw error;
    diagnose(out, `error: ${error.message}`);
    return undefined;
  }
  return sent.map((s) => {
    const body = messages[s.index]!.body as { id: string; action: string; ticket: { system: string; id: string } };
    return {
      messageId: s.messageId,
      ticket: `${body.ticket.system}:${body.ticket.id}`,
      action: body.action,
      id: body.id,
    };
  });
}
