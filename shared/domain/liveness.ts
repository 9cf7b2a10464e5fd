/**
 * Liveness of the timer run. A run cannot report its own absence, so each run judges the gap since the previous
 * successful run, and the CLI judges the gap since the last one against the clock (docs/deploy.md, "When the timer
 * stops").
 */
import type { AuditEvent } from './audit.js';
import { findingIdOf, newFindingEvent, newResolvedEvent } from './finding.js';

/** What the liveness finding is about: one subject, so every outage repeats (and reopens) the same finding. */
export const RECONCILER_SUBJECT = 'dts-trust:reconciler';
const ABOUT = 'liveness';

/** The stable id of the `reconciler-not-running` finding. */
export const RECONCILER_NOT_RUNNING_ID = findingIdOf('reconciler-not-running', RECONCILER_SUBJECT, ABOUT);

/** How often the timer runs and how many of its intervals may pass without a successful run. */
export interface LivenessPolicy {
  readonly intervalMs: number;
  readonly allowedIntervals: number;
}

/** The gap since the last successful run, judged by the policy. */
export interface LivenessGap {
  readonly stale: boolean;
  readonly gapMs: number;
  /** Whole timer intervals that passed without a successful run. */
  readonly missedIntervals: number;
}

/** Judge the gap between the last successful run and `now`; no run yet is not stale (a new deployment). */
export function livenessGap(lastSucceededAt: Date | undefined, now: Date, policy: LivenessPolicy): LivenessGap {
  if (lastSucceededAt === undefined) return { stale: false, gapMs: 0, missedIntervals: 0 };
  const gapMs = Math.max(0, now.getTime() - lastSucceededAt.getTime());
  const missedIntervals = Math.max(0, Math.floor(gapMs / policy.intervalMs) - 1);
  return { stale: gapMs > policy.allowedIntervals * policy.intervalMs, gapMs, missedIntervals };
}

/** The critical `reconciler-not-running` finding, with the gap as evidence. */
export function reconcilerNotRunningFinding(init: {
  id: string;
  time: Date;
  correlationId: string;
  lastSucceededAt: Date;
  gap: LivenessGap;
  policy: LivenessPolicy;
}): AuditEvent {
  const minutes = Math.round(init.gap.gapMs / 60_000);
  return newFindingEvent({
    id: init.id,
    kind: 'reconciler-not-running',
    subject: RECONCILER_SUBJECT,
    about: ABOUT,
    time: init.time,
    correlationId: init.correlationId,
    summary:
      `no reconcile run succeeded for ${minutes} minutes (last at ${init.lastSucceededAt.toISOString()}, ` +
      `${init.gap.missedIntervals} timer intervals missed, ${init.policy.allowedIntervals} allowed): drift and expiries waited that long`,
    evidence: {
      lastSucceededAt: init.lastSucceededAt.toISOString(),
      gapMinutes: minutes,
      missedIntervals: init.gap.missedIntervals,
      allowedIntervals: init.policy.allowedIntervals,
      intervalMinutes: Math.round(init.policy.intervalMs / 60_000),
    },
  });
}

/** The end of a `reconciler-not-running` finding: a run succeeded again. */
export function reconcilerRunningAgain(init: { id: string; time: Date; correlationId: string }): AuditEvent {
  return newResolvedEvent({
    id: init.id,
    kind: 'reconciler-not-running',
    findingId: RECONCILER_NOT_RUNNING_ID,
    subject: RECONCILER_SUBJECT,
    time: init.time,
    correlationId: init.correlationId,
    summary: `a reconcile run succeeded again at ${init.time.toISOString()}`,
    resolvedBy: 'dts-trust',
  });
}
