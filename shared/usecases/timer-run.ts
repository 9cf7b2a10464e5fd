import { randomUUID } from 'node:crypto';
import { functionInvokerFor } from '../alicloud/fc.js';
import { type AuditDeliveryReport, deliverAuditEvents } from '../audit/deliver-audit-events.js';
import { reconcilerFor } from '../composition/reconciler.js';
import type { Services } from '../composition/services.js';
import { checkPreviousRun, livenessDeps, recordSuccessfulRun } from '../evidence/liveness.js';
import type { TimerEvent } from '../fc/envelopes.js';
import type { Logger } from '../ports.js';
import { listRoleVisits, RunMode, type RunResult, roleKeysAfter } from '../reconcile/index.js';
import { FanOut } from './fan-out.js';
import { type RoleSurvey, surveyRoles } from './role-survey.js';
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
 * DTS_TRUST_SHARD_THRESHOLD roles are reconciled here (each owner account side by side with the others, taken as
 * the read gives them, with a bounded read-ahead), with their expired grants removed as each role settles; above it
 * the owner accounts are cut into shards, each handed to reconcile-shard by an asynchronous invocation (a few in
 * flight at once) whose task id the trigger time fixes (a repeated fan-out is refused by FC, not run twice): an
 * account of at least the threshold's roles, a shard of its own, as soon as the read has counted it; the others
 * once the read has ended, but for the accounts already reconciled here while the run might still have fit
 * ({@link surveyRoles}). Without an FC endpoint there is no fan-out: every role is reconciled here, from the one
 * read. Starts by checking the heartbeat of the previous successful run (a `reconciler-not-running` finding when it
 * is overdue); ends with the run-summary event, this run's heartbeat and the delivery of the audit outbox.
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
  const ctx = { correlationId, mode: RunMode.Inline, expireGrants: true };
  let survey: RoleSurvey;
  try {
    survey = await surveyRoles(listRoleVisits(services), {
      // Without a fan-out every role is reconciled here, from the one read.
      threshold: fanOut === undefined ? Number.POSITIVE_INFINITY : threshold,
      ownShard: fanOut && ((shard) => fanOut.add(shard)),
      // Each account from its own stream as the read gives it, the accounts side by side.
      reconcileHere: (accounts) => reconciler.reconcileVisitsByAccount(accounts, ctx),
      // Past the threshold the roles are only counted: from their keys, not their documents.
      keysAfter: (last) => roleKeysAfter(services, last),
    });
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
  if (survey.fits && survey.run !== undefined) run = survey.run;
  else {
    const rest = new Map(
      [...survey.rolesByAccount].filter(([id]) => !survey.handedOut.has(id) && !survey.here.has(id)),
    );
    for (const shard of planShards(rest, threshold)) fanOut?.add(shard);
    await fanOut?.done();
    run = shardedRun(survey.run, {
      correlationId,
      roles,
      durationMs: services.clock.now().getTime() - started,
      shards: fanOut?.count ?? 0,
    });
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

/**
 * The coordinator's result: the roles it handed to shards, with the counts of those it reconciled itself (`here`,
 * the first accounts read while the run might still have fit).
 */
function shardedRun(
  here: RunResult | undefined,
  run: { correlationId: string; roles: number; durationMs: number; shards: number },
): RunResult {
  return {
    correlationId: run.correlationId,
    mode: RunMode.Sharded,
    dryRun: false,
    roles: run.roles,
    outcomes: here?.outcomes ?? {},
    failedAccounts: here?.failedAccounts ?? [],
    durationMs: run.durationMs,
    apiCalls: here?.apiCalls ?? { ram: 0, assumeRole: 0 },
    statusWriteFailures: here?.statusWriteFailures ?? 0,
    expiredGrants: here?.expiredGrants ?? 0,
    results: [],
    resultsTruncated: false,
    shards: run.shards,
  };
}
