import { SingleBar } from 'cli-progress';
import { z } from 'zod';
import type { Services } from '../shared/composition/services.js';
import { alibabaAccountIdSchema } from '../shared/domain/account-id.js';
import { grantId } from '../shared/domain/ownership.js';
import { describePlan, type RoleResult } from '../shared/reconcile/index.js';
import { capLifetimes } from '../shared/usecases/cap-lifetimes.js';
import { listGrants } from '../shared/usecases/list-grants.js';
import { countSelectedRoles, reconcileNow } from '../shared/usecases/reconcile-now.js';
import { revokeTicketSystem } from '../shared/usecases/revoke-ticket-system.js';
import { listSetAsideEvents, replaySetAsideEvent } from '../shared/usecases/set-aside-events.js';
import { ExitCode, exitCodeOf } from './exit-codes.js';

/** Audit events a delivery pass left undelivered: still in the outbox, or set aside for good. */
function undelivered(audit: { readonly pending: number; readonly setAside: number } | undefined): number {
  return audit === undefined ? 0 : audit.pending + audit.setAside;
}

/** Where command output goes (stdout in the CLI, a buffer in tests). */
export interface Output {
  line(text: string): void;
  /** True when a person watches (progress bars only then). */
  readonly interactive: boolean;
}

const AccountIdSchema = alibabaAccountIdSchema('--owner');

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
export async function grantsCommand(services: Services, out: Output, filter: RoleFilter): Promise<number> {
  let n = 0;
  for await (const { grant: g, active } of listGrants(services, filter)) {
    n += 1;
    out.line(
      `${grantId(g)}  mode=${g.mode} ticket=${g.ticket.system}:${g.ticket.id}${g.expiresAt ? ` expires=${g.expiresAt}` : ''}${active ? '' : ' EXPIRED'}`,
    );
  }
  out.line(`${n} grant(s)`);
  return 0;
}

/**
 * Dry run: the reconcile `reconcile` would run, with apply switched off; prints each role's plan (roles left with
 * only a status row included) and changes nothing.
 */
export async function planCommand(services: Services, out: Output, filter: RoleFilter): Promise<number> {
  let changes = 0;
  let failures = 0;
  await reconcileNow(services, filter, {
    dryRun: true,
    onRoleDone: (result) => {
      if (result.outcome === 'failed' || result.plan === undefined) {
        failures += 1;
        out.line(`${result.role.ownerAccountId}/${result.role.roleName}: cannot observe: ${result.error?.message}`);
        return;
      }
      out.line(describePlan(result.plan));
      if (result.plan.actions.some((a) => a.kind !== 'nothing')) changes += 1;
    },
  });
  out.line(`${changes} role(s) would change${failures ? `, ${failures} could not be observed` : ''}`);
  return failures > 0 ? 1 : 0;
}

/** Reconcile now (enforce what the grants say), with a progress bar, then deliver the audit events. */
export async function reconcileCommand(services: Services, out: Output, filter: RoleFilter): Promise<number> {
  if (filter.role) {
    const { run, audit } = await reconcileNow(services, filter, { dryRun: false });
    for (const result of run.results) out.line(roleLine(result));
    out.line(`audit events delivered: ${audit?.delivered ?? 0}, pending: ${audit?.pending ?? 0}`);
    return exitCodeOf({ failed: run.outcomes.failed ?? 0, undelivered: undelivered(audit) });
  }
  const bar = out.interactive
    ? new SingleBar({ format: 'reconciling [{bar}] {value}/{total} roles | {outcome}' })
    : undefined;
  if (bar) bar.start(await countSelectedRoles(services, filter), 0, { outcome: '' });
  const { run, audit } = await reconcileNow(services, filter, {
    dryRun: false,
    onRoleDone: (result) => bar?.increment(1, { outcome: `${result.role.roleName}: ${result.outcome}` }),
  });
  bar?.stop();
  out.line(`${run.roles} role(s): ${JSON.stringify(run.outcomes)}`);
  for (const r of run.results.filter((x) => x.error)) {
    out.line(`  ${r.role.ownerAccountId}/${r.role.roleName}: ${r.error?.code} ${r.error?.message}`);
  }
  for (const f of run.failedAccounts) out.line(`  account ${f.accountId}: ${f.code} ${f.message}`);
  out.line(
    `API calls: ${run.apiCalls.ram} RAM, ${run.apiCalls.assumeRole} AssumeRole; audit events delivered: ${audit?.delivered ?? 0}, pending: ${audit?.pending ?? 0}`,
  );
  return exitCodeOf({
    failed: run.failedAccounts.length + (run.outcomes.failed ?? 0),
    undelivered: undelivered(audit),
  });
}

/** The event id `replay` takes: what the outbox and the bus accept as an id. */
export const EventIdSchema = z
  .string()
  .min(1, 'give the id of a set-aside event (see `set-aside`)')
  .max(128, 'an event id has at most 128 characters');

/** List the audit events set aside: the bus refused them for good (or too often), or their row was unreadable. */
export async function setAsideCommand(services: Services, out: Output): Promise<number> {
  let n = 0;
  for await (const r of listSetAsideEvents(services)) {
    n += 1;
    out.line(
      `${r.eventId}  ${r.type ?? '(unreadable row)'}  code=${r.code} attempts=${r.attempts} recorded=${r.recordedAt} setAside=${r.setAsideAt}  ${r.message}`,
    );
  }
  out.line(`${n} audit event(s) set aside`);
  return 0;
}

/** Put one set-aside event back into the outbox and deliver at once. */
export async function replayCommand(services: Services, out: Output, eventId: string): Promise<number> {
  const audit = await replaySetAsideEvent(services, eventId);
  if (!audit) {
    out.line(`no set-aside audit event ${eventId} (list them with set-aside)`);
    return 1;
  }
  out.line(
    `${eventId} is back in the outbox; audit events delivered: ${audit.delivered}, pending: ${audit.pending}, set aside: ${audit.setAside}`,
  );
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
export async function revokeSystemCommand(services: Services, out: Output, system: string): Promise<number> {
  const result = await revokeTicketSystem(services, system);
  for (const id of result.revoked) out.line(`revoked ${id}`);
  for (const r of result.roles) out.line(roleLine(r));
  out.line(
    `${result.revoked.length} grant(s) of ${system} revoked; audit events delivered: ${result.audit.delivered}, pending: ${result.audit.pending}`,
  );
  return exitCodeOf({ failed: result.roles.filter((r) => r.error).length, undelivered: undelivered(result.audit) });
}

/**
 * Upgrade step: give every stored grant without an expiry the maximum lifetime (DTS_TRUST_MAX_GRANT_DAYS) from
 * now, then deliver the audit events. Grants written by this release always have one.
 */
export async function capLifetimesCommand(services: Services, out: Output): Promise<number> {
  const { capped, audit } = await capLifetimes(services);
  for (const id of capped) out.line(`capped ${id}`);
  out.line(
    `${capped.length} grant(s) without an expiry now end in ${services.config.guardrails.maxGrantDays} days; audit events delivered: ${audit.delivered}, pending: ${audit.pending}`,
  );
  return exitCodeOf({ failed: 0, undelivered: undelivered(audit) });
}
