/**
 * The benchmark's results file, its checks and the table it prints (pure: no I/O). Every bar a figure is held to
 * lives here, in the bench's output: each figure is a {@link Check}, and a check that misses its target carries
 * its cause, printed under the table and kept in `missedTargets`.
 */
import type { ColdStartFigures } from './cold-start.js';
import type { IntakeFigures } from './intake-bench.js';
import { RATE_BOUND_TARGET, type RateBoundFigures } from './rate-bound-bench.js';
import { formatTimeline } from './rate-bound-timeline.js';
import type { DriftFigures, MemoryFigure, PeerFigures, SteadyFigures, TransportFigures } from './reconcile-bench.js';
import { type TencentSteadyFigures, tencentSteadyChecks } from './tencent-steady-figures.js';

/** The bars of the steady state, memory and transport. */
export const TARGETS = {
  /** The reconciler's CPU per role over the floor's, on every transport. */
  cpuToFloor: 1.3,
  /** The reconciler's CPU per role over http, ms. */
  httpCpuMsPerRole: 2.5,
  /** Tablestore requests per role in the steady state (issue #15 item 1). */
  tablestoreRequestsPerRole: 0.2,
  /** Peak RSS may grow by at most this factor when the roles grow tenfold. */
  memoryGrowth: 1.2,
  /** TLS sessions per request served over https (1 would be a new connection per call); from `cpuFromRoles`. */
  tlsSessionsPerRequest: 0.1,
  /** CPU bars apply from this many roles: below, a run's fixed costs (table checks, first connections, JIT) dominate. */
  cpuFromRoles: 1_000,
} as const;

/** The settings a suite ran with. */
export interface BenchSettings {
  readonly ramLatencyMs: readonly [number, number];
  readonly ratePerSecond: number;
  readonly accountConcurrency: number;
  readonly roleConcurrency: number;
  /** Old-space limit of the reconciling process, MiB: s.yaml's `NODE_OPTIONS` (see docs/benchmarks.md). */
  readonly heapLimitMiB: number;
  readonly driftFraction: number;
  /** The steady-state fleets, small then large. */
  readonly fleets: readonly [
    { readonly roles: number; readonly accounts: number },
    { readonly roles: number; readonly accounts: number },
  ];
  readonly rateBound: { readonly roles: number; readonly accounts: number; readonly ratePerSecond: number };
  readonly intakeSingles: number;
  readonly intakeBatches: number;
  readonly coldStartSamples: number;
}

/** Memory at two fleet sizes. */
export interface MemoryFigures {
  readonly runs: readonly [MemoryFigure, MemoryFigure];
  readonly rolesRatio: number;
  readonly peakRatio: number;
  /** True when peak memory grew by at most {@link TARGETS.memoryGrowth}. */
  readonly flat: boolean;
}

/** Everything `npm run bench` measured (bench/results.json). */
export interface BenchResults {
  readonly generatedAt: string;
  readonly quick: boolean;
  readonly machine: {
    readonly cpus: number;
    readonly node: string;
    readonly platform: string;
    /** The 1-minute load average when the suite started and when it ended (a quiet 2-core machine: below 1). */
    readonly loadAverage: readonly [number, number];
  };
  readonly settings: BenchSettings;
  /** The steady state at the small and the large fleet. */
  readonly steadyState: readonly [SteadyFigures, SteadyFigures];
  readonly peer: PeerFigures;
  readonly rateBound: RateBoundFigures;
  readonly drift: DriftFigures;
  readonly intake: IntakeFigures;
  readonly coldStart: ColdStartFigures;
  readonly memory: MemoryFigures;
  /** The Tencent steady state, counted (bench/tencent-steady-state.ts); absent from results of earlier releases. */
  readonly tencentSteadyState?: TencentSteadyFigures;
  /** Measures that missed their target, each with its cause. */
  readonly missedTargets: readonly string[];
}

/** What the checks read: the results without their verdicts. */
export type Measured = Omit<BenchResults, 'missedTargets'>;

/** Compare the peak memory of two runs. */
export function memoryFigures(small: MemoryFigure, large: MemoryFigure): MemoryFigures {
  const peakRatio = large.peakRssMiB / small.peakRssMiB;
  return {
    runs: [small, large],
    rolesRatio: large.roles / small.roles,
    peakRatio,
    flat: peakRatio <= TARGETS.memoryGrowth,
  };
}

