/**
 * `npm run bench:tencent [-- --quick]`: the Tencent steady state alone (bench/tencent-steady-state.ts), the same
 * count `npm run bench` makes and keeps in bench/results.json (`tencentSteadyState`); prints its rows and writes
 * nothing. A count of calls, so a busy machine gives the same figures as a quiet one.
 */
import { formatTable } from './report.js';
import { TENCENT_FLEETS, tencentSteadyChecks } from './tencent-steady-figures.js';
import { benchTencentSteadyState } from './tencent-steady-state.js';

const quick = process.argv.slice(2).includes('--quick');
const figures = await benchTencentSteadyState({
  size: quick ? TENCENT_FLEETS.quick : TENCENT_FLEETS.full,
  progress: (message) => process.stderr.write(`${message}\n`),
});
const rows = tencentSteadyChecks(figures).map((c) => ({
  measure: c.measure,
  value: c.value,
  target: c.target,
  verdict: c.met === undefined ? '' : c.met ? 'ok' : 'MISS',
}));
process.stdout.write(`${formatTable(rows)}\n`);
const missed = tencentSteadyChecks(figures).filter((c) => c.met === false);
for (const c of missed) process.stdout.write(`  - ${c.measure}: ${c.cause ?? ''}\n`);
process.exitCode = missed.length > 0 ? 1 : 0;
