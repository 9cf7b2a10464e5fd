/** The rate bound of a run and the statistics the bench quotes (pure: no I/O). */

/** RAM calls per role in the steady state (GetRole, then ListPoliciesForRole). */
export const RAM_CALLS_PER_ROLE = 2;

/**
 * The rate bound of a run, ms: the slowest account's RAM calls beyond the burst, at its rate. RAM limits each
 * account on its own, so all accounts may run at once and no concurrency setting beats this; for a fleet of
 * large accounts nothing else bounds a run. Throws a RangeError on a rate that is not positive.
 */
export function rateBoundMs(rolesPerAccount: Iterable<number>, ratePerSecond: number, burst = ratePerSecond): number {
  if (!(ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be positive, got ${ratePerSecond}`);
  if (burst < 0) throw new RangeError(`burst must not be negative, got ${burst}`);
  let slowest = 0;
  for (const roles of rolesPerAccount) {
    slowest = Math.max(slowest, (Math.max(0, roles * RAM_CALLS_PER_ROLE - burst) / ratePerSecond) * 1000);
  }
  return slowest;
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