/** One figure, its bar, and why it missed the bar. */
export interface Check {
  readonly measure: string;
  readonly value: string;
  /** The bar, as printed; empty when the figure has none. */
  readonly target: string;
  /** Undefined when the figure has no bar. */
  readonly met?: boolean;
  /** Why the figure missed its bar (set when `met` is false). */
  readonly cause?: string;
}

/** One line of the printed table. */
export interface TableRow {
  readonly measure: string;
  readonly value: string;
  readonly target: string;
  /** `ok`, `MISS` or empty when there is no target. */
  readonly verdict: string;
}

const ms = (value: number): string => `${Math.round(value).toLocaleString('en-US')} ms`;
const num = (value: number, digits = 2): string => value.toFixed(digits);
const mib = (value: number): string => `${value.toFixed(1)} MiB`;
const perRole = (value: number): string => `${value.toFixed(2)} ms/role`;
const info = (measure: string, value: string): Check => ({ measure, value, target: '' });
const bar = (measure: string, value: string, target: string, met: boolean, cause: () => string): Check =>
  met ? { measure, value, target, met } : { measure, value, target, met, cause: cause() };

/** Tablestore requests of a run per role, by action, largest first: `GetRange 2.04, PutRow 1.00`. */
function tablestoreMix(t: TransportFigures, roles: number): string {
  return Object.entries(t.tablestoreByAction)
    .sort((a, b) => b[1] - a[1])
    .map(([action, n]) => `${action} ${num(n / roles)}`)
    .join(', ');
}

/** Why the reconciler costs more CPU than the floor: what it does that the floor does not. */
function cpuCause(t: TransportFigures, roles: number): string {
  const extra = t.cpuMsPerRole - t.floorCpuMsPerRole;
  const share = t.cpuMsPerRole * roles;
  return (
    `${perRole(extra)} above the floor's ${perRole(t.floorCpuMsPerRole)}: ${num(t.tablestoreRequestsPerRole)} ` +
    `Tablestore requests per role (${tablestoreMix(t, roles)}) that the floor does not make (protobuf and ` +
    'PlainBuffer encoding, signing, an https or http exchange each), plus zod parsing, policy comparison and ' +
    `the run's bookkeeping; ${Math.round((share / t.wallMs) * 100)}% of one core over the run`
  );
}

