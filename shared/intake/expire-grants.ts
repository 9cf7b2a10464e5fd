import { randomUUID } from 'node:crypto';
import { AuditEventType, newAuditEvent } from '../domain/audit.js';
import { isGrantActive } from '../domain/desired-role.js';
import { grantId, roleArn } from '../domain/ownership.js';
import type { AuditLog, Clock, GrantStore, StatusStore } from '../ports.js';

/**
 * Outcomes after which the role no longer depends on its expired grants. `paused` and `driftObserved` count: a hold
 * never keeps undeclared access, so a held role that ends without a change has none left to remove.
 */
const SETTLED = new Set(['inSync', 'created', 'repaired', 'deleted', 'adopted', 'paused', 'driftObserved']);

/**
 * Remove the grants past their `expiresAt`, each after an audit record. Runs after the reconcile, which already
 * ignores expired grants (and so deletes a role none is left for): a grant row goes only once its role was
 * reconciled successfully since `since`, so a role in an unreachable account is never orphaned. Streams the
 * roles; one Tablestore range read per role, one status read per role with an expired grant.
 */
export async function expireGrants(
  deps: { grants: GrantStore; status: StatusStore; audit: AuditLog; clock: Pick<Clock, 'now'> },
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
    if (!status || !SETTLED.has(status.lastResult) || Date.parse(status.lastReconciledAt) < since.getTime()) continue;
    for (const grant of stale) {
      await deps.audit.record(
        newAuditEvent({
          id: randomUUID(),
          type: AuditEventType.GrantExpired,
          subject: roleArn(grant),
          time: now,
          data: {
            correlationId,
            outcome: 'expired',
            grantIds: [grantId(grant)],
            ticket: grant.ticket,
            before: grant,
            detail: { expiresAt: grant.expiresAt },
          },
        }),
      );
      await deps.grants.deleteGrant(grant);
      expired += 1;
    }
  }
  return expired;
}
