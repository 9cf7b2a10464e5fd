/**
 * Reconcile benchmarks over one fleet, on a local cloud in a process of its own: the steady state (every role in
 * sync) run by the drift reconciler's bundle, beside the floor (a bare loop making the same RAM calls), on each
 * transport; the Terraform-style peer over the same fleet; then drift on a fraction of the roles repaired in one
 * run. Every measured program runs bundled under plain Node in a process of its own (bench/workers).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { z } from 'zod';
import type { FaultsConfig } from '../local/cloud/faults.js';
import { LOCAL_AUTOMATION, localCloudEnvironment } from '../local/harness/local-environment.js';
import { createServices } from '../shared/composition/services.js';
import { loadConfig } from '../shared/config/config.js';
import { type CallCounts, countCalls } from './call-counts.js';
import { type CloudProcess, type CloudUsage, startCloudProcess } from './cloud-process.js';
import {
  BENCH_RUNNER,
  buildFleet,
  type DriftKind,
  FLEET_MANAGEMENT_ROLE,
  type Fleet,
  type FleetSize,
  fleetDrift,
  rolesByAccount,
} from './fleet.js';
import { medianItem, rotated } from './rounds.js';
import type { LocalCertificate } from './tls-certificate.js';
import type { FloorRequest } from './workers/floor-worker.js';
import type { FunctionWorkerRequest } from './workers/function-worker.js';
import type { PeerRequest } from './workers/peer-worker.js';
import type { RamFleet } from './workers/ram-fleet.js';
import { MeasuredSchema, Worker, type WorkerBundles } from './workers/run-worker.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 1024 * 1024;

/** A transport the SDKs speak to the local cloud. */
export type Transport = 'http' | 'https';

/** Settings of a reconcile benchmark. */
export interface ReconcileBenchSettings {
  readonly size: FleetSize;
  /** RAM latency range, ms. */
  readonly ramLatencyMs: readonly [number, number];
  /** RAM requests per second per owner account: the cloud's token bucket and the product's. */
  readonly ratePerSecond: number;
  readonly accountConcurrency: number;
  readonly roleConcurrency: number;
  /** Old-space limit of the reconciling process (`--max-old-space-size`), MiB: the one s.yaml sets. */
  readonly heapLimitMiB: number;
  /** Transports to measure the steady state and the floor on (https needs `certificate`). */
  readonly transports: readonly Transport[];
  /**
   * Rounds of the steady state and the floor per transport (an odd number; 1 when absent): each round runs both,
   * in an order that alternates from round to round, and the figures are the round of median ratio.
   */
  readonly rounds?: number;
  readonly certificate?: LocalCertificate | undefined;
  /** Run the Terraform-style peer over the fleet (http). */
  readonly peer?: boolean;
  /** Fraction of roles to drift after the steady state; omit to skip the drift run. */
  readonly driftFraction?: number | undefined;
  readonly workers: WorkerBundles;
  readonly progress?: (message: string) => void;
}

/** The steady state on one transport, beside the floor. */
export interface TransportFigures {
  readonly transport: Transport;
  readonly wallMs: number;
  /** The reconciling process's CPU per role, ms. */
  readonly cpuMsPerRole: number;
  readonly floorWallMs: number;
  /** The floor's CPU per role, ms. */
  readonly floorCpuMsPerRole: number;
  /** cpuMsPerRole / floorCpuMsPerRole. */
  readonly cpuToFloor: number;
  /** The local cloud process's CPU per role while it served the product's run, and the floor's, ms. */
  readonly cloudCpuMsPerRole: number;
  readonly floorCloudCpuMsPerRole: number;
  readonly ramCallsPerRole: number;
  readonly assumeRolePerAccount: number;
  /** RAM writes (must be 0). */
  readonly writes: number;
  readonly throttled: number;
  readonly tablestoreRequestsPerRole: number;
  readonly tablestoreByAction: Readonly<Record<string, number>>;
  readonly eventbridgeRequests: number;
  /** Requests the cloud served during the product's run, the TCP connections and TLS sessions it accepted. */
  readonly requests: number;
  readonly connections: number;
  readonly tlsSessions: number;
  readonly outcomes: Readonly<Record<string, number>>;
  /** Every round's CPU per role and the floor's (the figures above are the round of median ratio). */
  readonly rounds: readonly RoundFigures[];
}

