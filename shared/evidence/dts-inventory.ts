import { cloudOfAccountId } from '../domain/account-id.js';
import { isGrantActive } from '../domain/desired-role.js';
import {
  type DtsJobRef,
  type DtsUsage,
  judgeDtsUsage,
  type RoleAsSeen,
  type RoleUse,
  roleKeyOf,
  roleUsesOf,
} from '../domain/dts-usage.js';
import { CloudApiError, CloudErrorKind } from '../domain/errors.js';
import { Cloud, type Grant, type RoleKey } from '../domain/grant.js';
import { dtsTrustedAccountsOf, parseTrustPolicy } from '../policy/index.js';
import type {
  AccountCredentials,
  Clock,
  CredentialBroker,
  DtsJobDirectory,
  GrantStore,
  RoleDirectory,
} from '../ports.js';

/** Lists the DTS jobs of one task account (DescribeDtsJobs per region, 30 a page, then DescribeDtsJobDetail). */
export interface DtsJobLister {
  listJobs(account: AccountCredentials, regions: readonly string[]): AsyncIterable<DtsJobRef>;
}

/** An account the inventory could not enter or list. */
export interface InventoryGap {
  readonly accountId: string;
  readonly code: string;
  readonly message: string;
}

/** The code of a Tencent Cloud task account, whose DTS jobs dts-trust does not list. */
export const TENCENT_DTS_JOBS_NOT_LISTED = 'TencentDtsJobsNotListed';

/** Why a Tencent Cloud task account's jobs are not listed (the same words for the inventory and the reconciler). */
export function tencentJobsNotListedMessage(accountId: string): string {
  return `account ${accountId} is a Tencent Cloud UIN, and dts-trust lists Alibaba Cloud DTS jobs only (Tencent's DescribeSyncJobs and DescribeMigrationJobs with DescribeMigrationDetail are not read yet): its jobs are not judged`;
}

/**
 * The DTS jobs of task accounts, each read through the account's management role (the broker), in `regions`; every
 * call lists again (the reconciler keeps the answers per run, {@link cachedJobDirectory} per inventory). A Tencent
 * Cloud account is refused without a call ({@link TENCENT_DTS_JOBS_NOT_LISTED}): its jobs are Tencent DTS's, which
 * the Alibaba lister cannot read, so the reconciler records it as unlisted with this reason.
 */
export function jobDirectory(
  lister: DtsJobLister,
  broker: CredentialBroker,
  regions: readonly string[],
): DtsJobDirectory {
  return {
    async jobsOf(taskAccountId) {
      if (cloudOfAccountId(taskAccountId) === Cloud.Tencent) {
        throw new CloudApiError({
          api: 'dts:DescribeDtsJobs',
          code: TENCENT_DTS_JOBS_NOT_LISTED,
          kind: CloudErrorKind.Invalid,
          message: tencentJobsNotListedMessage(taskAccountId),
        });
      }
      const account = await broker.credentialsFor(taskAccountId);
      const jobs: DtsJobRef[] = [];
      for await (const job of lister.listJobs(account, regions)) jobs.push(job);
      return jobs;
    },
  };
}

/** A job directory that lists each task account once and keeps the answer for the run (failures too). */
export function cachedJobDirectory(
  lister: DtsJobLister,
  broker: CredentialBroker,
  regions: readonly string[],
): DtsJobDirectory {
  const uncached = jobDirectory(lister, broker, regions);
  const cache = new Map<string, Promise<readonly DtsJobRef[]>>();
  return {
    jobsOf(taskAccountId) {
      let pending = cache.get(taskAccountId);
      if (!pending) {
        pending = uncached.jobsOf(taskAccountId);
        cache.set(taskAccountId, pending);
      }
      return pending;
    },
  };
}

/** What the inventory reads. */
export interface InventoryDeps {
  readonly grants: GrantStore;
  readonly broker: CredentialBroker;
  readonly directory: Pick<RoleDirectory, 'getRole'>;
  readonly jobs: DtsJobDirectory;
  readonly clock: Pick<Clock, 'now'>;
}

