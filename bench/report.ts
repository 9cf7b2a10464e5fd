/** The benchmark's results file and the table it prints (pure: no I/O). */
import type { ColdStartFigures } from './cold-start.js';
import { COLD_START_TARGETS } from './cold-start.js';
import type { IntakeFigures } from './intake-bench.js';
import { type DriftFigures, type MemoryFigure, type SteadyFigures, TARGET_RATIO_TO_BOUND } from './reconcile-bench.js';

/** Peak memory may grow by at most this factor when the roles grow tenfold (it must not follow the roles). */
export const MEMORY_GROWTH_LIMIT = 1.5;

/** The settings a suite ran with. */
export interface BenchSettings {
  readonly roles: number;
  readonly accounts: number;
  readonly ramLatencyMs: readonly [number, number];
  readonly ratePerSecond: number;
  readonly accountConcurrency: number;
  readonly roleConcurrency: number;
  /** Old-space limit of the reconciling process, MiB (see docs/benchmarks.md). */
  readonly heapLimitMiB: number;
  readonly driftFraction: number;
  readonly memoryRoles: readonly [number, number];
  readonly intakeSingles: number;
  readonly intakeBatches: number;
  readonly coldStartSamples: number;
}

/** Memory at two fleet sizes. */
export interface MemoryFigures {
  readonly runs: readonly [MemoryFigure, MemoryFigure];
  readonly rolesRatio: number;
  readonly peakRatio: number;
  /** True when peak memory grew by at most {@link MEMORY_GROWTH_LIMIT}. */
  readonly flat: boolean;
}

/** Everything `npm run bench` measured (bench/results.json). */
export interface BenchResults {
  readonly generatedAt: string;
  readonly quick: boolean;
  readonly machine: { readonly cpus: number; readonly node: string; readonly platform: string };
  readonly settings: BenchSettings;
  readonly steadyState: SteadyFigures;
  readonly drift: DriftFigures;
  readonly intake: IntakeFigures;
  readonly coldStart: ColdStartFigures;
  readonly memory: MemoryFigures;
  /** Measures that missed their target, and why. */
  readonly missedTargets: readonly string[];
}

