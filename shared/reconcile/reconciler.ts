import { randomUUID } from 'node:crypto';
import type { RoleKey } from '../domain/grant.js';
import type { AuditLog, Clock, CredentialBroker, GrantStore, Random, RoleDirectory, StatusStore } from '../ports.js';
import { processByAccount } from './account-lanes.js';
import { AccountRateLimits, AccountSessions } from './account-sessions.js';
import { removalFightFinding } from './findings.js';
import { expireRoleGrants, isSettled } from './grant-expiry.js';
import { RoleOutcome, type RoleResult } from './outcome.js';
import type { PlanOptions } from './plan.js';
import type { PolicyTypeResolver } from './policy-attachments.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { RolePipeline, type RoleRequest, type RoleRunScope } from './role-pipeline.js';
import { listRoleVisits, type RoleVisit, statusHold } from './role-visits.js';
import { RunMode, type RunResult, RunTally } from './run-result.js';
import { DEFAULT_STATUS_POLICY, type StatusPolicy } from './status.js';
import { type RoleStatusWriter, StatusWriter, skipStatusWrites } from './status-writer.js';

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
  /** Results kept in a run result (counts are always complete); default 1000. */
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
  /**
   * Change nothing: the same sequence runs with every RAM write skipped, no audit record kept, no status row written
   * and no grant expired, so the results say exactly what the run would do.
   */
  readonly dryRun?: boolean;
}

/** Context of a run over many roles. */
export interface RunContext extends ReconcileContext {
  /** Only these owner accounts (a shard); default every managed role. */
  readonly ownerAccountIds?: readonly string[];
  /** How the run is carried out, as its result reports it; default `inline`. */
  readonly mode?: RunMode;
  /** Remove the grants past their expiry of each role once it settled (the timer's runs); default false. */
  readonly expireGrants?: boolean;
  /** Called as each role finishes (progress displays). */
  readonly onRoleDone?: (result: RoleResult) => void;
}

/** The reconciliation engine. */
export interface Reconciler {
  /**
   * Reconcile one role now (after intake, or an operator naming it), then write its status row: nothing is held
   * back and a flap pause ends. Never throws.
   */
  reconcileRole(role: RoleKey, ctx: ReconcileContext): Promise<RoleResult>;
  /** Reconcile every managed role (or the shard's accounts), streaming them from the grant and status stores. Never throws for one role or account. */
  reconcileAll(ctx: RunContext): Promise<RunResult>;
  /** Reconcile the roles of `visits` (sorted as {@link listRoleVisits} sorts them) as a scheduled run. */
  reconcileVisits(visits: AsyncIterable<RoleVisit>, ctx: RunContext): Promise<RunResult>;
  /**
   * Reconcile the given roles (sorted by owner account) explicitly, as {@link Reconciler.reconcileRole} does each,
   * in one run: one AssumeRole per account, one result.
   */
  reconcileRoles(roles: AsyncIterable<RoleKey>, ctx: RunContext): Promise<RunResult>;
}

/** One run: its roles' scope, where status rows go, and what it counts. */
interface Run extends RoleRunScope {
  readonly status: RoleStatusWriter;
  readonly tally: RunTally;
  readonly expireGrants: boolean;
}

/** An audit log that keeps nothing: a dry run's records. */
const discardedAudit: AuditLog = { record: async () => undefined };

