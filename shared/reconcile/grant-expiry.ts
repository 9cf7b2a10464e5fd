import { randomUUID } from 'node:crypto';
import { AuditEventType, newAuditEvent } from '../domain/audit.js';
import { isGrantActive } from '../domain/desired-role.js';
import { ConcurrentModificationError } from '../domain/errors.js';
import type { Grant } from '../domain/grant.js';
import { grantId, roleArn } from '../domain/ownership.js';
import type { AuditLog, Clock, GrantStore, StatusStore } from '../ports.js';
import type { GrantJobsEnded } from './dts-jobs.js';
import { RoleOutcome } from './outcome.js';

/**
 * Outcomes after which the role no longer depends on its expired grants. `paused` and `driftObserved` count: a hold
 * never keeps undeclared access, so a held role that ends without a change has none left to remove.
 */
const SETTLED: ReadonlySet<string> = new Set([
  RoleOutcome.InSync,
  RoleOutcome.Created,
  RoleOutcome.Repaired,
  RoleOutcome.Deleted,
  RoleOutcome.Adopted,
  RoleOutcome.Paused,
  RoleOutcome.DriftObserved,
]);

/** True when a role that ended with `outcome` no longer depends on its expired grants. */
export function isSettled(outcome: string): boolean {
  return SETTLED.has(outcome);
}

/** What removing expired grants needs. */
export interface GrantExpiryDeps {
  readonly grants: GrantStore;
  readonly audit: AuditLog;
  readonly clock: Pick<Clock, 'now'>;
  /** Audit event ids; default random UUIDs. */
  readonly newId?: () => string;
}

/**
 * True when {@link expireRoleGrants} has a grant to remove at `now` (one past its expiry, or one that ended with its
 * DTS jobs), told without a step of its own: a run asks it of every settled role, and most have none (never false
 * where that would remove one).
 */
export function hasGrantsToExpire(
  grants: readonly Grant[],
  now: Date,
  endedByJobs: ReadonlyMap<string, GrantJobsEnded> | undefined,
): boolean {
  if (endedByJobs !== undefined && endedByJobs.size > 0) return grants.length > 0;
  return grants.some((grant) => !isGrantActive(grant, now));
}

/**
 * Remove the grants of one settled role that are past their `expiresAt` or ended with the DTS jobs they name
 * (`endedByJobs`, by grant id; `grants` as the reconcile read them), each after its `grant.expired` record. The
 * delete is conditional on the revision read, so a grant renewed meanwhile stays. Returns how many rows went.
 */
export async function expireRoleGrants(
  deps: GrantExpiryDeps,
  grants: readonly Grant[],
  correlationId: string,
  endedByJobs: ReadonlyMap<string, GrantJobsEnded> = new Map(),
): Promise<number> {
  const now = deps.clock.now();
  let expired = 0;
  for (const grant of grants) {
    const ended = endedByJobs.size === 0 ? undefined : endedByJobs.get(grantId(grant));
    if (ended === undefined && isGrantActive(grant, now)) continue;
    await deps.audit.record(
      newAuditEvent({
        id: (deps.newId ?? randomUUID)(),
        type: AuditEventType.GrantExpired,
        subject: roleArn(grant),
        time: now,
        data: {
          correlationId,
          outcome: 'expired',
          grantIds: [grantId(grant)],
          ticket: grant.ticket,
          before: grant,
          detail: {
            expiresAt: grant.expiresAt,
            ...(ended === undefined ? {} : { endedWith: 'dtsJobs', dtsJobs: ended.jobs }),
          },
        },
      }),
    );
    try {
      await deps.grants.deleteGrant(grant, grant.revision);
      expired += 1;
    } catch (error) {
      if (!(error instanceof ConcurrentModificationError)) throw error;
    }
  }
  return expired;
}

/**
 * Remove the expired grants of every role reconciled successfully since `since` (its status row says so), as a
 * sweep over the grant store: one range read per role, one status read per role with an expired grant. A run
 * removes them inline instead (`expireGrants` of the run context), with no read of its own; the sweep is for
 * roles reconciled outside a run.
 */
export async function expireGrants(
  deps: GrantExpiryDeps & { status: StatusStore },
  correlationId: string,
  since: Date,
  filter?: { ownerAccountId?: string },
): Promise<number> {
  let expired = 0;
  for await (const role of deps.grants.listManagedRoles(filter)) {
    const now = deps.clock.now();
    const stale = (await deps.grants.listGrantsForRole(role)).filter((g) => !isGrantActive(g, now));
    if (stale.length === 0) continue;
    const status = await deps.status.getStatus(role);
    if (!status || !isSettled(status.lastResult) || Date.parse(status.lastReconciledAt) < since.getTime()) continue;
    expired += await expireRoleGrants(deps, stale, correlationId);
  }
  return expired;
}