/** What the inventory found. */
export interface DtsInventory {
  readonly usage: DtsUsage;
  readonly uses: readonly RoleUse[];
  /** Task accounts listed, with their job count. */
  readonly accounts: ReadonlyArray<{ readonly accountId: string; readonly jobs: number }>;
  /** Task accounts that could not be listed. */
  readonly gaps: readonly InventoryGap[];
  /**
   * Task accounts not listed by design (Tencent Cloud UINs: {@link TENCENT_DTS_JOBS_NOT_LISTED}); the grants
   * trusting them are not judged (neither used nor unused), and no call is made for them.
   */
  readonly skipped: readonly InventoryGap[];
}

function gapOf(accountId: string, error: unknown): InventoryGap {
  const e = error as { code?: unknown; message?: unknown };
  return {
    accountId,
    code: typeof e.code === 'string' ? e.code : 'Error',
    message: typeof e.message === 'string' ? e.message : String(error),
  };
}

/** The role as a DTS job sees it: missing, or the task accounts its trust lets DTS in for. */
async function seeRole(deps: InventoryDeps, role: RoleKey): Promise<RoleAsSeen> {
  try {
    const account = await deps.broker.credentialsFor(role.ownerAccountId);
    const observed = await deps.directory.getRole(account, role.roleName);
    if (!observed) return { exists: false };
    let trusted: string[] = [];
    try {
      trusted = dtsTrustedAccountsOf(parseTrustPolicy(observed.trustPolicy));
    } catch {
      trusted = [];
    }
    return { exists: true, dtsTrusted: new Set(trusted) };
  } catch (error) {
    const gap = gapOf(role.ownerAccountId, error);
    return { unknown: `${gap.code}: ${gap.message}` };
  }
}

/**
 * Take the DTS inventory: the jobs of every task account the active grants trust (and `extraTaskAccounts`), listed
 * through each account's management role, judged against the grants and the roles as RAM has them.
 */
export async function takeDtsInventory(
  deps: InventoryDeps,
  options: { extraTaskAccounts?: readonly string[] } = {},
): Promise<DtsInventory> {
  const now = deps.clock.now();
  const activeGrants: Grant[] = [];
  for await (const role of deps.grants.listManagedRoles()) {
    for (const grant of await deps.grants.listGrantsForRole(role))
      if (isGrantActive(grant, now)) activeGrants.push(grant);
  }
  const named = [
    ...new Set([...activeGrants.map((g) => g.trustedAccountId), ...(options.extraTaskAccounts ?? [])]),
  ].sort();
  const notListed = new Set(named.filter((a) => cloudOfAccountId(a) === Cloud.Tencent));
  const skipped = [...notListed].map((accountId) => ({
    accountId,
    code: TENCENT_DTS_JOBS_NOT_LISTED,
    message: tencentJobsNotListedMessage(accountId),
  }));
  const taskAccounts = named.filter((a) => !notListed.has(a));
  const judged = activeGrants.filter((g) => !notListed.has(g.trustedAccountId));
  const uses: RoleUse[] = [];
  const accounts: { accountId: string; jobs: number }[] = [];
  const gaps: InventoryGap[] = [];
  for (const accountId of taskAccounts) {
    try {
      const jobs = await deps.jobs.jobsOf(accountId);
      accounts.push({ accountId, jobs: jobs.length });
      for (const job of jobs) uses.push(...roleUsesOf(accountId, job));
    } catch (error) {
      gaps.push(gapOf(accountId, error));
    }
  }
  const roles = new Map<string, RoleAsSeen>();
  for (const role of uses) {
    const key = roleKeyOf(role);
    if (!roles.has(key)) roles.set(key, await seeRole(deps, role));
  }
  return { usage: judgeDtsUsage({ activeGrants: judged, uses, roles }), uses, accounts, gaps, skipped };
}