function steadyChecks(s: SteadyFigures): Check[] {
  const checks: Check[] = [];
  const barred = s.roles >= TARGETS.cpuFromRoles;
  const at = `${s.roles} roles`;
  for (const t of s.transports) {
    const where = `steady ${at} ${t.transport}`;
    const inSync = t.outcomes.inSync ?? 0;
    checks.push(info(`${where}: wall (floor)`, `${ms(t.wallMs)} (${ms(t.floorWallMs)})`));
    const ratios = t.rounds.length > 1 ? `; median of ${t.rounds.map((r) => num(r.cpuToFloor)).join(' ')}` : '';
    const cpuValue = `${perRole(t.cpuMsPerRole)} (floor ${perRole(t.floorCpuMsPerRole)}, ${num(t.cpuToFloor)}x${ratios})`;
    checks.push(
      barred
        ? bar(
            `${where}: reconciler CPU`,
            cpuValue,
            `<= ${TARGETS.cpuToFloor}x floor`,
            t.cpuToFloor <= TARGETS.cpuToFloor,
            () => cpuCause(t, s.roles),
          )
        : info(`${where}: reconciler CPU (no bar below ${TARGETS.cpuFromRoles} roles)`, cpuValue),
    );
    if (barred && t.transport === 'http') {
      checks.push(
        bar(
          `${where}: reconciler CPU per role`,
          perRole(t.cpuMsPerRole),
          `<= ${TARGETS.httpCpuMsPerRole} ms/role`,
          t.cpuMsPerRole <= TARGETS.httpCpuMsPerRole,
          () => cpuCause(t, s.roles),
        ),
      );
    }
    checks.push(
      info(
        `${where}: local cloud CPU (floor)`,
        `${perRole(t.cloudCpuMsPerRole)} (${perRole(t.floorCloudCpuMsPerRole)})`,
      ),
    );
    checks.push(
      bar(`${where}: RAM calls per role`, num(t.ramCallsPerRole), '2', t.ramCallsPerRole === 2, () =>
        t.writes > 0 ? `${t.writes} writes` : `${t.throttled} throttled calls were retried`,
      ),
    );
    checks.push(
      bar(
        `${where}: AssumeRole per account`,
        num(t.assumeRolePerAccount),
        '1',
        t.assumeRolePerAccount === 1,
        () => 'credentials were not reused within the run',
      ),
    );
    checks.push(
      bar(
        `${where}: roles in sync, RAM writes`,
        `${inSync}, ${t.writes}`,
        `${s.roles}, 0`,
        inSync === s.roles && t.writes === 0,
        () => `outcomes ${JSON.stringify(t.outcomes)}`,
      ),
    );
    checks.push(
      bar(
        `${where}: Tablestore requests per role`,
        `${num(t.tablestoreRequestsPerRole)} (${tablestoreMix(t, s.roles)})`,
        `<= ${TARGETS.tablestoreRequestsPerRole}`,
        t.tablestoreRequestsPerRole <= TARGETS.tablestoreRequestsPerRole,
        () =>
          'the grants are read per role and a status row is written per role per run (issue #15 item 1, ' +
          'owned by the reconciler work)',
      ),
    );
    if (barred && t.transport === 'https') {
      const perRequest = t.tlsSessions / Math.max(1, t.requests);
      checks.push(
        bar(
          `${where}: TLS sessions / requests`,
          `${t.tlsSessions} / ${t.requests}`,
          `<= ${TARGETS.tlsSessionsPerRequest * 100}%`,
          perRequest <= TARGETS.tlsSessionsPerRequest,
          () => 'a client opens a new TLS connection for its calls (an agent without keep-alive)',
        ),
      );
    }
  }
  return checks;
}

function rateBoundChecks(r: RateBoundFigures): Check[] {
  const where = `rate-bound ${r.roles} roles in ${r.accounts} accounts`;
  return [
    bar(
      `${where}: run / rate bound`,
      `${ms(r.wallMs)} / ${ms(r.boundMs)} = ${num(r.toBound)}x`,
      `<= ${RATE_BOUND_TARGET}x`,
      r.toBound <= RATE_BOUND_TARGET,
      () => {
        const causes: string[] = [];
        if (r.throttled > 0) causes.push(`${r.throttled} calls throttled and retried`);
        causes.push(
          `the last shard started ${ms(r.lastShardStartMs)} into the run (counting scan, fan-out) and the slowest ` +
            `took ${ms(r.slowestShardMs)}, ${ms(Math.max(0, r.slowestShardMs - r.boundMs))} beyond the bound ` +
            '(its instance starting, checking its tables, entering its accounts and scanning them before its first ' +
            'RAM call, and every shard competing for the cores)',
        );
        if (r.slowestAccount) causes.push(`the slowest ${formatTimeline(r.slowestAccount)}`);
        return causes.join('; ');
      },
    ),
    bar(
      `${where}: roles left behind, failed shards`,
      `${r.rolesLeftBehind}, ${r.failedShards} (of ${r.shards})`,
      '0, 0',
      r.rolesLeftBehind === 0 && r.failedShards === 0,
      () => 'a shard failed or gave up on a throttled role',
    ),
    info(`${where}: throttled calls (retried)`, String(r.throttled)),
    info(`${where}: last shard started, slowest shard`, `${ms(r.lastShardStartMs)}, ${ms(r.slowestShardMs)}`),
  ];
}

/** The cold-start rows: each bundle against its bars, then its invocations on the local FC. */
export function coldStartChecks(c: ColdStartFigures): Check[] {
  const checks: Check[] = [];
  for (const b of c.bundles) {
    checks.push(
      bar(
        `cold start: ${b.name} (load ${ms(b.loadMs)})`,
        `${ms(b.overheadMs)}, ${(b.bytes / 1_000_000).toFixed(2)} MB`,
        `<= ${b.targetMs} ms, <= ${b.targetBytes / 1_000_000} MB`,
        b.overheadMs <= b.targetMs && b.bytes <= b.targetBytes,
        () => b.cause,
      ),
    );
    checks.push(
      info(
        `invoke: ${b.name} on a new / warm instance`,
        `${ms(b.coldInvokeMs)} / ${ms(b.warmInvokeMs)}, package ${(b.codePackageBytes / 1_000_000).toFixed(2)} MB`,
      ),
    );
  }
  return checks;
}

