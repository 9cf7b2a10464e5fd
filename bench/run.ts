/**
 * `npm run bench [-- --quick] [options]`: the benchmark suite, on the local cloud (a process of its own) with RAM
 * latency and per-account limits, every measured program from its bundle under plain Node: cold start of each
 * bundle, intake latency, the steady state at two fleet sizes over http and https beside the floor, the
 * Terraform-style peer, the rate-bound scenario with fan-out, drift repaired in one run, peak memory, and the
 * Tencent steady state's calls (bench/tencent-steady-state.ts). Prints
 * a table (each missed target with its cause) and writes bench/results.json. `--quick` runs the same measures
 * scaled down, in a few minutes.
 */
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { Command } from 'commander';
import { z } from 'zod';
import { benchColdStart } from './cold-start.js';
import { benchDriftEvent, formatDriftEventFigures } from './drift-event-bench.js';
import { benchIntake } from './intake-bench.js';
import { benchRateBound } from './rate-bound-bench.js';
import { benchReconcile } from './reconcile-bench.js';
import {
  type BenchResults,
  type BenchSettings,
  formatTable,
  memoryFigures,
  missedTargets,
  resultRows,
} from './report.js';
import { sYamlHeapLimitMiB } from './s-yaml-heap.js';
import { TENCENT_FLEETS } from './tencent-steady-figures.js';
import { benchTencentSteadyState } from './tencent-steady-state.js';
import { makeLocalCertificate } from './tls-certificate.js';
import { bundleWorkers } from './workers/run-worker.js';

