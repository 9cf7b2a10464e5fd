import { randomUUID } from 'node:crypto';
import { functionInvokerFor } from '../alicloud/fc.js';
import { type AuditDeliveryReport, deliverAuditEvents } from '../audit/deliver-audit-events.js';
import { reconcilerFor } from '../composition/reconciler.js';
import type { Services } from '../composition/services.js';
import { checkPreviousRun, livenessDeps, recordSuccessfulRun } from '../evidence/liveness.js';
import type { TimerEvent } from '../fc/envelopes.js';
import type { Logger } from '../ports.js';
import { listRoleVisits, RunMode, type RunResult } from '../reconcile/index.js';
import { FanOut } from './fan-out.js';
import { surveyRoles } from './role-survey.js';
import { recordRunSummary, runSummary } from './run-summary.js';
import { planShards, type Shard, shardTaskId } from './shards.js';

/** What a timer run did: the run (inline, or the fan-out to shards) and the audit delivery that ended it. */
export interface TimerRunResult {
  readonly run: RunResult;
  readonly audit: AuditDeliveryReport;
}

/** Shard invocations in flight at once during a fan-out: every shard starts within a few round trips. */
const FAN_OUT_CONCURRENCY = 4;

/**
 * The drift reconciler's run on its timer. The grant and status stores are read once: at most
 * DTS_TRUST_SHARD_THRESHOLD roles are reconciled here (each owner account side by side with the others), with their
 * expired grants removed as each role settles; above it the owner accounts are cut into shards, each handed to
 * reconcile-shard by an asynchronous invocation (a few in flight at once) whose task id the trigger time fixes (a
 * repeated fan-out is refused by FC, not run twice): an account of at least the threshold's roles, a shard of its
 * own, as soon as the read has counted it; the others once the read has ended ({@link surveyRoles}). Without an FC
 * endpoint there is no fan-out: the roles are reconciled here, read a second time. Starts by checking the heartbeat of the
 * previous successful run (a `reconciler-not-running` finding when it is overdue); ends with the run-summary event,
 * this run's heartbeat and the delivery of the audit outbox.
 */
export async function runOnTimer(services: Services, timer: TimerEvent, logger: Logger): Promise<TimerRunResult> {
  const correlationId = randomUUID();
  const started = services.clock.now().getTime();
  const liveness = livenessDeps(services);
  const previous = await checkPreviousRun(liveness, correlationId);
  // Its answer and run-summary event are counts (runSummary); each role's events are in the audit log.
  const reconciler = reconcilerFor(services, { maxResults: 0 });
  const { threshold, functionName } = services.config.sharding;
  const invoker = functionInvokerFor(services.config, services.ownKeys);
  // Shards start while the stores are still read: an account of a full shard's roles is invoked once counted.
  const fanOut =
    invoker === undefined
      ? undefined
      : new FanOut<Shard>(FAN_OUT_CONCURRENCY, (shard, index) =>
          invoker.invokeAsync(
            functionName,
            { correlationId, shard: index, ownerAccountIds: shard.ownerAccountIds },
            shardTaskId(timer.triggerTime, shard.ownerAccountIds),
          ),
        );
  let survey: Awaited<ReturnType<typeof surveyRoles>>;
  try {
    survey = await surveyRoles(listRoleVisits(services), threshold, fanOut && ((shard) => fanOut.add(shard)));
  } catch (error) {
    // Shards already invoked run on (a retried timer run's fan-out repeats their task ids, which FC refuses).
    await fanOut?.done().catch(() => undefined);
    throw error;
  }
  const roles = [...survey.rolesByAccount.values()].reduce((a, b) => a + b, 0);
  logger.info('reconcile run started', {
    correlationId,
    trigger: timer.triggerName,
    roles,
    accounts: survey.rolesByAccount.size,
  });
  let run: RunResult;
  if (fanOut && !survey.fits) {
    const rest = new Map([...survey.rolesByAccount].filter(([accountId]) => !survey.handedOut.has(accountId)));
    for (const shard of planShards(rest, threshold)) fanOut.add(shard);
    await fanOut.done();
    run = {
      correlationId,
      mode: RunMode.Sharded,
      dryRun: false,
      roles,
      outcomes: {},
      failedAccounts: [],
      durationMs: services.clock.now().getTime() - started,
      apiCalls: { ram: 0, assumeRole: 0 },
      statusWriteFailures: 0,
      expiredGrants: 0,
      results: [],
      resultsTruncated: false,
      shards: fanOut.count,
    };
  } else {
    const ctx = { correlationId, mode: RunMode.Inline, expireGrants: true };
    // The roles read are in memory: each account is reconciled from its own stream, the accounts side by side.
    run = survey.fits
      ? await reconciler.reconcileVisitsByAccount(survey.visits.takeStreams(), ctx)
      : await reconciler.reconcileVisits(listRoleVisits(services), ctx);
  }
  await recordRunSummary(services.outbox, services.clock, run);
  await recordSuccessfulRun(liveness, correlationId, previous.stale);
  const audit = await deliverAuditEvents(services.outbox, services.sink, {
    clock: services.clock,
    logger,
    correlationId,
  });
  logger.info('reconcile run finished', {
    ...runSummary(run),
    auditDelivered: audit.delivered,
    auditPending: audit.pending,
  });
  return { run, audit };
}
