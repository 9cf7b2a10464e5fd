import { type AuditDeliveryReport, deliverAuditEvents } from '../audit/deliver-audit-events.js';
import { reconcilerFor } from '../composition/reconciler.js';
import type { Services } from '../composition/services.js';
import type { Logger } from '../ports.js';
import { RunMode, type RunResult } from '../reconcile/index.js';
import { recordRunSummary, runSummary } from './run-summary.js';

/** One shard of a timer run, as the drift reconciler hands it out. */
export interface ShardAssignment {
  readonly correlationId: string;
  readonly shard: number;
  readonly ownerAccountIds: readonly string[];
}

/** What a shard did: its run and the audit delivery that ended it. */
export interface ShardRunResult {
  readonly run: RunResult;
  readonly audit: AuditDeliveryReport;
}

/**
 * One shard of a timer run: reconcile the roles of its owner accounts (read once, expired grants removed as each
 * role settles), record the shard's run-summary event and deliver the audit outbox.
 */
export async function runShard(
  services: Services,
  assignment: ShardAssignment,
  logger: Logger,
): Promise<ShardRunResult> {
  const { correlationId, shard, ownerAccountIds } = assignment;
  // Its answer and run-summary event are counts (runSummary); each role's events are in the audit log.
  const run = await reconcilerFor(services, { maxResults: 0 }).reconcileAll({
    correlationId,
    ownerAccountIds,
    mode: RunMode.Shard,
    expireGrants: true,
  });
  await recordRunSummary(services.outbox, services.clock, run);
  const audit = await deliverAuditEvents(services.outbox, services.sink, {
    clock: services.clock,
    logger,
    correlationId,
  });
  logger.info('shard finished', { shard, ...runSummary(run), auditDelivered: audit.delivered });
  return { run, audit };
}
