/**
 * Cold start of each function bundle: `npm run build` makes dist/<function>/index.js (and the code package around
 * it); each bundle's size, the time to load it inside a fresh Node process, the wall time of a process that loads
 * it compared with an empty Node process (the overhead a cold FC instance pays before the handler runs), and the
 * invocations as FC makes them: the bundles deployed to the local cloud's FC, each first invocation on a new
 * instance (node process started, code package loaded, handler run against the cloud) and the next on the same,
 * warm instance.
 *
 * The process figures are taken in rounds, after one untimed round that brings every file into the page cache: each
 * round starts an empty process, then loads each bundle, in an order that rotates from round to round, and a
 * bundle's overhead is the median over rounds of its wall time minus that round's empty process. Measured apart
 * (the empty process once at the start, each bundle's samples in a block), a drift of the machine's speed between
 * the blocks, or a cold file cache for the first bundle, landed on one bundle's figure (docs/benchmarks.md).
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startLocalCloud } from '../local/cloud/server.js';
import { registerFcFunction } from '../local/cloud/services/fc/functions.js';
import { CodePackage, DIST_DIR, deployBundles, functionSettings, invokeLocally } from '../local/harness/deployment.js';
import { LOCAL_EVENT_BUS, localCloudEnvironment } from '../local/harness/local-environment.js';
import { mnsTriggerEvent } from '../local/harness/sample-events.js';
import { median } from './bound.js';
import { rotated } from './rounds.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

/** What each bundle should stay under: ms over an empty node process, and bytes of the bundle. */
export const COLD_START_TARGETS: Readonly<Record<string, { readonly overheadMs: number; readonly bytes: number }>> = {
  'ticket-intake': { overheadMs: 100, bytes: 2_000_000 },
  'reconcile-shard': { overheadMs: 100, bytes: 2_000_000 },
  // The only function that fans out (the FC invoker), and the one that reconciles a whole fleet in one run.
  'drift-reconciler': { overheadMs: 150, bytes: 2_000_000 },
};
const DEFAULT_TARGET = { overheadMs: 100, bytes: 2_000_000 } as const;

/** Figures of one function's bundle. */
export interface BundleFigures {
  readonly name: string;
  readonly bytes: number;
  /** The whole code package (dist/<name>: the bundle and the node_modules it ships), bytes. */
  readonly codePackageBytes: number;
  /** Time `require` of the bundle takes inside a fresh process (median), ms. */
  readonly loadMs: number;
  /** Of that, the packages shipped beside the bundle that its load requires (tablestore and its dependencies), ms. */
  readonly shippedLoadMs: number;
  /** Wall time of a process that loads the bundle minus that of an empty process started in the same round (median over rounds), ms. */
  readonly overheadMs: number;
  /** First invocation on a new instance of the local FC (process start, load, handler), median, ms. */
  readonly coldInvokeMs: number;
  /** The next invocation on the same instance, median, ms. */
  readonly warmInvokeMs: number;
  readonly targetMs: number;
  readonly targetBytes: number;
  readonly withinTargets: boolean;
  /** What the load is made of: the largest packages in the bundle and the shipped ones' load time. */
  readonly cause: string;
}

/** Figures of the cold-start benchmark. */
export interface ColdStartFigures {
  /** Wall time of an empty Node process (median over rounds), ms. */
  readonly emptyProcessMs: number;
  readonly bundles: readonly BundleFigures[];
}

async function wallMs(args: readonly string[]): Promise<number> {
  const started = performance.now();
  await run(process.execPath, [...args], { cwd: ROOT });
  return performance.now() - started;
}

/** The time `require` of the bundle takes, and how much of it the shipped packages take (loaded first). */
async function loadMs(file: string, shipped: readonly string[]): Promise<{ total: number; shipped: number }> {
  const from = JSON.stringify(file);
  const script =
    `const r=require('node:module').createRequire(${from});const t=performance.now();` +
    `for(const p of ${JSON.stringify(shipped)})r(p);const s=performance.now()-t;` +
    `require(${from});process.stdout.write(JSON.stringify([performance.now()-t,s]))`;
  const { stdout } = await run(process.execPath, ['-e', script], { cwd: ROOT });
  const [total, shippedMs] = JSON.parse(stdout) as [number, number];
  return { total, shipped: shippedMs };
}

