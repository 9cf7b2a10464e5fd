import type { AuditEvent } from '../domain/audit.js';
import { newFindingEvent } from '../domain/finding.js';
import { roleArn } from '../domain/ownership.js';
import type { RoleStatus } from '../ports.js';
import { describeAction } from './describe-plan.js';
import { RoleOutcome, type RoleResult } from './outcome.js';
import { isChange, removesUndeclaredAccess } from './plan.js';

/**
 * The `removal-fight` finding (high severity): the role is flap-paused (the same drift came back again and again)
 * and this run had to take undeclared access away once more. The pause holds back additions and repairs only, so
 * the removal was made; the finding says someone keeps giving that access back. Its `findingId` is the same for
 * every run that removes the same access from the same role. `undefined` when there was no such removal.
 */
export function removalFightFinding(
  result: RoleResult,
  status: RoleStatus | undefined,
  event: { id: string; time: Date; correlationId: string },
): AuditEvent | undefined {
  if (status?.pausedReason === undefined || result.outcome === RoleOutcome.Failed) return undefined;
  const removed = result.applied.filter((a) => isChange(a) && removesUndeclaredAccess(a)).map(describeAction);
  if (removed.length === 0) return undefined;
  return newFindingEvent({
    id: event.id,
    kind: 'removal-fight',
    subject: roleArn(result.role),
    about: JSON.stringify([...removed].sort()),
    time: event.time,
    correlationId: event.correlationId,
    summary:
      `access no grant declares was given back to role ${result.role.roleName} in ${result.role.ownerAccountId} ` +
      `again (${status.flapCount} repairs of the same drift) and was removed again; find what keeps adding it`,
    evidence: { removed, flapCount: status.flapCount },
  });
}
