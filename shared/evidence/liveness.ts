import { randomUUID } from 'node:crypto';
import { FindingState } from '../domain/finding-record.js';
import {
  type LivenessGap,
  type LivenessPolicy,
  livenessGap,
  RECONCILER_NOT_RUNNING_ID,
  reconcilerNotRunningFinding,
  reconcilerRunningAgain,
} from '../domain/liveness.js';
import type { AuditLog, Clock, FindingLedger, Heartbeats } from '../ports.js';

/** The component whose runs the heartbeat records. */
export const TIMER_RUN = 'drift-reconciler';

/** The liveness checks' dependencies from the services (the outbox as audit log, random event ids). */
export function livenessDeps(services: {
  heartbeats: Heartbeats;
  findings: FindingLedger;
  outbox: AuditLog;
  clock: Pick<Clock, 'now'>;
  config: { liveness: LivenessPolicy };
}): LivenessDeps {
  return {
    heartbeats: services.heartbeats,
    findings: services.findings,
    audit: services.outbox,
    clock: services.clock,
    newId: randomUUID,
    policy: services.config.liveness,
  };
}

/** What the liveness checks need. */
export interface LivenessDeps {
  readonly heartbeats: Heartbeats;
  readonly findings: FindingLedger;
  readonly audit: AuditLog;
  readonly clock: Pick<Clock, 'now'>;
  readonly newId: () => string;
  readonly policy: LivenessPolicy;
}

/**
 * At the start of a timer run: judge the gap since the previous successful run and, when it is over the allowed
 * intervals, record the `reconciler-not-running` finding (the outage is on record once it is over). Returns the gap.
 */
export async function checkPreviousRun(deps: LivenessDeps, correlationId: string): Promise<LivenessGap> {
  const now = deps.clock.now();
  const last = await deps.heartbeats.last(TIMER_RUN);
  const gap = livenessGap(last?.succeededAt, now, deps.policy);
  if (gap.stale && last) {
    await deps.audit.record(
      reconcilerNotRunningFinding({
        id: deps.newId(),
        time: now,
        correlationId,
        lastSucceededAt: last.succeededAt,
        gap,
        policy: deps.policy,
      }),
    );
  }
  return gap;
}

/**
 * At the end of a successful timer run: record the heartbeat and, when a `reconciler-not-running` finding is open
 * (raised by this run's check or by the CLI), record that it is resolved.
 */
export async function recordSuccessfulRun(
  deps: LivenessDeps,
  correlationId: string,
  raisedNow: boolean,
): Promise<void> {
  const now = deps.clock.now();
  await deps.heartbeats.beat(TIMER_RUN, now, correlationId);
  const open = raisedNow || (await deps.findings.get(RECONCILER_NOT_RUNNING_ID))?.state === FindingState.Open;
  if (open) await deps.audit.record(reconcilerRunningAgain({ id: deps.newId(), time: now, correlationId }));
}
