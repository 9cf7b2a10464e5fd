/**
 * Which DTS jobs use which declared roles (pure): the jobs a task account created name, per cross-account endpoint,
 * the owner account and the role DTS assumes there. Compared with the active grants and the roles as RAM has them,
 * this says which jobs are broken (their role is missing or does not trust the task account), which use a role
 * no grant declares for that account, and which declared roles no job uses.
 */
import type { Grant, RoleKey } from './grant.js';

/** A job status after which the job no longer uses its roles (released jobs are simply absent). */
export const DTS_ENDED_STATUSES: ReadonlySet<string> = new Set(['Finished']);

/** One cross-account endpoint of a DTS job. */
export interface DtsEndpointRef {
  readonly aliyunUid?: string | undefined;
  readonly roleName?: string | undefined;
}

/** A DTS job as the inventory reads it (DescribeDtsJobDetail), with the reverse half of a two-way job. */
export interface DtsJobRef {
  readonly dtsJobId: string;
  readonly jobName?: string | undefined;
  readonly status?: string | undefined;
  readonly region: string;
  readonly source: DtsEndpointRef;
  readonly destination: DtsEndpointRef;
  readonly reverse?:
    | {
        readonly dtsJobId: string;
        readonly status?: string | undefined;
        readonly source: DtsEndpointRef;
        readonly destination: DtsEndpointRef;
      }
    | undefined;
}

/** One use of a role by a job: DTS assumes `roleName` in `ownerAccountId` for the task account's job. */
export interface RoleUse extends RoleKey {
  readonly taskAccountId: string;
  readonly dtsJobId: string;
  readonly jobName?: string | undefined;
  readonly status?: string | undefined;
  readonly region: string;
  readonly side: 'source' | 'destination';
  /** `reverse` for the reverse half of a two-way synchronization. */
  readonly direction: 'forward' | 'reverse';
}

/** Every role use of one task account's job (forward and reverse), skipping same-account endpoints. */
export function roleUsesOf(taskAccountId: string, job: DtsJobRef): RoleUse[] {
  const uses: RoleUse[] = [];
  const halves = [
    { direction: 'forward' as const, dtsJobId: job.dtsJobId, status: job.status, ends: job },
    ...(job.reverse
      ? [
          {
            direction: 'reverse' as const,
            dtsJobId: job.reverse.dtsJobId,
            status: job.reverse.status,
            ends: job.reverse,
          },
        ]
      : []),
  ];
  for (const half of halves) {
    for (const side of ['source', 'destination'] as const) {
      const endpoint = half.ends[side];
      if (!endpoint.aliyunUid || !endpoint.roleName || endpoint.aliyunUid === taskAccountId) continue;
      uses.push({
        ownerAccountId: endpoint.aliyunUid,
        roleName: endpoint.roleName,
        taskAccountId,
        dtsJobId: half.dtsJobId,
        jobName: job.jobName,
        status: half.status,
        region: job.region,
        side,
        direction: half.direction,
      });
    }
  }
  return uses;
}

/** True while the job (or its half) still needs its roles. */
export function isLiveUse(use: Pick<RoleUse, 'status'>): boolean {
  return use.status === undefined || !DTS_ENDED_STATUSES.has(use.status);
}

/** A role as RAM has it, as far as a DTS job cares: missing, or the accounts its trust lets DTS in for. */
export type RoleAsSeen =
  | { readonly exists: false }
  | { readonly exists: true; readonly dtsTrusted: ReadonlySet<string> }
  /** The owner account could not be read (no management role, no permission): unknown. */
  | { readonly unknown: string };

/** Why a job's role will not work. */
export const BrokenReason = {
  RoleMissing: 'RoleMissing',
  NotTrusted: 'NotTrusted',
} as const;
/** One of {@link BrokenReason}. */
export type BrokenReason = (typeof BrokenReason)[keyof typeof BrokenReason];

/** The inventory's verdicts. */
export interface DtsUsage {
  /** Live jobs whose role is missing or does not trust their task account. */
  readonly broken: ReadonlyArray<RoleUse & { readonly reason: BrokenReason; readonly declared: boolean }>;
  /** Live jobs using a role no active grant declares for their task account. */
  readonly undeclared: readonly RoleUse[];
  /** Active grants no live job of their trusted account uses. */
  readonly unused: readonly Grant[];
  /** Roles the inventory could not look at, with why. */
  readonly unknownRoles: ReadonlyArray<RoleKey & { readonly reason: string }>;
}

/** The case-insensitive key of a role (RAM role names compare case-insensitively). */
export function roleKeyOf(role: RoleKey): string {
  return `${role.ownerAccountId}/${role.roleName.toLowerCase()}`;
}

const grantKey = (owner: string, role: string, trusted: string) => `${owner}/${role.toLowerCase()}/${trusted}`;

/** Judge the uses against the active grants and the roles as seen (keyed by {@link roleKeyOf}). */
export function judgeDtsUsage(input: {
  readonly activeGrants: readonly Grant[];
  readonly uses: readonly RoleUse[];
  readonly roles: ReadonlyMap<string, RoleAsSeen>;
}): DtsUsage {
  const declared = new Set(input.activeGrants.map((g) => grantKey(g.ownerAccountId, g.roleName, g.trustedAccountId)));
  const live = input.uses.filter(isLiveUse);
  const used = new Set(live.map((u) => grantKey(u.ownerAccountId, u.roleName, u.taskAccountId)));
  const broken: Array<RoleUse & { reason: BrokenReason; declared: boolean }> = [];
  const unknown = new Map<string, RoleKey & { reason: string }>();
  for (const use of live) {
    const seen = input.roles.get(roleKeyOf(use));
    const isDeclared = declared.has(grantKey(use.ownerAccountId, use.roleName, use.taskAccountId));
    if (seen === undefined || 'unknown' in seen) {
      const reason = seen && 'unknown' in seen ? seen.unknown : 'not read';
      unknown.set(roleKeyOf(use), { ownerAccountId: use.ownerAccountId, roleName: use.roleName, reason });
      continue;
    }
    if (!seen.exists) broken.push({ ...use, reason: BrokenReason.RoleMissing, declared: isDeclared });
    else if (!seen.dtsTrusted.has(use.taskAccountId)) {
      broken.push({ ...use, reason: BrokenReason.NotTrusted, declared: isDeclared });
    }
  }
  return {
    broken,
    undeclared: live.filter((u) => !declared.has(grantKey(u.ownerAccountId, u.roleName, u.taskAccountId))),
    unused: input.activeGrants.filter((g) => !used.has(grantKey(g.ownerAccountId, g.roleName, g.trustedAccountId))),
    unknownRoles: [...unknown.values()],
  };
}
