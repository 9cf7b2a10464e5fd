/**
 * Fault injection of the local cloud (zod-validated, settable at start and at runtime): latency (fixed or a
 * `[min, max]` range, optionally per service), per-account per-API QPS limits answered with `Throttling.User`,
 * a random 5xx rate, and whole-service outages. Random choices come from a seeded generator when `seed` is set.
 */
import { z } from 'zod';
import type { CallIdentity } from './contract.js';
import { CloudSetupError } from './errors.js';

const Latency = z.union([
  z.number().min(0).max(60_000),
  z
    .tuple([z.number().min(0).max(60_000), z.number().min(0).max(60_000)])
    .refine(([min, max]) => min <= max, 'a latency range is [min, max] with min <= max'),
]);

/** Schema of a fault configuration. */
export const FaultsSchema = z
  .object({
    /** Seed of the random generator (latency ranges, error rate); omit for Math.random. */
    seed: z.number().int().optional(),
    /** Latency added to every call, ms: fixed or `[min, max]`. */
    latencyMs: Latency.optional(),
    /** Latency per service name (`ram`, `sts`, `dts`, ...), overriding `latencyMs`. */
    latencyByService: z.record(Latency).optional(),
    /** QPS limits; each applies per account and per API (`service` + `action`) matching its filters. */
    qpsLimits: z
      .array(
        z
          .object({
            service: z.string().optional(),
            action: z.string().optional(),
            accountId: z.string().optional(),
            qps: z.number().int().min(0),
          })
          .strict(),
      )
      .optional(),
    /** Random server errors. */
    errors: z
      .object({
        rate: z.number().min(0).max(1),
        status: z.union([z.literal(500), z.literal(503)]).default(503),
        services: z.array(z.string()).optional(),
        actions: z.array(z.string()).optional(),
      })
      .strict()
      .optional(),
    /** Services answering every call with `ServiceUnavailable` 503. */
    outages: z.array(z.string()).optional(),
  })
  .strict();

/** A fault configuration (input form). */
export type FaultsConfig = z.input<typeof FaultsSchema>;

/** Validate a fault configuration; throws {@link CloudSetupError} naming the field. */
export function parseFaults(data: unknown, source = 'faults'): z.output<typeof FaultsSchema> {
  const parsed = FaultsSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${source}.${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new CloudSetupError(`Invalid faults: ${detail}`);
  }
  return parsed.data;
}

/** A fault the core answers instead of handling the call. */
export interface InjectedFault {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What the injector decided for one call. */
export interface FaultDecision {
  readonly latencyMs: number;
  readonly fault?: InjectedFault;
}

const NO_FAULT: FaultDecision = { latencyMs: 0 };

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Decides latency and faults per call; QPS windows are whole seconds of the given clock. */
export class FaultInjector {
  #config: z.output<typeof FaultsSchema> = {};
  #random: () => number = Math.random;
  #active = false;
  readonly #windows = new Map<string, { second: number; count: number }>();
  readonly #now: () => Date;

  constructor(now: () => Date, config?: unknown) {
    this.#now = now;
    this.set(config ?? {});
  }

  /** The current configuration. */
  get config(): z.output<typeof FaultsSchema> {
    return this.#config;
  }

  /** Replace the configuration (validated); resets QPS windows and the random generator. */
  set(config: unknown): void {
    const parsed = parseFaults(config);
    this.#config = parsed;
    this.#random = parsed.seed === undefined ? Math.random : mulberry32(parsed.seed);
    this.#windows.clear();
    this.#active =
      parsed.latencyMs !== undefined ||
      (parsed.latencyByService !== undefined && Object.keys(parsed.latencyByService).length > 0) ||
      (parsed.qpsLimits?.length ?? 0) > 0 ||
      (parsed.errors?.rate ?? 0) > 0 ||
      (parsed.outages?.length ?? 0) > 0;
  }

  /** Decide for one identified call. */
  decide(id: CallIdentity): FaultDecision {
    if (!this.#active) return NO_FAULT;
    const c = this.#config;
    const latencySpec = c.latencyByService?.[id.service] ?? c.latencyMs;
    const latencyMs =
      latencySpec === undefined
        ? 0
        : typeof latencySpec === 'number'
          ? latencySpec
          : latencySpec[0] + Math.floor(this.#random() * (latencySpec[1] - latencySpec[0] + 1));
    if (c.outages?.includes(id.service)) {
      return {
        latencyMs,
        fault: {
          status: 503,
          code: 'ServiceUnavailable',
          message: 'The request has failed due to a temporary failure of the server.',
        },
      };
    }
    for (const [i, limit] of (c.qpsLimits ?? []).entries()) {
      if (limit.service !== undefined && limit.service !== id.service) continue;
      if (limit.action !== undefined && limit.action !== id.action) continue;
      if (limit.accountId !== undefined && limit.accountId !== id.accountId) continue;
      const nowMs = this.#now().getTime();
      const second = Math.floor(nowMs / 1000);
      const key = `${i}|${id.accountId ?? ''}|${id.service}|${id.action}`;
      const window = this.#windows.get(key);
      if (!window || window.second !== second) {
        this.#windows.set(key, { second, count: 1 });
        if (limit.qps >= 1) continue;
      } else {
        window.count += 1;
        if (window.count <= limit.qps) continue;
      }
      const timeLeft = (second + 1) * 1000 - nowMs;
      return {
        latencyMs,
        fault: {
          status: 400,
          code: 'Throttling.User',
          message: 'Request was denied due to user flow control.',
          headers: {
            'x-ratelimit-user-api': `Limit:${limit.qps},Remain:0,TimeLeft:${timeLeft},Reset:${second + 1}`,
            'x-acs-retry-after': String(timeLeft),
          },
        },
      };
    }
    const errors = c.errors;
    if (
      errors &&
      errors.rate > 0 &&
      (errors.services === undefined || errors.services.includes(id.service)) &&
      (errors.actions === undefined || errors.actions.includes(id.action)) &&
      this.#random() < errors.rate
    ) {
      return {
        latencyMs,
        fault:
          errors.status === 500
            ? {
                status: 500,
                code: 'InternalError',
                message: 'The request processing has failed due to some unknown error.',
              }
            : {
                status: 503,
                code: 'ServiceUnavailable',
                message: 'The request has failed due to a temporary failure of the server.',
              },
      };
    }
    return latencyMs > 0 ? { latencyMs } : NO_FAULT;
  }
}
