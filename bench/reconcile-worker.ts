/**
 * One full reconcile in a process of its own, so its peak memory is its own: wires the product's adapters from
 * the given environment, runs `reconcileAll`, delivers the audit events as the drift reconciler does, and prints
 * one JSON line (a `WorkerResult`, see bench/worker-protocol.ts). Started by bench/reconcile-bench.ts; not meant to be run by hand.
 */
import { performance } from 'node:perf_hooks';
import { LOCAL_AUTOMATION } from '../local/harness/local-environment.js';
import { deliverAuditEvents } from '../shared/audit/deliver-audit-events.js';
import { createEngine } from '../shared/composition/reconciler.js';
import { createServices } from '../shared/composition/services.js';
import { loadConfig } from '../shared/config/config.js';
import { WorkerRequestSchema, type WorkerResult } from './worker-protocol.js';

async function main(argv: readonly string[]): Promise<void> {
  const parsed = WorkerRequestSchema.safeParse(JSON.parse(argv[0] ?? 'null'));
  if (!parsed.success) {
    throw new Error(`reconcile-worker: bad request: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  }
  const services = createServices(loadConfig(parsed.data.env), {
    tablestoreKeys: LOCAL_AUTOMATION.runner,
    ownKeys: async () => LOCAL_AUTOMATION.runner,
  });
  const engine = createEngine(services);
  const baselineRssBytes = process.memoryUsage.rss();
  let peakHeapBytes = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    peakHeapBytes = Math.max(peakHeapBytes, process.memoryUsage().heapUsed);
  }, 100);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const report = await engine.reconciler.reconcileAll({ correlationId: parsed.data.correlationId });
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  const audit = await deliverAuditEvents(services.outbox, services.sink);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('reconcile-worker: start node with --expose-gc');
  gc();
  const result: WorkerResult = {
    wallMs,
    roles: report.roles,
    outcomes: report.outcomes as Record<string, number>,
    failedAccounts: report.failedAccounts.length,
    apiCalls: report.apiCalls,
    statusWriteFailures: report.statusWriteFailures,
    audit: { delivered: audit.delivered, pending: audit.pending },
    cpuMs: (cpu.user + cpu.system) / 1000,
    baselineRssBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    retainedHeapBytes: process.memoryUsage().heapUsed,
    peakHeapBytes,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main(process.argv.slice(2));
