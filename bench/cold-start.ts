/**
 * Cold start of each function bundle: `npm run build` makes dist/<function>/index.js; each bundle's size, the
 * time to load it inside a fresh Node process, and the wall time of a process that loads it compared with an
 * empty Node process (the overhead a cold FC instance pays before the handler runs).
 */
import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median } from './bound.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

/** What a bundle should stay under. */
export const COLD_START_TARGETS = { overheadMs: 100, bundleBytes: 2_000_000 } as const;

/** Figures of one function's bundle. */
export interface BundleFigures {
  readonly name: string;
  readonly bytes: number;
  /** Time `require` of the bundle takes inside a fresh process (median), ms. */
  readonly loadMs: number;
  /** Wall time of a process that loads the bundle, minus an empty process's (medians), ms. */
  readonly overheadMs: number;
  readonly withinTargets: boolean;
}

/** Figures of the cold-start benchmark. */
export interface ColdStartFigures {
  /** Wall time of an empty Node process (median), ms. */
  readonly emptyProcessMs: number;
  readonly bundles: readonly BundleFigures[];
}

async function wallMs(args: readonly string[]): Promise<number> {
  const started = performance.now();
  await run(process.execPath, [...args], { cwd: ROOT });
  return performance.now() - started;
}

async function loadMs(file: string): Promise<number> {
  const script = `const t=performance.now();require(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t))`;
  const { stdout } = await run(process.execPath, ['-e', script], { cwd: ROOT });
  return Number(stdout);
}

/** Build the bundles and time `samples` cold loads of each. */
export async function benchColdStart(options: {
  samples: number;
  progress?: (message: string) => void;
}): Promise<ColdStartFigures> {
  options.progress?.('building the function bundles');
  await run(process.execPath, ['scripts/build.mjs'], { cwd: ROOT });
  const dist = path.join(ROOT, 'dist');
  const names = (await readdir(dist, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const empty: number[] = [];
  for (let i = 0; i < options.samples; i++) empty.push(await wallMs(['-e', '0']));
  const emptyProcessMs = median(empty);
  const bundles: BundleFigures[] = [];
  for (const name of names) {
    options.progress?.(`cold start of ${name}`);
    const file = path.join(dist, name, 'index.js');
    const loads: number[] = [];
    const walls: number[] = [];
    for (let i = 0; i < options.samples; i++) {
      loads.push(await loadMs(file));
      walls.push(await wallMs(['-e', `require(${JSON.stringify(file)})`]));
    }
    const bytes = (await stat(file)).size;
    const overheadMs = Math.max(0, median(walls) - emptyProcessMs);
    bundles.push({
      name,
      bytes,
      loadMs: median(loads),
      overheadMs,
      withinTargets: overheadMs <= COLD_START_TARGETS.overheadMs && bytes <= COLD_START_TARGETS.bundleBytes,
    });
  }
  return { emptyProcessMs, bundles };
}
