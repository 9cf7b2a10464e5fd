/**
 * Reconcile benchmarks over one fleet: the steady state (every role in sync) measured against the lower bound,
 * then drift on a fraction of the roles repaired in one run, with the peak memory of each run. The local cloud
 * runs in a child process; each reconcile runs in a worker process of its own (bench/reconcile-worker.ts).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pLimit from 'p-limit';
import type { FaultsConfig } from '../local/cloud/faults.js';
import { localCloudEnvironment } from '../local/harness/local-environment.js';
import { createServices } from '../shared/composition/services.js';
import { loadConfig } from '../shared/config/config.js';
import { type BoundFactor, runBound } from './bound.js';
import { type CloudProcess, type LogEntry, startCloudProcess } from './cloud-process.js';
import { BENCH_RUNNER, buildFleet, type DriftKind, type Fleet, type FleetSize, fleetDrift } from './fleet.js';
import { type WorkerRequest, type WorkerResult, WorkerResultSchema } from './worker-protocol.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

/** The ratio of bound to measured time the steady state should reach. */
export const TARGET_RATIO_TO_BOUND = 0.8;

/** RAM actions that only read. */
const RAM_READS = new Set(['GetRole', 'ListPoliciesForRole']);

/** Settings of a reconcile benchmark. */
export interface ReconcileBenchSettings {
  readonly size: FleetSize;
  /** RAM latency range, ms. */
  readonly ramLatencyMs: readonly [number, number];
  /** RAM requests per second per owner account: the cloud's limit and the product's token bucket. */
  readonly ratePerSecond: number;
  readonly accountConcurrency: number;
  readonly roleConcurrency: number;
  /** Old-space limit of the reconciling process (`--max-old-space-size`), MiB. */
  readonly heapLimitMiB: number;
  /** Fraction of roles to drift after the steady state; omit to skip the drift run. */
  readonly driftFraction?: number;
  readonly progress?: (message: string) => void;
}

/** Calls counted in the local cloud's request log. */
export interface CallCounts {
  readonly ramReads: number;
  readonly ramWrites: number;
  readonly ramWritesByAction: Readonly<Record<string, number>>;
  readonly assumeRole: number;
  readonly throttled: number;
  readonly tablestore: number;
  readonly eventbridge: number;
}

/** Figures of the steady state. */
export interface SteadyFigures {
  readonly roles: number;
  readonly accounts: number;
  readonly wallMs: number;
  readonly ramCallsPerRole: number;
  readonly assumeRolePerAccount: number;
  /** RAM writes (must be 0). */
  readonly writes: number;
  readonly throttled: number;
  readonly tablestoreCallsPerRole: number;
  readonly boundMs: number;
  readonly limitedBy: BoundFactor;
  readonly ratioToBound: number;
  /** The reconciler's CPU time over its wall time (1 = one core busy throughout). */
  readonly cpuShare: number;
  /** Why the ratio is below target, when it is. */
  readonly heldBackBy?: string;
  readonly outcomes: Readonly<Record<string, number>>;
}

/** Figures of the drift run. */
export interface DriftFigures {
  readonly roles: number;
  readonly drifted: number;
  readonly driftByKind: Readonly<Partial<Record<DriftKind, number>>>;
  readonly wallMs: number;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly ramWritesByAction: Readonly<Record<string, number>>;
  readonly auditEventsDelivered: number;
  /** Roles a run right after still found out of sync (must be 0). */
  readonly remainingDrift: number;
  readonly repairedInOneRun: boolean;
}

/** Peak memory of a full reconcile. */
export interface MemoryFigure {
  readonly roles: number;
  readonly baselineRssMiB: number;
  readonly peakRssMiB: number;
  /** Largest heap in use during the run (sampled). */
  readonly peakHeapMiB: number;
  /** Heap in use after the run and a full collection. */
  readonly retainedHeapMiB: number;
}

/** Everything one fleet measured. */
export interface ReconcileBenchFigures {
  readonly steady: SteadyFigures;
  readonly drift?: DriftFigures;
  readonly memory: MemoryFigure;
}

