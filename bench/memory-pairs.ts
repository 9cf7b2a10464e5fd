/**
 * `npx tsx bench/memory-pairs.ts [--roles N] [--accounts N] [--pairs N] [--build dist-dir] [--baseline dist-dir] [--snapshot-at s --snapshot-dir dir] [--require file]`:
 * peak memory of the drift reconciler's bundle in the steady state (http, the heap limit s.yaml sets, one process
 * per run, as `npm run bench` measures item 8), in turns on one local cloud: A, then B when a baseline build is
 * given, again and again, so a change is read against its baseline in the same minute on a shared machine. Prints
 * each run's peak RSS, heap peak and heap kept after a full collection, then the medians. `--snapshot-at` writes a
 * V8 heap snapshot of A's process that many seconds into each of its runs (`--snapshot-dir`, default the working
 * directory; the snapshot's own cost shows in that run's figures). `npm run build` first; a baseline is a copy of
 * an earlier `dist/`. Not part of `npm run bench`, and writes no results file.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { z } from 'zod';
import { median } from './bound.js';
import { startCloudProcess } from './cloud-process.js';
import { buildFleet } from './fleet.js';
import { assertSteadyState, PAIR_OPTIONS, pairBuilds, pairEnvironment, withPairOptions } from './pairs.js';
import { declareFleet, invokeDriftReconciler, onCloud, productEnvironment, ramFaults } from './reconcile-bench.js';
import { sYamlHeapLimitMiB } from './s-yaml-heap.js';
import { bundleWorkers } from './workers/run-worker.js';

const OptionsSchema = z.object({
  ...PAIR_OPTIONS,
  snapshotAt: z.coerce.number().positive().optional(),
  snapshotDir: z.string().min(1).default('.'),
  require: z.string().min(1).optional(),
});

const MiB = 2 ** 20;

/** A preload that writes one heap snapshot `seconds` into the process's life (the timer does not hold it open). */
const snapshotPreload = (seconds: number, dir: string): string =>
  `const v8 = require('node:v8'); const path = require('node:path');
setTimeout(() => { v8.writeHeapSnapshot(path.join(${JSON.stringify(path.resolve(dir))}, 'mem-' + process.pid + '.heapsnapshot')); }, ${Math.round(seconds * 1000)}).unref();\n`;

async function main(): Promise<void> {
  const program = withPairOptions(new Command(), 'turns of each build')
    .option('--snapshot-at <seconds>', "write a heap snapshot of A's process this many seconds into each run")
    .option('--snapshot-dir <dir>', 'where heap snapshots go', '.')
    .option('--require <file>', "a script A's process loads first (a probe sampling its heap, say)")
    .parse(process.argv);
  const o = OptionsSchema.parse(program.opts());
  const fleet = buildFleet({ roles: o.roles, accounts: o.accounts });
  const roles = fleet.roles.length;
  const workers = await bundleWorkers();
  const cloud = await startCloudProcess(fleet.accountsDocument, {});
  const env = productEnvironment(cloud, 'http', pairEnvironment(roles, o.rate));
  const heapLimitMiB = sYamlHeapLimitMiB();
  let preload: string | undefined;
  if (o.snapshotAt !== undefined) {
    preload = path.join(tmpdir(), `memory-pairs-snapshot-${process.pid}.cjs`);
    await writeFile(preload, snapshotPreload(o.snapshotAt, o.snapshotDir));
  }
  const builds = pairBuilds(o.build, o.baseline);
  const peaks = new Map<string, number[]>(builds.map((b) => [b.name, []]));
  try {
    await declareFleet(fleet, env);
    await invokeDriftReconciler(workers, env, { heapLimitMiB });
    await cloud.setFaults(ramFaults({ ramLatencyMs: [20, 50], ratePerSecond: o.rate }));
    for (let turn = 1; turn <= o.pairs; turn++) {
      for (const build of builds) {
        const run = await onCloud(cloud, () =>
          invokeDriftReconciler(workers, env, {
            heapLimitMiB,
            bundle: build.bundle,
            nodeOptions:
              build.name === 'A'
                ? [
                    ...(preload ? ['--require', preload] : []),
                    ...(o.require ? ['--require', path.resolve(o.require)] : []),
                  ]
                : [],
          }),
        );
        assertSteadyState(build.name, roles, { counts: run.counts, outcomes: run.value.answer.outcomes });
        const m = run.value.measured;
        peaks.get(build.name)?.push(m.peakRssBytes / MiB);
        process.stdout.write(
          `turn ${turn} ${build.name}: peak RSS ${(m.peakRssBytes / MiB).toFixed(1)} MiB (baseline ${(m.baselineRssBytes / MiB).toFixed(1)}), heap peak ${(m.peakHeapBytes / MiB).toFixed(1)}, kept ${(m.retainedHeapBytes / MiB).toFixed(1)} MiB; wall ${m.wallMs.toFixed(0)} ms, ${(m.cpuMs / roles).toFixed(3)} ms CPU/role; per role: RAM ${((run.counts.ramReads + run.counts.ramWrites) / roles).toFixed(2)}, tablestore ${(run.counts.tablestore / roles).toFixed(3)}; AssumeRole ${run.counts.assumeRole}\n`,
        );
      }
    }
    for (const [name, values] of peaks) {
      process.stdout.write(`${name}: median peak RSS ${median(values).toFixed(1)} MiB\n`);
    }
  } finally {
    await cloud.stop();
    await workers.remove();
  }
}

await main();
