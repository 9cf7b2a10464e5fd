import { randomUUID } from 'node:crypto';
import { type AuditEvent, AuditEventType, newAuditEvent } from '../domain/audit.js';
import { type DesiredRole, desiredRoleFromGrants } from '../domain/desired-role.js';
import { ConcurrentModificationError } from '../domain/errors.js';
import type { RoleKey } from '../domain/grant.js';
import { roleArn } from '../domain/ownership.js';
import type {
  AccountCredentials,
  AuditLog,
  Clock,
  CredentialBroker,
  GrantStore,
  Random,
  RoleDirectory,
  RoleStatus,
  StatusStore,
} from '../ports.js';
import { processByAccount } from './account-lanes.js';
import { applyRolePlan, type ExecutorDeps, roleErrorFromFailure } from './apply.js';
import { planEvent } from './audit-events.js';
import { gatedDirectory, retryingReads } from './directory-decorators.js';
import { removalFightFinding } from './findings.js';
import { observeRole, type RoleObservation } from './observe.js';
import { type RoleError, RoleOutcome, type RoleResult } from './outcome.js';
import { HoldReason, type PlanOptions, planRoleChanges, type RolePlan } from './plan.js';
import type { PolicyTypeResolver } from './policy-attachments.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from './retry.js';
import { mergeRoleVisits, type RoleVisit } from './role-visits.js';
import { DEFAULT_STATUS_POLICY, isDeferred, nextRoleStatus, type StatusPolicy } from './status.js';
import { TokenBucket } from './token-bucket.js';

/** Tuning of the reconciler; every member has a default. */
export interface ReconcilerOptions {
  /** Retries of throttled and unavailable RAM and STS calls. */
  readonly retry?: Partial<RetryPolicy>;
  /** RAM calls per second per owner account (token bucket rate); default 10. */
  readonly ramCallsPerSecond?: number;
  /** Token bucket size (burst) per owner account; default `ramCallsPerSecond`. */
  readonly ramBurst?: number;
  /** Owner accounts reconciled at the same time in `reconcileAll`; default 4. */
  readonly accountConcurrency?: number;
  /** Roles of one account in flight at the same time; default 4. */
  readonly roleConcurrency?: number;
  /** Roles read ahead of processing, at most; default 100. */
  readonly queuedRoles?: number;
  /** Results kept in a run report (counts are always complete); default 1000. */
  readonly maxResults?: number;
  /** Failure backoff and flap window of the status rows. */
  readonly status?: Partial<StatusPolicy>;
  /** Record an event for roles found in sync; default false. */
  readonly recordInSync?: boolean;
  /** Tags and other choices of the planner. */
  readonly plan?: PlanOptions;
  /** Types declared policy names (System or Custom). */
  readonly policyTypeOf?: PolicyTypeResolver;
  /** Audit event ids; default random UUIDs. */
  readonly newId?: () => string;
}

/** What the reconciler needs. */
export interface ReconcilerDeps {
  readonly broker: CredentialBroker;
  readonly directory: RoleDirectory;
  readonly grants: GrantStore;
  readonly status: StatusStore;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly random: Random;
  readonly options?: ReconcilerOptions;
}

/** Context of one reconcile. */
export interface ReconcileContext {
  readonly correlationId: string;
}

/** Context of a run over many roles. */
export interface RunContext extends ReconcileContext {
  /** Only these owner accounts (a shard); default every managed role. */
  readonly ownerAccountIds?: readonly string[];
  /** Called as each role finishes (progress displays). */
  readonly onRoleDone?: (result: RoleResult) => void;
}

/** An owner account the run had to stop. */
export interface AccountFailure {
  readonly accountId: string;
  readonly code: string;
  readonly message: string;
}

/** The report of one run. */
export interface RunReport {
  readonly correlationId: string;
  /** Roles seen. */
  readonly roles: number;
  /** Roles by outcome. */
  readonly outcomes: Readonly<Partial<Record<RoleOutcome, number>>>;
  readonly failedAccounts: readonly AccountFailure[];
  /** Run time by the injected clock. */
  readonly durationMs: number;
  readonly apiCalls: { readonly ram: number; readonly assumeRole: number };
  /** Status rows that could not be written (they are written again on the next run). */
  readonly statusWriteFailures: number;
  /** Per-role results, at most `maxResults` of them. */
  readonly results: readonly RoleResult[];
  /** True when results were left out because of `maxResults`. */
  readonly resultsTruncated: boolean;
}