/**
 * Of the packages shipped beside a bundle, those its `require` loads (the tablestore SDK; not the ones it loads on
 * first use, such as Tencent's SDKs), in a fresh process.
 */
async function loadedOnRequire(file: string, shipped: readonly string[]): Promise<string[]> {
  const from = JSON.stringify(file);
  const script =
    `require(${from});const dir=require('node:path').join(require('node:path').dirname(${from}),'node_modules');` +
    `const loaded=Object.keys(require.cache).filter((f)=>f.startsWith(dir));` +
    `process.stdout.write(JSON.stringify(${JSON.stringify(shipped)}.filter((p)=>loaded.some((f)=>f.startsWith(require('node:path').join(dir,p,'/'))))))`;
  const { stdout } = await run(process.execPath, ['-e', script], { cwd: ROOT });
  return JSON.parse(stdout) as string[];
}

/** What `npm run build` wrote about each bundle (dist/bundles.json). */
interface BundleReport {
  /** The packages the bundle requires from its node_modules. */
  readonly requires: readonly string[];
  readonly composition: Readonly<Record<string, number>>;
}

const kib = (bytes: number): string => `${Math.round(bytes / 1024)} KiB`;

function causeOf(report: BundleReport | undefined, shippedLoadMs: number, loadMs: number): string {
  const largest = Object.entries(report?.composition ?? {})
    .slice(0, 4)
    .map(([pkg, bytes]) => `${pkg} ${kib(bytes)}`)
    .join(', ');
  return (
    `Node 20 compiles and runs the whole bundle on load (largest parts: ${largest}) and the tablestore SDK ` +
    `from node_modules (${Math.round(shippedLoadMs)} of the ${Math.round(loadMs)} ms load); no code cache`
  );
}

async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/** A cheap, real event for each function: one malformed message, an empty timer run, one account's shard. */
function sampleEventFor(name: string, accounts: { automation: string; owner: string }): unknown {
  if (name === 'ticket-intake') {
    const who = {
      sourceOwner: accounts.owner,
      destinationOwner: accounts.owner,
      task: accounts.owner,
      automation: accounts.automation,
    };
    return mnsTriggerEvent(['not json'], who, new Date());
  }
  if (name === 'drift-reconciler') {
    return { triggerTime: `${new Date().toISOString().slice(0, 19)}Z`, triggerName: 'bench', payload: '' };
  }
  return { correlationId: '00000000-0000-4000-8000-000000000000', shard: 0, ownerAccountIds: [accounts.owner] };
}

/** Invocation times of each bundle on the local FC: cold (new instance) and warm (same instance), medians. */
async function invokeTimes(
  samples: number,
  progress: ((message: string) => void) | undefined,
): Promise<Map<string, { coldMs: number; warmMs: number }>> {
  const document = JSON.parse(await readFile(path.join(ROOT, 'local/accounts.example.json'), 'utf8')) as {
    accounts: { id: string; name: string }[];
  };
  const id = (name: string) => document.accounts.find((a) => a.name === name)?.id ?? '';
  const accounts = { automation: id('automation'), owner: id('source-owner') };
  const cloud = await startLocalCloud({
    accounts: document,
    services: { eventbridge: { buses: [LOCAL_EVENT_BUS] }, tablestore: { tableLoadSeconds: 0 } },
  });
  const times = new Map<string, { coldMs: number; warmMs: number }>();
  try {
    deployBundles(cloud);
    const settings = functionSettings(localCloudEnvironment(cloud));
    for (const [functionName, dir] of Object.entries(CodePackage)) {
      progress?.(`invocations of ${dir} on the local FC`);
      const event = sampleEventFor(dir, accounts);
      const call = async (): Promise<number> => {
        const started = performance.now();
        const answer = await invokeLocally(cloud, functionName, event);
        if (answer.errorType) throw new Error(`${functionName} failed: ${JSON.stringify(answer.body)}`);
        return performance.now() - started;
      };
      await call(); // creates the tables; not timed
      const cold: number[] = [];
      const warm: number[] = [];
      for (let i = 0; i < samples; i++) {
        // A new deployment: the next invocation starts a new instance, as after a cold start on FC.
        registerFcFunction(cloud.core, functionName, { ...settings[functionName], codeDir: path.join(DIST_DIR, dir) });
        cold.push(await call());
        warm.push(await call());
      }
      times.set(dir, { coldMs: median(cold), warmMs: median(warm) });
    }
  } finally {
    await cloud.stop();
  }
  return times;
}

