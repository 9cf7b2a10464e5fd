import { createHash } from 'node:crypto';
import type { RoleKey } from '../domain/grant.js';
import type { RoleStatus } from '../ports.js';
import { describeAction } from './describe-plan.js';
import { RoleOutcome, type RoleResult } from './outcome.js';
import { describeTrustedSideStep } from './trusted-side.js';

/** How failures back off and repairs count as flapping. */
export interface StatusPolicy {
  /** Wait before retrying a role that failed twice in a row; doubles with every further failure. */
  readonly failureBackoffMs: number;
  /** The longest wait after failures. */
  readonly maxFailureBackoffMs: number;
  /** Repairs of the same drift within this window count as flapping. */
  readonly flapWindowMs: number;
  /** After this many repairs of the same drift within the window the role is paused (0: never). */
  readonly flapLimit: number;
}

/** The status policy used when the caller configures none. */
export const DEFAULT_STATUS_POLICY = {
  failureBackoffMs: 5 * 60_000,
  maxFailureBackoffMs: 6 * 60 * 60_000,
  flapWindowMs: 24 * 60 * 60_000,
  flapLimit: 3,
} as const satisfies StatusPolicy;

/**
 * Signature of the drift a repair fixed: the same manual edit repaired again gives the same signature, whether it
 * was made to the role or to a sub-account policy of its trusted side (Tencent).
 */
