import { AuditEventType, newAuditEvent } from '../domain/audit.js';
import { type Grant, grantOwnerSystem, type RoleKey } from '../domain/grant.js';
import { grantId, roleArn, roleId } from '../domain/ownership.js';
import type { AuditLog, Clock, GrantStore } from '../ports.js';
import type { RoleResult } from '../reconcile/outcome.js';

/** What removing a system's grants needs. */
export interface RevokeSystemDeps {
  readonly grants: GrantStore;
  readonly audit: AuditLog;
  readonly clock: Pick<Clock, 'now'>;
  /** Reconcile one role now, so the access goes at once (the engine's reconcileRole). */
  readonly reconcileRole: (
    role: RoleKey,
    correlationId: string,
  ) => Promise<Pick<RoleResult, 'role' | 'outcome' | 'error'>>;
  /** A fresh unique id (event ids). */
  readonly newId: () => string;
}

/** What {@link revokeSystem} did. */
export interface RevokeSystemResult {
  readonly revoked: readonly string[];
  readonly roles: readonly Pick<RoleResult, 'role' | 'outcome' | 'error'>[];
}

/**
 * Remove every grant the ticketing system `system` owns (a compromised system: its key is withdrawn in the
 * settings, and this takes back what it declared). Each grant row goes first and its `grant.revoked` event
 * follows, so no event reports a removal that did not happen; then every affected role is reconciled, which
 * removes the access (or deletes the role) at once. Grants of other systems on the same roles stay. Safe to run
 * again: a second run finds nothing.
 */
export async function revokeSystem(
  system: string,
  deps: RevokeSystemDeps,
  correlationId: string,
): Promise<RevokeSystemResult> {
  const owned: Grant[] = [];
  for await (const role of deps.grants.listManagedRoles()) {
    for (const grant of await deps.grants.listGrantsForRole(role)) {
      if (grantOwnerSystem(grant) === system) owned.push(grant);
    }
  }
  const roles = new Map<string, RoleKey>();
  for (const grant of owned) {
    await deps.grants.deleteGrant(grant);
    roles.set(roleId(grant), { ownerAccountId: grant.ownerAccountId, roleName: grant.roleName });
    await deps.audit.record(
      newAuditEvent({
        id: deps.newId(),
        type: AuditEventType.GrantRevoked,
        subject: roleArn(grant),
        time: deps.clock.now(),
        data: {
          correlationId,
          outcome: 'revoked',
          grantIds: [grantId(grant)],
          ticket: grant.ticket,
          before: grant,
          detail: { reason: 'revoke-system', system },
        },
      }),
    );
  }
  const reconciled: Pick<RoleResult, 'role' | 'outcome' | 'error'>[] = [];
  for (const role of roles.values()) reconciled.push(await deps.reconcileRole(role, correlationId));
  return { revoked: owned.map(grantId), roles: reconciled };
}
