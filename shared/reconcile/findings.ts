import { createHash } from 'node:crypto';
import { type AuditEvent, AuditEventType, newAuditEvent } from '../domain/audit.js';
import { roleArn } from '../domain/ownership.js';
import type { RoleStatus } from '../ports.js';
import { describeAction } from './describe-plan.js';
import { RoleOutcome, type RoleResult } from './outcome.js';
import { isChange, removesUndeclaredAccess } from './plan.js';

/** Severity of a finding: how urgently a person must look. */
export const FindingSeverity = { High: 'high' } as const;
/** One of {@link FindingSeverity}. */
export type FindingSeverity = (typeof FindingSeverity)[keyof typeof FindingSeverity];

/** The code of a removal fight in `data.codes`. */
export const REMOVAL_FIGHT_CODE = 'RemovalFight';

/** What a removal-fight finding carries in `data.detail`. */
export interface RemovalFightDetail {
  readonly severity: FindingSeverity;
  /** Stable across runs for the same role and the same access given back: deduplicate and track by it. */
  readonly findingId: string;
  /** The removals this run made again. */
  readonly removed: readonly string[];
  /** How often the same drift was repaired within the flap window. */
  readonly flapCount: number;
}

/**
 * The finding of a removal fight: the role is flap-paused (the same drift came back again and again) and this run
 * had to take undeclared access away once more. The pause holds back additions and repairs only, so the removal
 * was made; the finding says someone keeps giving that access back. `undefined` when there was no such removal.
 */
export function removalFightFinding(
  result: RoleResult,
  status: RoleStatus | undefined,
  event: { id: string; time: Date; correlationId: string },
): AuditEvent | undefined {
  if (status?.pausedReason === undefined) return undefined;
  const removed = result.applied.filter((a) => isChange(a) && removesUndeclaredAccess(a)).map(describeAction);
  if (removed.length === 0 || result.outcome === RoleOutcome.Failed) return undefined;
  const subject = roleArn(result.role);
  const findingId = createHash('sha256')
    .update(JSON.stringify([REMOVAL_FIGHT_CODE, subject, [...removed].sort()]))
    .digest('hex')
    .slice(0, 32);
  const detail: RemovalFightDetail = {
    severity: FindingSeverity.High,
    findingId,
    removed,
    flapCount: status.flapCount,
  };
  return newAuditEvent({
    id: event.id,
    type: AuditEventType.FindingRemovalFight,
    subject,
    time: event.time,
    data: {
      correlationId: event.correlationId,
      outcome: 'finding',
      codes: [REMOVAL_FIGHT_CODE],
      detail: { ...detail },
    },
  });
}