const count = (name: string, max: number) =>
  z.coerce
    .number({ invalid_type_error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(1, `${name} must be at least 1`)
    .max(max, `${name} must be at most ${max}`);

/** The command line, validated. */
const OptionsSchema = z
  .object({
    quick: z.boolean().default(false),
    roles: count('--roles', 100_000).optional(),
    accounts: count('--accounts', 10_000).optional(),
    ramLatency: z
      .string()
      .regex(/^\d+-\d+$/, '--ram-latency is a range of milliseconds such as 20-50')
      .transform((v) => v.split('-').map(Number) as [number, number])
      .refine(([min, max]) => min <= max, '--ram-latency: the minimum must not exceed the maximum')
      .default('20-50'),
    rate: count('--rate', 10_000).default(20),
    accountConcurrency: count('--account-concurrency', 256).default(8),
    roleConcurrency: count('--role-concurrency', 64).default(4),
    drift: z.coerce
      .number()
      .gt(0, '--drift is a fraction above 0')
      .max(1, '--drift is a fraction of at most 1')
      .default(0.05),
    out: z.string().min(1).default('bench/results.json'),
  })
  .refine((o) => o.roles === undefined || o.accounts === undefined || o.roles >= o.accounts, {
    message: '--roles must be at least --accounts (every account holds a role)',
    path: ['roles'],
  });

function parseOptions(argv: readonly string[]): z.output<typeof OptionsSchema> {
  const program = new Command()
    .name('bench')
    .description('dts-trust benchmarks on the local cloud')
    .option('--quick', 'scaled-down run, under a minute, same fields')
    .option('--roles <n>', 'managed roles in the large steady-state fleet (default 10000, quick 1000)')
    .option('--accounts <n>', 'owner accounts in that fleet (default 1000, quick 100); the small fleet is a tenth')
    .option('--ram-latency <min-max>', 'RAM latency range, ms', '20-50')
    .option('--rate <n>', 'RAM requests per second per owner account', '20')
    .option('--account-concurrency <n>', 'owner accounts reconciled at once', '8')
    .option('--role-concurrency <n>', 'roles of one account in flight at once', '4')
    .option('--drift <fraction>', 'fraction of roles drifted for the drift run', '0.05')
    .option('--out <file>', 'results file', 'bench/results.json')
    .parse([...argv], { from: 'user' });
  const parsed = OptionsSchema.safeParse(program.opts());
  if (!parsed.success) {
    program.error(parsed.error.issues.map((i) => i.message).join('\n'));
  }
  return parsed.data as z.output<typeof OptionsSchema>;
}

function settingsOf(o: z.output<typeof OptionsSchema>): BenchSettings {
  const roles = o.roles ?? (o.quick ? 1_000 : 10_000);
  const accounts = o.accounts ?? (o.quick ? 100 : 1_000);
  const small = { roles: Math.max(1, Math.round(roles / 10)), accounts: Math.max(1, Math.round(accounts / 10)) };
  return {
    ramLatencyMs: o.ramLatency,
    ratePerSecond: o.rate,
    accountConcurrency: o.accountConcurrency,
    roleConcurrency: o.roleConcurrency,
    heapLimitMiB: sYamlHeapLimitMiB(),
    driftFraction: o.drift,
    fleets: [
      { roles: Math.max(small.roles, small.accounts), accounts: small.accounts },
      { roles, accounts },
    ],
    // Few large accounts: 20 x 500 at the per-account rate; quick, 2 x 300 at 50/s (still rate-bound: 4 roles in
    // flight at 35 ms make over 100 calls/s), each account a shard of its own (the threshold is 500 roles).
    rateBound: o.quick
      ? { roles: 600, accounts: 2, ratePerSecond: 50 }
      : { roles: 10_000, accounts: 20, ratePerSecond: o.rate },
    intakeSingles: o.quick ? 10 : 50,
    intakeBatches: o.quick ? 3 : 10,
    // 15 rounds: with 7, one bundle's median stood 15-20 ms off the others in a quiet run (docs/benchmarks.md).
    coldStartSamples: o.quick ? 3 : 15,
  };
}

/** Rounds of each fleet's steady state beside the floor (docs/benchmarks.md, "What is measured"). */
const STEADY_ROUNDS = { small: 7, large: 3 } as const;

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const settings = settingsOf(options);
  const started = Date.now();
  const loadAtStart = loadavg()[0] ?? 0;
  const progress = (message: string): void => {
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
  };
  // Cold start builds dist/, which everything after it runs.
  const coldStart = await benchColdStart({ samples: settings.coldStartSamples, progress });
  const workers = await bundleWorkers();
  const certificate = await makeLocalCertificate();
  try {
    const intake = await benchIntake({
      singles: settings.intakeSingles,
      batches: settings.intakeBatches,
      ramLatencyMs: settings.ramLatencyMs,
      ratePerSecond: settings.ratePerSecond,
      progress,
    });
    const common = {
      ramLatencyMs: settings.ramLatencyMs,
      ratePerSecond: settings.ratePerSecond,
      accountConcurrency: settings.accountConcurrency,
      roleConcurrency: settings.roleConcurrency,
      heapLimitMiB: settings.heapLimitMiB,
      transports: ['http', 'https'] as const,
      certificate,
      workers,
      progress,
    };
    // A run of 1,000 roles is about 2 s of CPU, where one run's ratio to the floor moved by 0.3 between quiet
    // rounds (1.16-1.48x): 7 rounds, the round of median ratio kept. 10,000 roles are 12 s and more a run, whose
    // single runs still moved 1.11-1.29x between full runs: 3 rounds (each adds about 2 minutes).
    const small = await benchReconcile({ ...common, size: settings.fleets[0], rounds: STEADY_ROUNDS.small });
    const large = await benchReconcile({
      ...common,
      size: settings.fleets[1],
      rounds: STEADY_ROUNDS.large,
      peer: true,
      driftFraction: settings.driftFraction,
    });
    if (!large.drift || !large.peer) throw new Error('the large fleet did not report its drift run and peer');
    const rateBound = await benchRateBound({
      size: settings.rateBound,
      ramLatencyMs: settings.ramLatencyMs,
      ratePerSecond: settings.rateBound.ratePerSecond,
      heapLimitMiB: settings.heapLimitMiB,
      workers,
      progress,
    });
    const tencentSteadyState = await benchTencentSteadyState({
      size: options.quick ? TENCENT_FLEETS.quick : TENCENT_FLEETS.full,
      progress,
    });
    const measured: Omit<BenchResults, 'missedTargets'> = {
      generatedAt: new Date().toISOString(),
      quick: options.quick,
      machine: {
        cpus: cpus().length,
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        loadAverage: [loadAtStart, loadavg()[0] ?? 0],
      },
      settings,
      steadyState: [small.steady, large.steady],
      peer: large.peer,
      rateBound,
      drift: large.drift,
      intake,
      coldStart,
      memory: memoryFigures(small.memory, large.memory),
      tencentSteadyState,
    };
    const results: BenchResults = { ...measured, missedTargets: missedTargets(measured) };
    await writeFile(options.out, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`\n${formatTable(resultRows(measured))}\n\n`);
    process.stdout.write(
      formatDriftEventFigures(await benchDriftEvent({ ...settings, samples: options.quick ? 5 : 20, progress })),
    );
    if (results.missedTargets.length > 0) {
      process.stdout.write(`Missed targets:\n${results.missedTargets.map((m) => `  - ${m}`).join('\n')}\n`);
    }
    process.stdout.write(`\nResults written to ${options.out} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  } finally {
    await workers.remove();
    await certificate.remove();
  }
}

await main();
