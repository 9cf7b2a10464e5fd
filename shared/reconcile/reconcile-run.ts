import type { DesiredRole } from '../domain/desired-role.js';
import { DtsTrustError } from '../domain/errors.js';
import type { RoleKey } from '../domain/grant.js';
import type { AuditLog, Clock, GrantStore } from '../ports.js';
import type { AccountSessions } from './account-sessions.js';
import type { RunDtsJobs } from './dts-jobs.js';
import { findingsOfRole, raisesNoFinding, recordEach, type WrittenStatus } from './findings.js';
import { expireRoleGrants, hasGrantsToExpire, isSettled } from './grant-expiry.js';
import type { RoleObservation } from './observe.js';
import { RoleOutcome, type RoleResult } from './outcome.js';
import type { RolePlan } from './plan.js';
import type { RolePipeline, RoleRun } from './role-pipeline.js';
import { type RoleVisit, statusHold } from './role-visits.js';
import { type RunMode, type RunResult, RunTally } from './run-result.js';
import type { RoleStatusWriter } from './status-writer.js';
import type { RunSubAccountPolicies } from './sub-account-listing.js';

/** A dry run of one role: what is desired, what is there, and what would be done. */
export interface RolePreview {
  readonly desired: DesiredRole | undefined;
  readonly observation?: RoleObservation;
  readonly plan: RolePlan;
}

/** What one run is made of: its accounts, where its records and status rows go, and whether it expires grants. */
export interface ReconcileRunParts {
  readonly correlationId: string;
  readonly sessions: AccountSessions;
  /** The audit log (a dry run's keeps nothing). */
  readonly audit: AuditLog;
  /** Where status rows go (a dry run's writes nothing). */
  readonly status: RoleStatusWriter;
  readonly pipeline: RolePipeline;
  /** Where expired grants are removed from; absent when the run expires none (a dry run, an explicit reconcile). */
  readonly expiry?: GrantStore | undefined;
  readonly clock: Clock;
  readonly newId: () => string;
  readonly maxResults: number;
  /** The DTS jobs of the run's task accounts (each listed once per run); absent when no job is looked up. */
  readonly jobs?: RunDtsJobs | undefined;
  /** A sweep's sub-account policies (each trusted account listed once per run); absent: found one by one. */
  readonly subAccountPolicies?: RunSubAccountPolicies | undefined;
}

/**
 * One run of the reconciler: each role through the pipeline, then its status row, then (scheduled timer runs) its
 * expired grants, then the findings of what the reconcile did (trust removed, an unowned role in the way, a
 * `removal-fight`, and `tug-of-war` when this reconcile paused the role); every role counted in the run's tally.
 */
export class ReconcileRun {
  readonly #tally: RunTally;
  readonly #started: number;

  constructor(private readonly parts: ReconcileRunParts) {
    this.#tally = new RunTally(parts.maxResults);
    this.#started = parts.clock.now().getTime();
  }

  /** Enter these owner accounts ahead of their first roles ({@link AccountSessions.enterAhead}). */
  enterAhead(ownerAccountIds: readonly string[]): void {
    this.parts.sessions.enterAhead(ownerAccountIds);
  }

  /**
   * Reconcile one role of the run and count it. A scheduled run (`visit` given, with the status row and grants its
   * scan read) holds back the additions and repairs of a flap-paused or backing-off role (it ends `paused` or
   * `deferred` when nothing else was to be done; a `deferred` role's row is left as it was, so the backoff runs
   * on). An explicit reconcile (no visit) holds nothing back and resumes a paused role.
   */
  async reconcile(role: RoleKey, visit?: RoleVisit): Promise<RoleResult> {
    const result = await this.#reconcile(role, visit);
    this.#tally.add(result);
    return result;
  }

  /**
   * A role's dry-run view (in a dry run): what the grants ask for, what is there, and the plan. Throws a
   * `DtsTrustError` with the role's error when the role could not be observed.
   */
  async preview(role: RoleKey): Promise<RolePreview> {
    const { result, desired, observation } = await this.parts.pipeline.reconcile(this.parts, { role });
    if (result.plan === undefined || result.error !== undefined) {
      throw new DtsTrustError(result.error?.code ?? 'InternalError', result.error?.message ?? 'not planned');
    }
    return { desired, ...(observation === undefined ? {} : { observation }), plan: result.plan };
  }

  /** What the run did so far. */
  result(details: { mode: RunMode; dryRun: boolean; ownerAccountIds?: readonly string[] | undefined }): RunResult {
    return {
      correlationId: this.parts.correlationId,
      mode: details.mode,
      dryRun: details.dryRun,
      ...this.#tally.counts,
      failedAccounts: this.parts.sessions.failures,
      durationMs: this.parts.clock.now().getTime() - this.#started,
      apiCalls: this.parts.sessions.calls,
      ...(details.ownerAccountIds === undefined ? {} : { ownerAccountIds: details.ownerAccountIds }),
    };
  }

  async #reconcile(role: RoleKey, visit: RoleVisit | undefined): Promise<RoleResult> {
    const { parts } = this;
    const { result, grants, declared, endedByJobs } = await parts.pipeline.reconcile(parts, {
      role,
      hold: visit?.status ? statusHold(visit.status, parts.clock.now()) : undefined,
      grants: visit?.grants,
      recordedPolicyIds: visit?.status?.subAccountPolicyIds,
    });
    if (result.outcome === RoleOutcome.Deferred) return result;
    const written = await parts.status.write({
      result,
      previous: visit?.status,
      resume: visit === undefined,
      declared,
      correlationId: parts.correlationId,
    });
    if (written.failed) this.#tally.statusWriteFailed();
    if (
      parts.expiry &&
      !written.failed &&
      isSettled(result.outcome) &&
      hasGrantsToExpire(grants, parts.clock.now(), endedByJobs)
    ) {
      this.#tally.grantsExpired(await this.#expire(parts.expiry, grants, endedByJobs));
    }
    // Most roles raise no finding: told without building any, and without a step of its own.
    return raisesNoFinding(result, written) ? result : await this.#withFindings(result, written);
  }

  /** Remove the expired grants of a settled role (and those that ended with their DTS jobs); a failure leaves them for the next run. */
  #expire(store: GrantStore, grants: RoleRun['grants'], endedByJobs: RoleRun['endedByJobs']): Promise<number> {
    const { audit, clock, newId, correlationId } = this.parts;
    return expireRoleGrants({ grants: store, audit, clock, newId }, grants, correlationId, endedByJobs).catch(() => 0);
  }

  /**
   * Record the findings of the role's reconcile (best effort: the change is made and its own events are recorded)
   * and add them to its result's events.
   */
  async #withFindings(result: RoleResult, written: WrittenStatus): Promise<RoleResult> {
    const { audit, clock, newId, correlationId } = this.parts;
    const findings = findingsOfRole(result, written, { newId, time: clock.now(), correlationId });
    if (findings.length === 0) return result;
    const recorded = await recordEach(audit, findings);
    return recorded.length === 0 ? result : { ...result, auditEvents: [...result.auditEvents, ...recorded] };
  }
}
