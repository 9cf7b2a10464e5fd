/**
 * The Tencent steady state, counted: a fleet of Tencent owners ({@link tencentFleet}) reconciled by the product's
 * engine and adapters over the real SDKs against the local cloud (in this process), settled by one run, then one
 * more run whose requests are counted in the cloud's request log: CAM reads per role by action, AssumeRole per
 * account entered, writes, Tablestore requests per role, each held to the floor that CAM's APIs allow
 * (bench/tencent-steady-figures.ts). Only calls are counted here: the run is not paced (its clock never waits), so no
 * time is reported.
 */
import { readFileSync } from 'node:fs';
import { type LocalCloud, startLocalCloud } from '../local/cloud/server.js';
import {
  LOCAL_AUTOMATION,
  LOCAL_EVENT_BUS,
  localCloudEnvironment,
  localTrustSettings,
} from '../local/harness/local-environment.js';
import { reconcilerFor } from '../shared/composition/reconciler.js';
import { createServices, type Services } from '../shared/composition/services.js';
import { loadConfig } from '../shared/config/config.js';
import type { Clock } from '../shared/ports.js';
import type { RunResult } from '../shared/reconcile/index.js';
import { type TencentFleet, type TencentFleetSize, tencentFleet } from './tencent-fleet.js';
import { figuresOf, type TencentSteadyFigures } from './tencent-steady-figures.js';

/** A clock that never waits: the CAM and account token buckets let every call through at once (counts only). */
const unpaced: Clock = { now: () => new Date(), sleep: () => new Promise((resolve) => setImmediate(resolve)) };

function servicesOver(cloud: LocalCloud, fleet: TencentFleet, clock: Clock = unpaced): Services {
  const env = localCloudEnvironment(cloud, {
    DTS_TRUST_SETTINGS: JSON.stringify(localTrustSettings({ tencentManagementExternalIds: fleet.externalIds })),
    DTS_TRUST_RAM_RATE_LIMIT: '10000',
  });
  return createServices(loadConfig(env), {
    tablestoreKeys: LOCAL_AUTOMATION.runner,
    ownKeys: async () => LOCAL_AUTOMATION.runner,
    clock,
  });
}

/** The example accounts file with the fleet's Tencent accounts beside the example hub and stranger. */
function accountsDocument(fleet: TencentFleet): Record<string, unknown> {
  const example = JSON.parse(readFileSync(new URL('../local/accounts.example.json', import.meta.url), 'utf8')) as {
    accounts: unknown[];
    tencent: { accounts: { name: string }[] };
  };
  // The hub signs every Tencent call; the stranger is an account no grant trusts (what a console edit may add).
  const kept = example.tencent.accounts.filter((a) => a.name === 'tencent-hub' || a.name === 'tencent-stranger');
  return { accounts: example.accounts, tencent: { accounts: [...kept, ...fleet.accounts] } };
}

/** A Tencent fleet in a local cloud of this process, its grants stored. */
export interface TencentFleetWorld {
  readonly cloud: LocalCloud;
  readonly fleet: TencentFleet;
  /** The product's services over the cloud, built afresh (no cached credentials), unpaced unless given a clock. */
  services(clock?: Clock): Services;
  stop(): Promise<void>;
}

/** Start a local cloud holding the fleet of `size` (CAM `quirks` and the cloud's clock optional) and store its grants. */
export async function startTencentFleet(
  size: TencentFleetSize,
  options: {
    readonly quirks?: Readonly<Record<string, unknown>>;
    /** The cloud's clock (default the real one). */
    readonly cloudClock?: { now(): Date };
  } = {},
): Promise<TencentFleetWorld> {
  const fleet = tencentFleet(size);
  const cloud = await startLocalCloud({
    accounts: accountsDocument(fleet),
    ...(options.cloudClock ? { clock: options.cloudClock } : {}),
    // Tables ready at once: the unpaced clock would spin through the wait for a new table to load.
    services: {
      eventbridge: { buses: [LOCAL_EVENT_BUS] },
      tablestore: { tableLoadSeconds: 0 },
      ...(options.quirks ? { tencent: { quirks: options.quirks } } : {}),
    },
  });
  try {
    const setup = servicesOver(cloud, fleet);
    await setup.ensureTables();
    for (const grant of fleet.grants) await setup.grants.putGrant(grant);
  } catch (error) {
    await cloud.stop();
    throw error;
  }
  return { cloud, fleet, services: (clock) => servicesOver(cloud, fleet, clock), stop: () => cloud.stop() };
}

/** Count a settled Tencent fleet's steady-state run. */
export async function benchTencentSteadyState(options: {
  readonly size: TencentFleetSize;
  readonly progress?: (message: string) => void;
}): Promise<TencentSteadyFigures> {
  const { size } = options;
  const world = await startTencentFleet(size);
  try {
    options.progress?.(`tencent steady state: settling ${world.fleet.grants.length} roles in ${size.owners} owners`);
    // The first run creates the sub-users' AssumeRole policies (a repair of those roles, which their status rows
    // record); settled once a run finds every role in sync, so the measured run writes no status row either.
    for (let attempt = 1; ; attempt += 1) {
      const settle = await reconcilerFor(world.services()).reconcileAll({ correlationId: `tencent-settle-${attempt}` });
      if ((settle.outcomes['failed'] ?? 0) > 0) {
        throw new Error(`the settling run failed roles: ${JSON.stringify(settle.outcomes)}`);
      }
      if (settle.outcomes['inSync'] === world.fleet.grants.length) break;
      if (attempt === 3) throw new Error(`the fleet did not settle: ${JSON.stringify(settle.outcomes)}`);
    }
    world.cloud.log.length = 0;
    const run: RunResult = await reconcilerFor(world.services()).reconcileAll({
      correlationId: 'tencent-steady',
      expireGrants: true,
    });
    return figuresOf(size, world.fleet, run, world.cloud.log);
  } finally {
    await world.stop();
  }
}
