/** What a worker process measures around the work it is asked to do (CPU, wall time, memory). */
import { performance } from 'node:perf_hooks';

/** The figures of one measured piece of work, in its own process. */
export interface Measured {
  /** Wall time of the work, ms. */
  readonly wallMs: number;
  /** CPU time the process spent during the work (user + system, every thread), ms. */
  readonly cpuMs: number;
  /** Resident set size before the work (modules loaded), bytes. */
  readonly baselineRssBytes: number;
  /** Peak resident set size of the process (load included), bytes. */
  readonly peakRssBytes: number;
  /** Largest heap in use seen during the work (sampled every 100 ms), bytes. */
  readonly peakHeapBytes: number;
  /** Heap in use after the work and a full collection (when `--expose-gc` is on; else after the work), bytes. */
  readonly retainedHeapBytes: number;
}

/** Run `work` and measure it. */
export async function measure<T>(work: () => Promise<T>): Promise<{ value: T; measured: Measured }> {
  const baselineRssBytes = process.memoryUsage.rss();
  let peakHeapBytes = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    peakHeapBytes = Math.max(peakHeapBytes, process.memoryUsage().heapUsed);
  }, 100);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let value: T;
  try {
    value = await work();
  } finally {
    clearInterval(sampler);
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  peakHeapBytes = Math.max(peakHeapBytes, process.memoryUsage().heapUsed);
  (globalThis as { gc?: () => void }).gc?.();
  return {
    value,
    measured: {
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      baselineRssBytes,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      peakHeapBytes,
      retainedHeapBytes: process.memoryUsage().heapUsed,
    },
  };
}
