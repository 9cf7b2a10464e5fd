/**
 * The operator's `status`: per managed role (declared by grants, or known only from a status row) its grants, its
 * live state in RAM, the last reconcile's outcome and the next expiry. Reads grants and status once, observes each
 * role with the dry run (two RAM reads per role, one AssumeRole per owner account); changes nothing.
 */
import { desiredRoleFromGrants, isGrantActive } from '../domain/desired-role.js';
import type { GrantMode, RoleKey } from '../domain/grant.js';
import { roleArn } from '../domain/ownership.js';
import type { Clock, GrantStore, RoleStatus, StatusStore } from '../ports.js';
import { describeAction, isChange, mergeRoleVisits, type RolePreview } from '../reconcile/index.js';

/** How a role looks in RAM against what its grants declare. */
export const LiveState = {
  /** RAM matches the grants. */
  InSync: 'inSync',
  /** The role is declared but does not exist in RAM. */
  Missing: 'missing',
  /** RAM differs from the grants: the changes list what a reconcile would do. */
  Drift: 'drift',
  /** No active grant is left and the role is still there: a reconcile deletes it. */
  ToDelete: 'toDelete',
  /** Nothing is declared and nothing is there (a status row of a role already removed). */
  Absent: 'absent',
  /** The grants cannot be honoured as declared (a conflict, a role dts-trust does not own): nothing will be changed. */
  Conflict: 'conflict',
  /** The role could not be observed (the owner account could not be entered, RAM failed). */
  Unreachable: 'unreachable',
} as const;
/** One of {@link LiveState}. */
export type LiveState = (typeof LiveState)[keyof typeof LiveState];

/** One grant of a role, as `status` shows it. */
export interface GrantSummary {
  readonly trustedAccountId: string;
  readonly mode: GrantMode;
  /** `system:id` of the ticket that declared it. */
  readonly ticket: string;
  readonly expiresAt?: string;
  /** False once `expiresAt` has passed (the next run removes it). */
  readonly active: boolean;
}

/** The status of one role. */
export interface RoleStatusReport extends RoleKey {
  readonly arn: string;
  readonly grants: readonly GrantSummary[];
  /** The most conservative mode of the active grants; absent when none is active. */
  readonly mode?: GrantMode;
  readonly live: {
    readonly state: LiveState;
    /** What a reconcile would change (held-back changes prefixed `held back:`), or why the role could not be seen. */
    readonly details: readonly string[];
  };
  /** The last reconcile, from the status row; absent when the role was never reconciled. */
  readonly last?: {
    readonly result: string;
    readonly at: string;
    readonly failureCount: number;
    readonly nextAttemptAt?: string;
    /** Set while the product holds the role paused for flapping (`resume` clears it). */
    readonly pausedReason?: string;
  };
  /** The earliest expiry of an active grant. */
  readonly nextExpiry?: string;
  /** True when a person should look: unreachable, drifted, in conflict, paused, or its last reconcile failed. */
  readonly attention: boolean;
}

/** What `status` reads. */
export interface RoleStatusDeps {
  readonly grants: Pick<GrantStore, 'listManagedRoles' | 'listGrantsForRole'>;
  readonly status: Pick<StatusStore, 'listStatuses'>;
  readonly clock: Pick<Clock, 'now'>;
  /** The dry run of one role (observe and plan, no writes). */
  readonly preview: (role: RoleKey) => Promise<RolePreview>;
}

/** Which roles `status` shows: one owner account, one role name (compared without case), or all. */
export interface RoleSelection {
  readonly owner?: string | undefined;
  readonly role?: string | undefined;
}

function liveOf(preview: RolePreview): RoleStatusReport['live'] {
  const { plan } = preview;
  const changes = plan.actions.filter(isChange);
  const details = [
    ...plan.actions.filter((a) => a.kind !== 'nothing').map(describeAction),
    ...plan.heldBack.map((a) => `held back: ${describeAction(a)}`),
  ];
  if (plan.actions.some((a) => a.kind === 'conflict')) return { state: LiveState.Conflict, details };
  if (changes.some((a) => a.kind === 'createRole')) return { state: LiveState.Missing, details };
  if (changes.some((a) => a.kind === 'deleteRole')) return { state: LiveState.ToDelete, details };
  if (changes.length > 0 || plan.heldBack.length > 0) return { state: LiveState.Drift, details };
  if (preview.desired === undefined && preview.observation?.exists !== true)
    return { state: LiveState.Absent, details };
  return { state: LiveState.InSync, details };
}

function lastOf(status: RoleStatus): NonNullable<RoleStatusReport['last']> {
  return {
    result: status.lastResult,
    at: status.lastReconciledAt,
    failureCount: status.failureCount,
    ...(status.nextAttemptAt === undefined ? {} : { nextAttemptAt: status.nextAttemptAt }),
    ...(status.pausedReason === undefined ? {} : { pausedReason: status.pausedReason }),
  };
}

const CALM: ReadonlySet<LiveState> = new Set([LiveState.InSync, LiveState.Absent]);

/**
 * The status of every selected role, in the stores' order (owner account, then role name). One role that cannot
 * be observed is reported `unreachable`; the others go on.
 */
export async function roleStatuses(deps: RoleStatusDeps, selection: RoleSelection = {}): Promise<RoleStatusReport[]> {
  const filter = selection.owner === undefined ? undefined : { ownerAccountId: selection.owner };
  const name = selection.role?.toLowerCase();
  const reports: RoleStatusReport[] = [];
  for await (const visit of mergeRoleVisits(deps.grants.listManagedRoles(filter), deps.status.listStatuses(filter))) {
    if (name !== undefined && visit.roleName.toLowerCase() !== name) continue;
    const role: RoleKey = { ownerAccountId: visit.ownerAccountId, roleName: visit.roleName };
    const now = deps.clock.now();
    const rows = visit.declared ? await deps.grants.listGrantsForRole(role) : [];
    const desired = desiredRoleFromGrants(role, rows, now);
    let live: RoleStatusReport['live'];
    try {
      live = liveOf(await deps.preview(role));
    } catch (error) {
      live = { state: LiveState.Unreachable, details: [error instanceof Error ? error.message : String(error)] };
    }
    const last = visit.status === null ? undefined : lastOf(visit.status);
    reports.push({
      ...role,
      arn: roleArn(role),
      grants: rows.map((g) => ({
        trustedAccountId: g.trustedAccountId,
        mode: g.mode,
        ticket: `${g.ticket.system}:${g.ticket.id}`,
        ...(g.expiresAt === undefined ? {} : { expiresAt: g.expiresAt }),
        active: isGrantActive(g, now),
      })),
      ...(desired === undefined ? {} : { mode: desired.mode }),
      live,
      ...(last === undefined ? {} : { last }),
      ...(desired?.nextExpiresAt === undefined ? {} : { nextExpiry: desired.nextExpiresAt }),
      attention: !CALM.has(live.state) || last?.result === 'failed' || last?.pausedReason !== undefined,
    });
  }
  return reports;
}
