import { type AuditEvent, AuditEventType } from '../domain/audit.js';
import { type DesiredRole, desiredRoleFromGrants, isGrantActive } from '../domain/desired-role.js';
import type { FindingData } from '../domain/finding.js';
import type { Grant, RoleKey } from '../domain/grant.js';
import { grantId, roleArn } from '../domain/ownership.js';
import type { AccountCredentials, AuditLog, Clock, GrantStore, Random, RoleDirectory } from '../ports.js';
import type { AccountSessions } from './account-sessions.js';
import { applyRolePlan, ExecutorErrorCode, roleErrorFromFailure } from './apply.js';
import { OutcomeEventType, planEvent } from './audit-events.js';
import { retryingReads } from './directory-decorators.js';
import {
  accountsLosingDtsAccess,
  type GrantJobsEnded,
  grantsEndedByJobs,
  jobIdsOf,
  jobsUsingRole,
  type RunDtsJobs,
} from './dts-jobs.js';
import { brokenJobsFinding, recordEach } from './findings.js';
import { type ObserveOptions, observeRole, type RoleObservation } from './observe.js';
import { type RoleError, RoleOutcome, type RoleResult } from './outcome.js';
import {
  type ChangeAction,
  type HoldReason,
  isChange,
  type PlanOptions,
  planRoleChanges,
  type RolePlan,
} from './plan.js';
import type { PolicyTypeResolver } from './policy-attachments.js';
import type { RetryPolicy } from './retry.js';
import type { RunSubAccountPolicies } from './sub-account-listing.js';
import type { DesiredSubAccountPolicy } from './sub-account-policy.js';
import {
  describeTrustedSideStep,
  reconcileTrustedSide,
  type TrustedSidePort,
  type TrustedSideResult,
  trustedSidePolicies,
} from './trusted-side.js';
import { outcomeWithTrustedSide } from './trusted-side-outcome.js';

/** What the role pipeline needs besides the run's accounts. */
export interface RolePipelineDeps {
  readonly grants: GrantStore;
  readonly clock: Clock;
  readonly random: Random;
  readonly retry: RetryPolicy;
  readonly newId: () => string;
  readonly plan?: PlanOptions | undefined;
  readonly policyTypeOf?: PolicyTypeResolver | undefined;
  readonly recordInSync?: boolean | undefined;
  /** Tencent: the sub-users' AssumeRole policies in the trusted accounts; absent, no trusted side is reconciled. */
  readonly trustedSide?: TrustedSidePort | undefined;
}

/** One role to reconcile inside a run. */
export interface RoleRequest {
  readonly role: RoleKey;
  /** What the role's status row holds back (scheduled runs only): additions and repairs, never removals. */
  readonly hold?: HoldReason | undefined;
  /**
   * The role's grant rows as the run's scan read them; absent: read them now. Grants from the scan are read again
   * before the first RAM write, and the role is planned afresh when they changed meanwhile.
   */
  readonly grants?: readonly Grant[] | undefined;
  /**
   * Tencent: the sub-account policy ids the role's status row recorded (scheduled runs); absent when the row holds
   * none or was not read, so the ownership marker decides.
   */
  readonly recordedPolicyIds?: Readonly<Record<string, string>> | undefined;
}

/** What the pipeline did with one role. */
export interface RoleRun {
  readonly result: RoleResult;
  /** The grant rows read (active and expired); empty when none, or when the read failed. */
  readonly grants: readonly Grant[];
  /** False only when the grant store answered that the role has no grant row at all. */
  readonly declared: boolean;
  /** What the grants ask for, once read (absent when nothing active is declared or the read failed). */
  readonly desired?: DesiredRole | undefined;
  /** The role as observed, once observed. */
  readonly observation?: RoleObservation | undefined;
  /** The grants that named their DTS jobs and ended with them (by grant id): expired like a grant past its date. */
  readonly endedByJobs?: ReadonlyMap<string, GrantJobsEnded> | undefined;
}

/** The run a role is reconciled in: its accounts, the audit log its events go to, its correlation id. */
export interface RoleRunScope {
  readonly sessions: AccountSessions;
  readonly audit: AuditLog;
  readonly correlationId: string;
  /** The DTS jobs of the run's task accounts; absent when no DTS job is looked up. */
  readonly jobs?: RunDtsJobs | undefined;
  /** A sweep's sub-account policies, listed once per trusted account; absent: each policy is found on its own. */
  readonly subAccountPolicies?: RunSubAccountPolicies | undefined;
}