/** Count the calls of one run in the request log. */
export function countCalls(log: readonly LogEntry[]): CallCounts {
  let ramReads = 0;
  let ramWrites = 0;
  let assumeRole = 0;
  let throttled = 0;
  let tablestore = 0;
  let eventbridge = 0;
  const byAction: Record<string, number> = {};
  for (const entry of log) {
    if (entry.code === 'Throttling.User') throttled += 1;
    if (entry.service === 'ram') {
      if (RAM_READS.has(entry.action)) ramReads += 1;
      else {
        ramWrites += 1;
        byAction[entry.action] = (byAction[entry.action] ?? 0) + 1;
      }
    } else if (entry.service === 'sts' && entry.action === 'AssumeRole') assumeRole += 1;
    else if (entry.service === 'tablestore') tablestore += 1;
    else if (entry.service === 'eventbridge') eventbridge += 1;
  }
  return { ramReads, ramWrites, ramWritesByAction: byAction, assumeRole, throttled, tablestore, eventbridge };
}

const MiB = 1024 * 1024;

/** Run one reconcile in a worker process. */
async function reconcileInWorker(
  env: Record<string, string>,
  correlationId: string,
  heapLimitMiB: number,
): Promise<WorkerResult> {
  const request: WorkerRequest = { env, correlationId };
  const { stdout } = await run(
    process.execPath,
    [
      '--expose-gc',
      `--max-old-space-size=${heapLimitMiB}`,
      '--import',
      'tsx',
      'bench/reconcile-worker.ts',
      JSON.stringify(request),
    ],
    { cwd: ROOT, maxBuffer: 16 * MiB },
  );
  const line = stdout.trim().split('\n').pop() ?? '';
  return WorkerResultSchema.parse(JSON.parse(line));
}

/** Store every grant of the fleet, as intake would have. */
async function declareFleet(fleet: Fleet, env: Record<string, string>): Promise<void> {
  const services = createServices(loadConfig(env), {
    tablestoreKeys: BENCH_RUNNER,
    ownKeys: async () => BENCH_RUNNER,
  });
  await services.ensureTables();
  const limit = pLimit(32);
  await Promise.all(fleet.grants.map((grant) => limit(() => services.grants.putGrant(grant))));
}

function whyBelowTarget(ratio: number, counts: CallCounts, result: WorkerResult, roles: number): string | undefined {
  if (ratio >= TARGET_RATIO_TO_BOUND) return undefined;
  const reasons: string[] = [];
  if (counts.throttled > 0) reasons.push(`${counts.throttled} calls were throttled by the cloud and retried`);
  const cpuShare = result.cpuMs / result.wallMs;
  if (cpuShare > 0.8) {
    reasons.push(
      `the reconciler is CPU-bound (${Math.round(cpuShare * 100)}% of one core: SDK request signing, JSON and ` +
        'Tablestore encoding on a single thread)',
    );
  }
  reasons.push(
    `each role also makes ${(counts.tablestore / roles).toFixed(1)} Tablestore round trips (grant read, status ` +
      'write) that the bound leaves out, and an account lane waits for its slowest call',
  );
  return reasons.join('; ');
}

/** Benchmark one fleet: steady state, then (optionally) drift, each reconcile in its own process. */
export async function benchReconcile(settings: ReconcileBenchSettings): Promise<ReconcileBenchFigures> {
  const say = settings.progress ?? (() => {});
  const fleet = buildFleet(settings.size);
  say(`starting the local cloud with ${fleet.roles.length} roles in ${fleet.ownerAccountIds.length} accounts`);
  const cloud = await startCloudProcess(fleet.accountsDocument);
  try {
    const env = localCloudEnvironment(cloud, {
      DTS_TRUST_RAM_RATE_LIMIT: String(settings.ratePerSecond),
      DTS_TRUST_ACCOUNT_CONCURRENCY: String(settings.accountConcurrency),
      DTS_TRUST_ROLE_CONCURRENCY: String(settings.roleConcurrency),
    });
    say('declaring the grants');
    await declareFleet(fleet, env);
    say('first run (writes every role status row)');
    const first = await measuredRun(cloud, env, settings.heapLimitMiB, 'bench-first');
    if (first.counts.ramWrites > 0) {
      throw new Error(`the fleet was not in sync before measuring: ${first.counts.ramWrites} RAM writes`);
    }
    const faults: FaultsConfig = {
      seed: 7,
      latencyByService: { ram: [settings.ramLatencyMs[0], settings.ramLatencyMs[1]] },
      qpsLimits: [{ service: 'ram', qps: settings.ratePerSecond }],
    };
    await cloud.setFaults(faults);
    say('steady-state run');
    const steadyRun = await measuredRun(cloud, env, settings.heapLimitMiB, 'bench-steady');
    const steady = steadyFigures(fleet, settings, steadyRun);
    let drift: DriftFigures | undefined;
    if (settings.driftFraction !== undefined) {
      drift = await driftRun(cloud, env, fleet, settings, say);
    }
    return {
      steady,
      ...(drift ? { drift } : {}),
      memory: {
        roles: fleet.roles.length,
        baselineRssMiB: steadyRun.result.baselineRssBytes / MiB,
        peakRssMiB: steadyRun.result.peakRssBytes / MiB,
        peakHeapMiB: steadyRun.result.peakHeapBytes / MiB,
        retainedHeapMiB: steadyRun.result.retainedHeapBytes / MiB,
      },
    };
  } finally {
    await cloud.stop();
  }
}

