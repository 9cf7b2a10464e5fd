/**
 * `npm run bench [-- --quick] [options]`: the benchmark suite. Reconcile steady state against its lower bound,
 * drift repaired in one run, intake latency, cold start of each bundle and peak memory at two fleet sizes, on
 * the local cloud with RAM latency and per-account limits. Prints a table and writes bench/results.json.
 * `--quick` runs the same measures scaled down, in under a minute.
 */
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { Command } from 'commander';
import { z } from 'zod';
import { benchColdStart } from './cold-start.js';
import { benchIntake } from './intake-bench.js';
import { benchReconcile } from './reconcile-bench.js';
import {
  type BenchResults,
  type BenchSettings,
  formatTable,
  memoryFigures,
  missedTargets,
  resultRows,
} from './report.js';

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
    heapLimit: count('--heap-limit', 65_536).default(256),
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
    .option('--roles <n>', 'managed roles in the steady-state fleet (default 10000, quick 1000)')
    .option('--accounts <n>', 'owner accounts in that fleet (default 1000, quick 100)')
    .option('--ram-latency <min-max>', 'RAM latency range, ms', '20-50')
    .option('--rate <n>', 'RAM requests per second per owner account', '20')
    .option('--account-concurrency <n>', 'owner accounts reconciled at once', '8')
    .option('--role-concurrency <n>', 'roles of one account in flight at once', '4')
    .option('--heap-limit <MiB>', 'old-space limit of the reconciling process (--max-old-space-size)', '256')
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
  return {
    roles,
    accounts,
    ramLatencyMs: o.ramLatency,
    ratePerSecond: o.rate,
    accountConcurrency: o.accountConcurrency,
    roleConcurrency: o.roleConcurrency,
    heapLimitMiB: o.heapLimit,
    driftFraction: o.drift,
    memoryRoles: [Math.max(accounts, Math.round(roles / 10)), roles],
    intakeSingles: o.quick ? 10 : 50,
    intakeBatches: o.quick ? 3 : 10,
    coldStartSamples: o.quick ? 3 : 7,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const settings = settingsOf(options);
  const started = Date.now();
  const progress = (message: string): void => {
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
  };
  const reconcileSettings = {
    ramLatencyMs: settings.ramLatencyMs,
    ratePerSecond: settings.ratePerSecond,
    accountConcurrency: settings.accountConcurrency,
    roleConcurrency: settings.roleConcurrency,
    heapLimitMiB: settings.heapLimitMiB,
    progress,
  };

  const coldStart = await benchColdStart({ samples: settings.coldStartSamples, progress });
  const intake = await benchIntake({
    singles: settings.intakeSingles,
    batches: settings.intakeBatches,
    ramLatencyMs: settings.ramLatencyMs,
    ratePerSecond: settings.ratePerSecond,
    progress,
  });
  const small = await benchReconcile({
    ...reconcileSettings,
    size: {
      roles: settings.memoryRoles[0],
      accounts: Math.max(1, Math.round((settings.accounts * settings.memoryRoles[0]) / settings.roles)),
    },
  });
  const large = await benchReconcile({
    ...reconcileSettings,
    size: { roles: settings.roles, accounts: settings.accounts },
    driftFraction: settings.driftFraction,
  });
  if (!large.drift) throw new Error('the drift run did not report');

  const measured: Omit<BenchResults, 'missedTargets'> = {
    generatedAt: new Date().toISOString(),
    quick: options.quick,
    machine: { cpus: cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` },
    settings,
    steadyState: large.steady,
    drift: large.drift,
    intake,
    coldStart,
    memory: memoryFigures(small.memory, large.memory),
  };
  const results: BenchResults = { ...measured, missedTargets: missedTargets(measured) };
  await writeFile(options.out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${formatTable(resultRows(measured))}\n\n`);
  if (results.missedTargets.length > 0) {
    process.stdout.write(`Missed targets:\n${results.missedTargets.map((m) => `  - ${m}`).join('\n')}\n`);
  }
  process.stdout.write(`\nResults written to ${options.out} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
}

await main();
