import { randomUUID } from 'node:crypto';
import { type AuditDeliveryReport, deliverAuditEvents } from '../audit/deliver-audit-events.js';
import { reconcilerFor } from '../composition/reconciler.js';
import type { Services } from '../composition/services.js';
import { compareRoleKeys, type RoleKey } from '../domain/grant.js';
import { type ChangedRole, foldRoleChanges, IgnoredBecause, type RoleChangeHint } from '../domain/ram-change-event.js';
import { readRamChangeEvent } from '../domain/ram-change-reading.js';
import type { Logger } from '../ports.js';
import { listRoleVisits, type RoleVisit, RunMode, type RunResult } from '../reconcile/index.js';

/** What one batch of RAM change events led to. */
export interface RamChangeRunResult {
  readonly correlationId: string;
  /** Events in the batch. */
  readonly events: number;
  /** Events that led to no reconcile, by reason. */
  readonly ignored: Readonly<Record<IgnoredBecause, number>>;
  /** Roles the events named that dts-trust does not manage (no grant row, no status row): no RAM call for them. */
  readonly unmanaged: readonly RoleKey[];
  /** The run over the managed roles the events named; absent when there was none. */
  readonly run?: RunResult | undefined;
  readonly audit?: AuditDeliveryReport | undefined;
}

async function* replay<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}

/**
 * The visits of the managed roles among `changed`, as the timer run would make them (grant rows and status row
 * merged), sorted by owner account then role name. Reads the stores only (one listing of each per owner account):
 * a role the product does not manage costs no RAM call.
 */
async function managedVisits(services: Services, changed: readonly ChangedRole[]): Promise<RoleVisit[]> {
  const namesByAccount = new Map<string, Set<string>>();
  for (const { role } of changed) {
    const names = namesByAccount.get(role.ownerAccountId) ?? new Set<string>();
    names.add(role.roleName.toLowerCase());
    namesByAccount.set(role.ownerAccountId, names);
  }
  const visits: RoleVisit[] = [];
  for (const [ownerAccountId, names] of namesByAccount) {
    for await (const visit of listRoleVisits(services, [ownerAccountId])) {
      if (names.has(visit.roleName.toLowerCase())) visits.push(visit);
    }
  }
  return visits.sort(compareRoleKeys);
}

function isNamedBy(visits: readonly RoleVisit[], role: RoleKey): boolean {
  const name = role.roleName.toLowerCase();
  return visits.some((v) => v.ownerAccountId === role.ownerAccountId && v.roleName.toLowerCase() === name);
}

/**
 * The drift-event function's job: read a batch of ActionTrail RAM change events (each only a hint), drop those of
 * dts-trust's own management-role session, failed calls and malformed or forged events, fold the rest into one
 * entry per role, and reconcile the managed ones among them at once, as the timer run reconciles a role (the same
 * sequence, audit events, status row, flap pause and backoff), reading each live role itself. Ends with the
 * delivery of the audit outbox when anything was reconciled.
 */
export async function reconcileChangedRoles(
  services: Services,
  events: readonly unknown[],
  logger: Logger,
): Promise<RamChangeRunResult> {
  const correlationId = randomUUID();
  const ignored: Record<IgnoredBecause, number> = {
    [IgnoredBecause.Malformed]: 0,
    [IgnoredBecause.NotRoleChange]: 0,
    [IgnoredBecause.FailedCall]: 0,
    [IgnoredBecause.OwnSession]: 0,
  };
  const hints: RoleChangeHint[] = [];
  for (const raw of events) {
    const reading = readRamChangeEvent(raw, { managementRole: services.config.managementRole });
    if (reading.kind === 'role') {
      hints.push(reading);
      continue;
    }
    ignored[reading.reason] += 1;
    if (reading.reason === IgnoredBecause.Malformed) {
      logger.warn('RAM change event ignored: malformed', {
        correlationId,
        eventId: reading.eventId,
        problems: reading.detail,
      });
    }
  }
  const changed = foldRoleChanges(hints);
  const visits = changed.length === 0 ? [] : await managedVisits(services, changed);
  const unmanaged = changed.map((c) => c.role).filter((role) => !isNamedBy(visits, role));
  logger.info('RAM change events read', {
    correlationId,
    events: events.length,
    ignored,
    roles: changed.length,
    managed: visits.length,
  });
  if (visits.length === 0) return { correlationId, events: events.length, ignored, unmanaged };
  const run = await reconcilerFor(services).reconcileVisits(replay(visits), { correlationId, mode: RunMode.Inline });
  const audit = await deliverAuditEvents(services.outbox, services.sink, {
    clock: services.clock,
    logger,
    correlationId,
  });
  logger.info('changed roles reconciled', {
    correlationId,
    outcomes: run.outcomes,
    apiCalls: run.apiCalls,
    auditDelivered: audit.delivered,
  });
  return { correlationId, events: events.length, ignored, unmanaged, run, audit };
}