interface MeasuredRun {
  readonly result: WorkerResult;
  readonly counts: CallCounts;
}

async function measuredRun(
  cloud: CloudProcess,
  env: Record<string, string>,
  heapLimitMiB: number,
  id: string,
): Promise<MeasuredRun> {
  await cloud.clearLog();
  const result = await reconcileInWorker(env, id, heapLimitMiB);
  return { result, counts: countCalls(await cloud.log()) };
}

function steadyFigures(fleet: Fleet, settings: ReconcileBenchSettings, measured: MeasuredRun): SteadyFigures {
  const { result, counts } = measured;
  const roles = fleet.roles.length;
  const bound = runBound({
    rolesPerAccount: fleet.rolesPerAccount,
    ramCallsPerRole: 2,
    ramLatencyMs: (settings.ramLatencyMs[0] + settings.ramLatencyMs[1]) / 2,
    stsLatencyMs: 0,
    ratePerSecond: settings.ratePerSecond,
    burst: settings.ratePerSecond,
    accountConcurrency: settings.accountConcurrency,
    roleConcurrency: settings.roleConcurrency,
  });
  const ratio = bound.ms / result.wallMs;
  const heldBackBy = whyBelowTarget(ratio, counts, result, roles);
  return {
    roles,
    accounts: fleet.ownerAccountIds.length,
    wallMs: result.wallMs,
    ramCallsPerRole: (counts.ramReads + counts.ramWrites) / roles,
    assumeRolePerAccount: counts.assumeRole / fleet.ownerAccountIds.length,
    writes: counts.ramWrites,
    throttled: counts.throttled,
    tablestoreCallsPerRole: counts.tablestore / roles,
    boundMs: bound.ms,
    limitedBy: bound.limitedBy,
    ratioToBound: ratio,
    cpuShare: result.cpuMs / result.wallMs,
    ...(heldBackBy ? { heldBackBy } : {}),
    outcomes: result.outcomes,
  };
}

async function driftRun(
  cloud: CloudProcess,
  env: Record<string, string>,
  fleet: Fleet,
  settings: ReconcileBenchSettings,
  say: (message: string) => void,
): Promise<DriftFigures> {
  const edits = fleetDrift(fleet.roles, settings.driftFraction ?? 0);
  const byKind: Partial<Record<DriftKind, number>> = {};
  const drifted = new Set<string>();
  for (const { kind, edit } of edits) {
    await cloud.edit(edit);
    const key = `${edit.accountId}/${edit.roleName}`;
    if (!drifted.has(key)) byKind[kind] = (byKind[kind] ?? 0) + 1;
    drifted.add(key);
  }
  say(`drift run (${drifted.size} roles edited in the console)`);
  const repair = await measuredRun(cloud, env, settings.heapLimitMiB, 'bench-drift');
  await cloud.setFaults({});
  say('checking run');
  const check = await measuredRun(cloud, env, settings.heapLimitMiB, 'bench-drift-check');
  const remainingDrift = check.result.roles - (check.result.outcomes.inSync ?? 0);
  return {
    roles: fleet.roles.length,
    drifted: drifted.size,
    driftByKind: byKind,
    wallMs: repair.result.wallMs,
    outcomes: repair.result.outcomes,
    ramWritesByAction: repair.counts.ramWritesByAction,
    auditEventsDelivered: repair.result.audit.delivered,
    remainingDrift: remainingDrift + check.counts.ramWrites,
    repairedInOneRun:
      remainingDrift === 0 &&
      check.counts.ramWrites === 0 &&
      (repair.result.outcomes.repaired ?? 0) + (repair.result.outcomes.created ?? 0) === drifted.size,
  };
}
