/**
 * `npx tsx bench/rate-bound-run.ts [--quick] [options]`: only the rate-bound scenario of `npm run bench` (builds
 * dist/ first), printed with where the slowest account's time went and the load average around the run. Default
 * 20 x 500 roles at 20/s; `--quick` 2 x 300 at 50/s, as the suite's quick mode. `--env KEY=VALUE` sets more
 * environment of the functions, for comparing a setting in alternating runs; `--dist <dir>` runs another build
 * (a copy of an earlier dist/), for comparing two builds. Writes no results file.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { z } from 'zod';
import { benchRateBound } from './rate-bound-bench.js';
import { formatTimeline } from './rate-bound-timeline.js';
import { sYamlHeapLimitMiB } from './s-yaml-heap.js';
import { bundleWorkers } from './workers/run-worker.js';

const whole = (name: string) =>
  z.coerce
    .number({ invalid_type_error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(1);

const OptionsSchema = z.object({
  quick: z.boolean().default(false),
  accounts: whole('--accounts').optional(),
  roles: whole('--roles').optional(),
  rate: whole('--rate').optional(),
  shardThreshold: whole('--shard-threshold').optional(),
  dist: z.string().min(1, '--dist names a directory').optional(),
  env: z
    .array(z.string().regex(/^[A-Z][A-Z0-9_]*=.*$/, '--env takes KEY=VALUE (an upper-case variable name)'))
    .default([]),
});

const program = new Command()
  .name('rate-bound-run')
  .option('--quick', '2 x 300 roles at 50/s')
  .option('--accounts <n>', 'owner accounts (default 20, quick 2)')
  .option('--roles <n>', 'roles in all (default 10000, quick 600)')
  .option('--rate <n>', 'RAM calls per second per account (default 20, quick 50)')
  .option('--shard-threshold <n>', "DTS_TRUST_SHARD_THRESHOLD (default the product's)")
  .option('--env <KEY=VALUE...>', 'more environment of the functions')
  .option('--dist <dir>', 'run this build (a copy of an earlier dist/) instead of building dist/')
  .parse();
const parsed = OptionsSchema.safeParse(program.opts());
if (!parsed.success) program.error(parsed.error.issues.map((i) => i.message).join('\n'));
const o = parsed.data as z.output<typeof OptionsSchema>;

if (o.dist === undefined)
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: ['ignore', 'ignore', 'inherit'] });
const workers = await bundleWorkers();
try {
  const loadBefore = loadavg()[0] ?? 0;
  const figures = await benchRateBound({
    size: { accounts: o.accounts ?? (o.quick ? 2 : 20), roles: o.roles ?? (o.quick ? 600 : 10_000) },
    ramLatencyMs: [20, 50],
    ratePerSecond: o.rate ?? (o.quick ? 50 : 20),
    heapLimitMiB: sYamlHeapLimitMiB(),
    workers,
    shardThreshold: o.shardThreshold,
    distDir: o.dist === undefined ? undefined : path.resolve(o.dist),
    environment: Object.fromEntries(o.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
    progress: (message) => process.stderr.write(`${message}\n`),
  });
  const { slowestAccount, accountMedians, ...rest } = figures;
  process.stdout.write(`${JSON.stringify({ ...rest, loadAverage: [loadBefore, loadavg()[0] ?? 0] })}\n`);
  process.stdout.write(`medians over the accounts: ${JSON.stringify(accountMedians)}\n`);
  if (slowestAccount) process.stdout.write(`slowest ${formatTimeline(slowestAccount)}\n`);
} finally {
  await workers.remove();
}
