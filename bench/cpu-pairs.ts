/**
 * `npx tsx bench/cpu-pairs.ts [--roles N] [--accounts N] [--pairs N] [--build dist-dir] [--baseline dist-dir] [--cpu-prof dir] [--perf] [--transport http|https]`:
 * CPU per role of the drift reconciler's bundle in the steady state, beside the floor, measured in turns on one
 * local cloud (A, B when a baseline build is given, and the floor, each once per turn; again and again), so a change
 * is read against its baseline and the floor in the same minute on a shared machine. The order within a turn
 * rotates from turn to turn (A B floor, then B floor A, then floor A B), so each runner goes first equally often:
 * the first run of a turn pays more (about 5% over https), and a fixed order charged that to A every time. Prints
 * every turn, the medians of each build's ratio to the floor measured in the same turn and, with a baseline, the
 * median of A's CPU over B's in the same turn. `npm run build` first; a baseline is a copy of an
 * earlier `dist/`. `--transport https` measures every build and the floor over TLS against the local cloud serving a
 * certificate made for the run (as `npm run bench` does). Not part of `npm run bench`, and writes no results file.
 */
import path from 'node:path';
import { Command } from 'commander';
import { z } from 'zod';
import { median } from './bound.js';
import { startCloudProcess } from './cloud-process.js';
import { buildFleet } from './fleet.js';
import { assertSteadyState, PAIR_OPTIONS, pairBuilds, pairEnvironment, withPairOptions } from './pairs.js';
import {
  declareFleet,
  FloorAnswerSchema,
  invokeDriftReconciler,
  onCloud,
  productEnvironment,
  ramFaults,
  ramFleetOf,
  runtimeHeapOptions,
} from './reconcile-bench.js';
import { sYamlHeapLimitMiB } from './s-yaml-heap.js';
import { makeLocalCertificate } from './tls-certificate.js';
import type { FloorRequest } from './workers/floor-worker.js';
import { bundleWorkers, Worker } from './workers/run-worker.js';

const OptionsSchema = z.object({
  ...PAIR_OPTIONS,
  cpuProf: z.string().min(1).optional(),
  perf: z.boolean().default(false),
  nodeOptions: z.string().default(''),
  transport: z.enum(['http', 'https']).default('http'),
});

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