/** Build a reconciler over the ports. */
export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const options = deps.options ?? {};
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const newId = options.newId ?? randomUUID;
  const rate = options.ramCallsPerSecond ?? 10;
  const limits = new AccountRateLimits(deps.clock, { ratePerSecond: rate, burst: options.ramBurst ?? rate });
  const pipeline = new RolePipeline({
    grants: deps.grants,
    clock: deps.clock,
    random: deps.random,
    retry,
    newId,
    plan: options.plan,
    policyTypeOf: options.policyTypeOf,
    recordInSync: options.recordInSync,
  });
  const statusWriter = new StatusWriter({
    status: deps.status,
    audit: deps.audit,
    clock: deps.clock,
    policy: { ...DEFAULT_STATUS_POLICY, ...options.status },
    newId,
  });

  /** A run that applies what it plans, or a dry run that only reads. */
  const openRun = (ctx: RunContext): Run => {
    const dryRun = ctx.dryRun ?? false;
    const audit = dryRun ? discardedAudit : deps.audit;
    const sessions = new AccountSessions({
      ...deps,
      limits,
      audit,
      retry,
      newId,
      correlationId: ctx.correlationId,
      writes: !dryRun,
    });
    return {
      correlationId: ctx.correlationId,
      sessions,
      audit,
      status: dryRun ? skipStatusWrites : statusWriter,
      tally: new RunTally(options.maxResults ?? 1000),
      expireGrants: !dryRun && (ctx.expireGrants ?? false),
    };
  };

  /**
   * Reconcile a role inside a run, then write its status. A scheduled run (`visit` given, with the status row its
   * scan read) holds back the additions and repairs of a flap-paused or backing-off role (it ends `paused` or
   * `deferred` when nothing else was to be done; a `deferred` role's row is left as it was, so the backoff runs
   * on). An explicit reconcile holds nothing back and resumes a paused role.
   */
  const reconcileInRun = async (run: Run, role: RoleKey, visit?: RoleVisit): Promise<RoleResult> => {
    const request: RoleRequest = {
      role,
      hold: visit?.status ? statusHold(visit.status, deps.clock.now()) : undefined,
      grants: visit?.grants,
    };
    const { result, grants, declared } = await pipeline.reconcile(run, request);
    if (result.outcome === RoleOutcome.Deferred) return result;
    const written = await run.status.write({
      result,
      previous: visit?.status,
      resume: visit === undefined,
      declared,
      correlationId: run.correlationId,
    });
    if (written.failed) run.tally.statusWriteFailed();
    if (run.expireGrants && !written.failed && isSettled(result.outcome)) {
      run.tally.grantsExpired(await expireGrantsOf(run, grants));
    }
    return withFinding(run, result, written.row);
  };

  /** Remove the expired grants of a settled role; a failure leaves them for the next run. */
  const expireGrantsOf = (run: Run, grants: Parameters<typeof expireRoleGrants>[1]): Promise<number> =>
    expireRoleGrants(
      { grants: deps.grants, audit: run.audit, clock: deps.clock, newId },
      grants,
      run.correlationId,
    ).catch(() => 0);

  /** Add the `removal-fight` finding when a flap-paused role had undeclared access removed again. */
  const withFinding = async (run: Run, result: RoleResult, row: Parameters<typeof removalFightFinding>[1]) => {
    const finding = removalFightFinding(result, row, {
      id: newId(),
      time: deps.clock.now(),
      correlationId: run.correlationId,
    });
    if (finding === undefined) return result;
    try {
      await run.audit.record(finding);
      return { ...result, auditEvents: [...result.auditEvents, finding] };
    } catch {
      return result;
    }
  };

  /** Reconcile a stream of roles in one run: scheduled (each with its visit) or explicit. */
  const runOver = async <T extends RoleKey>(
    items: AsyncIterable<T>,
    ctx: RunContext,
    visitOf: (item: T) => RoleVisit | undefined,
  ): Promise<RunResult> => {
    const started = deps.clock.now().getTime();
    const run = openRun(ctx);
    await processByAccount(
      items,
      {
        accounts: options.accountConcurrency ?? 4,
        rolesPerAccount: options.roleConcurrency ?? 4,
        queuedRoles: options.queuedRoles ?? 100,
      },
      async (item) => {
        const role = { ownerAccountId: item.ownerAccountId, roleName: item.roleName };
        const result = await reconcileInRun(run, role, visitOf(item));
        run.tally.add(result);
        ctx.onRoleDone?.(result);
      },
    );
    return {
      correlationId: ctx.correlationId,
      mode: ctx.mode ?? RunMode.Inline,
      dryRun: ctx.dryRun ?? false,
      ...run.tally.counts,
      failedAccounts: run.sessions.failures,
      durationMs: deps.clock.now().getTime() - started,
      apiCalls: run.sessions.calls,
      ...(ctx.ownerAccountIds === undefined ? {} : { ownerAccountIds: ctx.ownerAccountIds }),
    };
  };
  const reconcileVisits = (visits: AsyncIterable<RoleVisit>, ctx: RunContext) => runOver(visits, ctx, (v) => v);

  return {
    reconcileRole: (role, ctx) => reconcileInRun(openRun(ctx), role),
    reconcileAll: (ctx) => reconcileVisits(listRoleVisits(deps, ctx.ownerAccountIds), ctx),
    reconcileVisits,
    reconcileRoles: (roles, ctx) => runOver(roles, ctx, () => undefined),
  };
}
