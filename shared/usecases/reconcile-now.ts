import { randomUUID } from 'node:crypto';
import type { AuditDeliveryReport } from '../audit/deliver-audit-events.js';
import { reconcilerFor } from '../composition/reconciler.js';
import type { Services } from '../composition/services.js';
import type { RoleKey } from '../domain/grant.js';
import { listRoleVisits, type RoleResult, type RoleVisit, type RunResult } from '../reconcile/index.js';
import { deliverOutbox } from './deliver-outbox.js';

/** Which roles an operator's command is about: one owner account, one role name, or both; default all. */
export interface RoleSelection {
  readonly owner?: string | undefined;
  /** A role name, compared case-insensitively (RAM role names are). */
  readonly role?: string | undefined;
}

/** What an operator's reconcile (or dry run) did: the run, and the audit delivery after it (none in a dry run). */
export interface ReconcileNowResult {
  readonly run: RunResult;
  readonly audit?: AuditDeliveryReport;
}

/** How an operator's reconcile runs. */
export interface ReconcileNowOptions {
  /** Change nothing: the same run with apply switched off, its results what `reconcile` would do (`plan`). */
  readonly dryRun: boolean;
  /** Called as each role finishes (progress bars, a plan printed role by role). */
  readonly onRoleDone?: (result: RoleResult) => void;
}

/** The roles a run over `selection` visits: declared roles and roles left with only a status row. */
export async function* selectedVisits(services: Services, selection: RoleSelection): AsyncIterable<RoleVisit> {
  const name = selection.role?.toLowerCase();
  for await (const visit of listRoleVisits(services, selection.owner === undefined ? undefined : [selection.owner])) {
    if (name === undefined || visit.roleName.toLowerCase() === name) yield visit;
  }
}

/** How many roles a reconcile of `selection` visits (one more read; for a progress bar a person watches). */
export async function countSelectedRoles(services: Services, selection: RoleSelection): Promise<number> {
  let roles = 0;
  for await (const _ of selectedVisits(services, selection)) roles += 1;
  return roles;
}

async function* rolesOf(visits: AsyncIterable<RoleVisit>): AsyncIterable<RoleKey> {
  for await (const { ownerAccountId, roleName } of visits) yield { ownerAccountId, roleName };
}

/**
 * The operator's `reconcile` and `plan` (its dry run): with a role name, each role of that name is reconciled
 * explicitly (nothing held back, a flap pause ends), as intake does; otherwise the selection is reconciled as the
 * timer does it (a flap pause or a backoff holds back additions and repairs). Both cover the roles left with only a
 * status row. A real run ends with the delivery of the audit outbox; a dry run records and delivers nothing.
 */
export async function reconcileNow(
  services: Services,
  selection: RoleSelection,
  options: ReconcileNowOptions,
): Promise<ReconcileNowResult> {
  const reconciler = reconcilerFor(services);
  const correlationId = randomUUID();
  const ctx = {
    correlationId,
    dryRun: options.dryRun,
    ...(selection.owner === undefined ? {} : { ownerAccountIds: [selection.owner] }),
    ...(options.onRoleDone === undefined ? {} : { onRoleDone: options.onRoleDone }),
  };
  const run =
    selection.role === undefined
      ? await reconciler.reconcileAll(ctx)
      : await reconciler.reconcileRoles(rolesOf(selectedVisits(services, selection)), ctx);
  if (options.dryRun) return { run };
  const audit = await deliverOutbox(services, correlationId);
  return { run, audit };
}
