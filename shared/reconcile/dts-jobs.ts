import { type DtsJobRef, isLiveUse, type RoleUse, roleKeyOf, roleUsesOf } from '../domain/dts-usage.js';
import type { Grant, RoleKey } from '../domain/grant.js';
import { grantId } from '../domain/ownership.js';
import { dtsTrustedAccountsOf, parseTrustPolicy } from '../policy/index.js';
import type { DtsJobDirectory } from '../ports.js';
import type { PlannedAction } from './plan.js';

/** A task account whose DTS jobs could not be listed. */
export interface JobListingGap {
  readonly accountId: string;
  readonly code: string;
  readonly message: string;
}

/** The gap of a failed listing: the error's code (a `CloudApiError`'s) and message. */
export function listingGapOf(accountId: string, error: unknown): JobListingGap {
  const e = error as { code?: unknown; message?: unknown };
  return {
    accountId,
    code: typeof e.code === 'string' ? e.code : 'Error',
    message: typeof e.message === 'string' ? e.message : String(error),
  };
}

/**
 * The DTS jobs one run looks at: each task account is listed at most once per run, when the run first needs it (a
 * removal that takes the account out of a role, a grant that names its jobs), and a failed listing is kept as
 * failed for the rest of the run. A run that needs no job lists nothing.
 */
export class RunDtsJobs {
  readonly #lists = new Map<string, Promise<readonly DtsJobRef[]>>();

  constructor(private readonly directory: DtsJobDirectory) {}

  /** The jobs of `taskAccountId`, listed on first use; rejects when the account could not be listed. */
  jobsOf(taskAccountId: string): Promise<readonly DtsJobRef[]> {
    let pending = this.#lists.get(taskAccountId);
    if (!pending) {
      pending = this.directory.jobsOf(taskAccountId);
      // The failure is the caller's to handle; the kept promise must not count as unhandled meanwhile.
      pending.catch(() => undefined);
      this.#lists.set(taskAccountId, pending);
    }
    return pending;
  }
}

/** The accounts whose DTS tasks `trustPolicy` lets in; none for a document that does not parse. */
function dtsTrusted(trustPolicy: string): Set<string> {
  try {
    return new Set(dtsTrustedAccountsOf(parseTrustPolicy(trustPolicy)));
  } catch {
    return new Set();
  }
}

/**
 * The accounts whose DTS tasks the changes of a plan lock out of the role, sorted: every account a deleted role
 * let in, or the accounts trust updates take out and the final trust does not let back in. Empty for a plan that
 * takes no DTS access away (the steady state, a creation, a widening).
 */
export function accountsLosingDtsAccess(actions: readonly PlannedAction[]): string[] {
  const losing = new Set<string>();
  let finalTrust: Set<string> | undefined;
  for (const action of actions) {
    if (action.kind === 'deleteRole') {
      for (const account of dtsTrusted(action.before.trustPolicy)) losing.add(account);
      finalTrust = new Set();
    } else if (action.kind === 'updateTrust') {
      const after = dtsTrusted(action.after);
      for (const account of dtsTrusted(action.before)) if (!after.has(account)) losing.add(account);
      finalTrust = after;
    }
  }
  for (const account of finalTrust ?? []) losing.delete(account);
  return [...losing].sort();
}

/** The live DTS jobs a removal breaks, and the accounts whose jobs could not be listed. */
export interface BrokenJobs {
  readonly uses: readonly RoleUse[];
  readonly unlisted: readonly JobListingGap[];
}

/**
 * The live DTS jobs of `accounts` (each listed once per run) that use `role`: what taking those accounts out of the
 * role breaks. Never throws: an account that cannot be listed is named in `unlisted`.
 */
export async function jobsUsingRole(jobs: RunDtsJobs, role: RoleKey, accounts: readonly string[]): Promise<BrokenJobs> {
  const uses: RoleUse[] = [];
  const unlisted: JobListingGap[] = [];
  const key = roleKeyOf(role);
  for (const accountId of accounts) {
    try {
      for (const job of await jobs.jobsOf(accountId)) {
        uses.push(...roleUsesOf(accountId, job).filter((u) => isLiveUse(u) && roleKeyOf(u) === key));
      }
    } catch (error) {
      unlisted.push(listingGapOf(accountId, error));
    }
  }
  return { uses, unlisted };
}

/** The sorted, unique ids of the jobs (forward and reverse halves) among `uses`. */
export function jobIdsOf(uses: readonly RoleUse[]): string[] {
  return [...new Set(uses.map((u) => u.dtsJobId))].sort();
}

/** What a named DTS job was found to be: `Released` when its task account no longer lists it. */
export const RELEASED_JOB_STATUS = 'Released';

/** How the DTS jobs a grant names ended. */
export interface GrantJobsEnded {
  readonly jobs: ReadonlyArray<{ readonly dtsJobId: string; readonly status: string }>;
}

/** The status of job `dtsJobId` (a forward job or the reverse half of a two-way one) among `listed`. */
function statusOf(listed: readonly DtsJobRef[], dtsJobId: string): string {
  for (const job of listed) {
    if (job.dtsJobId === dtsJobId) return job.status ?? 'unknown';
    if (job.reverse?.dtsJobId === dtsJobId) return job.reverse.status ?? 'unknown';
  }
  return RELEASED_JOB_STATUS;
}

/**
 * The grants among `grants` that named their DTS jobs and whose every named job has ended (Finished, or released:
 * no longer listed in the configured regions of the grant's trusted account, the account that creates the task),
 * keyed by grant id: they end now, like a grant past its date. A grant whose account cannot be listed stays as it
 * is (its date, within the maximum lifetime, still ends it). Grants that name no job cost no DTS call.
 */
export async function grantsEndedByJobs(
  jobs: RunDtsJobs,
  grants: ReadonlyArray<Grant>,
): Promise<ReadonlyMap<string, GrantJobsEnded>> {
  const ended = new Map<string, GrantJobsEnded>();
  for (const grant of grants) {
    if (grant.dtsJobIds === undefined || grant.dtsJobIds.length === 0) continue;
    let listed: readonly DtsJobRef[];
    try {
      listed = await jobs.jobsOf(grant.trustedAccountId);
    } catch {
      continue;
    }
    const named = grant.dtsJobIds.map((dtsJobId) => ({ dtsJobId, status: statusOf(listed, dtsJobId) }));
    if (named.every((j) => j.status === RELEASED_JOB_STATUS || !isLiveUse(j)))
      ended.set(grantId(grant), { jobs: named });
  }
  return ended;
}