/** Every figure of a suite with its bar. */
export function checks(r: Measured): Check[] {
  const d = r.drift;
  const p = r.peer;
  const list: Check[] = [...steadyChecks(r.steadyState[0]), ...steadyChecks(r.steadyState[1])];
  list.push(
    info(
      `peer (Terraform-style refresh) of ${r.steadyState[1].roles} roles: wall, x the reconciler's`,
      `${ms(p.wallMs)}, ${num(p.wallToProduct)}x`,
    ),
    info(
      'peer: reads, throttled, waited, roles left behind',
      `${p.reads}, ${p.throttled}, ${ms(p.waitedMs)}, ${p.rolesLeftBehind}`,
    ),
    ...rateBoundChecks(r.rateBound),
    info(`drift: ${d.drifted} of ${d.roles} roles drifted`, ms(d.wallMs)),
    bar(
      'drift: repaired in one run',
      `${(d.outcomes.repaired ?? 0) + (d.outcomes.created ?? 0)} repaired, ${d.remainingDrift} left`,
      `${d.drifted}, 0 left`,
      d.repairedInOneRun,
      () => `outcomes ${JSON.stringify(d.outcomes)}`,
    ),
    info('intake: single ticket p50 / p99', `${ms(r.intake.single.p50Ms)} / ${ms(r.intake.single.p99Ms)}`),
    info('intake: batch of 10 p50 / p99', `${ms(r.intake.batch10.p50Ms)} / ${ms(r.intake.batch10.p99Ms)}`),
    ...coldStartChecks(r.coldStart),
  );
  for (const m of r.memory.runs) {
    list.push(
      info(
        `memory: peak RSS at ${m.roles} roles`,
        `${mib(m.peakRssMiB)} (heap peak ${mib(m.peakHeapMiB)}, kept ${mib(m.retainedHeapMiB)})`,
      ),
    );
  }
  const [small, large] = r.memory.runs;
  list.push(
    bar(
      `memory: peak growth for ${num(r.memory.rolesRatio, 0)}x roles`,
      `${num(r.memory.peakRatio)}x`,
      `<= ${TARGETS.memoryGrowth}x`,
      r.memory.flat,
      () =>
        `the heap in use peaked at ${mib(large.peakHeapMiB)} against ${mib(small.peakHeapMiB)} (kept after the ` +
        `run: ${mib(large.retainedHeapMiB)} against ${mib(small.retainedHeapMiB)}); V8 lets garbage grow up to ` +
        `the ${r.settings.heapLimitMiB} MiB old-space limit before it collects`,
    ),
  );
  if (r.tencentSteadyState !== undefined) list.push(...tencentSteadyChecks(r.tencentSteadyState));
  return list;
}

/** The rows of the printed table. */
export function resultRows(r: Measured): TableRow[] {
  return checks(r).map((c) => ({
    measure: c.measure,
    value: c.value,
    target: c.target,
    verdict: c.met === undefined ? '' : c.met ? 'ok' : 'MISS',
  }));
}

/** What missed its target, each with its cause. */
export function missedTargets(r: Measured): string[] {
  return checks(r)
    .filter((c) => c.met === false)
    .map((c) => `${c.measure}: ${c.value} (target ${c.target}): ${c.cause ?? 'cause unknown'}`);
}

/** The table as text, columns padded. */
export function formatTable(rows: readonly TableRow[]): string {
  const header: TableRow = { measure: 'measure', value: 'value', target: 'target', verdict: '' };
  const all = [header, ...rows];
  const width = (key: keyof TableRow) => Math.max(...all.map((row) => row[key].length));
  const w = { measure: width('measure'), value: width('value'), target: width('target') };
  const line = (row: TableRow) =>
    `${row.measure.padEnd(w.measure)}  ${row.value.padStart(w.value)}  ${row.target.padEnd(w.target)}  ${row.verdict}`.trimEnd();
  return [line(header), '-'.repeat(w.measure + w.value + w.target + 10), ...rows.map(line)].join('\n');
}
