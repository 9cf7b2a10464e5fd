/**
 * The lifecycle commands: `declare FILE` / `revoke FILE` (a relationship), `resume` (clear a flap pause) and
 * `mode <mode>` (switch a role's grants), each built as a dts-trust/v1 ticket, signed with the CLI's own
 * ticketing-system key and sent through the queue, so the intake authorises and audits them like any other
 * change; `--preview` shows what the ticket would change, role by role, and sends nothing. `status` shows each
 * role's grants, live state, last outcome and next expiry. Every command prints a table, or JSON with `--json`.
 */
import type { Command } from 'commander';
import { reconcilerFor } from '../shared/composition/reconciler.js';
import type { Services } from '../shared/composition/services.js';
import { ValidationError } from '../shared/domain/errors.js';
import { problemsFromZodError } from '../shared/domain/zod-problems.js';
import { LiveState, type RoleStatusReport, roleStatuses } from '../shared/usecases/role-status.js';
import { type Output, RoleFilterSchema } from './commands.js';
import { ExitCode } from './exit-codes.js';
import { type StatusDocument, sentJson } from './json-documents.js';
import { grantTicketFromFile, modeTicket, resumeTicket, ticketRefFrom } from './operator-tickets.js';
import { type PrintOptions, printRows } from './render.js';
import { DEFAULT_TICKET_QUEUE, type Env, queueTarget, type SentTicket, sendSigned, ticketKey } from './ticket.js';
import { signedTicket } from './ticket-file.js';
import { previewTicket, printPreview } from './ticket-preview.js';

/** Context the lifecycle commands run in. */
export interface LifecycleContext {
  readonly env: Env;
  readonly out: Output;
  /** The services over the deployment's configuration (status and previews read the stores and RAM). */
  readonly connect: () => Promise<Services>;
  /** Records the exit code of the command that ran. */
  done(code: number): void;
}

interface TicketCommandOptions {
  keyId?: string;
  keyFile?: string;
  queue?: string;
  account?: string;
  endpoint?: string;
  system?: string;
  ticket?: string;
  requester?: string;
  approver?: string;
  preview?: boolean;
  json?: boolean;
}

function ticketOptions(command: Command): Command {
  return command
    .option('--ticket <id>', 'the id of the change ticket that approved this (required)')
    .option('--approver <who>', 'who approved the ticket (required)')
    .option('--requester <who>', 'who asked for it (default USER)')
    .option('--system <name>', 'the ticketing system the CLI signs as (default DTS_TRUST_TICKET_SYSTEM, else cli)')
    .option('--key-id <id>', "the CLI system's keyId (default DTS_TRUST_TICKET_KEY_ID)")
    .option('--key-file <file>', 'a file holding the key secret (default DTS_TRUST_TICKET_KEY_SECRET)')
    .option('--queue <name>', `the queue (default DTS_TRUST_TICKET_QUEUE, else ${DEFAULT_TICKET_QUEUE})`)
    .option('--account <uid>', 'the account of the queue (default DTS_TRUST_AUTOMATION_ACCOUNT_ID)')
    .option('--endpoint <url>', 'the MNS endpoint (default DTS_TRUST_MNS_ENDPOINT)')
    .option('--preview', 'show what the ticket would change, role by role, and send nothing')
    .option('--json', 'print JSON instead of a table');
}

const SENT_COLUMNS = [
  { heading: 'MESSAGE', cell: (r: SentTicket) => r.messageId },
  { heading: 'ACTION', cell: (r: SentTicket) => r.action },
  { heading: 'TICKET', cell: (r: SentTicket) => r.ticket },
  { heading: 'BODY ID', cell: (r: SentTicket) => r.id },
] as const;

/** Sign `body`, then preview it or send it; records the exit code. */
async function signAndSend(context: LifecycleContext, body: Record<string, unknown>, opts: TicketCommandOptions) {
  const { env, out } = context;
  const print: PrintOptions = { json: opts.json === true };
  const key = await ticketKey(opts, env);
  if (opts.preview === true) {
    const preview = await previewTicket(await context.connect(), body, key);
    printPreview(out, print, preview);
    context.done(
      preview.rejected || preview.roles.some((r) => r.unreachable !== undefined) ? ExitCode.Failed : ExitCode.Ok,
    );
    return;
  }
  const where = queueTarget(opts, env);
  const sent = await sendSigned([signedTicket(body, key)], where, env, out);
  if (sent === undefined) {
    context.done(ExitCode.Failed);
    return;
  }
  printRows(out, print, sent, SENT_COLUMNS, sentJson(sent, where.queue), [
    `${sent.length} ticket(s) sent to ${where.queue}; the intake reports each outcome as a dts-trust.ticket.processed event (docs/events.md)`,
  ]);
  context.done(ExitCode.Ok);
}

