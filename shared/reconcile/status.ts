import { createHash } from 'node:crypto';
import type { RoleKey } from '../domain/grant.js';
import type { RoleStatus } from '../ports.js';
import { describeAction } from './describe-plan.js';
import { RoleOutcome, type RoleResult } from './outcome.js';

/** How failures back off and repairs count as flapping. */
export interface StatusPolicy {
  /** Wait before retrying a role that failed twice in a row; doubles with every further failure. */
  readonly failureBackoffMs: number;
  /** The longest wait after failures. */
  readonly maxFailureBackoffMs: number;
  /** Repairs of the same drift within this window count as flapping. */
  readonly flapWindowMs: number;
}

/** The status policy used when the caller configures none. */
export const DEFAULT_STATUS_POLICY = {
  failureBackoffMs: 5 * 60_000,
  maxFailureBackoffMs: 6 * 60 * 60_000,
  flapWindowMs: 24 * 60 * 60_000,
} as const satisfies StatusPolicy;

/** Signature of the drift a repair fixed: the same manual edit repaired again gives the same signature. */
export function repairSignature(result: RoleResult): string {
  const text = result.applied.map(describeAction).join('\n');
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

function failureDelay(failureCount: number, policy: StatusPolicy): number {
  if (failureCount < 2) return 0;
  return Math.min(policy.maxFailureBackoffMs, policy.failureBackoffMs * 2 ** (failureCount - 2));
}

/**
 * The status row after a reconcile: last result and time, consecutive failures with the next attempt (the first
 * failure retries on the next run, later ones back off exponentially), the observed hash, and the flap counter
 * (repairs of the same drift within the window). `version` is carried from `previous` for the conditional write.
 */
export function nextRoleStatus(
  role: RoleKey,
  previous: RoleStatus | undefined,
  result: RoleResult,
  now: Date,
  policy: StatusPolicy = DEFAULT_STATUS_POLICY,
): RoleStatus {
  const failed = result.outcome === RoleOutcome.Failed;
  const failureCount = failed ? (previous?.failureCount ?? 0) + 1 : 0;
  const delay = failed ? failureDelay(failureCount, policy) : 0;
  let flap: Pick<RoleStatus, 'flapSignature' | 'flapCount' | 'flapWindowStart'> = {
    ...(previous?.flapSignature === undefined ? {} : { flapSignature: previous.flapSignature }),
    flapCount: previous?.flapCount ?? 0,
    ...(previous?.flapWindowStart === undefined ? {} : { flapWindowStart: previous.flapWindowStart }),
  };
  if (result.outcome === RoleOutcome.Repaired) {
    const signature = repairSignature(result);
    const windowStart = previous?.flapWindowStart === undefined ? Number.NaN : Date.parse(previous.flapWindowStart);
    const inWindow = now.getTime() - windowStart < policy.flapWindowMs;
    flap =
      previous?.flapSignature === signature && inWindow
        ? {
            flapSignature: signature,
            flapCount: (previous.flapCount ?? 0) + 1,
            flapWindowStart: previous.flapWindowStart,
          }
        : { flapSignature: signature, flapCount: 1, flapWindowStart: now.toISOString() };
  }
  const observedHash = result.observedHash ?? previous?.observedHash;
  return {
    ownerAccountId: role.ownerAccountId,
    roleName: role.roleName,
    ...(observedHash === undefined ? {} : { observedHash }),
    lastResult: result.outcome,
    lastReconciledAt: now.toISOString(),
    failureCount,
    ...(delay > 0 ? { nextAttemptAt: new Date(now.getTime() + delay).toISOString() } : {}),
    ...flap,
    ...(previous?.pausedReason === undefined ? {} : { pausedReason: previous.pausedReason }),
    version: previous?.version ?? 0,
  };
}

/** True when a failed role's backoff has not run out at `now`. */
export function isDeferred(status: RoleStatus | undefined, now: Date): boolean {
  return status?.nextAttemptAt !== undefined && Date.parse(status.nextAttemptAt) > now.getTime();
}