export function repairSignature(result: RoleResult): string {
  const text = [...result.applied.map(describeAction), ...(result.trustedSide ?? []).map(describeTrustedSideStep)].join(
    '\n',
  );
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

function failureDelay(failureCount: number, policy: StatusPolicy): number {
  if (failureCount < 2) return 0;
  return Math.min(policy.maxFailureBackoffMs, policy.failureBackoffMs * 2 ** (failureCount - 2));
}

/**
 * The status row after a reconcile: last result and time, consecutive failures with the next attempt (the first
 * failure retries on the next run, later ones back off exponentially), the observed hash, and the flap counter
 * (repairs of the same drift within the window; reaching `flapLimit` pauses the role with a `pausedReason`).
 * `options.resume` clears an earlier pause (an explicit reconcile after intake). `version` is carried from
 * `previous` for the conditional write.
 */
export function nextRoleStatus(
  role: RoleKey,
  previous: RoleStatus | undefined,
  result: RoleResult,
  now: Date,
  policy: StatusPolicy = DEFAULT_STATUS_POLICY,
  options: { resume?: boolean } = {},
): RoleStatus {
  const failed = result.outcome === RoleOutcome.Failed;
  const failureCount = failed ? (previous?.failureCount ?? 0) + 1 : 0;
  const delay = failed ? failureDelay(failureCount, policy) : 0;
  // Resuming a paused role starts its flap count afresh.
  const flapHistory = options.resume && previous?.pausedReason !== undefined ? undefined : previous;
  let flap: Pick<RoleStatus, 'flapSignature' | 'flapCount' | 'flapWindowStart'> = {
    ...(flapHistory?.flapSignature === undefined ? {} : { flapSignature: flapHistory.flapSignature }),
    flapCount: flapHistory?.flapCount ?? 0,
    ...(flapHistory?.flapWindowStart === undefined ? {} : { flapWindowStart: flapHistory.flapWindowStart }),
  };
  if (result.outcome === RoleOutcome.Repaired) {
    const signature = repairSignature(result);
    const windowStart =
      flapHistory?.flapWindowStart === undefined ? Number.NaN : Date.parse(flapHistory.flapWindowStart);
    const inWindow = now.getTime() - windowStart < policy.flapWindowMs;
    flap =
      flapHistory?.flapSignature === signature && inWindow
        ? {
            flapSignature: signature,
            flapCount: (flapHistory.flapCount ?? 0) + 1,
            flapWindowStart: flapHistory.flapWindowStart,
          }
        : { flapSignature: signature, flapCount: 1, flapWindowStart: now.toISOString() };
  }
  const observedHash = result.observedHash ?? previous?.observedHash;
  const flapping =
    result.outcome === RoleOutcome.Repaired && policy.flapLimit > 0 && flap.flapCount >= policy.flapLimit;
  const pausedReason = flapping
    ? `the same drift was repaired ${flap.flapCount} times within ${Math.round(policy.flapWindowMs / 60_000)} minutes: ` +
      'something keeps changing this role; find it, then resume the role (clear pausedReason)'
    : options.resume
      ? undefined
      : previous?.pausedReason;
  const subAccountPolicyIds = recordedPolicyIds(previous?.subAccountPolicyIds, result.trustedSidePolicyIds);
  return {
    ownerAccountId: role.ownerAccountId,
    roleName: role.roleName,
    ...(observedHash === undefined ? {} : { observedHash }),
    lastResult: result.outcome,
    lastReconciledAt: now.toISOString(),
    failureCount,
    ...(delay > 0 ? { nextAttemptAt: new Date(now.getTime() + delay).toISOString() } : {}),
    ...flap,
    ...(pausedReason === undefined ? {} : { pausedReason }),
    ...(subAccountPolicyIds === undefined ? {} : { subAccountPolicyIds }),
    version: previous?.version ?? 0,
  };
}

/**
 * The sub-account policy ids a status row keeps: the previous row's, with this reconcile's news applied (an id
 * recorded, `null` removing the account's entry); absent while neither has any (an Alibaba role, an earlier
 * release's row not yet reconciled by this one). Once present it stays, empty or not.
 */
function recordedPolicyIds(
  previous: Readonly<Record<string, string>> | undefined,
  news: Readonly<Record<string, string | null>> | undefined,
): Readonly<Record<string, string>> | undefined {
  if (news === undefined) return previous;
  const ids: Record<string, string> = { ...previous };
  for (const [trustedAccountId, policyId] of Object.entries(news)) {
    if (policyId === null) delete ids[trustedAccountId];
    else ids[trustedAccountId] = policyId;
  }
  return Object.fromEntries(Object.entries(ids).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** True when a failed role's backoff has not run out at `now`. */
export function isDeferred(status: RoleStatus | undefined, now: Date): boolean {
  return status?.nextAttemptAt !== undefined && Date.parse(status.nextAttemptAt) > now.getTime();
}

/** True when two rows differ at most in their time (`lastReconciledAt`) and version. */
export function sameStatus(a: RoleStatus, b: RoleStatus): boolean {
  // Every member of a status row is a string or a number (or absent), compared one by one, absent as undefined;
  // but `subAccountPolicyIds`, a map of strings kept in key order, compared by its entries.
  const x = a as unknown as Readonly<Record<string, unknown>>;
  const y = b as unknown as Readonly<Record<string, unknown>>;
  for (const key in x) if (!IGNORED_IN_COMPARISON.has(key) && x[key] !== y[key]) return false;
  for (const key in y) if (!IGNORED_IN_COMPARISON.has(key) && x[key] !== y[key]) return false;
  return samePolicyIds(a.subAccountPolicyIds, b.subAccountPolicyIds);
}

/** True when two sub-account policy id maps hold the same entries (both absent counts). */
function samePolicyIds(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>> | undefined,
): boolean {
  if (a === undefined || b === undefined) return a === b;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** What a run changes in every row it visits, and so never counts as a change. */
const IGNORED_IN_COMPARISON: ReadonlySet<string> = new Set(['lastReconciledAt', 'version', 'subAccountPolicyIds']);

/**
 * True when the row {@link nextRoleStatus} builds after `result` would differ from `previous` at most in its time
 * and version ({@link sameStatus}), told from the members a reconcile can change without building that row: the
 * same outcome again, neither failed nor repaired (so no failure count, backoff or flap counter moves), no failure
 * counted before, the observed hash unchanged, no pause ended by `resume`, no sub-account policy ids reported.
 * A scheduled run's steady state (every role found as it was) ends here; false sends the row through
 * {@link nextRoleStatus}, which decides (a test holds the two equal: true only where {@link sameStatus} is true).
 */
export function keepsStatus(previous: RoleStatus, result: RoleResult, options: { resume?: boolean } = {}): boolean {
  return (
    previous.lastResult === result.outcome &&
    result.outcome !== RoleOutcome.Failed &&
    result.outcome !== RoleOutcome.Repaired &&
    previous.failureCount === 0 &&
    previous.nextAttemptAt === undefined &&
    (result.observedHash === undefined || result.observedHash === previous.observedHash) &&
    (options.resume !== true || previous.pausedReason === undefined) &&
    result.trustedSidePolicyIds === undefined &&
    previous.ownerAccountId === result.role.ownerAccountId &&
    previous.roleName === result.role.roleName
  );
}