const STATUS_COLUMNS = [
  { heading: 'ROLE', cell: (r: RoleStatusReport) => `${r.ownerAccountId}/${r.roleName}` },
  { heading: 'MODE', cell: (r: RoleStatusReport) => r.mode ?? '-' },
  {
    heading: 'GRANTS',
    cell: (r: RoleStatusReport) =>
      r.grants.length === 0
        ? '-'
        : r.grants.map((g) => `${g.trustedAccountId}${g.active ? '' : ' (expired)'} ${g.ticket}`).join(', '),
  },
  { heading: 'LIVE', cell: (r: RoleStatusReport) => r.live.state },
  {
    heading: 'LAST',
    cell: (r: RoleStatusReport) =>
      r.last === undefined
        ? 'never'
        : `${r.last.result} ${r.last.at}${r.last.failureCount > 0 ? ` (${r.last.failureCount} failures)` : ''}`,
  },
  { heading: 'NEXT EXPIRY', cell: (r: RoleStatusReport) => r.nextExpiry ?? '-' },
  {
    heading: 'NOTE',
    cell: (r: RoleStatusReport) =>
      r.last?.pausedReason !== undefined
        ? 'PAUSED (flapping): resume it once the cause is found'
        : r.live.state === LiveState.Unreachable
          ? (r.live.details[0] ?? '')
          : r.live.state === LiveState.InSync || r.live.state === LiveState.Absent
            ? ''
            : `${r.live.details.length} change(s) on the next reconcile`,
  },
] as const;

/** Register `declare`, `revoke`, `resume`, `mode` and `status`. */
export function registerLifecycleCommands(program: Command, context: LifecycleContext): void {
  const { env, out } = context;
  ticketOptions(
    program
      .command('declare <file>')
      .description('declare the grants of the relationship in FILE (YAML or JSON) as a signed ticket on the queue')
      .option('--expires-at <time>', 'when the grants end (RFC 3339; default the maximum lifetime)')
      .option('--mode <mode>', 'enforce, observe or paused (default enforce)'),
  ).action(async (file: string, opts: TicketCommandOptions & { expiresAt?: string; mode?: string }) => {
    const body = await grantTicketFromFile(
      'declare',
      file,
      ticketRefFrom(opts, env),
      { expiresAt: opts.expiresAt, mode: opts.mode as never },
      new Date(),
    );
    await signAndSend(context, body, opts);
  });
  ticketOptions(
    program
      .command('revoke <file>')
      .description('revoke the grants of the relationship in FILE (YAML or JSON) as a signed ticket on the queue'),
  ).action(async (file: string, opts: TicketCommandOptions) => {
    const body = await grantTicketFromFile('revoke', file, ticketRefFrom(opts, env), {}, new Date());
    await signAndSend(context, body, opts);
  });
  ticketOptions(
    program
      .command('resume')
      .description('clear the flap pause of a role (a signed ticket: authorised and audited like any change)')
      .requiredOption('--owner <uid>', 'the owner account of the role')
      .requiredOption('--role <name>', 'the role name, exactly as declared'),
  ).action(async (opts: TicketCommandOptions & { owner: string; role: string }) => {
    await signAndSend(context, resumeTicket(opts, ticketRefFrom(opts, env), new Date()), opts);
  });
  ticketOptions(
    program
      .command('mode <mode>')
      .description("switch the mode of a role's grants to enforce, observe or paused (a signed ticket)")
      .requiredOption('--owner <uid>', 'the owner account of the role')
      .requiredOption('--role <name>', 'the role name, exactly as declared')
      .option('--trusted <uid...>', 'only the grants trusting these accounts (default every grant of the role)'),
  ).action(async (mode: string, opts: TicketCommandOptions & { owner: string; role: string; trusted?: string[] }) => {
    const body = modeTicket(
      opts,
      { mode: mode as never, ...(opts.trusted ? { trusted: opts.trusted } : {}) },
      ticketRefFrom(opts, env),
      new Date(),
    );
    await signAndSend(context, body, opts);
  });
  program
    .command('status')
    .description('per role: its grants, live state in RAM, last reconcile and next expiry (changes nothing)')
    .option('--owner <uid>', 'only roles in this owner account')
    .option('--role <name>', 'only this role name')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { owner?: string; role?: string; json?: boolean }) => {
      const parsed = RoleFilterSchema.safeParse({ owner: opts.owner, role: opts.role });
      if (!parsed.success) throw new ValidationError(problemsFromZodError(parsed.error, 'options'));
      const services = await context.connect();
      const reconciler = reconcilerFor(services);
      const reports = await roleStatuses(
        {
          grants: services.grants,
          status: services.status,
          clock: services.clock,
          preview: (role) => reconciler.previewRole(role),
        },
        parsed.data,
      );
      const attention = reports.filter((r) => r.attention);
      printRows(
        out,
        { json: opts.json === true },
        reports,
        STATUS_COLUMNS,
        { roles: reports } satisfies StatusDocument,
        [
          `${reports.length} role(s)${attention.length > 0 ? `, ${attention.length} need attention` : ''}`,
          ...attention.flatMap((r) => r.live.details.map((d) => `  ${r.ownerAccountId}/${r.roleName}: ${d}`)),
        ],
      );
      context.done(attention.length > 0 ? ExitCode.Failed : ExitCode.Ok);
    });
}
