import { cloudOfAccountId } from './account-id.js';
import { type Cloud, type Grant, GrantMode, type RoleKey, type TicketRef } from './grant.js';
import { grantId } from './ownership.js';
import { parseTimestamp } from './timestamp.js';

/** Why the grants of one role cannot all be honoured as declared. */
export const DesiredRoleConflictCode = {
  /** The grants ask for different external IDs (or some ask for one and some for none). */
  ExternalIdConflict: 'ExternalIdConflict',
  /** The grants name different clouds for the same role. */
  CloudConflict: 'CloudConflict',
  /**
   * The grants name a cloud the owner account ID does not belong to (a Tencent grant on a 16-digit ID, stored by a
   * release that did not keep the two clouds' IDs apart): the role is planned in the account's own cloud, and
   * nothing is added or repaired until the grant is revoked.
   */
  CloudAccountMismatch: 'CloudAccountMismatch',
} as const;
/** One of {@link DesiredRoleConflictCode}. */
export type DesiredRoleConflictCode = (typeof DesiredRoleConflictCode)[keyof typeof DesiredRoleConflictCode];

/** A disagreement between the active grants of one role. */
export interface DesiredRoleConflict {
  readonly code: DesiredRoleConflictCode;
  readonly message: string;
  /** The grants that disagree. */
  readonly grantIds: readonly string[];
}

/** What one managed role must look like: the union of its active grants. */
export interface DesiredRole extends RoleKey {
  readonly cloud: Cloud;
  /** Accounts the trust policy must name, sorted and unique. */
  readonly trustedAccountIds: readonly string[];
  /** Policies that must be attached, sorted and unique. */
  readonly policies: readonly string[];
  /** The external ID every active grant asks for; absent when none does or when they disagree (see `conflicts`). */
  readonly externalId?: string;
  /** The most conservative mode of the active grants: paused over observe over enforce. */
  readonly mode: GrantMode;
  /** True when any active grant allows taking over a role dts-trust did not create. */
  readonly adopt: boolean;
  /** Ids of the active grants, sorted. */
  readonly grantIds: readonly string[];
  /** The tickets behind the active grants, unique by system and id. */
  readonly tickets: readonly TicketRef[];
  /** The earliest expiry of an active grant: when this desired state changes next by itself. */
  readonly nextExpiresAt?: string;
  /** Disagreements between grants; the engine must not apply a role with conflicts. */
  readonly conflicts: readonly DesiredRoleConflict[];
}

/**
 * True when the grant has not expired at `now` (a grant without `expiresAt` never expires). An `expiresAt` that
 * names no real instant (stored by an older release) counts as expired: access nobody can date is removed.
 */
export function isGrantActive(grant: Pick<Grant, 'expiresAt'>, now: Date): boolean {
  if (grant.expiresAt === undefined) return true;
  const expires = parseTimestamp(grant.expiresAt);
  return expires !== undefined && expires > now.getTime();
}

const MODE_RANK: Readonly<Record<GrantMode, number>> = { enforce: 0, observe: 1, paused: 2 };

/** The most conservative of the modes: paused over observe over enforce. */
export function mostConservativeMode(modes: Iterable<GrantMode>): GrantMode {
  let mode: GrantMode = GrantMode.Enforce;
  for (const m of modes) if (MODE_RANK[m] > MODE_RANK[mode]) mode = m;
  return mode;
}

