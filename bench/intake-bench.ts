/**
 * Intake latency: signed tickets delivered to the ticket-intake function as FC's MNS trigger would, through the
 * real FC SDK, on the local cloud (a process of its own) with RAM latency and limits, the function deployed from
 * its bundle (dist/ticket-intake) and run in node processes of the local FC. Each figure runs from the message's
 * delivery to the invocation's answer, by which time the role is in place and its audit events are on the bus.
 */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { FunctionName, invokeLocally } from '../local/harness/deployment.js';
import { LOCAL_AUTOMATION } from '../local/harness/local-environment.js';
import {
  mnsTriggerEvent,
  type SampleAccounts,
  sampleTicketBody,
  signedMessage,
} from '../local/harness/sample-events.js';
import type { GrantTicketBody } from '../shared/intake/ticket-message.js';
import { percentile } from './bound.js';
import { countCalls } from './call-counts.js';
import { startCloudProcess } from './cloud-process.js';
import { exampleAccounts } from './fleet.js';
import { ramFaults } from './reconcile-bench.js';

/** Settings of the intake benchmark. */
export interface IntakeBenchSettings {
  /** Invocations with one ticket each. */
  readonly singles: number;
  /** Invocations with a batch of {@link BATCH_SIZE} tickets each. */
  readonly batches: number;
  readonly ramLatencyMs: readonly [number, number];
  readonly ratePerSecond: number;
  readonly progress?: (message: string) => void;
}

/** Tickets per batch, as the MNS trigger's batch window may deliver them. */
export const BATCH_SIZE = 10;

/** Latency figures of one kind of delivery. */
export interface LatencyFigures {
  readonly invocations: number;
  readonly tickets: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Figures of the intake benchmark. */
export interface IntakeFigures {
  readonly single: LatencyFigures;
  readonly batch10: LatencyFigures;
  /** Audit events the invocations delivered to the bus (each ticket yields at least a declared and a created event). */
  readonly auditEventsDelivered: number;
  /** Tablestore requests per ticket, over every invocation. */
  readonly tablestoreRequestsPerTicket: number;
}

/** The part of the intake's answer the benchmark checks. */
const IntakeAnswerSchema = z.object({
  results: z.array(
    z.object({
      outcome: z.literal('declared'),
      roles: z.array(z.object({ outcome: z.enum(['created', 'repaired', 'inSync']) })).min(1),
    }),
  ),
  audit: z.object({ delivered: z.number().min(1), pending: z.literal(0) }),
});

let counter = 0;

/** A signed ticket declaring a new cross-account source role. */
function ticketFor(accounts: SampleAccounts): string {
  counter += 1;
  const base = sampleTicketBody('source', accounts, new Date());
  const relationship = base.relationship as unknown as { source: Record<string, unknown> };
  const body = {
    ...base,
    ticket: { ...base.ticket, id: `BENCH-${counter}` },
    relationship: { ...relationship, source: { ...relationship.source, roleName: `bench-intake-${counter}` } },
  } as unknown as GrantTicketBody;
  return signedMessage(body);
}

function figures(latencies: readonly number[], ticketsEach: number): LatencyFigures {
  return {
    invocations: latencies.length,
    tickets: latencies.length * ticketsEach,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: Math.max(...latencies),
  };
}

/** Run the intake benchmark on a local cloud in a process of its own, the bundles deployed to its FC. */
export async function benchIntake(settings: IntakeBenchSettings): Promise<IntakeFigures> {
  const say = settings.progress ?? (() => {});
  const example = exampleAccounts();
  const accounts: SampleAccounts = {
    sourceOwner: example.byName('source-owner').id,
    destinationOwner: example.byName('destination-owner').id,
    task: example.byName('task-creator').id,
    automation: LOCAL_AUTOMATION.accountId,
  };
  const cloud = await startCloudProcess(example.document, {
    deployBundles: { DTS_TRUST_RAM_RATE_LIMIT: String(settings.ratePerSecond), DTS_TRUST_LOG_LEVEL: 'error' },
  });
  try {
    await cloud.setFaults(ramFaults(settings));
    let delivered = 0;
    const deliver = async (size: number): Promise<number> => {
      const event = mnsTriggerEvent(
        Array.from({ length: size }, () => ticketFor(accounts)),
        accounts,
        new Date(),
      );
      const started = performance.now();
      const answer = await invokeLocally(cloud, FunctionName.TicketIntake, event);
      const elapsed = performance.now() - started;
      const checked = IntakeAnswerSchema.safeParse(answer.body);
      if (answer.statusCode !== 200 || !checked.success || checked.data.results.length !== size) {
        throw new Error(`the intake did not declare every ticket: ${JSON.stringify(answer.body).slice(0, 500)}`);
      }
      delivered += checked.data.audit.delivered;
      return elapsed;
    };
    say('intake warm-up (tables, first connections)');
    await deliver(1);
    delivered = 0;
    await cloud.clearLog();
    say(`intake: ${settings.singles} single tickets`);
    const singles: number[] = [];
    for (let i = 0; i < settings.singles; i++) singles.push(await deliver(1));
    say(`intake: ${settings.batches} batches of ${BATCH_SIZE}`);
    const batches: number[] = [];
    for (let i = 0; i < settings.batches; i++) batches.push(await deliver(BATCH_SIZE));
    const tickets = settings.singles + settings.batches * BATCH_SIZE;
    return {
      single: figures(singles, 1),
      batch10: figures(batches, BATCH_SIZE),
      auditEventsDelivered: delivered,
      tablestoreRequestsPerTicket: countCalls(await cloud.log()).tablestore / tickets,
    };
  } finally {
    await cloud.stop();
  }
}
