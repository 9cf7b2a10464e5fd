import { SingleBar } from 'cli-progress';
import { z } from 'zod';
import type { AuditDeliveryReport } from '../shared/audit/deliver-audit-events.js';
import type { Services } from '../shared/composition/services.js';
import { ownerAccountIdSchema } from '../shared/domain/account-id.js';
import { grantId } from '../shared/domain/ownership.js';
import { describeAction, describePlan, type RoleResult, type RunResult } from '../shared/reconcile/index.js';
import { capLifetimes } from '../shared/usecases/cap-lifetimes.js';
import { listGrants } from '../shared/usecases/list-grants.js';
import { countSelectedRoles, reconcileNow } from '../shared/usecases/reconcile-now.js';
import { revokeTicketSystem } from '../shared/usecases/revoke-ticket-system.js';
import { listSetAsideEvents, replaySetAsideEvent } from '../shared/usecases/set-aside-events.js';
import { ExitCode, exitCodeOf } from './exit-codes.js';
import {
  auditDeliveryJson,
  type GrantJson,
  grantJson,
  type PlannedRoleJson,
  planJson,
  plannedRoleJson,
  reconcileJson,
  roleReportJson,
  setAsideEventJson,
} from './json-documents.js';
import { type PrintOptions, printJson } from './render.js';

/** Audit events a delivery pass left undelivered: still in the outbox, or set aside for good. */
function undelivered(audit: { readonly pending: number; readonly setAside: number } | undefined): number {
  return audit === undefined ? 0 : audit.pending + audit.setAside;
}

/** Where command output goes (stdout in the CLI, a buffer in tests). */
export interface Output {
  /** One line of the command's output: its table and summary, or its one JSON document with `--json`. */
  line(text: string): void;
  /**
   * One line about the run rather than its result: an error, a log line (stderr in the CLI, so that stdout carries
   * only the output a script parses). Goes to {@link line} when absent.
   */
  readonly diagnostic?: (text: string) => void;
  /** True when a person watches (progress bars only then, on stderr). */
  readonly interactive: boolean;
}

/** Write a diagnostic line (an error, a log line) where `out` keeps them. */
export function diagnose(out: Output, text: string): void {
  (out.diagnostic ?? out.line)(text);
}

const AccountIdSchema = ownerAccountIdSchema('--owner');

/** `--owner` and `--role` filters, validated. */
export const RoleFilterSchema = z.object({
  owner: AccountIdSchema.optional(),
  role: z.string().min(1).max(64).optional(),
});
/** `--owner` and `--role` filters. */
export type RoleFilter = z.infer<typeof RoleFilterSchema>;

const roleLine = (r: Pick<RoleResult, 'role' | 'outcome' | 'error'>): string =>
  `${r.role.ownerAccountId}/${r.role.roleName}: ${r.outcome}${r.error ? ` (${r.error.code} ${r.error.message})` : ''}`;

/** List declared grants. */
export async function grantsCommand(
  services: Services,
  out: Output,
  filter: RoleFilter,
  print: PrintOptions,
): Promise<number> {
  const grants: z.input<typeof GrantJson>[] = [];
  for await (const entry of listGrants(services, filter)) {
    grants.push(grantJson(entry));
    if (print.json) continue;
    const { grant: g, active } = entry;
    out.line(
      `${grantId(g)}  mode=${g.mode} ticket=${g.ticket.system}:${g.ticket.id}${g.expiresAt ? ` expires=${g.expiresAt}` : ''}${active ? '' : ' EXPIRED'}`,
    );
  }
  if (print.json) printJson(out, { grants });
  else out.line(`${grants.length} grant(s)`);
  return ExitCode.Ok;
}

/**
 * Dry run: the reconcile `reconcile` would run, with apply switched off; prints each role's plan (roles left with
 * only a status row included) and changes nothing. Exits 1 when a role could not be observed.
 */
