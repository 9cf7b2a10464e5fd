/**
 * `npm run bench:cold-start [-- --samples <n>]`: the cold-start benchmark alone (bench/cold-start.ts), the same
 * figures `npm run bench` keeps in bench/results.json (`coldStart`); builds dist/, prints the rows, writes nothing.
 */
import { cpus, loadavg } from 'node:os';
import { Command } from 'commander';
import { z } from 'zod';
import { benchColdStart } from './cold-start.js';
import { coldStartChecks, formatTable } from './report.js';

const program = new Command()
  .name('bench:cold-start')
  .option('--samples <n>', 'rounds of processes (and invocations of each bundle)', '7')
  .parse(process.argv.slice(2), { from: 'user' });
const parsed = z.coerce
  .number({ invalid_type_error: '--samples must be a number' })
  .int('--samples must be a whole number')
  .min(1, '--samples must be at least 1')
  .max(100, '--samples must be at most 100')
  .safeParse(program.opts().samples);
if (!parsed.success) program.error(parsed.error.issues.map((i) => i.message).join('\n'));
const samples = parsed.data as number;

const loadAtStart = loadavg()[0] ?? 0;
const figures = await benchColdStart({ samples, progress: (message) => process.stderr.write(`${message}\n`) });
const rows = coldStartChecks(figures).map((c) => ({
  measure: c.measure,
  value: c.value,
  target: c.target,
  verdict: c.met === undefined ? '' : c.met ? 'ok' : 'MISS',
}));
process.stdout.write(`${formatTable(rows)}\n`);
process.stdout.write(
  `empty node process ${figures.emptyProcessMs.toFixed(0)} ms; ${cpus().length} cores, load average ` +
    `${loadAtStart.toFixed(1)} -> ${(loadavg()[0] ?? 0).toFixed(1)}\n`,
);
for (const c of coldStartChecks(figures).filter((check) => check.met === false)) {
  process.stdout.write(`  - ${c.measure}: ${c.cause ?? ''}\n`);
}
