import type { ValidationProblem } from '../domain/errors.js';
import { type Grant, grantOwnerSystem } from '../domain/grant.js';
import { grantId, roleId } from '../domain/ownership.js';
import type { GrantStore } from '../ports.js';
import { TicketAction } from './ticket-message.js';

/**
 * What one ticketing system may do, as the trust settings document declares it (`ticketSystems.<name>`): the keys
 * that authenticate it, whether it administers other systems' grants, and the role names it may adopt.
 */
export interface TicketSystemAuthority {
  /** 1 or 2 live keys (two during a rotation): keyId -> secret. */
  readonly keys: Readonly<Record<string, string>>;
  /** May revoke, re-declare or change the mode of other systems' grants, declare on their roles, adopt any role. */
  readonly administrator: boolean;
  /** Role names this system may adopt although it is not an administrator (compared without case). */
  readonly adoptRoleNames: readonly string[];
}

/** Ticketing systems by name (the value tickets carry in `ticket.system`). */
export type TicketSystems = Readonly<Record<string, TicketSystemAuthority>>;

/** Codes of authority rejections. */
export const AuthorityCode = {
  /** `ticket.system` is not the system the signing key authenticates. */
  SystemMismatch: 'TicketSystemMismatch',
  /** The grant belongs to another ticketing system. */
  GrantOfOtherSystem: 'GrantOwnedByOtherSystem',
  /** The role holds grants of another ticketing system. */
  RoleOfOtherSystem: 'RoleOwnedByOtherSystem',
  /** `adopt: true` from a system that may not adopt this role. */
  AdoptNotAllowed: 'AdoptNotAllowed',
} as const;

/** The system a key authenticates and the key's secret; undefined for a key nobody configured. */
export function keyOwner(systems: TicketSystems, keyId: string): { system: string; secret: string } | undefined {
  for (const [system, authority] of Object.entries(systems)) {
    if (Object.hasOwn(authority.keys, keyId)) {
      const secret = authority.keys[keyId];
      if (secret !== undefined) return { system, secret };
    }
  }
  return undefined;
}

function mayAdopt(authority: TicketSystemAuthority, roleName: string): boolean {
  const name = roleName.toLowerCase();
  return authority.administrator || authority.adoptRoleNames.some((n) => n.toLowerCase() === name);
}

/**
 * Every way `system` would overstep its authority with these grants (empty when it does not): a non-administrator
 * may not revoke or re-declare (mode included) a grant another system owns, may not declare on a role that holds
 * another system's grants, and may adopt only the role names its settings list. One range read per role.
 */
export async function authorityProblems(
  grants: readonly Grant[],
  action: TicketAction,
  system: string,
  systems: TicketSystems,
  store: Pick<GrantStore, 'listGrantsForRole'>,
): Promise<ValidationProblem[]> {
  const authority = systems[system];
  if (authority?.administrator) return [];
  const problems: ValidationProblem[] = [];
  const checked = new Map<string, Grant[]>();
  for (const [i, grant] of grants.entries()) {
    const at = `message.body.grants[${i}]`;
    if (action === TicketAction.Declare && grant.adopt && !(authority && mayAdopt(authority, grant.roleName))) {
      problems.push({
        code: AuthorityCode.AdoptNotAllowed,
        field: `${at}.adopt`,
        message: `ticketing system ${system} may not adopt role ${grant.roleName}: only administrators and the role names its settings list may take over an existing role`,
        fix: `leave adopt out, or ask the platform team to add ${grant.roleName} to ticketSystems.${system}.adoptRoleNames`,
      });
    }
    const key = roleId(grant);
    let existing = checked.get(key);
    if (!existing) {
      existing = await store.listGrantsForRole(grant);
      checked.set(key, existing);
    }
    const same = existing.find((g) => g.trustedAccountId === grant.trustedAccountId);
    const foreignSame = same !== undefined && grantOwnerSystem(same) !== system ? same : undefined;
    if (foreignSame) {
      problems.push({
        code: AuthorityCode.GrantOfOtherSystem,
        field: `${at}.roleName`,
        message: `grant ${grantId(grant)} belongs to ticketing system ${grantOwnerSystem(foreignSame)}; ${system} may not ${action === TicketAction.Revoke ? 'revoke' : 're-declare or change'} it`,
        fix: `revoke or change it through ${grantOwnerSystem(foreignSame)}, or through a system the settings name an administrator`,
      });
      continue;
    }
    const foreign = existing.find((g) => grantOwnerSystem(g) !== system);
    if (action === TicketAction.Declare && same === undefined && foreign) {
      problems.push({
        code: AuthorityCode.RoleOfOtherSystem,
        field: `${at}.roleName`,
        message: `role ${grant.roleName} in ${grant.ownerAccountId} holds grants of ticketing system ${grantOwnerSystem(foreign)}; ${system} may not add to it or change its mode`,
        fix: 'choose another role name for this grant, or declare it through an administrator system',
      });
    }
  }
  return problems;
}

/**
 * Every way `system` would overstep its authority with a `resume` or `mode` ticket on a role (empty when it does
 * not): a non-administrator may switch the mode only of grants it owns (`targeted`), and may resume only a role
 * whose grants are all its own (a pause protects every system's grants on the role).
 */
export function roleTicketProblems(
  action: typeof TicketAction.Resume | typeof TicketAction.Mode,
  roleGrants: readonly Grant[],
  targeted: readonly Grant[],
  system: string,
  systems: TicketSystems,
): ValidationProblem[] {
  if (systems[system]?.administrator) return [];
  if (action === TicketAction.Mode) {
    return targeted
      .filter((g) => grantOwnerSystem(g) !== system)
      .map((g) => ({
        code: AuthorityCode.GrantOfOtherSystem,
        field: 'message.body.role',
        message: `grant ${grantId(g)} belongs to ticketing system ${grantOwnerSystem(g)}; ${system} may not change its mode`,
        fix: `name only your own grants in trustedAccountIds, or change it through ${grantOwnerSystem(g)} or an administrator system`,
      }));
  }
  const foreign = roleGrants.find((g) => grantOwnerSystem(g) !== system);
  if (foreign === undefined) return [];
  return [
    {
      code: AuthorityCode.RoleOfOtherSystem,
      field: 'message.body.role',
      message: `role ${foreign.roleName} in ${foreign.ownerAccountId} holds grants of ticketing system ${grantOwnerSystem(foreign)}; ${system} may not resume it`,
      fix: 'resume it through an administrator system, which answers for every grant on the role',
    },
  ];
}