export async function planCommand(
  services: Services,
  out: Output,
  filter: RoleFilter,
  print: PrintOptions,
): Promise<number> {
  const roles: z.input<typeof PlannedRoleJson>[] = [];
  let changes = 0;
  let failures = 0;
  const { run } = await reconcileNow(services, filter, {
    dryRun: true,
    onRoleDone: (result) => {
      if (print.json) {
        roles.push(plannedRoleJson(result));
        return;
      }
      if (result.outcome === 'failed' || result.plan === undefined) {
        failures += 1;
        out.line(`${result.role.ownerAccountId}/${result.role.roleName}: cannot observe: ${result.error?.message}`);
        return;
      }
      out.line(describePlan(result.plan));
      if (result.plan.actions.some((a) => a.kind !== 'nothing')) changes += 1;
    },
  });
  if (print.json) {
    const document = planJson(run, roles);
    printJson(out, document);
    return document.unobservable > 0 ? ExitCode.Failed : ExitCode.Ok;
  }
  out.line(`${changes} role(s) would change${failures ? `, ${failures} could not be observed` : ''}`);
  return failures > 0 ? ExitCode.Failed : ExitCode.Ok;
}

/**
 * The exit code of a reconcile run: 1 when a role failed or ended in a conflict (a person decides), an account
 * could not be entered or a status row could not be written; else 3 while audit events stay undelivered.
 */
export function runExitCode(
  run: Pick<RunResult, 'outcomes' | 'failedAccounts' | 'statusWriteFailures'>,
  audit: AuditDeliveryReport | undefined,
): ExitCode {
  return exitCodeOf({
    failed:
      run.failedAccounts.length + (run.outcomes.failed ?? 0) + (run.outcomes.conflict ?? 0) + run.statusWriteFailures,
    undelivered: undelivered(audit),
  });
}

/** The roles of a run a person must look at: failed ones and conflicts, with why. */
function attentionLines(results: readonly RoleResult[]): string[] {
  return results.flatMap((r) => {
    const id = `${r.role.ownerAccountId}/${r.role.roleName}`;
    if (r.error) return [`  ${id}: ${r.error.code} ${r.error.message}`];
    if (r.outcome !== 'conflict') return [];
    return (r.plan?.actions ?? []).filter((a) => a.kind === 'conflict').map((a) => `  ${id}: ${describeAction(a)}`);
  });
}

/**
 * Reconcile now (enforce what the grants say), with a progress bar on stderr when a person watches, then deliver
 * the audit events.
 */
export async function reconcileCommand(
  services: Services,
  out: Output,
  filter: RoleFilter,
  print: PrintOptions,
): Promise<number> {
  const bar =
    out.interactive && !print.json && !filter.role
      ? new SingleBar({ format: 'reconciling [{bar}] {value}/{total} roles | {outcome}' })
      : undefined;
  if (bar) bar.start(await countSelectedRoles(services, filter), 0, { outcome: '' });
  const { run, audit } = await reconcileNow(services, filter, {
    dryRun: false,
    ...(bar === undefined
      ? {}
      : {
          onRoleDone: (result: RoleResult) =>
            bar.increment(1, { outcome: `${result.role.roleName}: ${result.outcome}` }),
        }),
  });
  bar?.stop();
  const code = runExitCode(run, audit);
  if (print.json) {
    printJson(out, reconcileJson(run, audit ?? NO_DELIVERY));
    return code;
  }
  if (filter.role) {
    for (const result of run.results) out.line(roleLine(result));
    for (const line of attentionLines(run.results.filter((r) => r.outcome === 'conflict'))) out.line(line);
    for (const f of run.failedAccounts) out.line(`  account ${f.accountId}: ${f.code} ${f.message}`);
    out.line(`audit events delivered: ${audit?.delivered ?? 0}, pending: ${audit?.pending ?? 0}`);
    return code;
  }
  out.line(`${run.roles} role(s): ${JSON.stringify(run.outcomes)}`);
  for (const line of attentionLines(run.results)) out.line(line);
  for (const f of run.failedAccounts) out.line(`  account ${f.accountId}: ${f.code} ${f.message}`);
  if (run.statusWriteFailures > 0) {
    out.line(`  ${run.statusWriteFailures} status row(s) could not be written (written again on the next run)`);
  }
  out.line(
    `API calls: ${run.apiCalls.ram} RAM, ${run.apiCalls.assumeRole} AssumeRole; audit events delivered: ${audit?.delivered ?? 0}, pending: ${audit?.pending ?? 0}`,
  );
  return code;
}

/** A delivery that did not run (a run always delivers; this only fills the type). */
const NO_DELIVERY: AuditDeliveryReport = { delivered: 0, pending: 0, setAside: 0, failureCodes: [] };

