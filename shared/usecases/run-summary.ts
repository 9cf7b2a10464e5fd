import { randomUUID } from 'node:crypto';
import { AuditEventType, newAuditEvent } from '../domain/audit.js';
import type { AuditLog, Clock } from '../ports.js';

/** The totals of one reconcile run (or shard), reported as the run-summary event. */
export interface RunTotals {
  readonly correlationId: string;
  /** `inline`, `sharded` (the coordinator) or `shard` (one shard worker). */
  readonly mode: 'inline' | 'sharded' | 'shard';
  readonly roles: number;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly failedAccounts: readonly { readonly accountId: string; readonly code: string }[];
  readonly durationMs: number;
  readonly apiCalls: { readonly ram: number; readonly assumeRole: number };
  readonly shards?: number;
  /** Grant rows removed because they expired (after their role was reconciled). */
  readonly expiredGrants?: number;
  readonly ownerAccountIds?: readonly string[];
}

/** Record the run-summary audit event (counts by outcome, duration, API calls). */
export async function recordRunSummary(audit: AuditLog, clock: Pick<Clock, 'now'>, totals: RunTotals): Promise<void> {
  await audit.record(
    newAuditEvent({
      id: randomUUID(),
      type: AuditEventType.RunSummary,
      subject: `dts-trust:run/${totals.correlationId}`,
      time: clock.now(),
      data: {
        correlationId: totals.correlationId,
        outcome: totals.failedAccounts.length > 0 || (totals.outcomes.failed ?? 0) > 0 ? 'partial' : 'completed',
        detail: { ...totals },
      },
    }),
  );
}