/** One round of the steady state beside the floor. */
export interface RoundFigures {
  readonly cpuMsPerRole: number;
  readonly floorCpuMsPerRole: number;
  readonly cpuToFloor: number;
}

/** Figures of the steady state. */
export interface SteadyFigures {
  readonly roles: number;
  readonly accounts: number;
  readonly transports: readonly TransportFigures[];
}

/** The Terraform-style refresh of the same fleet (http). */
export interface PeerFigures {
  readonly wallMs: number;
  readonly cpuMsPerRole: number;
  readonly reads: number;
  readonly throttled: number;
  readonly waitedMs: number;
  readonly rolesLeftBehind: number;
  /** The peer's wall time over the product's (http steady state). */
  readonly wallToProduct: number;
}

/** Figures of the drift run. */
export interface DriftFigures {
  readonly roles: number;
  readonly drifted: number;
  readonly driftByKind: Readonly<Partial<Record<DriftKind, number>>>;
  readonly wallMs: number;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly ramWritesByAction: Readonly<Record<string, number>>;
  readonly eventbridgeRequests: number;
  /** Roles a run right after still found out of sync, plus its RAM writes (must be 0). */
  readonly remainingDrift: number;
  readonly repairedInOneRun: boolean;
}

/** Peak memory of a full reconcile (http steady state). */
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
  readonly peer?: PeerFigures;
  readonly drift?: DriftFigures;
  readonly memory: MemoryFigure;
}

/** What the drift reconciler answers (the part the bench reads). */
const RunAnswerSchema = z.object({ roles: z.number(), outcomes: z.record(z.number()) }).passthrough();
const FunctionAnswerSchema = z.object({ measured: MeasuredSchema, answer: RunAnswerSchema });
/** What the floor worker answers. */
export const FloorAnswerSchema = z.object({ measured: MeasuredSchema, roles: z.number(), ramCalls: z.number() });
const PeerAnswerSchema = z.object({
  measured: MeasuredSchema,
  roles: z.number(),
  reads: z.number(),
  throttled: z.number(),
  waitedMs: z.number(),
  rolesLeftBehind: z.number(),
});

/** The drift reconciler's code package. */
export const DRIFT_RECONCILER_BUNDLE = path.join(ROOT, 'dist', 'drift-reconciler', 'index.js');

/** A timer trigger's event, as FC sends it. */
export function timerEvent(now = new Date()): unknown {
  return { triggerTime: `${now.toISOString().slice(0, 19)}Z`, triggerName: 'bench', payload: '' };
}

/** Where the SDKs reach the cloud on a transport. */
function addressOf(cloud: CloudProcess, transport: Transport): { url: string; endpoint: string } {
  if (transport === 'http') return cloud;
  if (!cloud.tls) throw new Error('the local cloud was started without TLS');
  return cloud.tls;
}

/** The environment of the product's functions against the cloud, on a transport. */
export function productEnvironment(
  cloud: CloudProcess,
  transport: Transport,
  extra: Readonly<Record<string, string>>,
): Record<string, string> {
  return localCloudEnvironment(addressOf(cloud, transport), { DTS_TRUST_PROTOCOL: transport, ...extra });
}

/** The process environment that makes a worker trust the cloud's certificate. */
const trustEnv = (certificate: LocalCertificate | undefined): Record<string, string> =>
  certificate ? { NODE_EXTRA_CA_CERTS: certificate.certFile } : {};

/**
 * The node options of FC's runtime as s.yaml sets them (the old-space limit), for the product's process and the
 * floor's alike: a bare loop deployed as a function would run under the same limit, and V8 collects differently
 * under it (smaller heap growth steps after each major collection), so both sides of the ratio pay it.
 */