/** A dry run of one role: what is desired, what is there, and what would be done. */
export interface RolePreview {
  readonly desired: DesiredRole | undefined;
  readonly observation?: RoleObservation;
  readonly plan: RolePlan;
}

/** The reconciliation engine. */
export interface Reconciler {
  /** Reconcile one role now (after intake), then write its status row. Never throws. */
  reconcileRole(role: RoleKey, ctx: ReconcileContext): Promise<RoleResult>;
  /** Reconcile every managed role (or the shard's accounts), streaming them from the grant store. Never throws for one role or account. */
  reconcileAll(ctx: RunContext): Promise<RunReport>;
  /** Observe and plan one role without changing anything (a dry run). Throws on cloud errors. */
  previewRole(role: RoleKey): Promise<RolePreview>;
}

/** State shared by the roles of one run. */
interface Run {
  readonly correlationId: string;
  readonly credentials: Map<string, Promise<AccountCredentials>>;
  readonly failedAccounts: Map<string, AccountFailure>;
  readonly calls: { ram: number; assumeRole: number };
  statusWriteFailures: number;
}

/** The hold a status row puts on a scheduled reconcile: a flap pause, or a failure backoff still running. */
function statusHold(status: RoleStatus, now: Date): HoldReason | undefined {
  if (status.pausedReason !== undefined) return HoldReason.Flapping;
  if (isDeferred(status, now)) return HoldReason.Backoff;
  return undefined;
}

