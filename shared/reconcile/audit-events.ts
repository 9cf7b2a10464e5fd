import { type AuditEvent, type AuditEventData, AuditEventType, newAuditEvent } from '../domain/audit.js';
import type { AuditLog, Clock } from '../ports.js';
import type { ChangeAction, RolePlan } from './plan.js';

/** What every audit event of one role needs. */
export interface AuditScope {
  readonly audit: AuditLog;
  readonly clock: Pick<Clock, 'now'>;
  readonly newId: () => string;
  readonly correlationId: string;
}

/** The event type that reports the final outcome of a role. */
export const OutcomeEventType = {
  created: AuditEventType.RoleCreated,
  repaired: AuditEventType.RoleRepaired,
  adopted: AuditEventType.RoleRepaired,
  deleted: AuditEventType.RoleDeleted,
  inSync: AuditEventType.RoleInSync,
  driftObserved: AuditEventType.RoleDriftObserved,
  conflict: AuditEventType.RoleConflict,
  paused: AuditEventType.RolePaused,
  failed: AuditEventType.RoleFailed,
} as const;

/** Before and after of one change, for the audit trail. */
export function beforeAfter(action: ChangeAction): Pick<AuditEventData, 'before' | 'after' | 'diff'> {
  switch (action.kind) {
    case 'createRole':
      return { before: null, after: { trustPolicy: action.role.trustPolicy, description: action.role.description } };
    case 'updateTrust':
      return {
        before: { trustPolicy: action.before },
        after: { trustPolicy: action.after },
        diff: action.diff ?? { parseError: action.parseError },
      };
    case 'attachPolicy':
      return { before: null, after: { policy: action.policy } };
    case 'detachPolicy':
      return { before: { policy: action.policy }, after: null };
    case 'deleteRole':
      return { before: action.before, after: null };
    case 'adoptRole':
      return { before: { description: action.before }, after: { description: action.after } };
  }
}

/**
 * Build one audit event of a role plan. Subject: the role's ARN; data: correlation id, grant ids, the first ticket
 * (all of them in `detail.tickets` when the role's grants came from several tickets).
 */
export function planEvent(
  scope: AuditScope,
  plan: RolePlan,
  type: AuditEventType,
  data: Omit<AuditEventData, 'correlationId' | 'grantIds' | 'ticket'>,
): AuditEvent {
  const ticket = plan.tickets[0];
  return newAuditEvent({
    id: scope.newId(),
    type,
    subject: plan.arn,
    time: scope.clock.now(),
    data: {
      correlationId: scope.correlationId,
      grantIds: plan.grantIds,
      ...(ticket === undefined ? {} : { ticket }),
      ...data,
      ...(plan.tickets.length > 1 ? { detail: { ...data.detail, tickets: plan.tickets } } : {}),
    },
  });
}
