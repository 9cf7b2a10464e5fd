/**
 * Roles dts-trust must never adopt, change or delete: its own management role (in every owner account), the role
 * its functions run as, and any role configuration lists as protected. Compared case-insensitively, as RAM may
 * treat role names (one role, one key).
 */

/** The roles that are protected whatever configuration adds. */
export interface ProtectedRoleSettings {
  /** The role dts-trust assumes in every owner account (`DTS_TRUST_MANAGEMENT_ROLE`). */
  readonly managementRole: string;
  /** The role the dts-trust functions run as (`DTS_TRUST_FUNCTION_ROLE`). */
  readonly functionRole: string;
  /** Further role names configuration protects (`DTS_TRUST_PROTECTED_ROLES`). */
  readonly extra?: readonly string[];
}

/** Every protected role name, lower-cased, unique and sorted. */
export function protectedRoleNames(settings: ProtectedRoleSettings): string[] {
  const names = [settings.managementRole, settings.functionRole, ...(settings.extra ?? [])];
  return [...new Set(names.map((name) => name.trim().toLowerCase()).filter((name) => name !== ''))].sort();
}

/** True when `roleName` is one of `protectedRoles`, ignoring case. */
export function isProtectedRole(roleName: string, protectedRoles: readonly string[]): boolean {
  const name = roleName.trim().toLowerCase();
  return protectedRoles.some((candidate) => candidate.trim().toLowerCase() === name);
}