/** Compare the peak memory of two runs. */
export function memoryFigures(small: MemoryFigure, large: MemoryFigure): MemoryFigures {
  const peakRatio = large.peakRssMiB / small.peakRssMiB;
  return {
    runs: [small, large],
    rolesRatio: large.roles / small.roles,
    peakRatio,
    flat: peakRatio <= MEMORY_GROWTH_LIMIT,
  };
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
const verdict = (pass: boolean): string => (pass ? 'ok' : 'MISS');

/** The rows of the printed table. */
export function resultRows(r: Omit<BenchResults, 'missedTargets'>): TableRow[] {
  const s = r.steadyState;
  const d = r.drift;
  const rows: TableRow[] = [
    { measure: `steady: ${s.roles} roles in ${s.accounts} accounts`, value: ms(s.wallMs), target: '', verdict: '' },
    {
      measure: 'steady: RAM calls per role',
      value: num(s.ramCallsPerRole),
      target: '2',
      verdict: verdict(s.ramCallsPerRole === 2),
    },
    {
      measure: 'steady: AssumeRole per account',
      value: num(s.assumeRolePerAccount),
      target: '1',
      verdict: verdict(s.assumeRolePerAccount === 1),
    },
    { measure: 'steady: RAM writes', value: String(s.writes), target: '0', verdict: verdict(s.writes === 0) },
    { measure: 'steady: throttled calls', value: String(s.throttled), target: '', verdict: '' },
    {
      measure: `steady: lower bound (${s.limitedBy}-bound)`,
      value: ms(s.boundMs),
      target: '',
      verdict: '',
    },
    {
      measure: 'steady: ratioToBound',
      value: num(s.ratioToBound),
      target: `>= ${TARGET_RATIO_TO_BOUND}`,
      verdict: verdict(s.ratioToBound >= TARGET_RATIO_TO_BOUND),
    },
    { measure: 'steady: reconciler CPU share', value: `${Math.round(s.cpuShare * 100)}%`, target: '', verdict: '' },
    {
      measure: `drift: ${d.drifted} of ${d.roles} roles drifted`,
      value: ms(d.wallMs),
      target: '',
      verdict: '',
    },
    {
      measure: 'drift: repaired in one run',
      value: `${(d.outcomes.repaired ?? 0) + (d.outcomes.created ?? 0)} repaired, ${d.remainingDrift} left`,
      target: `${d.drifted}, 0 left`,
      verdict: verdict(d.repairedInOneRun),
    },
    {
      measure: 'intake: single ticket p50 / p99',
      value: `${ms(r.intake.single.p50Ms)} / ${ms(r.intake.single.p99Ms)}`,
      target: '',
      verdict: '',
    },
    {
      measure: 'intake: batch of 10 p50 / p99',
      value: `${ms(r.intake.batch10.p50Ms)} / ${ms(r.intake.batch10.p99Ms)}`,
      target: '',
      verdict: '',
    },
  ];
  for (const b of r.coldStart.bundles) {
    rows.push({
      measure: `cold start: ${b.name} (load ${ms(b.loadMs)})`,
      value: `${ms(b.overheadMs)}, ${(b.bytes / 1_000_000).toFixed(2)} MB`,
      target: `<= ${COLD_START_TARGETS.overheadMs} ms, <= ${COLD_START_TARGETS.bundleBytes / 1_000_000} MB`,
      verdict: verdict(b.withinTargets),
    });
    rows.push({
      measure: `invoke: ${b.name} on a new / warm instance`,
      value: `${ms(b.coldInvokeMs)} / ${ms(b.warmInvokeMs)}, package ${(b.codePackageBytes / 1_000_000).toFixed(2)} MB`,
      target: '',
      verdict: '',
    });
  }
  for (const m of r.memory.runs) {
    rows.push({
      measure: `memory: peak RSS at ${m.roles} roles`,
      value: `${mib(m.peakRssMiB)} (heap kept ${mib(m.retainedHeapMiB)})`,
      target: '',
      verdict: '',
    });
  }
  rows.push({
    measure: `memory: peak growth for ${num(r.memory.rolesRatio, 0)}x roles`,
    value: `${num(r.memory.peakRatio)}x`,
    target: `<= ${MEMORY_GROWTH_LIMIT}x`,
    verdict: verdict(r.memory.flat),
  });
  return rows;
}

/** What missed its target, each with the reason when the benchmark knows it. */
export function missedTargets(r: Omit<BenchResults, 'missedTargets'>): string[] {
  const missed: string[] = [];
  const s = r.steadyState;
  if (s.ratioToBound < TARGET_RATIO_TO_BOUND) {
    missed.push(`ratioToBound ${num(s.ratioToBound)} < ${TARGET_RATIO_TO_BOUND}: ${s.heldBackBy ?? 'unknown'}`);
  }
  const inSync = s.outcomes.inSync ?? 0;
  if (inSync !== s.roles) missed.push(`steady state found ${s.roles - inSync} of ${s.roles} roles not in sync`);
  if (s.writes > 0) missed.push(`steady state made ${s.writes} RAM writes`);
  if (s.ramCallsPerRole !== 2) missed.push(`steady state made ${num(s.ramCallsPerRole)} RAM calls per role, not 2`);
  if (s.assumeRolePerAccount !== 1) {
    missed.push(`steady state made ${num(s.assumeRolePerAccount)} AssumeRole calls per account, not 1`);
  }
  if (!r.drift.repairedInOneRun) missed.push(`drift: ${r.drift.remainingDrift} roles still drifted after one run`);
  for (const b of r.coldStart.bundles) {
    if (!b.withinTargets) {
      missed.push(
        `cold start of ${b.name}: ${Math.round(b.overheadMs)} ms over an empty process, ${b.bytes} bytes ` +
          `(${b.name === 'drift-reconciler' ? 'fc20230330 ~470 KiB, ' : ''}ram20150501 ~380 KiB bundled and ` +
          'the tablestore SDK loaded from node_modules are evaluated whole on load; Node 20 has no compile cache)',
      );
    }
  }
  if (!r.memory.flat) missed.push(`memory grew ${num(r.memory.peakRatio)}x for ${num(r.memory.rolesRatio, 0)}x roles`);
  return missed;
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
