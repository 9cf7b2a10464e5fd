import { AuditEventType, newAuditEvent } from '../domain/audit.js';
import { ConcurrentModificationError } from '../domain/errors.js';
import { grantId, roleArn } from '../domain/ownership.js';
import type { AuditLog, Clock, GrantStore } from '../ports.js';
import { type Guardrails, latestExpiry } from './guardrails.js';

/** What capping the lifetimes of stored grants needs. */
export interface CapLifetimesDeps {
  readonly grants: GrantStore;
  readonly audit: AuditLog;
  readonly clock: Pick<Clock, 'now'>;
  readonly guardrails: Pick<Guardrails, 'maxGrantDays'>;
  /** A fresh unique id (event ids). */
  readonly newId: () => string;
}

/**
 * Give every stored grant without `expiresAt` (rows written before grants had a maximum lifetime) the maximum
 * lifetime from now: the upgrade step that makes every grant end. Each row is replaced at the revision read (a
 * grant changed meanwhile is left for the next run) and a `grant.declared` event with outcome `lifetimeCapped`
 * follows the write. Safe to run again: a second run finds nothing. Returns the ids of the grants capped.
 */
export async function capGrantLifetimes(deps: CapLifetimesDeps, correlationId: string): Promise<string[]> {
  const capped: string[] = [];
  const expiresAt = latestExpiry(deps.clock.now().getTime(), deps.guardrails).toISOString();
  for await (const role of deps.grants.listManagedRoles()) {
    for (const grant of await deps.grants.listGrantsForRole(role)) {
      if (grant.expiresAt !== undefined) continue;
      const after = { ...grant, expiresAt };
      try {
        await deps.grants.putGrant(after, grant.revision);
      } catch (error) {
        if (error instanceof ConcurrentModificationError) continue;
        throw error;
      }
      capped.push(grantId(grant));
      await deps.audit.record(
        newAuditEvent({
          id: deps.newId(),
          type: AuditEventType.GrantDeclared,
          subject: roleArn(grant),
          time: deps.clock.now(),
          data: {
            correlationId,
            outcome: 'lifetimeCapped',
            grantIds: [grantId(grant)],
            ticket: grant.ticket,
            before: grant,
            after,
            detail: { maxGrantDays: deps.guardrails.maxGrantDays },
          },
        }),
      );
    }
  }
  return capped;
}