/** True when the grant declares this role (RAM role names are case-insensitive). */
function declaresRole(grant: Grant, role: RoleKey): boolean {
  return grant.ownerAccountId === role.ownerAccountId && grant.roleName.toLowerCase() === role.roleName.toLowerCase();
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

function externalIdOf(active: readonly Grant[], conflicts: DesiredRoleConflict[]): string | undefined {
  const wanted = new Set(active.map((g) => g.externalId));
  if (wanted.size === 1) return active[0]?.externalId;
  const shown = [...wanted].map((id) => (id === undefined ? 'none' : JSON.stringify(id))).join(', ');
  conflicts.push({
    code: DesiredRoleConflictCode.ExternalIdConflict,
    message: `the grants of this role ask for different external IDs (${shown}); one trust policy can require only one`,
    grantIds: active.map(grantId).sort(),
  });
  return undefined;
}

/**
 * The desired state of a role declared by one active grant of its account's cloud (most roles): what
 * {@link desiredRoleFromGrants} builds for it, without the sets and sorts a union of several grants needs.
 */
function desiredRoleOfOneGrant(role: RoleKey, grant: Grant): DesiredRole {
  return {
    ownerAccountId: role.ownerAccountId,
    roleName: role.roleName,
    cloud: grant.cloud,
    trustedAccountIds: [grant.trustedAccountId],
    policies: sortedUnique(grant.policies),
    ...(grant.externalId !== undefined ? { externalId: grant.externalId } : {}),
    mode: grant.mode,
    adopt: grant.adopt,
    grantIds: [grantId(grant)],
    tickets: [grant.ticket],
    ...(grant.expiresAt !== undefined ? { nextExpiresAt: grant.expiresAt } : {}),
    conflicts: [],
  };
}

/**
 * The desired state of one role from its grants: the union of the active (unexpired) grants that declare it.
 * Grants of other roles are ignored. `undefined` when no grant is active, which means the role must go.
 */
export function desiredRoleFromGrants(role: RoleKey, grants: readonly Grant[], now: Date): DesiredRole | undefined {
  const active = grants.filter((g) => declaresRole(g, role) && isGrantActive(g, now));
  const first = active[0];
  if (first === undefined) return undefined;
  const accountCloud = cloudOfAccountId(role.ownerAccountId);
  if (active.length === 1 && (accountCloud === undefined || first.cloud === accountCloud)) {
    return desiredRoleOfOneGrant(role, first);
  }

  const conflicts: DesiredRoleConflict[] = [];
  const clouds = new Set(active.map((g) => g.cloud));
  if (clouds.size > 1) {
    conflicts.push({
      code: DesiredRoleConflictCode.CloudConflict,
      message: `the grants of this role name different clouds (${[...clouds].sort().join(', ')})`,
      grantIds: active.map(grantId).sort(),
    });
  }
  const mismatched = active.filter((g) => accountCloud !== undefined && g.cloud !== accountCloud);
  if (mismatched.length > 0) {
    conflicts.push({
      code: DesiredRoleConflictCode.CloudAccountMismatch,
      message: `account ${role.ownerAccountId} is an ${accountCloud} account ID, but grants of this role declare it on ${[...new Set(mismatched.map((g) => g.cloud))].sort().join(', ')}; revoke those grants (a Tencent UIN of 16 digits cannot be managed)`,
      grantIds: mismatched.map(grantId).sort(),
    });
  }
  const externalId = externalIdOf(active, conflicts);

  const tickets = new Map<string, TicketRef>();
  for (const g of active) tickets.set(`${g.ticket.system}\u0000${g.ticket.id}`, g.ticket);
  const expiries = active
    .map((g) => g.expiresAt)
    .filter((e): e is string => e !== undefined)
    .sort((a, b) => (parseTimestamp(a) ?? 0) - (parseTimestamp(b) ?? 0));

  return {
    ownerAccountId: role.ownerAccountId,
    roleName: role.roleName,
    cloud: mismatched.length > 0 && accountCloud !== undefined ? accountCloud : first.cloud,
    trustedAccountIds: sortedUnique(active.map((g) => g.trustedAccountId)),
    policies: sortedUnique(active.flatMap((g) => g.policies)),
    ...(externalId !== undefined ? { externalId } : {}),
    mode: mostConservativeMode(active.map((g) => g.mode)),
    adopt: active.some((g) => g.adopt),
    grantIds: sortedUnique(active.map(grantId)),
    tickets: [...tickets.values()],
    ...(expiries[0] !== undefined ? { nextExpiresAt: expiries[0] } : {}),
    conflicts,
  };
}