/** Build a reconciler over the ports. */
export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const options = deps.options ?? {};
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const statusPolicy: StatusPolicy = { ...DEFAULT_STATUS_POLICY, ...options.status };
  const newId = options.newId ?? randomUUID;
  const rate = options.ramCallsPerSecond ?? 10;
  const buckets = new Map<string, TokenBucket>();
  const time = { clock: deps.clock, random: deps.random };

  const bucketFor = (accountId: string): TokenBucket => {
    let bucket = buckets.get(accountId);
    if (!bucket) {
      bucket = new TokenBucket(deps.clock, { ratePerSecond: rate, burst: options.ramBurst ?? rate });
      buckets.set(accountId, bucket);
    }
    return bucket;
  };

  const newRun = (correlationId: string): Run => ({
    correlationId,
    credentials: new Map(),
    failedAccounts: new Map(),
    calls: { ram: 0, assumeRole: 0 },
    statusWriteFailures: 0,
  });

  const credentialsFor = (run: Run, accountId: string): Promise<AccountCredentials> => {
    let pending = run.credentials.get(accountId);
    if (!pending) {
      pending = withRetry(
        () => {
          run.calls.assumeRole += 1;
          return deps.broker.credentialsFor(accountId);
        },
        retry,
        time,
      );
      run.credentials.set(accountId, pending);
    }
    return pending;
  };

  const directoryFor = (run: Run, accountId: string): RoleDirectory =>
    gatedDirectory(deps.directory, bucketFor(accountId), () => {
      run.calls.ram += 1;
    });

  const executorDeps = (directory: RoleDirectory): ExecutorDeps => ({
    directory,
    audit: deps.audit,
    clock: deps.clock,
    random: deps.random,
    retry,
    newId,
    ...(options.recordInSync === undefined ? {} : { recordInSync: options.recordInSync }),
  });

  const failedResult = (role: RoleKey, error: RoleError, auditEvents: AuditEvent[]): RoleResult => ({
    role,
    outcome: RoleOutcome.Failed,
    applied: [],
    planned: [],
    error,
    auditEvents,
  });

  /** Stop an account for the rest of the run; the first failure records one `account.failed` event. */
  const stopAccount = async (run: Run, accountId: string, error: RoleError): Promise<AuditEvent[]> => {
    if (run.failedAccounts.has(accountId)) return [];
    run.failedAccounts.set(accountId, { accountId, code: error.code, message: error.message });
    const event = newAuditEvent({
      id: newId(),
      type: AuditEventType.AccountFailed,
      subject: `acs:ram::${accountId}:root`,
      time: deps.clock.now(),
      data: {
        correlationId: run.correlationId,
        outcome: RoleOutcome.Failed,
        codes: [error.code],
        detail: { accountId, message: error.message },
      },
    });
    try {
      await deps.audit.record(event);
      return [event];
    } catch {
      return [];
    }
  };

  /**
   * Reconcile one role; `grantRows` learns whether the role has grant rows at all (active or expired). `hold`, from
   * the status row, holds back additions and repairs (never removals).
   */
  const reconcileOne = async (
    run: Run,
    role: RoleKey,
    grantRows: { exist: boolean },
    hold: HoldReason | undefined,
  ): Promise<RoleResult> => {
    const accountId = role.ownerAccountId;
    const stopped = run.failedAccounts.get(accountId);
    if (stopped) {
      return failedResult(
        role,
        { code: stopped.code, message: `account stopped: ${stopped.message}`, accountLevel: true },
        [],
      );
    }
    let plan: RolePlan = {
      role,
      arn: roleArn(role),
      mode: 'enforce',
      actions: [],
      heldBack: [],
      grantIds: [],
      tickets: [],
    };
    try {
      const grants = await deps.grants.listGrantsForRole(role);
      grantRows.exist = grants.length > 0;
      const desired = desiredRoleFromGrants(role, grants, deps.clock.now());
      plan = { ...plan, grantIds: desired?.grantIds ?? [], tickets: desired?.tickets ?? [] };
      let account: AccountCredentials;
      try {
        account = await credentialsFor(run, accountId);
      } catch (error) {
        // Whatever keeps the broker from entering the account (after retries) stops the account for this run.
        const roleError = { ...roleErrorFromFailure(plan, error), accountLevel: true };
        return failedResult(role, roleError, await stopAccount(run, accountId, roleError));
      }
      const directory = directoryFor(run, accountId);
      const observation = await observeRole(retryingReads(directory, retry, time), account, role, desired, {
        ...(options.policyTypeOf === undefined ? {} : { policyTypeOf: options.policyTypeOf }),
      });
      plan = planRoleChanges(desired, observation, options.plan, hold === undefined ? {} : { hold });
      const result = await applyRolePlan(plan, executorDeps(directory), account, {
        correlationId: run.correlationId,
        observedHash: observation.hash,
      });
      if (result.error?.accountLevel) {
        const events = await stopAccount(run, accountId, result.error);
        return { ...result, auditEvents: [...result.auditEvents, ...events] };
      }
      return result;
    } catch (error) {
      const roleError = roleErrorFromFailure(plan, error);
      if (roleError.accountLevel) return failedResult(role, roleError, await stopAccount(run, accountId, roleError));
      const event = planEvent(
        { audit: deps.audit, clock: deps.clock, newId, correlationId: run.correlationId },
        plan,
        AuditEventType.RoleFailed,
        {
          outcome: RoleOutcome.Failed,
          codes: [roleError.code],
          detail: { message: roleError.message },
        },
      );
      try {
        await deps.audit.record(event);
        return failedResult(role, roleError, [event]);
      } catch {
        return failedResult(role, roleError, []);
      }
    }
  };

  /** Record that the product paused a flapping role (best effort: the status row already says so). */
  const recordFlapPause = async (run: Run, role: RoleKey, status: RoleStatus): Promise<AuditEvent | undefined> => {
    const event = newAuditEvent({
      id: newId(),
      type: AuditEventType.RolePaused,
      subject: roleArn(role),
      time: deps.clock.now(),
      data: {
        correlationId: run.correlationId,
        outcome: RoleOutcome.Paused,
        codes: ['RoleFlapping'],
        detail: { reason: status.pausedReason, flapCount: status.flapCount, flapSignature: status.flapSignature },
      },
    });
    try {
      await deps.audit.record(event);
      return event;
    } catch {
      return undefined;
    }
  };

  /**
   * Write the status row conditionally; on a version race re-read and retry once. Returns the row written. A role
   * left without any grant row is forgotten once it is settled: its status row goes, so runs stop visiting it.
   */
  const writeStatus = async (
    run: Run,
    role: RoleKey,
    result: RoleResult,
    read: RoleStatus | null | undefined,
    resume: boolean,
    declared: boolean,
  ): Promise<RoleStatus | undefined> => {
    let previous = read;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        if (previous === undefined || attempt > 0) previous = (await deps.status.getStatus(role)) ?? null;
        if (!declared && result.outcome !== RoleOutcome.Failed) {
          if (previous) await deps.status.deleteStatus(role, previous.version);
          return undefined;
        }
        const next = nextRoleStatus(role, previous ?? undefined, result, deps.clock.now(), statusPolicy, { resume });
        const written = await deps.status.putStatus(next, previous?.version ?? 0);
        if (written.pausedReason !== undefined && previous?.pausedReason === undefined) {
          await recordFlapPause(run, role, written);
        }
        return written;
      } catch (error) {
        if (!(error instanceof ConcurrentModificationError) || attempt > 0) break;
      }
    }
    run.statusWriteFailures += 1;
    return undefined;
  };

  /**
   * Reconcile a role inside a run and write its status. In a scheduled run (`visit` given, with the status row the
   * run's scan read) a role the product paused for flapping, or one still backing off after failures, is still
   * observed and loses every undeclared access; only its additions and repairs wait (it ends `paused` or
   * `deferred` when nothing else was to be done; a `deferred` role's status row is left as it was, so the backoff
   * runs on). An explicit reconcile (after intake) holds nothing back and resumes a paused role.
   */
  const reconcileInRun = async (run: Run, role: RoleKey, visit?: RoleVisit): Promise<RoleResult> => {
    const read: RoleStatus | null | undefined = visit?.status;
    const hold = visit && read ? statusHold(read, deps.clock.now()) : undefined;
    const grantRows = { exist: true };
    const result = await reconcileOne(run, role, grantRows, hold);
    // A backoff that held everything back leaves the status row (failure count, next attempt) as it was.
    if (result.outcome === RoleOutcome.Deferred) return result;
    const written = await writeStatus(run, role, result, read, visit === undefined, grantRows.exist);
    const finding = removalFightFinding(result, written, {
      id: newId(),
      time: deps.clock.now(),
      correlationId: run.correlationId,
    });
    if (finding === undefined) return result;
    try {
      await deps.audit.record(finding);
      return { ...result, auditEvents: [...result.auditEvents, finding] };
    } catch {
      return result;
    }
  };

  /** The roles of a run: every declared role and every role with a status row, merged (one stream per shard account). */
  async function* rolesToVisit(ctx: RunContext): AsyncIterable<RoleVisit> {
    if (ctx.ownerAccountIds === undefined) {
      yield* mergeRoleVisits(deps.grants.listManagedRoles(), deps.status.listStatuses());
      return;
    }
    for (const ownerAccountId of ctx.ownerAccountIds) {
      yield* mergeRoleVisits(
        deps.grants.listManagedRoles({ ownerAccountId }),
        deps.status.listStatuses({ ownerAccountId }),
      );
    }
  }

  return {
    reconcileRole: (role, ctx) => reconcileInRun(newRun(ctx.correlationId), role),

    async reconcileAll(ctx) {
      const started = deps.clock.now().getTime();
      const run = newRun(ctx.correlationId);
      const outcomes: Partial<Record<RoleOutcome, number>> = {};
      const results: RoleResult[] = [];
      const maxResults = options.maxResults ?? 1000;
      let roles = 0;
      let truncated = false;
      await processByAccount(
        rolesToVisit(ctx),
        {
          accounts: options.accountConcurrency ?? 4,
          rolesPerAccount: options.roleConcurrency ?? 4,
          queuedRoles: options.queuedRoles ?? 100,
        },
        async (visit) => {
          roles += 1;
          const role = { ownerAccountId: visit.ownerAccountId, roleName: visit.roleName };
          const result = await reconcileInRun(run, role, visit);
          outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
          if (results.length < maxResults) results.push(result);
          else truncated = true;
          ctx.onRoleDone?.(result);
        },
      );
      return {
        correlationId: ctx.correlationId,
        roles,
        outcomes,
        failedAccounts: [...run.failedAccounts.values()],
        durationMs: deps.clock.now().getTime() - started,
        apiCalls: { ...run.calls },
        statusWriteFailures: run.statusWriteFailures,
        results,
        resultsTruncated: truncated,
      };
    },

    async previewRole(role) {
      const desired = desiredRoleFromGrants(role, await deps.grants.listGrantsForRole(role), deps.clock.now());
      const run = newRun('preview');
      const account = await credentialsFor(run, role.ownerAccountId);
      const directory = retryingReads(directoryFor(run, role.ownerAccountId), retry, time);
      const observation = await observeRole(directory, account, role, desired, {
        ...(options.policyTypeOf === undefined ? {} : { policyTypeOf: options.policyTypeOf }),
      });
      return { desired, observation, plan: planRoleChanges(desired, observation, options.plan) };
    },
  };
}
