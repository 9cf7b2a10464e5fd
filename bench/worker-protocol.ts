/** What bench/reconcile-worker.ts is asked and what it answers (one JSON line). */
import { z } from 'zod';

/** What the worker is asked to do (its one argument, JSON). */
export const WorkerRequestSchema = z.object({
  env: z.record(z.string()),
  correlationId: z.string().min(1),
});
/** See {@link WorkerRequestSchema}. */
export type WorkerRequest = z.infer<typeof WorkerRequestSchema>;

/** What the worker prints. */
export const WorkerResultSchema = z.object({
  wallMs: z.number(),
  roles: z.number(),
  outcomes: z.record(z.number()),
  failedAccounts: z.number(),
  apiCalls: z.object({ ram: z.number(), assumeRole: z.number() }),
  statusWriteFailures: z.number(),
  audit: z.object({ delivered: z.number(), pending: z.number() }),
  /** CPU time the process spent during the run (user + system), ms. */
  cpuMs: z.number(),
  /** Resident set size before the run (modules loaded, services built), bytes. */
  baselineRssBytes: z.number(),
  /** Peak resident set size of the process, bytes. */
  peakRssBytes: z.number(),
  /** Heap still in use after the run and a full garbage collection (what the run keeps), bytes. */
  retainedHeapBytes: z.number(),
  /** Largest heap in use seen while the run went on (sampled every 100 ms), bytes. */
  peakHeapBytes: z.number(),
});
/** See {@link WorkerResultSchema}. */
export type WorkerResult = z.infer<typeof WorkerResultSchema>;