/** What a plan's removal found out about the DTS jobs it breaks, before it is made. */
interface RemovalLookup {
  readonly events: readonly AuditEvent[];
  readonly noteOf: (action: ChangeAction) => Readonly<Record<string, unknown>> | undefined;
}

/**
 * A plan that has not been made yet: what a failure before planning reports (the role's grants, once read). Built
 * only when such a failure happens.
 */
const blankPlan = (role: RoleKey, desired: DesiredRole | undefined): RolePlan => ({
  role,
  arn: roleArn(role),
  mode: 'enforce',
  actions: [],
  heldBack: [],
  grantIds: desired?.grantIds ?? [],
  tickets: desired?.tickets ?? [],
});

const failedResult = (role: RoleKey, error: RoleError, auditEvents: readonly AuditEvent[]): RoleResult => ({
  role,
  outcome: RoleOutcome.Failed,
  applied: [],
  planned: [],
  error,
  auditEvents,
});

/**
 * The sequence of one role: read its grants, enter its account, observe it (two RAM reads; a Tencent role in a
 * sweep one, its trust from the account's listing, read afresh before any change), plan, apply (every
 * change after its audit record). Never throws: a failure is the role's outcome `failed` with a `role.failed` event,
 * and a failure that blocks the whole account (no permission, credentials) stops the account for the run. In a dry
 * run the same sequence runs over a directory without writes and an audit log that keeps nothing.
 */
export class RolePipeline {
  readonly #retryingReads = new WeakMap<RoleDirectory, RoleDirectory>();
  /** The options of every observation (the same for every role). */
  readonly #observeOptions: ObserveOptions;

  constructor(private readonly deps: RolePipelineDeps) {
    this.#observeOptions = deps.policyTypeOf === undefined ? {} : { policyTypeOf: deps.policyTypeOf };
  }

  async reconcile(scope: RoleRunScope, request: RoleRequest): Promise<RoleRun> {
    const { role, hold, grants: scanned } = request;
    const accountId = role.ownerAccountId;
    const stopped = scope.sessions.stopped(accountId);
    if (stopped) {
      const error = { code: stopped.code, message: `account stopped: ${stopped.message}`, accountLevel: true };
      return { result: failedResult(role, error, []), grants: [], declared: true };
    }
    let plan: RolePlan | undefined;
    let desired: DesiredRole | undefined;
    let grants: readonly Grant[] = [];
    let declared = true;
    try {
      grants = scanned ?? (await this.deps.grants.listGrantsForRole(role));
      declared = grants.length > 0;
      const ending = this.#endedByJobs(scope, grants);
      let endedByJobs = ending === undefined ? NO_JOBS_ENDED : await ending;
      desired = desiredRoleFromGrants(role, liveGrants(grants, endedByJobs), this.deps.clock.now());
      let account: AccountCredentials;
      try {
        account = await scope.sessions.credentialsFor(accountId);
      } catch (error) {
        // Whatever keeps the broker from entering the account (after retries) stops the account for this run.
        const roleError = { ...roleErrorFromFailure(blankPlan(role, desired), error), accountLevel: true };
        return {
          result: failedResult(role, roleError, await scope.sessions.stop(accountId, roleError)),
          grants,
          declared,
        };
      }
      let observation = await this.#observe(scope.sessions.observerFor(accountId), account, role, desired);
      plan = this.#plan(desired, observation, hold);
      if (plan.actions.some(isChange)) {
        const regranted = scanned === undefined ? undefined : await this.#regranted(scope, role, scanned);
        if (regranted !== undefined) ({ grants, declared, endedByJobs, desired } = regranted);
        // A listing may be older than a console edit, a removed tag or a deletion: never write RAM from it.
        if (regranted !== undefined || observation.record?.source === 'listing') {
          observation = await this.#observe(scope.sessions.directoryFor(accountId), account, role, desired);
          plan = this.#plan(desired, observation, hold);
        }
      }
      const result = await this.#apply(scope, plan, account, observation);
      const run = { result, grants, declared, desired, observation, endedByJobs };
      if (result.error === undefined && this.deps.trustedSide !== undefined) {
        // An Alibaba role (most of a fleet) has no trusted side to reconcile: no step of its own for it.
        const now = this.deps.clock.now();
        const policies = trustedSidePolicies(role, liveGrants(grants, endedByJobs), observation, now);
        if (policies.length === 0) return run;
        return await this.#withTrustedSideOf(scope, request, run, plan, policies, now);
      }
      if (!result.error?.accountLevel) return run;
      const events = await scope.sessions.stop(accountId, result.error);
      return { ...run, result: { ...result, auditEvents: [...result.auditEvents, ...events] } };
    } catch (error) {
      return { result: await this.#failed(scope, plan ?? blankPlan(role, desired), error), grants, declared };
    }
  }

  /** Observe the role through `through`, its reads retried. */
  #observe(
    through: RoleDirectory,
    account: AccountCredentials,
    role: RoleKey,
    desired: DesiredRole | undefined,
  ): Promise<RoleObservation> {
    return observeRole(this.#retrying(through), account, role, desired, this.#observeOptions);
  }

  /** The plan of the role as observed, under the status row's hold. */
  #plan(desired: DesiredRole | undefined, observation: RoleObservation, hold: HoldReason | undefined): RolePlan {
    return planRoleChanges(desired, observation, this.deps.plan, hold === undefined ? NO_HOLD : { hold });
  }

