/**
 * Fault injection of the local cloud (zod-validated, settable at start and at runtime): latency (fixed or a
 * `[min, max]` range, optionally per service), QPS limits answered with `Throttling.User` (per account and API in
 * whole-second windows, or one token bucket per account across a service's APIs), a random 5xx rate, and
 * whole-service outages. Random choices come from a seeded generator when `seed` is set.
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
    /**
     * QPS limits on the calls matching their filters. `per: 'api'` (default): `qps` calls per account and API
     * (`service` + `action`) in each whole second of the clock. `per: 'account'`: one token bucket per account
     * across every matching API, refilled at `qps` per second and holding at most `burst` (default `qps`).
     */
    qpsLimits: z
      .array(
        z
          .object({
            service: z.string().optional(),
            action: z.string().optional(),
            accountId: z.string().optional(),
            qps: z.number().int().min(0),
            per: z.enum(['api', 'account']).default('api'),
            burst: z.number().int().min(1).optional(),
          })
          .strict()
          .refine((l) => l.per === 'account' || l.burst === undefined, {
            message: "burst applies to per: 'account' limits only",
            path: ['burst'],
          }),
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

/** One account's token bucket of a `per: 'account'` limit. */
interface AccountBucket {
  tokens: number;
  updatedAtMs: number;
}

/** A QPS limit as validated. */
type QpsLimit = NonNullable<z.output<typeof FaultsSchema>['qpsLimits']>[number];

/** Decides latency and faults per call; QPS windows are whole seconds of the given clock. */
export class FaultInjector {
  #config: z.output<typeof FaultsSchema> = {};
  #random: () => number = Math.random;
  #active = false;
  readonly #windows = new Map<string, { second: number; count: number }>();
  readonly #buckets = new Map<string, AccountBucket>();
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
    this.#buckets.clear();
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
      const throttled = limit.per === 'account' ? this.#takeToken(i, limit, id) : this.#countInWindow(i, limit, id);
      if (throttled) return { latencyMs, fault: throttled };
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

  /** Count a call in its whole-second window (`per: 'api'`); the throttling fault when the window is full. */
  #countInWindow(i: number, limit: QpsLimit, id: CallIdentity): InjectedFault | undefined {
    const nowMs = this.#now().getTime();
    const second = Math.floor(nowMs / 1000);
    const key = `${i}|${id.accountId ?? ''}|${id.service}|${id.action}`;
    const window = this.#windows.get(key);
    if (!window || window.second !== second) {
      this.#windows.set(key, { second, count: 1 });
      if (limit.qps >= 1) return undefined;
    } else {
      window.count += 1;
      if (window.count <= limit.qps) return undefined;
    }
    const timeLeft = (second + 1) * 1000 - nowMs;
    return throttling(limit.qps, timeLeft, second + 1);
  }

  /** Take a token from the account's bucket (`per: 'account'`); the throttling fault when it is empty. */
  #takeToken(i: number, limit: QpsLimit, id: CallIdentity): InjectedFault | undefined {
    const nowMs = this.#now().getTime();
    const burst = limit.burst ?? Math.max(1, limit.qps);
    const key = `${i}|${id.accountId ?? ''}`;
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { tokens: burst, updatedAtMs: nowMs };
      this.#buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((nowMs - bucket.updatedAtMs) / 1000) * limit.qps);
    bucket.updatedAtMs = nowMs;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    const timeLeft = limit.qps > 0 ? Math.ceil(((1 - bucket.tokens) / limit.qps) * 1000) : 1000;
    return throttling(limit.qps, timeLeft, Math.ceil((nowMs + timeLeft) / 1000));
  }
}

/** RAM's answer to a call over its limit, with the headers that tell the SDK when to retry. */
function throttling(qps: number, timeLeftMs: number, resetSecond: number): InjectedFault {
  return {
    status: 400,
    code: 'Throttling.User',
    message: 'Request was denied due to user flow control.',
    headers: {
      'x-ratelimit-user-api': `Limit:${qps},Remain:0,TimeLeft:${timeLeftMs},Reset:${resetSecond}`,
      'x-acs-retry-after': String(timeLeftMs),
    },
  };
}
