import { randomUUID } from 'node:crypto';
import { AuditEventType, newAuditEvent } from '../domain/audit.js';
import type { AuditLog, Clock } from '../ports.js';
import type { RunResult } from '../reconcile/index.js';

/**
 * What the run-summary event and a function's answer say of a run: its counts, without the per-role results (those
 * are in the role events) and with each stopped account's code only.
 */
export function runSummary(run: RunResult) {
  return {
    correlationId: run.correlationId,
    mode: run.mode,
    roles: run.roles,
    outcomes: run.outcomes,
    failedAccounts: run.failedAccounts.map((f) => ({ accountId: f.accountId, code: f.code })),
    durationMs: run.durationMs,
    apiCalls: run.apiCalls,
    expiredGrants: run.expiredGrants,
    ...(run.shards === undefined ? {} : { shards: run.shards }),
    ...(run.ownerAccountIds === undefined ? {} : { ownerAccountIds: run.ownerAccountIds }),
  };
}

/** True when every role and account of the run ended without a failure. */
export function runCompleted(run: RunResult): boolean {
  return run.failedAccounts.length === 0 && (run.outcomes.failed ?? 0) === 0;
}

/** Record the run-summary audit event (counts by outcome, duration, API calls). */
export async function recordRunSummary(audit: AuditLog, clock: Pick<Clock, 'now'>, run: RunResult): Promise<void> {
  await audit.record(
    newAuditEvent({
      id: randomUUID(),
      type: AuditEventType.RunSummary,
      subject: `dts-trust:run/${run.correlationId}`,
      time: clock.now(),
      data: {
        correlationId: run.correlationId,
        outcome: runCompleted(run) ? 'completed' : 'partial',
        detail: runSummary(run),
      },
    }),
  );
}
