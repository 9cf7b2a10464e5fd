import { randomUUID } from 'node:crypto';
import { SingleBar } from 'cli-progress';
import { z } from 'zod';
import { deliverAuditEvents } from '../shared/audit/deliver-audit-events.js';
import { createEngine } from '../shared/composition/reconciler.js';
import type { Services } from '../shared/composition/services.js';
import { alibabaAccountIdSchema } from '../shared/domain/account-id.js';
import { isGrantActive } from '../shared/domain/desired-role.js';
import { grantId } from '../shared/domain/ownership.js';
import { capGrantLifetimes } from '../shared/intake/cap-lifetimes.js';
import { revokeSystem } from '../shared/intake/revoke-system.js';
import { describePlan } from '../shared/reconcile/index.js';
import { ExitCode, exitCodeOf } from './exit-codes.js';

/** Audit events a delivery pass left undelivered: still in the outbox, or set aside for good. */
function undelivered(audit: { readonly pending: number; readonly setAside: number }): number {
  return audit.pending + audit.setAside;
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

async function* selectedRoles(services: Services, filter: RoleFilter) {
  for await (const role of services.grants.listManagedRoles(
    filter.owner ? { ownerAccountId: filter.owner } : undefined,
  )) {
    if (filter.role && role.roleName.toLowerCase() !== filter.role.toLowerCase()) continue;
    yield role;
  }
}

/** List declared grants. */
export async function grantsCommand(services: Services, out: Output, filter: RoleFilter): Promise<number> {
  const now = services.clock.now();
  let n = 0;
  for await (const role of selectedRoles(services, filter)) {
    for (const g of await services.grants.listGrantsForRole(role)) {
      n += 1;
      const expired = isGrantActive(g, now) ? '' : ' EXPIRED';
      out.line(
        `${grantId(g)}  mode=${g.mode} ticket=${g.ticket.system}:${g.ticket.id}${g.expiresAt ? ` expires=${g.expiresAt}` : ''}${expired}`,
      );
    }
  }
  out.line(`${n} grant(s)`);
  return 0;
}

/** Dry run: observe every selected role and print what a reconcile would change; changes nothing. */
export async function planCommand(services: Services, out: Output, filter: RoleFilter): Promise<number> {
  const { reconciler } = createEngine(services);
  let changes = 0;
  let failures = 0;
  for await (const role of selectedRoles(services, filter)) {
    try {
      const preview = await reconciler.previewRole(role);
      out.line(describePlan(preview.plan));
      if (preview.plan.actions.some((a) => a.kind !== 'nothing')) changes += 1;
    } catch (error) {
      failures += 1;
      out.line(
        `${role.ownerAccountId}/${role.roleName}: cannot observe: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  out.line(`${changes} role(s) would change${failures ? `, ${failures} could not be observed` : ''}`);
  return failures > 0 ? 1 : 0;
}

/** Reconcile now (enforce what the grants say), with a progress bar, then deliver the audit events. */
export async function reconcileCommand(services: Services, out: Output, filter: RoleFilter): Promise<number> {
  const engine = createEngine(services);
  const correlationId = randomUUID();
  if (filter.role) {
    let failed = 0;
    for await (const role of selectedRoles(services, filter)) {
      const result = await engine.reconciler.reconcileRole(role, { correlationId });
      if (result.outcome === 'failed') failed += 1;
      out.line(
        `${role.ownerAccountId}/${role.roleName}: ${result.outcome}${result.error ? ` (${result.error.code} ${result.error.message})` : ''}`,
      );
    }
    const audit = await deliverAuditEvents(services.outbox, services.sink, { clock: services.clock, correlationId });
    out.line(`audit events delivered: ${audit.delivered}, pending: ${audit.pending}`);
    return exitCodeOf({ failed, undelivered: undelivered(audit) });
  }
  let total = 0;
  for await (const _ of selectedRoles(services, { ...(filter.owner ? { owner: filter.owner } : {}) })) total += 1;
  const bar = out.interactive
    ? new SingleBar({ format: 'reconciling [{bar}] {value}/{total} roles | {outcome}' })
    : undefined;
  bar?.start(total, 0, { outcome: '' });
  const report = await engine.reconciler.reconcileAll({
    correlationId,
    ...(filter.owner ? { ownerAccountIds: [filter.owner] } : {}),
    onRoleDone: (result) => bar?.increment(1, { outcome: `${result.role.roleName}: ${result.outcome}` }),
  });
  bar?.stop();
  const audit = await deliverAuditEvents(services.outbox, services.sink, { clock: services.clock, correlationId });
  out.line(`${report.roles} role(s): ${JSON.stringify(report.outcomes)}`);
  for (const r of report.results.filter((x) => x.error)) {
    out.line(`  ${r.role.ownerAccountId}/${r.role.roleName}: ${r.error?.code} ${r.error?.message}`);
  }
  for (const f of report.failedAccounts) out.line(`  account ${f.accountId}: ${f.code} ${f.message}`);
  out.line(
    `API calls: ${report.apiCalls.ram} RAM, ${report.apiCalls.assumeRole} AssumeRole; audit events delivered: ${audit.delivered}, pending: ${audit.pending}`,
  );
  return exitCodeOf({
    failed: report.failedAccounts.length + (report.outcomes.failed ?? 0),
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
  for await (const r of services.outbox.setAsideRecords()) {
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
  if (!(await services.outbox.replay(eventId, services.clock.now()))) {
    out.line(`no set-aside audit event ${eventId} (list them with set-aside)`);
    return 1;
  }
  const audit = await deliverAuditEvents(services.outbox, services.sink, { clock: services.clock });
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
  const engine = createEngine(services);
  const result = await revokeSystem(
    system,
    {
      grants: services.grants,
      audit: services.outbox,
      clock: services.clock,
      reconcileRole: (role, correlationId) => engine.reconcileRole(role, correlationId),
      newId: randomUUID,
    },
    randomUUID(),
  );
  for (const id of result.revoked) out.line(`revoked ${id}`);
  for (const r of result.roles) {
    out.line(
      `${r.role.ownerAccountId}/${r.role.roleName}: ${r.outcome}${r.error ? ` (${r.error.code} ${r.error.message})` : ''}`,
    );
  }
  const audit = await deliverAuditEvents(services.outbox, services.sink, { clock: services.clock });
  out.line(
    `${result.revoked.length} grant(s) of ${system} revoked; audit events delivered: ${audit.delivered}, pending: ${audit.pending}`,
  );
  return exitCodeOf({ failed: result.roles.filter((r) => r.error).length, undelivered: undelivered(audit) });
}

/**
 * Upgrade step: give every stored grant without an expiry the maximum lifetime (DTS_TRUST_MAX_GRANT_DAYS) from
 * now, then deliver the audit events. Grants written by this release always have one.
 */
export async function capLifetimesCommand(services: Services, out: Output): Promise<number> {
  const capped = await capGrantLifetimes(
    {
      grants: services.grants,
      audit: services.outbox,
      clock: services.clock,
      guardrails: services.config.guardrails,
      newId: randomUUID,
    },
    randomUUID(),
  );
  for (const id of capped) out.line(`capped ${id}`);
  const audit = await deliverAuditEvents(services.outbox, services.sink, { clock: services.clock });
  out.line(
    `${capped.length} grant(s) without an expiry now end in ${services.config.guardrails.maxGrantDays} days; audit events delivered: ${audit.delivered}, pending: ${audit.pending}`,
  );
  return exitCodeOf({ failed: 0, undelivered: undelivered(audit) });
}
