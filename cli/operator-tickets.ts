/**
 * The tickets the CLI sends as a ticketing system of its own (`declare`, `revoke`, `resume`, `mode`): built from
 * options and a relationship file, completed (`id`, `issuedAt`) and checked against the ticket schema by
 * {@link ticketBodies}, so what is signed is exactly what the intake reads.
 */
import { z } from 'zod';
import { ownerAccountIdSchema } from '../shared/domain/account-id.js';
import { ValidationError } from '../shared/domain/errors.js';
import { GrantMode } from '../shared/domain/grant.js';
import { problemsFromZodError } from '../shared/domain/zod-problems.js';
import { TicketAction, TicketFieldLimits } from '../shared/intake/ticket-message.js';
import { readTicketFile, ticketBodies } from './ticket-file.js';

/** The ticketing system the CLI signs as unless `--system` or `DTS_TRUST_TICKET_SYSTEM` names another. */
export const DEFAULT_CLI_SYSTEM = 'cli';

/** `--system`, `--ticket`, `--requester`, `--approver`: the ticket reference every CLI ticket carries. */
export const TicketRefOptionsSchema = z.object({
  system: z.string().min(1).max(TicketFieldLimits.system),
  /** `--ticket`: the id of the change ticket that approved this. */
  ticket: z.string().min(1).max(TicketFieldLimits.id),
  requester: z.string().min(1).max(TicketFieldLimits.requester),
  approver: z.string().min(1).max(TicketFieldLimits.approver),
});
/** The ticket reference of a CLI ticket, as the ticket body carries it. */
export interface TicketRefOptions {
  readonly system: string;
  readonly id: string;
  readonly requester: string;
  readonly approver: string;
}

/** `--owner` and `--role` of `resume` and `mode`. */
export const RoleOptionsSchema = z.object({
  owner: ownerAccountIdSchema('--owner'),
  role: z.string().min(1).max(64),
});

/** `mode <mode>` and its `--trusted` accounts. */
export const ModeOptionsSchema = z.object({
  mode: z.enum([GrantMode.Enforce, GrantMode.Observe, GrantMode.Paused]),
  trusted: z.array(ownerAccountIdSchema('--trusted')).min(1).max(10).optional(),
});

/** `--expires-at` and `--mode` of `declare`. */
export const DeclareOptionsSchema = z.object({
  expiresAt: z.string().datetime({ offset: true }).optional(),
  mode: z.enum([GrantMode.Enforce, GrantMode.Observe, GrantMode.Paused]).optional(),
});

function parsed<T extends z.ZodTypeAny>(schema: T, value: unknown, prefix: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(problemsFromZodError(result.error, prefix));
  return result.data;
}

/** The ticket reference from the options and the environment (`DTS_TRUST_TICKET_SYSTEM`, `USER`). */
export function ticketRefFrom(
  opts: { system?: string; ticket?: string; requester?: string; approver?: string },
  env: Readonly<Record<string, string | undefined>>,
): TicketRefOptions {
  const ref = parsed(
    TicketRefOptionsSchema,
    {
      system: opts.system ?? env.DTS_TRUST_TICKET_SYSTEM ?? DEFAULT_CLI_SYSTEM,
      ticket: opts.ticket,
      requester: opts.requester ?? env.USER ?? env.LOGNAME,
      approver: opts.approver,
    },
    'options',
  );
  return { system: ref.system, id: ref.ticket, requester: ref.requester, approver: ref.approver };
}

/**
 * A `declare` or `revoke` body from a relationship file: the file holds the relationship (or a ticket body with
 * `relationship`, whose `ticket` the options replace and whose `expiresAt` and `mode` they override); one ticket
 * per file. A revoke carries neither expiry nor mode.
 */
export async function grantTicketFromFile(
  action: typeof TicketAction.Declare | typeof TicketAction.Revoke,
  file: string,
  ref: TicketRefOptions,
  extra: z.input<typeof DeclareOptionsSchema>,
  now: Date,
): Promise<Record<string, unknown>> {
  const values = await readTicketFile(file);
  if (values.length !== 1) {
    throw new ValidationError([
      {
        code: 'InvalidField',
        field: 'file',
        message: `the file holds ${values.length} documents; ${action} sends one ticket`,
        fix: 'give one relationship per file (or use `ticket send` for a list of tickets)',
      },
    ]);
  }
  const value = values[0] as Record<string, unknown>;
  const options = parsed(DeclareOptionsSchema, extra, 'options');
  const wrapped = value !== null && typeof value === 'object' && 'relationship' in value;
  const { action: _ignored, ...rest } = wrapped ? value : { relationship: value };
  const body: Record<string, unknown> = {
    ...rest,
    action,
    ticket: ref,
    ...(options.expiresAt === undefined ? {} : { expiresAt: options.expiresAt }),
    ...(options.mode === undefined ? {} : { mode: options.mode }),
  };
  if (action === TicketAction.Revoke) {
    delete body.expiresAt;
    delete body.mode;
  }
  return ticketBodies([body], now)[0]!;
}

/** A `resume` body for one role. */
export function resumeTicket(role: z.input<typeof RoleOptionsSchema>, ref: TicketRefOptions, now: Date) {
  const { owner, role: roleName } = parsed(RoleOptionsSchema, role, 'options');
  return ticketBodies(
    [{ action: TicketAction.Resume, ticket: ref, role: { ownerAccountId: owner, roleName } }],
    now,
  )[0]!;
}

/** A `mode` body: the grants of one role (or those trusting `trusted`) switched to `mode`. */
export function modeTicket(
  role: z.input<typeof RoleOptionsSchema>,
  mode: z.input<typeof ModeOptionsSchema>,
  ref: TicketRefOptions,
  now: Date,
) {
  const { owner, role: roleName } = parsed(RoleOptionsSchema, role, 'options');
  const m = parsed(ModeOptionsSchema, mode, 'options');
  return ticketBodies(
    [
      {
        action: TicketAction.Mode,
        ticket: ref,
        role: { ownerAccountId: owner, roleName },
        mode: m.mode,
        ...(m.trusted === undefined ? {} : { trustedAccountIds: m.trusted }),
      },
    ],
    now,
  )[0]!;
}
