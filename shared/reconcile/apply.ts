import { randomUUID } from 'node:crypto';
import { type AuditEvent, AuditEventType } from '../domain/audit.js';
import { CloudApiError, CloudErrorKind, DtsTrustError } from '../domain/errors.js';
import type { AccountCredentials, AuditLog, Clock, Random, RoleDirectory } from '../ports.js';
import { type AuditScope, beforeAfter, OutcomeEventType, planEvent } from './audit-events.js';
import { describeAction } from './describe-plan.js';
import { RoleOutcome as Outcome, type RoleError, type RoleOutcome, type RoleResult } from './outcome.js';
import { type ChangeAction, HoldReason, isChange, type PlannedAction, type RolePlan } from './plan.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from './retry.js';

/** Product codes of role failures raised by the executor itself. */
export const ExecutorErrorCode = {
  /** The audit record could not be written, so the change it describes was not made. */
  AuditRecordFailed: 'AuditRecordFailed',
  /** The role disappeared while it was being repaired; the next run re-creates it. */
  RoleVanished: 'RoleVanished',
  /** Something other than a cloud API failed (a defect). */
  InternalError: 'InternalError',
} as const;

/** What the executor needs. */
export interface ExecutorDeps {
  readonly directory: RoleDirectory;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly random: Random;
  /** Retries of throttled and unavailable RAM calls; defaults to {@link DEFAULT_RETRY_POLICY}. */
  readonly retry?: Partial<RetryPolicy>;
  /** Audit event ids; defaults to random UUIDs. */
  readonly newId?: () => string;
  /** Also record an event when a role is in sync (default false: steady state stays quiet). */
  readonly recordInSync?: boolean;
}

/** Per-call context of the executor. */
export interface ApplyContext {
  /** Ties together every event of one run or intake message. */
  readonly correlationId: string;
  /** Hash of the observation the plan was made from, passed through to the result. */
  readonly observedHash?: string;
  /**
   * What the `change.planned` record of a change carries besides the action, when anything (the DTS jobs a removal
   * breaks, or why they could not be looked up).
   */
  readonly noteOf?: (action: ChangeAction) => Readonly<Record<string, unknown>> | undefined;
}

function changeOutcome(changes: readonly ChangeAction[]): RoleOutcome {
  if (changes.some((a) => a.kind === 'createRole')) return Outcome.Created;
  if (changes.some((a) => a.kind === 'deleteRole')) return Outcome.Deleted;
  if (changes.some((a) => a.kind === 'adoptRole')) return Outcome.Adopted;
  return Outcome.Repaired;
}

function perform(
  directory: RoleDirectory,
  account: AccountCredentials,
  plan: RolePlan,
  action: ChangeAction,
): Promise<unknown> {
  const name = plan.role.roleName;
  switch (action.kind) {
    case 'createRole':
      return directory.createRole(account, action.role);
    case 'updateTrust':
      return directory.updateTrustPolicy(account, name, action.after);
    case 'attachPolicy':
      return directory.attachPolicy(account, name, action.policy);
    case 'detachPolicy':
      return directory.detachPolicy(account, name, action.policy);
    case 'deleteRole':
      return directory.deleteRole(account, name);
    case 'adoptRole':
      return directory.updateDescription(account, name, action.after);
  }
}

/**
 * True when the error means the change already holds: detaching an absent policy (or from an absent role),
 * deleting an absent role, attaching a policy that is already attached.
 */
function alreadyDone(action: ChangeAction, error: unknown): boolean {
  if (!(error instanceof CloudApiError)) return false;
  if (action.kind === 'detachPolicy' || action.kind === 'deleteRole') return error.kind === CloudErrorKind.NotFound;
  if (action.kind === 'attachPolicy') return error.code === 'EntityAlreadyExists.Role.Policy';
  return false;
}

function roleErrorOf(action: PlannedAction | undefined, plan: RolePlan, error: unknown): RoleError {
  if (error instanceof CloudApiError) {
    if (error.kind === CloudErrorKind.NoPermission) {
      return { code: error.code, message: error.message, accountLevel: true };
    }
    const roleGone =
      error.kind === CloudErrorKind.NotFound &&
      (action?.kind === 'updateTrust' || action?.kind === 'adoptRole' || error.code === 'EntityNotExist.Role');
    if (roleGone) {
      return {
        code: ExecutorErrorCode.RoleVanished,
        message: `role ${plan.role.roleName} disappeared during the repair (${error.message}); the next run re-creates it`,
      };
    }
    return { code: error.code, message: error.message };
  }
  if (error instanceof DtsTrustError) return { code: error.code, message: error.message };
  return { code: ExecutorErrorCode.InternalError, message: error instanceof Error ? error.message : String(error) };
}

/**
 * True when the plan changes nothing, holds nothing back, meets no conflict and the run records no `in-sync`
 * event: the steady state of almost every role, whose result needs none of the recording {@link applyRolePlan}
 * sets up.
 */
function isQuietlyInSync(plan: RolePlan, deps: ExecutorDeps): boolean {
  if (deps.recordInSync || plan.hold !== undefined || plan.heldBack.length > 0) return false;
  for (const action of plan.actions) if (action.kind !== 'nothing') return false;
  return true;
}

/** The result of a role found in sync, as {@link applyRolePlan} reports it when nothing was recorded. */
function inSyncResult(plan: RolePlan, context: ApplyContext): RoleResult {
  return {
    role: plan.role,
    outcome: Outcome.InSync,
    applied: [],
    planned: plan.actions,
    plan,
    auditEvents: [],
    ...(context.observedHash === undefined ? {} : { observedHash: context.observedHash }),
  };
}

