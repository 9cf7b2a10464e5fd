/**
 * The rate-bound scenario: few large accounts, where RAM's per-account limit is what bounds a run. The bundles
 * are deployed to the local cloud's FC as s.yaml deploys them; the drift reconciler's bundle is invoked as the
 * timer invokes it and fans out to reconcile-shard instances (node processes of the local FC) as it does in
 * production; the run ends when the last shard has finished. Its time is held against the rate bound, which no
 * concurrency setting can beat: every account's RAM calls beyond the burst, at the account's rate.
 */
import path from 'node:path';
import { loadConfig } from '../shared/config/config.js';
import { planShards, shardAccountsDigest } from '../shared/usecases/shards.js';
import { rateBoundMs } from './bound.js';
import { type CallCounts, countCalls, rolesLeftBehind } from './call-counts.js';
import { type FcInvocation, startCloudProcess } from './cloud-process.js';
import { buildFleet, type FleetSize, rolesByAccount } from './fleet.js';
import {
  type AccountTimeline,
  accountTimelines,
  type ShardRecord,
  slowestAccount,
  type TimelineMedians,
  timelineMedians,
} from './rate-bound-timeline.js';
import { declareFleet, invokeDriftReconciler, productEnvironment, ramFaults } from './reconcile-bench.js';
import type { WorkerBundles } from './workers/run-worker.js';

/** The run may take at most this much longer than the rate bound. */
export const RATE_BOUND_TARGET = 1.1;

/** Settings of the rate-bound scenario. */
export interface RateBoundSettings {
  readonly size: FleetSize;
  readonly ramLatencyMs: readonly [number, number];
  readonly ratePerSecond: number;
  readonly heapLimitMiB: number;
  readonly workers: WorkerBundles;
  /** `DTS_TRUST_SHARD_THRESHOLD` of the run; the product's default when absent. */
  readonly shardThreshold?: number | undefined;
  /** Another build than dist/ (an A/B comparison of the product): its bundles are deployed and invoked. */
  readonly distDir?: string | undefined;
  /** More environment of the functions (an A/B comparison of a setting). */
  readonly environment?: Readonly<Record<string, string>> | undefined;
  readonly progress?: (message: string) => void;
}

/** Figures of the rate-bound scenario. */
export interface RateBoundFigures {
  readonly roles: number;
  readonly accounts: number;
  readonly wallMs: number;
  readonly boundMs: number;
  /** wallMs / boundMs (target at most {@link RATE_BOUND_TARGET}). */
  readonly toBound: number;
  /** reconcile-shard invocations the drift reconciler made, and the runs of them that failed. */
  readonly shards: number;
  readonly failedShards: number;
  /** When the last shard started, from the timer's invocation, ms. */
  readonly lastShardStartMs: number;
  /** The longest shard run, ms. */
  readonly slowestShardMs: number;
  readonly throttled: number;
  readonly ramCallsPerRole: number;
  readonly writes: number;
  /** Roles whose two reads were never answered (must be 0). */
  readonly rolesLeftBehind: number;
  readonly tablestoreRequestsPerRole: number;
  /** Where the time of the account that finished last went (bench/rate-bound-timeline.ts). */
  readonly slowestAccount?: AccountTimeline | undefined;
  /** The same parts, medians over the accounts. */
  readonly accountMedians?: TimelineMedians | undefined;
}

/** Run the scenario once, from the timer's invocation to the last shard's end. */
export async function benchRateBound(settings: RateBoundSettings): Promise<RateBoundFigures> {
  const say = settings.progress ?? (() => {});
  const fleet = buildFleet(settings.size);
  const extra: Record<string, string> = {
    DTS_TRUST_RAM_RATE_LIMIT: String(settings.ratePerSecond),
    // The retry rule as deployed (the product's defaults; s.yaml sets none), not the local harness's quicker one.
    DTS_TRUST_RETRY_BASE_MS: '',
    DTS_TRUST_RETRY_MAX_MS: '',
    ...(settings.shardThreshold === undefined ? {} : { DTS_TRUST_SHARD_THRESHOLD: String(settings.shardThreshold) }),
    ...settings.environment,
  };
  say(`rate-bound: ${fleet.roles.length} roles in ${fleet.ownerAccountIds.length} accounts, bundles on the local FC`);
  const cloud = await startCloudProcess(fleet.accountsDocument, { deployBundles: extra, distDir: settings.distDir });
  try {
    const env = productEnvironment(cloud, 'http', extra);
    say('rate-bound: declaring the grants');
    await declareFleet(fleet, env);
    await cloud.setFaults(ramFaults(settings));
    await cloud.clearLog();
    say('rate-bound: timer run with fan-out');
    const startedAt = Date.now();
    const started = performance.now();
    await invokeDriftReconciler(settings.workers, env, {
      heapLimitMiB: settings.heapLimitMiB,
      bundle: settings.distDir === undefined ? undefined : path.join(settings.distDir, 'drift-reconciler', 'index.js'),
    });
    const invocations = await cloud.drainInvocations();
    const wallMs = performance.now() - started;
    const log = await cloud.log();
    const counts: CallCounts = countCalls(log);
    const shards = invocations.filter((i) => i.functionName.endsWith('reconcile-shard'));
    const roles = fleet.roles.length;
    const byAccount = new Map([...rolesByAccount(fleet)].map(([id, names]) => [id, names.length]));
    const boundMs = rateBoundMs(byAccount.values(), settings.ratePerSecond);
    const threshold = loadConfig(env).sharding.threshold;
    const timelines = accountTimelines(log, shardRecords(shards, byAccount, threshold), startedAt, {
      ratePerSecond: settings.ratePerSecond,
    });
    return {
      roles,
      accounts: fleet.ownerAccountIds.length,
      wallMs,
      boundMs,
      toBound: wallMs / boundMs,
      shards: shards.filter((s) => s.attempt === 1).length,
      failedShards: shards.filter((s) => s.status !== 'succeeded').length,
      lastShardStartMs: Math.max(0, ...shards.map((s) => Date.parse(s.startedAt) - startedAt)),
      slowestShardMs: Math.max(
        0,
        ...shards.map((s) => (s.finishedAt ? Date.parse(s.finishedAt) : Date.now()) - Date.parse(s.startedAt)),
      ),
      throttled: counts.throttled,
      ramCallsPerRole: (counts.ramReads + counts.ramWrites) / roles,
      writes: counts.ramWrites,
      rolesLeftBehind: rolesLeftBehind(counts, byAccount),
      tablestoreRequestsPerRole: counts.tablestore / roles,
      slowestAccount: slowestAccount(timelines),
      accountMedians: timelineMedians(timelines),
    };
  } finally {
    await cloud.stop();
  }
}

/** The shards' first runs with the owner accounts each was given (the drift reconciler's cut, known by task id). */
function shardRecords(
  shards: readonly FcInvocation[],
  rolesByAccount: ReadonlyMap<string, number>,
  threshold: number,
): ShardRecord[] {
  const cut = planShards(rolesByAccount, threshold);
  return shards.flatMap((invocation) => {
    if (invocation.attempt !== 1) return [];
    const shard = cut.find((s) => invocation.taskId?.endsWith(`_${shardAccountsDigest(s.ownerAccountIds)}`));
    if (shard === undefined) return [];
    return [
      {
        ownerAccountIds: shard.ownerAccountIds,
        startedAt: Date.parse(invocation.startedAt),
        finishedAt: invocation.finishedAt === undefined ? undefined : Date.parse(invocation.finishedAt),
      },
    ];
  });
}