export const runtimeHeapOptions = (heapLimitMiB: number): string[] => [`--max-old-space-size=${heapLimitMiB}`];

/** Invoke the drift reconciler's bundle once, in a worker process. */
export function invokeDriftReconciler(
  workers: WorkerBundles,
  environment: Record<string, string>,
  options: {
    heapLimitMiB: number;
    certificate?: LocalCertificate | undefined;
    /** Another build of the bundle (an A/B comparison); default {@link DRIFT_RECONCILER_BUNDLE}. */
    bundle?: string | undefined;
    /** More node options of the worker (`--cpu-prof`, ...). */
    nodeOptions?: readonly string[] | undefined;
  },
): Promise<z.output<typeof FunctionAnswerSchema>> {
  const request: FunctionWorkerRequest = {
    bundle: options.bundle ?? DRIFT_RECONCILER_BUNDLE,
    functionName: 'dts-trust-drift-reconciler',
    event: timerEvent(),
    environment,
    accountId: LOCAL_AUTOMATION.accountId,
    credentials: BENCH_RUNNER,
  };
  return workers.run(Worker.Function, request, FunctionAnswerSchema, {
    nodeOptions: ['--expose-gc', ...runtimeHeapOptions(options.heapLimitMiB), ...(options.nodeOptions ?? [])],
    env: trustEnv(options.certificate),
  });
}

/** Store every grant of the fleet, as intake would have (setup, not measured). */
export async function declareFleet(fleet: Fleet, env: Record<string, string>): Promise<void> {
  const services = createServices(loadConfig(env), {
    tablestoreKeys: BENCH_RUNNER,
    ownKeys: async () => BENCH_RUNNER,
  });
  await services.ensureTables();
  const limit = pLimit(32);
  await Promise.all(fleet.grants.map((grant) => limit(() => services.grants.putGrant(grant))));
}

/** The RAM faults of a run: latency, and a per-account token bucket across RAM's APIs. */
export function ramFaults(settings: Pick<ReconcileBenchSettings, 'ramLatencyMs' | 'ratePerSecond'>): FaultsConfig {
  return {
    seed: 7,
    latencyByService: { ram: [settings.ramLatencyMs[0], settings.ramLatencyMs[1]] },
    qpsLimits: [{ service: 'ram', qps: settings.ratePerSecond, per: 'account' }],
  };
}

/** What a measured run cost the cloud and what it asked of it. */
interface CloudSide {
  readonly counts: CallCounts;
  readonly usage: CloudUsage;
}

/** Run `work` with the cloud's log cleared before, and the calls and cloud usage it caused. */
export async function onCloud<T>(cloud: CloudProcess, work: () => Promise<T>): Promise<{ value: T } & CloudSide> {
  await cloud.clearLog();
  const before = await cloud.usage();
  const value = await work();
  const after = await cloud.usage();
  return {
    value,
    counts: countCalls(await cloud.log()),
    usage: {
      cpuMs: after.cpuMs - before.cpuMs,
      connections: after.connections - before.connections,
      tlsSessions: after.tlsSessions - before.tlsSessions,
    },
  };
}

/** The fleet as the bench's own loops (floor, peer) see it, on a transport. */
export function ramFleetOf(fleet: Fleet, cloud: CloudProcess, transport: Transport): RamFleet {
  return {
    endpoint: addressOf(cloud, transport).endpoint,
    protocol: transport,
    runner: BENCH_RUNNER,
    managementRole: FLEET_MANAGEMENT_ROLE,
    accounts: [...rolesByAccount(fleet)].map(([id, roles]) => ({ id, roles })),
  };
}