/**
 * Apply a plan to RAM, in its order (every removal before any addition): each change after recording its
 * `change.planned` audit event (a change whose record fails is not made), retrying throttled and unavailable calls
 * with jittered backoff, treating absent things as state, and stopping at the first failure, so nothing after a
 * failed removal runs. The outcome event follows, with the changes the plan held back. A conflict plan applies only
 * the removals of undeclared access it carries, then reports the conflict. A plan that changes nothing reports: a
 * conflict, the pause of paused grants, the drift an observe grant holds back; a flap pause or a
 * backoff that holds everything back ends quietly as `paused` or `deferred`. Never throws: failures come back as
 * outcome `failed` with the error, and `error.accountLevel` when the owner account must be stopped (NoPermission).
 */
export async function applyRolePlan(
  plan: RolePlan,
  deps: ExecutorDeps,
  account: AccountCredentials,
  context: ApplyContext,
): Promise<RoleResult> {
  if (isQuietlyInSync(plan, deps)) return inSyncResult(plan, context);
  const scope: AuditScope = {
    audit: deps.audit,
    clock: deps.clock,
    newId: deps.newId ?? randomUUID,
    correlationId: context.correlationId,
  };
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...deps.retry };
  const events: AuditEvent[] = [];
  const applied: PlannedAction[] = [];
  const record = async (event: AuditEvent): Promise<void> => {
    await deps.audit.record(event);
    events.push(event);
  };
  const recordQuietly = async (event: AuditEvent): Promise<RoleError | undefined> => {
    try {
      await record(event);
      return undefined;
    } catch (error) {
      return {
        code: ExecutorErrorCode.AuditRecordFailed,
        message: `could not record ${event.type}: ${messageOf(error)}`,
      };
    }
  };
  const result = (outcome: RoleOutcome, error?: RoleError): RoleResult => ({
    role: plan.role,
    outcome,
    applied,
    planned: plan.actions,
    plan,
    ...(error === undefined ? {} : { error }),
    auditEvents: events,
    ...(context.observedHash === undefined ? {} : { observedHash: context.observedHash }),
  });
  const finish = async (outcome: RoleOutcome, data: Parameters<typeof planEvent>[3]): Promise<RoleResult> => {
    const auditError = await recordQuietly(
      planEvent(scope, plan, OutcomeEventType[outcome as keyof typeof OutcomeEventType], data),
    );
    return result(outcome, auditError);
  };

  const changes = plan.actions.filter(isChange);
  const conflicts = plan.actions.filter((a) => a.kind === 'conflict');
  const conflicted = (): Promise<RoleResult> =>
    finish(Outcome.Conflict, {
      outcome: Outcome.Conflict,
      codes: conflicts.map((c) => c.code),
      detail: {
        conflicts: conflicts.map(describeAction),
        ...(applied.length === 0 ? {} : { applied: applied.map(describeAction) }),
      },
    });
  if (conflicts.length > 0 && changes.length === 0) return conflicted();
  const heldBack = plan.heldBack.length === 0 ? {} : { hold: plan.hold, heldBack: plan.heldBack.map(describeAction) };
  if (changes.length === 0) {
    switch (plan.hold) {
      case HoldReason.Paused:
        return finish(Outcome.Paused, { outcome: Outcome.Paused, detail: heldBack });
      case HoldReason.Flapping:
        return result(Outcome.Paused);
      case HoldReason.Observe:
      case HoldReason.Backoff:
        if (plan.heldBack.length === 0) break;
        if (plan.hold === HoldReason.Backoff) return result(Outcome.Deferred);
        return finish(Outcome.DriftObserved, {
          outcome: Outcome.DriftObserved,
          ...(plan.trustDiff === undefined ? {} : { diff: plan.trustDiff }),
          detail: { planned: plan.heldBack.map(describeAction) },
        });
    }
    if (!deps.recordInSync) return result(Outcome.InSync);
    return finish(Outcome.InSync, { outcome: Outcome.InSync });
  }

  for (const action of changes) {
    const planned = planEvent(scope, plan, AuditEventType.ChangePlanned, {
      outcome: action.kind,
      ...beforeAfter(action),
      detail: { action: describeAction(action), ...context.noteOf?.(action) },
    });
    try {
      await record(planned);
    } catch (error) {
      const failure = {
        code: ExecutorErrorCode.AuditRecordFailed,
        message: `the audit record of "${describeAction(action)}" failed, so the change was not made: ${messageOf(error)}`,
      };
      return result(Outcome.Failed, failure);
    }
    try {
      await withRetry(() => perform(deps.directory, account, plan, action), policy, deps);
    } catch (error) {
      if (!alreadyDone(action, error)) {
        const failure = roleErrorOf(action, plan, error);
        await recordQuietly(
          planEvent(scope, plan, AuditEventType.RoleFailed, {
            outcome: Outcome.Failed,
            codes: [failure.code],
            detail: {
              message: failure.message,
              failedAction: describeAction(action),
              applied: applied.map(describeAction),
              ...heldBack,
            },
          }),
        );
        return result(Outcome.Failed, failure);
      }
    }
    applied.push(action);
  }
  if (conflicts.length > 0) return conflicted();
  const outcome = changeOutcome(changes);
  return finish(outcome, {
    outcome,
    ...(plan.trustDiff === undefined ? {} : { diff: plan.trustDiff }),
    detail: { applied: applied.map(describeAction), ...heldBack },
  });
}

/** The role error of a failure outside the plan (observation, credentials, stores). */
export function roleErrorFromFailure(plan: RolePlan, error: unknown): RoleError {
  return roleErrorOf(undefined, plan, error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