/** The event id `replay` takes: what the outbox and the bus accept as an id. */
export const EventIdSchema = z
  .string()
  .min(1, 'give the id of a set-aside event (see `set-aside`)')
  .max(128, 'an event id has at most 128 characters');

/**
 * List the audit events set aside: the bus refused them for good (or too often), or their row was unreadable.
 * Exits 3 while any is listed: they are audit events that have not reached the bus.
 */
export async function setAsideCommand(services: Services, out: Output, print: PrintOptions): Promise<number> {
  const events = [];
  for await (const r of listSetAsideEvents(services)) {
    events.push(setAsideEventJson(r));
    if (print.json) continue;
    out.line(
      `${r.eventId}  ${r.type ?? '(unreadable row)'}  code=${r.code} attempts=${r.attempts} recorded=${r.recordedAt} setAside=${r.setAsideAt}  ${r.message}`,
    );
  }
  if (print.json) printJson(out, { events });
  else out.line(`${events.length} audit event(s) set aside`);
  return exitCodeOf({ failed: 0, undelivered: events.length });
}

/** Put one set-aside event back into the outbox and deliver at once. */
export async function replayCommand(
  services: Services,
  out: Output,
  eventId: string,
  print: PrintOptions,
): Promise<number> {
  const audit = await replaySetAsideEvent(services, eventId);
  if (!audit) {
    if (print.json) printJson(out, { eventId, replayed: false });
    else out.line(`no set-aside audit event ${eventId} (list them with set-aside)`);
    return ExitCode.Failed;
  }
  if (print.json) printJson(out, { eventId, replayed: true, audit: auditDeliveryJson(audit) });
  else {
    out.line(
      `${eventId} is back in the outbox; audit events delivered: ${audit.delivered}, pending: ${audit.pending}, set aside: ${audit.setAside}`,
    );
  }
  // The event replayed was refused again: the replay failed.
  return audit.setAside > 0 || audit.callFailure
    ? ExitCode.Failed
    : exitCodeOf({ failed: 0, undelivered: audit.pending });
}

/** The `revoke-system` argument: a ticketing system name as the trust settings spell it. */
export const SystemNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'the system must be a ticketing system name as in ticketSystems, e.g. jira',
  );

/**
 * Remove every grant a (compromised) ticketing system declared and reconcile the affected roles now, then deliver
 * the audit events. Withdraw the system's keys from the trust settings first, so it cannot declare again.
 */
export async function revokeSystemCommand(
  services: Services,
  out: Output,
  system: string,
  print: PrintOptions,
): Promise<number> {
  const result = await revokeTicketSystem(services, system);
  const code = exitCodeOf({
    failed: result.roles.filter((r) => r.error || r.outcome === 'conflict').length,
    undelivered: undelivered(result.audit),
  });
  if (print.json) {
    printJson(out, {
      system,
      revoked: [...result.revoked],
      roles: result.roles.map(roleReportJson),
      audit: auditDeliveryJson(result.audit),
    });
    return code;
  }
  for (const id of result.revoked) out.line(`revoked ${id}`);
  for (const r of result.roles) out.line(roleLine(r));
  out.line(
    `${result.revoked.length} grant(s) of ${system} revoked; audit events delivered: ${result.audit.delivered}, pending: ${result.audit.pending}`,
  );
  return code;
}

/**
 * Upgrade step: give every stored grant without an expiry the maximum lifetime (DTS_TRUST_MAX_GRANT_DAYS) from
 * now, then deliver the audit events. Grants written by this release always have one.
 */
export async function capLifetimesCommand(services: Services, out: Output, print: PrintOptions): Promise<number> {
  const { capped, audit } = await capLifetimes(services);
  const maxGrantDays = services.config.guardrails.maxGrantDays;
  if (print.json) printJson(out, { capped: [...capped], maxGrantDays, audit: auditDeliveryJson(audit) });
  else {
    for (const id of capped) out.line(`capped ${id}`);
    out.line(
      `${capped.length} grant(s) without an expiry now end in ${maxGrantDays} days; audit events delivered: ${audit.delivered}, pending: ${audit.pending}`,
    );
  }
  return exitCodeOf({ failed: 0, undelivered: undelivered(audit) });
}
