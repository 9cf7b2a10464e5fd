/**
 * The bench's side of its worker processes: bundle them with esbuild as scripts/build.mjs bundles the functions
 * (so the measured processes run bundled code under plain Node, never tsx), run one with a request on stdin, and
 * validate its answer.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { z } from 'zod';
import { NODE20_BUNDLE } from '../../scripts/side-bundles.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The worker programs. */
export const Worker = {
  /** Invokes a function bundle (bench/workers/function-worker.ts). */
  Function: 'function-worker',
  /** The bare loop (bench/workers/floor-worker.ts). */
  Floor: 'floor-worker',
  /** The Terraform-style refresh (bench/workers/peer-worker.ts). */
  Peer: 'peer-worker',
} as const;
/** One of {@link Worker}. */
export type Worker = (typeof Worker)[keyof typeof Worker];

/** The figures every worker measures (bench/workers/measure.ts). */
export const MeasuredSchema = z.object({
  wallMs: z.number(),
  cpuMs: z.number(),
  baselineRssBytes: z.number(),
  peakRssBytes: z.number(),
  peakHeapBytes: z.number(),
  retainedHeapBytes: z.number(),
});

/** Bundled workers in a temporary folder. */
export interface WorkerBundles {
  /** Run a worker: `request` goes to its stdin; its last stdout line, validated with `answer`, comes back. */
  run<S extends z.ZodTypeAny>(
    worker: Worker,
    request: unknown,
    answer: S,
    options?: { nodeOptions?: readonly string[]; env?: Readonly<Record<string, string>> },
  ): Promise<z.output<S>>;
  remove(): Promise<void>;
}

/** Bundle every worker (minified CommonJS for node20, like the functions). */
export async function bundleWorkers(): Promise<WorkerBundles> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dts-trust-bench-workers-'));
  await build({
    entryPoints: Object.values(Worker).map((name) => path.join(HERE, `${name}.ts`)),
    outdir: dir,
    ...NODE20_BUNDLE,
    logLevel: 'error',
    outExtension: { '.js': '.cjs' },
  }).catch((error: unknown) => {
    throw new Error(`bundling the bench workers failed: ${(error as Error).message}`, { cause: error });
  });
  return {
    run: (worker, request, answer, options = {}) =>
      runBundled(path.join(dir, `${worker}.cjs`), request, answer, options),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * This machine's environment less what FC's runtime does not set: `NODE_EXTRA_CA_CERTS` (a workstation's or CI's
 * CA bundle; Node parses it at every process start, about 50 ms of CPU for the system bundle). A worker that must
 * trust the local cloud's certificate is given it in its own `env`, as the local FC's instances are.
 */
function machineEnvironment(): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _machineCaBundle, ...rest } = process.env;
  return rest;
}

async function runBundled<S extends z.ZodTypeAny>(
  file: string,
  request: unknown,
  answer: S,
  options: { nodeOptions?: readonly string[]; env?: Readonly<Record<string, string>> },
): Promise<z.output<S>> {
  const child = spawn(process.execPath, [...(options.nodeOptions ?? []), file], {
    env: { ...machineEnvironment(), DTS_TRUST_LOG_LEVEL: 'warn', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  child.stdin.end(JSON.stringify(request));
  const code = await exited;
  const name = path.basename(file, '.cjs');
  if (code !== 0) throw new Error(`${name} exited with ${code}: ${err.slice(-2000)}`);
  // The answer is the last JSON line (V8's traces, when asked for with node options, may print after it).
  const last =
    out
      .trimEnd()
      .split('\n')
      .findLast((line) => line.startsWith('{')) ?? '';
  let data: unknown;
  try {
    data = JSON.parse(last);
  } catch (error) {
    throw new Error(`${name} answered no JSON line: ${last.slice(0, 500)}`, { cause: error });
  }
  const parsed = answer.safeParse(data);
  if (!parsed.success) {
    throw new Error(`${name} answered ${last.slice(0, 500)}: ${parsed.error.issues.map((i) => i.path.join('.'))}`);
  }
  return parsed.data;
}