async function main(): Promise<void> {
  const program = withPairOptions(new Command(), 'turns of each build and the floor')
    .option('--cpu-prof <dir>', "write a CPU profile of each of this build's runs there (the floor's in <dir>/floor)")
    .option('--perf', "run A's and the floor's processes with --perf-basic-prof (for `perf record -g` around this)")
    .option(
      '--node-options <options>',
      "more node options of A's and the floor's processes, space-separated (`--log-deopt ...`)",
      '',
    )
    .option('--transport <transport>', 'http or https (the local cloud serving a certificate made for the run)', 'http')
    .parse(process.argv);
  const o = OptionsSchema.parse(program.opts());
  const fleet = buildFleet({ roles: o.roles, accounts: o.accounts });
  const roles = fleet.roles.length;
  const workers = await bundleWorkers();
  const certificate = o.transport === 'https' ? await makeLocalCertificate() : undefined;
  const cloud = await startCloudProcess(fleet.accountsDocument, {
    ...(certificate ? { tls: { certFile: certificate.certFile, keyFile: certificate.keyFile } } : {}),
  });
  const settings = { ramLatencyMs: [20, 50] as const, ratePerSecond: o.rate };
  const extra = pairEnvironment(roles, o.rate);
  const httpEnv = productEnvironment(cloud, 'http', extra);
  const env = productEnvironment(cloud, o.transport, extra);
  const trust = certificate ? { NODE_EXTRA_CA_CERTS: certificate.certFile } : {};
  const heapLimitMiB = sYamlHeapLimitMiB();
  // Only A's runs are profiled.
  const builds = pairBuilds(o.build, o.baseline).map((b) => ({
    ...b,
    prof: b.name === 'A' && o.cpuProf !== undefined,
  }));
  const ratios = new Map<string, number[]>(builds.map((b) => [b.name, []]));
  const perRole = new Map<string, number[]>([...builds.map((b) => [b.name, []] as [string, number[]]), ['floor', []]]);
  try {
    await declareFleet(fleet, httpEnv);
    await invokeDriftReconciler(workers, httpEnv, { heapLimitMiB });
    await cloud.setFaults(ramFaults(settings));
    const floorRequest: FloorRequest = {
      fleet: ramFleetOf(fleet, cloud, o.transport),
      accountConcurrency: 8,
      roleConcurrency: 4,
      ratePerSecond: o.rate,
    };
    const floorProf = [
      ...(o.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${path.join(o.cpuProf, 'floor')}`] : []),
      ...(o.perf ? ['--perf-basic-prof'] : []),
      ...o.nodeOptions.split(' ').filter((x) => x !== ''),
    ];
    /** One run of a build: its CPU per role, after checking that it met a steady state. */
    const runBuild = async (build: (typeof builds)[number], turn: number): Promise<number> => {
      const run = await onCloud(cloud, () =>
        invokeDriftReconciler(workers, env, {
          heapLimitMiB,
          certificate,
          bundle: build.bundle,
          nodeOptions: [
            ...(build.prof && o.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProf}`] : []),
            ...(build.name === 'A' && o.perf ? ['--perf-basic-prof'] : []),
            ...(build.name === 'A' ? o.nodeOptions.split(' ').filter((x) => x !== '') : []),
          ],
        }),
      );
      assertSteadyState(build.name, roles, { counts: run.counts, outcomes: run.value.answer.outcomes });
      process.stdout.write(
        `turn ${turn} ${build.name}: ${(run.value.measured.cpuMs / roles).toFixed(3)} ms/role, wall ${run.value.measured.wallMs.toFixed(0)} ms, tablestore ${(run.counts.tablestore / roles).toFixed(3)}/role, peak RSS ${mib(run.value.measured.peakRssBytes)} MiB, heap ${mib(run.value.measured.peakHeapBytes)} MiB\n`,
      );
      return run.value.measured.cpuMs / roles;
    };
    /** One run of the floor: its CPU per role. */
    const runFloor = async (turn: number): Promise<number> => {
      const floor = await onCloud(cloud, () =>
        workers.run(Worker.Floor, floorRequest, FloorAnswerSchema, {
          nodeOptions: [...runtimeHeapOptions(heapLimitMiB), ...floorProf],
          env: trust,
        }),
      );
      const floorPerRole = floor.value.measured.cpuMs / roles;
      process.stdout.write(`turn ${turn} floor: ${floorPerRole.toFixed(3)} ms/role\n`);
      return floorPerRole;
    };
    const runners = [...builds.map((b) => b.name), 'floor'];
    for (let turn = 1; turn <= o.pairs; turn++) {
      const cpu = new Map<string, number>();
      const shift = (turn - 1) % runners.length;
      for (const name of [...runners.slice(shift), ...runners.slice(0, shift)]) {
        const build = builds.find((b) => b.name === name);
        cpu.set(name, build ? await runBuild(build, turn) : await runFloor(turn));
      }
      const floorPerRole = cpu.get('floor') ?? Number.NaN;
      for (const [name, value] of cpu) {
        perRole.get(name)?.push(value);
        if (name !== 'floor') ratios.get(name)?.push(value / floorPerRole);
      }
    }
    for (const [name, values] of perRole) {
      const r = ratios.get(name);
      process.stdout.write(
        `${name}: median ${median(values).toFixed(3)} ms/role${r ? `, ${median(r).toFixed(2)}x the floor (${r.map((x) => x.toFixed(2)).join(' ')})` : ''}\n`,
      );
    }
    const a = perRole.get('A') ?? [];
    const b = perRole.get('B') ?? [];
    if (b.length > 0) {
      const ab = a.map((x, i) => x / (b[i] ?? Number.NaN));
      process.stdout.write(`A/B: median ${median(ab).toFixed(3)} (${ab.map((x) => x.toFixed(3)).join(' ')})\n`);
    }
  } finally {
    await cloud.stop();
    await workers.remove();
    await certificate?.remove();
  }
}

await main();