/** One bundle's figures in one round, beside the empty process of that round. */
interface RoundFigures {
  readonly emptyMs: number;
  readonly wallMs: number;
  readonly loadMs: number;
  readonly shippedMs: number;
}

/**
 * `samples` timed rounds after one untimed one (the page cache, the node binary): each an empty process, then each
 * bundle (a process that loads it, then its load timed inside a process), the bundles' order rotated every round.
 */
async function processRounds(
  names: readonly string[],
  files: ReadonlyMap<string, string>,
  shipped: ReadonlyMap<string, readonly string[]>,
  samples: number,
): Promise<{ emptyMs: number; bundles: Map<string, RoundFigures> }[]> {
  const rounds: { emptyMs: number; bundles: Map<string, RoundFigures> }[] = [];
  for (let round = -1; round < samples; round++) {
    const emptyMs = await wallMs(['-e', '0']);
    const bundles = new Map<string, RoundFigures>();
    for (const name of rotated(names, Math.max(0, round))) {
      const file = files.get(name) as string;
      const wall = await wallMs(['-e', `require(${JSON.stringify(file)})`]);
      const load = await loadMs(file, shipped.get(name) ?? []);
      bundles.set(name, { emptyMs, wallMs: wall, loadMs: load.total, shippedMs: load.shipped });
    }
    if (round >= 0) rounds.push({ emptyMs, bundles });
  }
  return rounds;
}

/** Build the bundles and time `samples` cold loads and invocations of each. */
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
  const reports = JSON.parse(await readFile(path.join(dist, 'bundles.json'), 'utf8')) as Record<string, BundleReport>;
  const files = new Map(names.map((name) => [name, path.join(dist, name, 'index.js')]));
  const shipped = new Map<string, string[]>();
  for (const [name, file] of files) shipped.set(name, await loadedOnRequire(file, reports[name]?.requires ?? []));
  options.progress?.(`cold start of ${names.join(', ')}: ${options.samples} rounds`);
  const rounds = await processRounds(names, files, shipped, options.samples);
  const emptyProcessMs = median(rounds.map((r) => r.emptyMs));
  const invocations = await invokeTimes(options.samples, options.progress);
  const bundles: BundleFigures[] = [];
  for (const name of names) {
    const file = files.get(name) as string;
    const loads = rounds.map((r) => r.bundles.get(name) as RoundFigures);
    const bytes = (await stat(file)).size;
    const overheadMs = Math.max(0, median(loads.map((l) => l.wallMs - l.emptyMs)));
    const target = COLD_START_TARGETS[name] ?? DEFAULT_TARGET;
    const load = median(loads.map((l) => l.loadMs));
    const shippedLoadMs = median(loads.map((l) => l.shippedMs));
    bundles.push({
      name,
      bytes,
      codePackageBytes: await treeBytes(path.join(dist, name)),
      loadMs: load,
      shippedLoadMs,
      overheadMs,
      coldInvokeMs: invocations.get(name)?.coldMs ?? Number.NaN,
      warmInvokeMs: invocations.get(name)?.warmMs ?? Number.NaN,
      targetMs: target.overheadMs,
      targetBytes: target.bytes,
      withinTargets: overheadMs <= target.overheadMs && bytes <= target.bytes,
      cause: causeOf(reports[name], shippedLoadMs, load),
    });
  }
  return { emptyProcessMs, bundles };
}
