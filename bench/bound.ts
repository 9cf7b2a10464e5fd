/**
 * The theoretical lower bound of a reconcile run, from the per-account rate limit, the RAM latency and the
 * configured concurrency (pure: no I/O), and the figures derived from it.
 */

/** What bounds a run's time. */
export const BoundFactor = {
  /** Each account's roles wait on RAM latency, `rolesPerAccount` at a time. */
  Latency: 'latency',
  /** Each account's RAM calls wait on its per-account rate limit. */
  Rate: 'rate',
} as const;
/** One of {@link BoundFactor}. */
export type BoundFactor = (typeof BoundFactor)[keyof typeof BoundFactor];

/** The shape of a run, as the bound sees it. */
export interface BoundInput {
  /** Roles of each owner account (one entry per account). */
  readonly rolesPerAccount: readonly number[];
  /** RAM calls per role, made one after the other (steady state: GetRole then ListPoliciesForRole). */
  readonly ramCallsPerRole: number;
  /** Mean RAM latency, ms. */
  readonly ramLatencyMs: number;
  /** Mean latency of the one AssumeRole made per account before its first role, ms. */
  readonly stsLatencyMs: number;
  /** RAM requests per second per account (the smaller of the product's token bucket and the cloud's limit). */
  readonly ratePerSecond: number;
  /** Requests an account may make at once before the rate applies (the token bucket's size). */
  readonly burst: number;
  /** Owner accounts reconciled at the same time. */
  readonly accountConcurrency: number;
  /** Roles of one account in flight at the same time. */
  readonly roleConcurrency: number;
}

/** The bound and how it was reached. */
export interface RunBound {
  /** Lower bound of the run's wall time, ms. */
  readonly ms: number;
  /** What bounds the busiest accounts. */
  readonly limitedBy: BoundFactor;
  /** Lower bound of the slowest account on its own, ms. */
  readonly slowestAccountMs: number;
}

/** Lower bound of one account's reconcile, ms, and which factor sets it. */
export function accountBound(roles: number, input: BoundInput): { ms: number; limitedBy: BoundFactor } {
  if (roles <= 0) return { ms: 0, limitedBy: BoundFactor.Latency };
  const waves = Math.ceil(roles / input.roleConcurrency);
  const latencyMs = input.stsLatencyMs + waves * input.ramCallsPerRole * input.ramLatencyMs;
  const calls = roles * input.ramCallsPerRole;
  const rateMs = (Math.max(0, calls - input.burst) / input.ratePerSecond) * 1000;
  return rateMs > latencyMs
    ? { ms: rateMs, limitedBy: BoundFactor.Rate }
    : { ms: latencyMs, limitedBy: BoundFactor.Latency };
}

/**
 * Lower bound of a whole run: the accounts' bounds packed perfectly into `accountConcurrency` lanes, and never
 * less than the slowest account alone. Throws a RangeError on a non-positive rate, latency or concurrency.
 */
export function runBound(input: BoundInput): RunBound {
  for (const [name, value] of Object.entries({
    ramCallsPerRole: input.ramCallsPerRole,
    ratePerSecond: input.ratePerSecond,
    accountConcurrency: input.accountConcurrency,
    roleConcurrency: input.roleConcurrency,
  })) {
    if (!(value > 0)) throw new RangeError(`${name} must be positive, got ${value}`);
  }
  if (input.ramLatencyMs < 0 || input.stsLatencyMs < 0 || input.burst < 0) {
    throw new RangeError('latencies and burst must not be negative');
  }
  let total = 0;
  let slowest = { ms: 0, limitedBy: BoundFactor.Latency as BoundFactor };
  const votes = { [BoundFactor.Latency]: 0, [BoundFactor.Rate]: 0 };
  for (const roles of input.rolesPerAccount) {
    const bound = accountBound(roles, input);
    total += bound.ms;
    votes[bound.limitedBy] += bound.ms;
    if (bound.ms > slowest.ms) slowest = bound;
  }
  const ms = Math.max(total / input.accountConcurrency, slowest.ms);
  const limitedBy = votes[BoundFactor.Rate] > votes[BoundFactor.Latency] ? BoundFactor.Rate : BoundFactor.Latency;
  return { ms, limitedBy, slowestAccountMs: slowest.ms };
}

/** The `p`th percentile (0-100) of some values by the nearest-rank method; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** The median of some values; NaN for no values. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
