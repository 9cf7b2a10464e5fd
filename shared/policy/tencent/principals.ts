/**
 * The vocabulary of a Tencent Cloud CAM trust policy (version 2.0): the action, the external-ID condition, and how
 * `qcs` principals name accounts. CAM writes keys and effects in lower case and prefixes actions with `name/`.
 */

/** The action a CAM role's trust policy allows, as CAM writes it. */
export const CAM_ASSUME_ROLE = 'name/sts:AssumeRole';

/** The version every CAM policy document carries. */
export const CAM_POLICY_VERSION = '2.0';

/** The condition operator and key that carry an external ID in a CAM trust policy. */
export const CamExternalIdCondition = { operator: 'string_equal', key: 'sts:external_id' } as const;

/** The `qcs` principal that lets root account `uin` (and the sub-users it authorizes) assume the role. */
export function qcsRootPrincipal(uin: string): string {
  return `qcs::cam::uin/${uin}:root`;
}

/** The resource a sub-user's AssumeRole policy names: role `roleName` in account `ownerUin`. */
export function camRoleResource(ownerUin: string, roleName: string): string {
  return `qcs::cam::uin/${ownerUin}:roleName/${roleName}`;
}

const QCS_PRINCIPAL = /^qcs::cam::uin\/(\d+):(.*)$/i;
const BARE_UIN = /^\d+$/;

/**
 * One spelling per principal: CAM may return `qcs::cam::uin/<u>:root` as `qcs::cam::uin/<u>:uin/<u>`, and the two
 * mean the same root account, so both become `:root`. Other principals are only trimmed.
 */
export function canonicalQcsPrincipal(principal: string): string {
  const trimmed = principal.trim();
  const match = QCS_PRINCIPAL.exec(trimmed);
  if (!match) return trimmed;
  const [, uin = '', rest = ''] = match;
  if (rest.toLowerCase() === 'root' || rest.toLowerCase() === `uin/${uin}`) return qcsRootPrincipal(uin);
  return `qcs::cam::uin/${uin}:${rest}`;
}

/** The root account a `qcs` principal belongs to (`qcs::cam::uin/<uin>:...` or a bare uin); `undefined` otherwise. */
export function accountOfQcsPrincipal(principal: string): string | undefined {
  const trimmed = principal.trim();
  if (BARE_UIN.test(trimmed)) return trimmed;
  return QCS_PRINCIPAL.exec(trimmed)?.[1];
}

/** True when the principal is exactly a root account (`:root`, or `:uin/<same uin>`), not a sub-user, role or provider. */
export function isQcsRootPrincipal(principal: string): boolean {
  return canonicalQcsPrincipal(principal).endsWith(':root');
}

/** The action without CAM's `name/` prefix, so `name/sts:AssumeRole` and `sts:AssumeRole` compare equal. */
export function camActionName(action: string): string {
  const trimmed = action.trim();
  return trimmed.toLowerCase().startsWith('name/') ? trimmed.slice('name/'.length) : trimmed;
}
