import { randomUUID } from 'node:crypto';
import type { RoleKey } from '../domain/grant.js';
import type {
  AuditLog,
  Clock,
  CredentialBroker,
  DtsJobDirectory,
  GrantStore,
  OwnedRoleListing,
  Random,
  RoleDirectory,
  StatusStore,
} from '../ports.js';
import { processAccountStreams, processByAccount } from './account-lanes.js';
import { AccountRateLimits, AccountSessions } from './account-sessions.js';
import { RunDtsJobs } from './dts-jobs.js';
import type { RoleResult } from './outcome.js';
import type { PlanOptions } from './plan.js';
import type { PolicyTypeResolver } from './policy-attachments.js';
import { ReconcileRun, type RolePreview } from './reconcile-run.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { RolePipeline } from './role-pipeline.js';
import { listRoleVisits, type RoleVisit } from './role-visits.js';
import { RunMode, type RunResult } from './run-result.js';
import { DEFAULT_STATUS_POLICY, type StatusPolicy } from './status.js';
import { StatusWriter, skipStatusWrites } from './status-writer.js';
import { RunSubAccountPolicies } from './sub-account-listing.js';
import type { TrustedSidePort } from './trusted-side.js';

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
  /**
   * Results kept in a run result (counts are always complete); default 1000. A run whose caller reads only its
   * counts keeps none (0): a result kept lives to the run's end, old-generation heap every major collection marks.
   */
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
  /**
   * The owned roles of an account in one listing, for the accounts it covers (Tencent): a sweep (`reconcileAll`,
   * `reconcileVisits`) observes their roles from it instead of one GetRole each, and reads a role afresh before any
   * change. Absent: every role is read on its own.
   */
  readonly listing?: OwnedRoleListing | undefined;
  readonly grants: GrantStore;
  readonly status: StatusStore;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly random: Random;
  /**
   * The DTS jobs of task accounts. With it, a removal first looks up the live jobs it breaks
   * (`dts-jobs-broken-by-removal`) and grants that name their jobs end with them; each run lists an account once.
   */
  readonly dtsJobs?: DtsJobDirectory | undefined;
  readonly options?: ReconcilerOptions;
  /** Tencent trusted accounts' sub-users' AssumeRole policies; absent when Tencent is not configured. */
  readonly trustedSide?: TrustedSidePort;
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
  /**
   * Reconcile every managed role (or the shard's accounts), streaming them from the grant and status stores. A
   * shard's accounts (`ownerAccountIds`) are each read from a stream of their own and reconciled side by side.
   * Never throws for one role or account.
   */
  reconcileAll(ctx: RunContext): Promise<RunResult>;
  /** Reconcile the roles of `visits` (sorted as {@link listRoleVisits} sorts them) as a scheduled run. */
  reconcileVisits(visits: AsyncIterable<RoleVisit>, ctx: RunContext): Promise<RunResult>;
  /**
   * Reconcile the roles of several owner accounts as a scheduled run, each account's visits a stream of its own
   * (sorted as {@link listRoleVisits} sorts them): the accounts side by side, each paced by its own limits; the
   * accounts a list, or a source that gives them as they come (the run ends when it ends).
   */
  reconcileVisitsByAccount(
    accounts: Iterable<AsyncIterable<RoleVisit>> | AsyncIterable<AsyncIterable<RoleVisit>>,
    ctx: RunContext,
  ): Promise<RunResult>;
  /**
   * Reconcile the given roles (sorted by owner account) explicitly, as {@link Reconciler.reconcileRole} does each,
   * in one run: one AssumeRole per account, one result.
   */
  reconcileRoles(roles: AsyncIterable<RoleKey>, ctx: RunContext): Promise<RunResult>;
  /**
   * One role's dry run seen from inside: desired state, observation and plan (the `status` command, the ticket
   * preview). The pipeline every run uses, with apply switched off. Throws when the role cannot be observed.
   */
  previewRole(role: RoleKey): Promise<RolePreview>;
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
    trustedSide: deps.trustedSide,
  });
  const statusWriter = new StatusWriter({
    status: deps.status,
    audit: deps.audit,
    clock: deps.clock,
    policy: { ...DEFAULT_STATUS_POLICY, ...options.status },
    newId,
  });
  const lanes = {
    accounts: options.accountConcurrency ?? 4,
    rolesPerAccount: options.roleConcurrency ?? 4,
    queuedRoles: options.queuedRoles ?? 100,
  };

  /**
   * A run that applies what it plans, or a dry run: no RAM write, no record kept, no status row, no expiry. A sweep
   * (`listRoles`) observes the roles of the accounts the listing covers from one listing per account, and the
   * sub-account policies of each trusted account from one listing.
   */
  const openRun = (ctx: RunContext, listRoles = false): ReconcileRun => {
    const dryRun = ctx.dryRun ?? false;
    const audit = dryRun ? discardedAudit : deps.audit;
    const { correlationId } = ctx;
    return new ReconcileRun({
      correlationId,
      sessions: new AccountSessions({
        ...deps,
        limits,
        audit,
        retry,
        newId,
        correlationId,
        writes: !dryRun,
        listRoles,
      }),
      audit,
      status: dryRun ? skipStatusWrites : statusWriter,
      pipeline,
      expiry: !dryRun && ctx.expireGrants ? deps.grants : undefined,
      clock: deps.clock,
      newId,
      maxResults: options.maxResults ?? 1000,
      jobs: deps.dtsJobs === undefined ? undefined : new RunDtsJobs(deps.dtsJobs),
      subAccountPolicies:
        listRoles && deps.trustedSide?.listing !== undefined
          ? new RunSubAccountPolicies(deps.trustedSide.directory, deps.trustedSide.listing)
          : undefined,
    });
  };

  /**
   * Reconcile roles in one run: scheduled (each with its visit) or explicit; one stream sorted by account, or one
   * stream per account (the accounts side by side).
   */
  const runOver = async <T extends RoleKey>(
    items: AsyncIterable<T> | { readonly byAccount: Iterable<AsyncIterable<T>> | AsyncIterable<AsyncIterable<T>> },
    ctx: RunContext,
    visitOf: (item: T) => RoleVisit | undefined,
    listRoles: boolean,
    enterAhead: readonly string[] = [],
  ): Promise<RunResult> => {
    const run = openRun(ctx, listRoles);
    if (enterAhead.length > 0) run.enterAhead(enterAhead);
    const onRoleDone = ctx.onRoleDone;
    // The role's own reconcile is the lane's promise (no step of its own around it when nobody watches progress).
    const work = (item: T): Promise<unknown> => {
      const done = run.reconcile({ ownerAccountId: item.ownerAccountId, roleName: item.roleName }, visitOf(item));
      return onRoleDone === undefined ? done : done.then(onRoleDone);
    };
    if ('byAccount' in items) await processAccountStreams(items.byAccount, lanes, work);
    else await processByAccount(items, lanes, work);
    return run.result({
      mode: ctx.mode ?? RunMode.Inline,
      dryRun: ctx.dryRun ?? false,
      ownerAccountIds: ctx.ownerAccountIds,
    });
  };

  return {
    reconcileRole: (role, ctx) => openRun(ctx).reconcile(role),
    // A shard's accounts: the first that start side by side are entered while their scans are read.
    reconcileAll: (ctx) =>
      runOver(
        ctx.ownerAccountIds === undefined
          ? listRoleVisits(deps)
          : { byAccount: ctx.ownerAccountIds.map((id) => listRoleVisits(deps, [id])) },
        ctx,
        (visit) => visit,
        true,
        ctx.ownerAccountIds?.slice(0, lanes.accounts),
      ),
    reconcileVisits: (visits, ctx) => runOver(visits, ctx, (visit) => visit, true),
    reconcileVisitsByAccount: (accounts, ctx) => runOver({ byAccount: accounts }, ctx, (visit) => visit, true),
    // A few roles named explicitly: one GetRole each costs less than listing every owned role of their accounts.
    reconcileRoles: (roles, ctx) => runOver(roles, ctx, () => undefined, false),
    previewRole: (role) => openRun({ correlationId: 'preview', dryRun: true }).preview(role),
  };
}
