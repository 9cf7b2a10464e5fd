/**
 * The rate-bound scenario: few large accounts, where RAM's per-account limit is what bounds a run. The bundles
 * are deployed to the local cloud's FC as s.yaml deploys them; the drift reconciler's bundle is invoked as the
 * timer invokes it and fans out to reconcile-shard instances (node processes of the local FC) as it does in
 * production; the run ends when the last shard has finished. Its time is held against the rate bound, which no
 * concurrency setting can beat: every account's RAM calls beyond the burst, at the account's rate.
 */
import { rateBoundMs } from './bound.js';
import { type CallCounts, countCalls, rolesLeftBehind } from './call-counts.js';
import { startCloudProcess } from './cloud-process.js';
import { buildFleet, type FleetSize, rolesByAccount } from './fleet.js';
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
}

/** Run the scenario once, from the timer's invocation to the last shard's end. */
export async function benchRateBound(settings: RateBoundSettings): Promise<RateBoundFigures> {
  const say = settings.progress ?? (() => {});
  const fleet = buildFleet(settings.size);
  const extra = { DTS_TRUST_RAM_RATE_LIMIT: String(settings.ratePerSecond) };
  say(`rate-bound: ${fleet.roles.length} roles in ${fleet.ownerAccountIds.length} accounts, bundles on the local FC`);
  const cloud = await startCloudProcess(fleet.accountsDocument, { deployBundles: extra });
  try {
    const env = productEnvironment(cloud, 'http', extra);
    say('rate-bound: declaring the grants');
    await declareFleet(fleet, env);
    await cloud.setFaults(ramFaults(settings));
    await cloud.clearLog();
    say('rate-bound: timer run with fan-out');
    const startedAt = Date.now();
    const started = performance.now();
    await invokeDriftReconciler(settings.workers, env, { heapLimitMiB: settings.heapLimitMiB });
    const invocations = await cloud.drainInvocations();
    const wallMs = performance.now() - started;
    const counts: CallCounts = countCalls(await cloud.log());
    const shards = invocations.filter((i) => i.functionName.endsWith('reconcile-shard'));
    const roles = fleet.roles.length;
    const byAccount = new Map([...rolesByAccount(fleet)].map(([id, names]) => [id, names.length]));
    const boundMs = rateBoundMs(byAccount.values(), settings.ratePerSecond);
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
    };
  } finally {
    await cloud.stop();
  }
}