/** Benchmark one fleet: steady state and floor per transport, the peer, then (optionally) drift. */
export async function benchReconcile(settings: ReconcileBenchSettings): Promise<ReconcileBenchFigures> {
  const say = settings.progress ?? (() => {});
  const fleet = buildFleet(settings.size);
  const roles = fleet.roles.length;
  const accounts = fleet.ownerAccountIds.length;
  const { certificate, workers } = settings;
  if (settings.transports.includes('https') && !certificate) throw new Error('https needs a certificate');
  say(`starting the local cloud with ${roles} roles in ${accounts} accounts`);
  const cloud = await startCloudProcess(fleet.accountsDocument, {
    ...(certificate ? { tls: { certFile: certificate.certFile, keyFile: certificate.keyFile } } : {}),
  });
  const extra = {
    DTS_TRUST_RAM_RATE_LIMIT: String(settings.ratePerSecond),
    DTS_TRUST_ACCOUNT_CONCURRENCY: String(settings.accountConcurrency),
    DTS_TRUST_ROLE_CONCURRENCY: String(settings.roleConcurrency),
    // One timer run reconciles the whole fleet in this process (no fan-out): the per-role pipeline is measured.
    DTS_TRUST_SHARD_THRESHOLD: String(roles + 1),
  };
  const heap = { heapLimitMiB: settings.heapLimitMiB };
  try {
    const httpEnv = productEnvironment(cloud, 'http', extra);
    say('declaring the grants');
    await declareFleet(fleet, httpEnv);
    say('first run (writes every role status row; not measured)');
    const first = await onCloud(cloud, () => invokeDriftReconciler(workers, httpEnv, heap));
    if (first.counts.ramWrites > 0) {
      throw new Error(`the fleet was not in sync before measuring: ${first.counts.ramWrites} RAM writes`);
    }
    await cloud.setFaults(ramFaults(settings));
    const transports: TransportFigures[] = [];
    let memory: MemoryFigure | undefined;
    let httpWallMs = Number.NaN;
    const rounds = settings.rounds ?? 1;
    if (!Number.isInteger(rounds) || rounds < 1 || rounds % 2 === 0) {
      // Checked before the first minute of measuring; medianItem would refuse it only at the end.
      throw new Error(`rounds must be an odd whole number (the round of median ratio is reported), not ${rounds}`);
    }
    for (const transport of settings.transports) {
      const env = productEnvironment(cloud, transport, extra);
      const floorRequest: FloorRequest = {
        fleet: ramFleetOf(fleet, cloud, transport),
        accountConcurrency: settings.accountConcurrency,
        roleConcurrency: settings.roleConcurrency,
        ratePerSecond: settings.ratePerSecond,
      };
      const runProduct = () => onCloud(cloud, () => invokeDriftReconciler(workers, env, { ...heap, certificate }));
      const runFloor = () =>
        onCloud(cloud, () =>
          workers.run(Worker.Floor, floorRequest, FloorAnswerSchema, {
            nodeOptions: runtimeHeapOptions(settings.heapLimitMiB),
            env: trustEnv(certificate),
          }),
        );
      type Round = { product: Awaited<ReturnType<typeof runProduct>>; floor: Awaited<ReturnType<typeof runFloor>> };
      const measuredRounds: Round[] = [];
      for (let round = 0; round < rounds; round++) {
        const suffix = rounds > 1 ? ` (round ${round + 1} of ${rounds})` : '';
        const taken: Partial<Round> = {};
        // The first run of a round pays more on a shared machine: the product and the floor take turns at it.
        for (const runner of rotated(['product', 'floor'] as const, round)) {
          if (runner === 'product') {
            say(`steady state over ${transport}${suffix}`);
            taken.product = await runProduct();
          } else {
            say(`floor over ${transport}${suffix}`);
            taken.floor = await runFloor();
          }
        }
        if (taken.product === undefined || taken.floor === undefined) throw new Error('a round did not run both');
        measuredRounds.push({ product: taken.product, floor: taken.floor });
      }
      const ratioOf = (r: Round) => r.product.value.measured.cpuMs / r.floor.value.measured.cpuMs;
      const middle = medianItem(measuredRounds, ratioOf);
      const { product, floor } = middle;
      const m = product.value.measured;
      transports.push({
        transport,
        wallMs: m.wallMs,
        cpuMsPerRole: m.cpuMs / roles,
        floorWallMs: floor.value.measured.wallMs,
        floorCpuMsPerRole: floor.value.measured.cpuMs / roles,
        cpuToFloor: ratioOf(middle),
        cloudCpuMsPerRole: product.usage.cpuMs / roles,
        floorCloudCpuMsPerRole: floor.usage.cpuMs / roles,
        ramCallsPerRole: (product.counts.ramReads + product.counts.ramWrites) / roles,
        assumeRolePerAccount: product.counts.assumeRole / accounts,
        writes: product.counts.ramWrites,
        throttled: product.counts.throttled,
        tablestoreRequestsPerRole: product.counts.tablestore / roles,
        tablestoreByAction: product.counts.tablestoreByAction,
        eventbridgeRequests: product.counts.eventbridge,
        requests: product.counts.requests,
        connections: product.usage.connections,
        tlsSessions: product.usage.tlsSessions,
        outcomes: product.value.answer.outcomes,
        rounds: measuredRounds.map((r) => ({
          cpuMsPerRole: r.product.value.measured.cpuMs / roles,
          floorCpuMsPerRole: r.floor.value.measured.cpuMs / roles,
          cpuToFloor: ratioOf(r),
        })),
      });
      if (transport === 'http') {
        httpWallMs = m.wallMs;
        memory = {
          roles,
          baselineRssMiB: m.baselineRssBytes / MiB,
          peakRssMiB: m.peakRssBytes / MiB,
          peakHeapMiB: m.peakHeapBytes / MiB,
          retainedHeapMiB: m.retainedHeapBytes / MiB,
        };
      }
    }
    if (!memory) throw new Error('the steady state must run over http (memory is measured there)');
    let peer: PeerFigures | undefined;
    if (settings.peer) {
      say('peer: the Terraform-style refresh of the same fleet');
      const request: PeerRequest = { fleet: ramFleetOf(fleet, cloud, 'http'), model: {} };
      const run = await workers.run(Worker.Peer, request, PeerAnswerSchema);
      peer = {
        wallMs: run.measured.wallMs,
        cpuMsPerRole: run.measured.cpuMs / roles,
        reads: run.reads,
        throttled: run.throttled,
        waitedMs: run.waitedMs,
        rolesLeftBehind: run.rolesLeftBehind,
        wallToProduct: run.measured.wallMs / httpWallMs,
      };
    }
    let drift: DriftFigures | undefined;
    if (settings.driftFraction !== undefined) {
      drift = await driftRun(cloud, httpEnv, fleet, settings, say);
    }
    return { steady: { roles, accounts, transports }, ...(peer ? { peer } : {}), ...(drift ? { drift } : {}), memory };
  } finally {
    await cloud.stop();
  }
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
  const heap = { heapLimitMiB: settings.heapLimitMiB };
  const repair = await onCloud(cloud, () => invokeDriftReconciler(settings.workers, env, heap));
  await cloud.setFaults({});
  say('checking run');
  const check = await onCloud(cloud, () => invokeDriftReconciler(settings.workers, env, heap));
  const outcomes = repair.value.answer.outcomes;
  const remaining = check.value.answer.roles - (check.value.answer.outcomes.inSync ?? 0);
  return {
    roles: fleet.roles.length,
    drifted: drifted.size,
    driftByKind: byKind,
    wallMs: repair.value.measured.wallMs,
    outcomes,
    ramWritesByAction: repair.counts.ramWritesByAction,
    eventbridgeRequests: repair.counts.eventbridge,
    remainingDrift: remaining + check.counts.ramWrites,
    repairedInOneRun:
      remaining === 0 &&
      check.counts.ramWrites === 0 &&
      (outcomes.repaired ?? 0) + (outcomes.created ?? 0) === drifted.size,
  };
}