  /**
   * The role's grants as they are now when they changed since the scan the role was planned from (the scan may be
   * older than a revoke or a new declaration: RAM is never written from grants that changed); undefined when the
   * scan's grants stand.
   */
  async #regranted(
    scope: RoleRunScope,
    role: RoleKey,
    scanned: readonly Grant[],
  ): Promise<
    | (Pick<RoleRun, 'grants' | 'declared' | 'desired'> & { endedByJobs: ReadonlyMap<string, GrantJobsEnded> })
    | undefined
  > {
    const current = await this.deps.grants.listGrantsForRole(role);
    if (sameRevisions(scanned, current)) return undefined;
    const endedByJobs = (await this.#endedByJobs(scope, current)) ?? NO_JOBS_ENDED;
    const desired = desiredRoleFromGrants(role, liveGrants(current, endedByJobs), this.deps.clock.now());
    return { grants: current, declared: current.length > 0, endedByJobs, desired };
  }

  /**
   * Make the plan (every change after its audit record), after looking up the DTS jobs a removal breaks; the
   * role's result, with the lookup's finding first among its events.
   */
  async #apply(
    scope: RoleRunScope,
    plan: RolePlan,
    account: AccountCredentials,
    observation: RoleObservation,
  ): Promise<RoleResult> {
    const lookup = this.#lookUpBrokenJobs(scope, plan);
    const removal = lookup === undefined ? undefined : await lookup;
    const applied = await applyRolePlan(
      plan,
      {
        directory: scope.sessions.directoryFor(plan.role.ownerAccountId),
        audit: scope.audit,
        clock: this.deps.clock,
        random: this.deps.random,
        retry: this.deps.retry,
        newId: this.deps.newId,
        ...(this.deps.recordInSync === undefined ? {} : { recordInSync: this.deps.recordInSync }),
      },
      account,
      {
        correlationId: scope.correlationId,
        observedHash: observation.hash,
        ...(removal ? { noteOf: removal.noteOf } : {}),
      },
    );
    return removal && removal.events.length > 0
      ? { ...applied, auditEvents: [...removal.events, ...applied.auditEvents] }
      : applied;
  }

  /**
   * Tencent: the role's run once the trusted side (the sub-users' AssumeRole policies) is reconciled too, from the
   * grants as they are; a trusted account that cannot be entered fails this role, never the owner account.
   */
  async #withTrustedSideOf(
    scope: RoleRunScope,
    { role, hold, grants: scanned, recordedPolicyIds }: RoleRequest,
    run: RoleRun & { readonly observation: RoleObservation },
    plan: RolePlan,
    policies: readonly DesiredSubAccountPolicy[],
    now: Date,
  ): Promise<RoleRun> {
    const trustedSide = this.deps.trustedSide as TrustedSidePort;
    const { grants, observation } = run;
    const endedByJobs = run.endedByJobs ?? NO_JOBS_ENDED;
    // The scan may be older than a revoke: a change to the trusted side is planned from the grants as they are.
    const fromScan = scanned !== undefined && grants === scanned;
    let side: TrustedSideResult;
    try {
      side = await reconcileTrustedSide(policies, {
        port: trustedSide,
        credentialsFor: (trustedAccountId) => scope.sessions.credentialsFor(trustedAccountId),
        audit: scope.audit,
        clock: this.deps.clock,
        newId: this.deps.newId,
        correlationId: scope.correlationId,
        writes: scope.sessions.writes,
        held: hold !== undefined || plan.mode !== 'enforce',
        ...(scope.subAccountPolicies === undefined
          ? {}
          : { find: scope.subAccountPolicies.find.bind(scope.subAccountPolicies) }),
        recorded: recordedPolicyIds,
        ...(fromScan
          ? {
              fresh: async () =>
                trustedSidePolicies(
                  role,
                  liveGrants(await this.deps.grants.listGrantsForRole(role), endedByJobs),
                  observation,
                  now,
                ),
            }
          : {}),
      });
    } catch (error) {
      return { ...run, result: await this.#failed(scope, plan, error, false) };
    }
    const ids = Object.keys(side.policyIds).length === 0 ? {} : { trustedSidePolicyIds: side.policyIds };
    if (side.events.length > 0 || side.heldBack.length > 0) {
      return { ...run, result: await this.#withTrustedSide(scope, plan, { ...run.result, ...ids }, side) };
    }
    return { ...run, result: { ...run.result, ...ids } };
  }

  /** The reads of `directory` retried on throttling and outages: built once per directory (one per account and run). */
  #retrying(directory: RoleDirectory): RoleDirectory {
    let retrying = this.#retryingReads.get(directory);
    if (retrying === undefined) {
      retrying = retryingReads(directory, this.deps.retry, { clock: this.deps.clock, random: this.deps.random });
      this.#retryingReads.set(directory, retrying);
    }
    return retrying;
  }

  /**
   * The role's result once its trusted side changed or met a policy in the way: the steps and conflicts added, and
   * the outcome they make (a role otherwise in sync is `repaired` when a sub-account policy was, `conflict` when one
   * is not dts-trust's). A changed outcome gets its own outcome record (its steps were each recorded before).
   */
  async #withTrustedSide(
    scope: RoleRunScope,
    plan: RolePlan,
    result: RoleResult,
    side: TrustedSideResult,
  ): Promise<RoleResult> {
    const outcome = outcomeWithTrustedSide(result.outcome, side, plan.hold);
    const withSide: RoleResult = {
      ...result,
      outcome,
      auditEvents: [...result.auditEvents, ...side.events],
      ...(side.steps.length === 0 ? {} : { trustedSide: side.steps }),
      ...(side.heldBack.length === 0 ? {} : { trustedSideHeldBack: side.heldBack }),
      ...(side.conflicts.length === 0 ? {} : { trustedSideConflicts: side.conflicts }),
    };
    // A hold's own outcomes (paused, deferred) record nothing, as the role's own plan under them does.
    if (outcome === result.outcome || outcome === RoleOutcome.Paused || outcome === RoleOutcome.Deferred) {
      return withSide;
    }
    const event = planEvent(
      { audit: scope.audit, clock: this.deps.clock, newId: this.deps.newId, correlationId: scope.correlationId },
      plan,
      OutcomeEventType[outcome as keyof typeof OutcomeEventType],
      {
        outcome,
        ...(side.conflicts.length === 0 ? {} : { codes: side.conflicts.map((c) => c.code) }),
        detail: {
          trustedSide: side.steps.map(describeTrustedSideStep),
          ...(side.heldBack.length === 0 ? {} : { heldBack: side.heldBack.map(describeTrustedSideStep) }),
          ...(side.conflicts.length === 0 ? {} : { conflicts: side.conflicts.map((c) => c.message) }),
        },
      },
    );
    try {
      await scope.audit.record(event);
      return { ...withSide, auditEvents: [...withSide.auditEvents, event] };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return {
        ...withSide,
        error: { code: ExecutorErrorCode.AuditRecordFailed, message: `could not record ${event.type}: ${message}` },
      };
    }
  }

  /**
   * The grants of the role that named DTS jobs which all ended; undefined, with no DTS call and no promise, when
   * none can have (the run looks up no job, or no active grant names one): most roles of every run.
   */
  #endedByJobs(
    scope: RoleRunScope,
    grants: readonly Grant[],
  ): Promise<ReadonlyMap<string, GrantJobsEnded>> | undefined {
    if (scope.jobs === undefined || !grants.some((g) => g.dtsJobIds !== undefined)) return undefined;
    const now = this.deps.clock.now();
    const naming = grants.filter((g) => g.dtsJobIds !== undefined && isGrantActive(g, now));
    return naming.length === 0 ? undefined : grantsEndedByJobs(scope.jobs, naming);
  }

  /**
   * Before a plan takes DTS access away from accounts (a deletion, a narrowed trust), look up the live DTS jobs of
   * those accounts that use the role and record `dts-jobs-broken-by-removal` naming them; the change records of the
   * removal say the same (or which accounts could not be listed). The removal is made whatever the lookup found.
   * Nothing is looked up (undefined, no promise) for a plan that removes no account (the steady state) or when the
   * run looks up no job.
   */
  #lookUpBrokenJobs(scope: RoleRunScope, plan: RolePlan): Promise<RemovalLookup> | undefined {
    if (scope.jobs === undefined) return undefined;
    const changes = plan.actions.filter(isChange);
    const accounts = accountsLosingDtsAccess(changes);
    if (accounts.length === 0) return undefined;
    return this.#brokenJobs(scope, scope.jobs, plan, changes, accounts);
  }

  /** The lookup of {@link RolePipeline.#lookUpBrokenJobs} for a plan that takes DTS access from `accounts`. */
  async #brokenJobs(
    scope: RoleRunScope,
    jobs: RunDtsJobs,
    plan: RolePlan,
    changes: readonly ChangeAction[],
    accounts: readonly string[],
  ): Promise<RemovalLookup> {
    const found = await jobsUsingRole(jobs, plan.role, accounts);
    const finding = brokenJobsFinding(
      plan.role,
      found,
      changes.some((a) => a.kind === 'deleteRole'),
      {
        newId: this.deps.newId,
        time: this.deps.clock.now(),
        correlationId: scope.correlationId,
      },
    );
    const events = finding ? await recordEach(scope.audit, [finding]) : [];
    const dtsJobs = {
      accountsLosingAccess: accounts,
      breaks: jobIdsOf(found.uses),
      ...(found.unlisted.length === 0 ? {} : { unlisted: found.unlisted }),
      ...(finding ? { findingId: (finding.data as FindingData).findingId } : {}),
    };
    return {
      events,
      noteOf: (action) => (accountsLosingDtsAccess([action]).length > 0 ? { dtsJobs } : undefined),
    };
  }

  /**
   * A failure outside the plan's changes (grant store, observation, a trusted account): the role fails with a
   * `role.failed` event; an account-level failure of the owner account (`ownerAccount`) stops that account.
   */
  async #failed(scope: RoleRunScope, plan: RolePlan, error: unknown, ownerAccount = true): Promise<RoleResult> {
    const role = plan.role;
    const found = roleErrorFromFailure(plan, error);
    const roleError = ownerAccount ? found : { code: found.code, message: found.message };
    if (roleError.accountLevel) {
      return failedResult(role, roleError, await scope.sessions.stop(role.ownerAccountId, roleError));
    }
    const event = planEvent(
      { audit: scope.audit, clock: this.deps.clock, newId: this.deps.newId, correlationId: scope.correlationId },
      plan,
      AuditEventType.RoleFailed,
      { outcome: RoleOutcome.Failed, codes: [roleError.code], detail: { message: roleError.message } },
    );
    try {
      await scope.audit.record(event);
      return failedResult(role, roleError, [event]);
    } catch {
      return failedResult(role, roleError, []);
    }
  }
}

/** A plan under no hold (the options of most roles' plans). */
const NO_HOLD = {} as const;

/** No grant ended with its jobs. */
const NO_JOBS_ENDED: ReadonlyMap<string, GrantJobsEnded> = new Map();

/** The grants that did not end with their DTS jobs (those that did count as expired). */
function liveGrants(grants: readonly Grant[], ended: ReadonlyMap<string, GrantJobsEnded>): readonly Grant[] {
  return ended.size === 0 ? grants : grants.filter((g) => !ended.has(grantId(g)));
}

/** True when both reads hold the same grant rows at the same revisions. */
function sameRevisions(a: readonly Grant[], b: readonly Grant[]): boolean {
  const revisions = (grants: readonly Grant[]) =>
    grants
      .map((g) => `${grantId(g)}@${g.revision}`)
      .sort()
      .join(',');
  return a.length === b.length && revisions(a) === revisions(b);
}
