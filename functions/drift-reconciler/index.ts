import { randomUUID } from 'node:crypto';
import { functionInvokerFor } from '../../shared/alicloud/fc.js';
import { deliverAuditEvents } from '../../shared/audit/deliver-audit-events.js';
import { createEngine } from '../../shared/composition/reconciler.js';
import { checkPreviousRun, livenessDeps, recordSuccessfulRun } from '../../shared/evidence/liveness.js';
import { parseTimerEvent } from '../../shared/fc/envelopes.js';
import { fcHandler } from '../../shared/fc/handler.js';
import { expireGrants } from '../../shared/intake/expire-grants.js';
import { mergeRoleVisits } from '../../shared/reconcile/role-visits.js';
import { type RunTotals, recordRunSummary } from '../../shared/usecases/run-summary.js';
import { planShards, shardTaskId } from '../../shared/usecases/shards.js';

/**
 * Timer trigger: expire grants, reconcile every managed role and end with a run-summary event. Above
 * DTS_TRUST_SHARD_THRESHOLD managed roles, the owner accounts are split into shards, each handed to
 * reconcile-shard by asynchronous invocation.
 */
export const handler = fcHandler('drift-reconciler', async (event, { services, logger }) => {
  const timer = parseTimerEvent(event);
  const correlationId = randomUUID();
  const started = Date.now();
  const liveness = livenessDeps(services);
  const previous = await checkPreviousRun(liveness, correlationId);
  const rolesByAccount = new Map<string, number>();
  let roles = 0;
  // Count what the run visits: declared roles and roles left with only a status row (to clean up).
  for await (const role of mergeRoleVisits(services.grants.listManagedRoles(), services.status.listStatuses())) {
    roles += 1;
    rolesByAccount.set(role.ownerAccountId, (rolesByAccount.get(role.ownerAccountId) ?? 0) + 1);
  }
  logger.info('reconcile run started', {
    correlationId,
    trigger: timer.triggerName,
    roles,
    accounts: rolesByAccount.size,
  });

  let totals: RunTotals;
  const { threshold, functionName } = services.config.sharding;
  const invoker = functionInvokerFor(services.config, services.ownKeys);
  if (roles > threshold && invoker) {
    const shards = planShards(rolesByAccount, threshold);
    for (const [index, shard] of shards.entries()) {
      await invoker.invokeAsync(
        functionName,
        { correlationId, shard: index, ownerAccountIds: shard.ownerAccountIds },
        shardTaskId(timer.triggerTime, shard.ownerAccountIds),
      );
    }
    totals = {
      correlationId,
      mode: 'sharded',
      roles,
      outcomes: {},
      failedAccounts: [],
      durationMs: Date.now() - started,
      apiCalls: { ram: 0, assumeRole: 0 },
      shards: shards.length,
    };
  } else {
    const since = services.clock.now();
    totals = await createEngine(services).reconcileAll({ correlationId });
    const expired = await expireGrants({ ...services, audit: services.outbox }, correlationId, since);
    totals = { ...totals, expiredGrants: expired };
  }
  await recordRunSummary(services.outbox, services.clock, totals);
  await recordSuccessfulRun(liveness, correlationId, previous.stale);
  const audit = await deliverAuditEvents(services.outbox, services.sink, {
    clock: services.clock,
    logger,
    correlationId,
  });
  logger.info('reconcile run finished', { ...totals, auditDelivered: audit.delivered, auditPending: audit.pending });
  return { ...totals, audit: { delivered: audit.delivered, pending: audit.pending } };
});
