/**
 * What the A/B tools (`bench/cpu-pairs.ts`, `bench/memory-pairs.ts`) share: their common options, the builds they
 * measure in turns, the product's environment for a steady state in one process, and the check that a run was one.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { DRIFT_RECONCILER_BUNDLE } from './reconcile-bench.js';

/** The options every A/B tool takes, as zod parses them (spread into a tool's own schema). */
export const PAIR_OPTIONS = {
  roles: z.coerce.number().int().min(1).default(1000),
  accounts: z.coerce.number().int().min(1).default(100),
  pairs: z.coerce.number().int().min(1).max(50).default(3),
  build: z.string().min(1).optional(),
  baseline: z.string().min(1).optional(),
  rate: z.coerce.number().int().min(1).default(20),
} as const;

/** Declare {@link PAIR_OPTIONS} on a tool's command line; `pairsHelp` says what one turn runs. */
export function withPairOptions(program: Command, pairsHelp: string): Command {
  return program
    .option('--roles <n>', 'managed roles', '1000')
    .option('--accounts <n>', 'owner accounts', '100')
    .option('--pairs <n>', pairsHelp, '3')
    .option('--build <dir>', 'a copy of dist/ to measure as A (default: dist/ itself)')
    .option('--baseline <dir>', 'a copy of an earlier dist/ to measure in turn with this one')
    .option('--rate <n>', 'RAM requests per second per owner account', '20');
}

/** One build of the drift reconciler measured in turns: A (this one), B (a baseline). */
export interface PairBuild {
  readonly name: 'A' | 'B';
  readonly bundle: string;
}

/** A from `build` (a copy of dist/; default dist/ itself), then B from `baseline` when one is given. */
export function pairBuilds(build: string | undefined, baseline: string | undefined): PairBuild[] {
  const bundleOf = (dist: string): string => path.resolve(dist, 'drift-reconciler', 'index.js');
  return [
    { name: 'A', bundle: build ? bundleOf(build) : DRIFT_RECONCILER_BUNDLE },
    ...(baseline ? [{ name: 'B' as const, bundle: bundleOf(baseline) }] : []),
  ];
}

/**
 * The product's settings for a turn: RAM paced at `rate` per account, 8 accounts of 4 roles side by side, and a
 * shard threshold above the fleet so that one process reconciles every role (what is measured).
 */
export function pairEnvironment(roles: number, rate: number): Record<string, string> {
  return {
    DTS_TRUST_RAM_RATE_LIMIT: String(rate),
    DTS_TRUST_ACCOUNT_CONCURRENCY: '8',
    DTS_TRUST_ROLE_CONCURRENCY: '4',
    DTS_TRUST_SHARD_THRESHOLD: String(roles + 1),
  };
}

/** Throw unless a run found every role in sync and wrote nothing to RAM (a turn measures the steady state). */
export function assertSteadyState(
  build: string,
  roles: number,
  run: { readonly counts: { readonly ramWrites: number }; readonly outcomes: Readonly<Record<string, number>> },
): void {
  if (run.counts.ramWrites > 0 || run.outcomes.inSync !== roles) {
    throw new Error(`${build}: not a steady state: ${JSON.stringify(run.outcomes)}`);
  }
}
