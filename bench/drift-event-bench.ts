/**
 * Time to repair: a stranger written into a managed role's trust policy in the console, and the time until the
 * role is as declared again, repaired by the drift-event bundle behind the RAM change route (the local cloud's
 * ActionTrail event, the route from the owner account, s.yaml's `ram-changes` trigger with its batch window), with
 * the bench's RAM latency. The figures split the wait for the trigger's batch window (s.yaml's TimeBasedWindow)
 * from the function's own work, whose p99 the target bounds: at most 3x the RAM round trips the repair makes.
 */
import { performance } from 'node:perf_hooks';
import { startLocalCloud } from '../local/cloud/server.js';
import { editInConsole } from '../local/harness/console-edits.js';
import { DIST_DIR, deployBundles, FunctionName, invokeLocally } from '../local/harness/deployment.js';
import { LOCAL_AUTOMATION, LOCAL_EVENT_BUS } from '../local/harness/local-environment.js';
import { deployRamChangeRoute } from '../local/harness/ram-change-route.js';
import {
  mnsTriggerEvent,
  type SampleAccounts,
  sampleTicketBody,
  signedMessage,
} from '../local/harness/sample-events.js';
import { percentile } from './bound.js';
import { exampleAccounts } from './fleet.js';
import { ramFaults } from './reconcile-bench.js';

/** Settings of the time-to-repair benchmark. */
export interface DriftEventBenchSettings {
  readonly samples: number;
  readonly ramLatencyMs: readonly [number, number];
  readonly ratePerSecond: number;
  readonly progress?: (message: string) => void;
}

/** Figures of the time-to-repair benchmark (milliseconds). */
export interface DriftEventFigures {
  readonly samples: number;
  /** From the console edit to the role repaired. */
  readonly editToRepairedP50Ms: number;
  readonly editToRepairedP99Ms: number;
  /** From the trigger's push (its batch window over) to the role repaired: the function's part. */
  readonly pushToRepairedP50Ms: number;
  readonly pushToRepairedP99Ms: number;
  /** RAM and STS calls of one repair, as the function reports them. */
  readonly roundTrips: number;
  /** 3 x round trips x the mean RAM latency: the bound on pushToRepairedP99Ms. */
  readonly targetP99Ms: number;
}

const STRANGER = 'acs:ram::1111222233334444:root';

/** Run the benchmark on an in-process local cloud (the route's trigger runs beside its core), bundles deployed. */
export async function benchDriftEvent(settings: DriftEventBenchSettings): Promise<DriftEventFigures> {
  const say = settings.progress ?? (() => {});
  const example = exampleAccounts();
  const accounts: SampleAccounts = {
    sourceOwner: example.byName('source-owner').id,
    destinationOwner: example.byName('destination-owner').id,
    task: example.byName('task-creator').id,
    automation: LOCAL_AUTOMATION.accountId,
  };
  const cloud = await startLocalCloud({
    port: 0,
    accounts: example.document,
    services: { eventbridge: { buses: [LOCAL_EVENT_BUS] }, tablestore: { tableLoadSeconds: 0 } },
  });
  const trigger = deployRamChangeRoute(cloud, [accounts.sourceOwner], { pollMs: 20 });
  try {
    deployBundles(
      cloud,
      { DTS_TRUST_LOG_LEVEL: 'error', DTS_TRUST_RAM_RATE_LIMIT: String(settings.ratePerSecond) },
      DIST_DIR,
    );
    cloud.setFaults(ramFaults(settings));
    const now = new Date();
    const intake = await invokeLocally(
      cloud,
      FunctionName.TicketIntake,
      mnsTriggerEvent([signedMessage(sampleTicketBody('source', accounts, now))], accounts, now),
    );
    if (intake.statusCode !== 200 || !JSON.stringify(intake.body).includes('"declared"')) {
      throw new Error(`the intake did not declare the role: ${JSON.stringify(intake.body).slice(0, 500)}`);
    }
    trigger.start();
    const role = `${cloud.url}/__admin/accounts/${accounts.sourceOwner}/roles/ram-for-dts`;
    const drifted = async () => JSON.stringify(await (await fetch(role)).json()).includes(STRANGER);
    const editToRepaired: number[] = [];
    const pushToRepaired: number[] = [];
    let roundTrips = 0;
    say(`time to repair: ${settings.samples} console edits (plus a warm-up)`);
    for (let i = 0; i <= settings.samples; i++) {
      const before = trigger.deliveries.length;
      const trustPolicy = {
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [STRANGER] } }],
      };
      const edited = performance.now();
      await editInConsole(cloud, {
        kind: 'setTrustPolicy',
        accountId: accounts.sourceOwner,
        roleName: 'ram-for-dts',
        trustPolicy,
      });
      while (await drifted()) {
        if (performance.now() - edited > 30_000) throw new Error('the console edit was not repaired within 30 s');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const repaired = performance.now();
      const repairedAt = Date.now();
      // The role is repaired while the push is still in flight: its answer comes after.
      const delivery = trigger.deliveries.slice(before).at(-1);
      if (!delivery) throw new Error('the role was repaired without a push of the trigger');
      while (delivery.invocations.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      if (i === 0) continue;
      editToRepaired.push(repaired - edited);
      pushToRepaired.push(Math.max(0, repairedAt - delivery.pushedAt.getTime()));
      const answer = delivery.invocations.at(-1)?.body as { apiCalls?: { ram: number; assumeRole: number } };
      roundTrips = Math.max(roundTrips, (answer.apiCalls?.ram ?? 0) + (answer.apiCalls?.assumeRole ?? 0));
    }
    const meanLatency = (settings.ramLatencyMs[0] + settings.ramLatencyMs[1]) / 2;
    return {
      samples: settings.samples,
      editToRepairedP50Ms: percentile(editToRepaired, 50),
      editToRepairedP99Ms: percentile(editToRepaired, 99),
      pushToRepairedP50Ms: percentile(pushToRepaired, 50),
      pushToRepairedP99Ms: percentile(pushToRepaired, 99),
      roundTrips,
      targetP99Ms: 3 * roundTrips * meanLatency,
    };
  } finally {
    await trigger.stop();
    await cloud.stop();
  }
}

/** The benchmark's lines for the report printed after the table. */
export function formatDriftEventFigures(f: DriftEventFigures): string {
  const ms = (v: number) => `${Math.round(v)} ms`;
  const met = f.pushToRepairedP99Ms <= f.targetP99Ms;
  return [
    `Time to repair a console edit (drift-event, ${f.samples} edits):`,
    `  edit -> repaired     p50 ${ms(f.editToRepairedP50Ms)}, p99 ${ms(f.editToRepairedP99Ms)} (includes the trigger's batch window)`,
    `  push -> repaired     p50 ${ms(f.pushToRepairedP50Ms)}, p99 ${ms(f.pushToRepairedP99Ms)}; target p99 <= ${ms(f.targetP99Ms)} (3 x ${f.roundTrips} round trips)${met ? '' : ' MISSED'}`,
    '',
  ].join('\n');
}
