import { cloudOfAccountId } from './account-id.js';
import { Cloud, type GrantKey, type RoleKey } from './grant.js';

/** How dts-trust marks the roles it owns: a description prefix readable from GetRole, and a tag. */
export const Ownership = {
  /** Every role dts-trust creates has a Description starting with this. */
  descriptionPrefix: 'Managed by dts-trust',
  tagKey: 'managed-by',
  tagValue: 'dts-trust',
} as const;

/** The Description written on a role dts-trust creates. */
export function ownedRoleDescription(role: RoleKey): string {
  return `${Ownership.descriptionPrefix}; do not edit by hand (role ${role.roleName} in ${role.ownerAccountId}).`;
}

/** True when a role's Description carries the ownership marker. */
export function isOwnedDescription(description: string | undefined): boolean {
  return (description ?? '').startsWith(Ownership.descriptionPrefix);
}

/**
 * The role's ARN: `acs:ram::<owner>:role/<name>` on Alibaba Cloud (RAM lower-cases role names in ARNs),
 * `qcs::cam::uin/<owner>:roleName/<name>` on Tencent Cloud; the cloud is the owner account ID's unless given.
 */
export function roleArn(role: RoleKey, cloud: Cloud = cloudOfAccountId(role.ownerAccountId) ?? Cloud.Alibaba): string {
  if (cloud === Cloud.Tencent) return `qcs::cam::uin/${role.ownerAccountId}:roleName/${role.roleName}`;
  return `acs:ram::${role.ownerAccountId}:role/${role.roleName.toLowerCase()}`;
}

/** An account's root ARN, as audit events name an account: `acs:ram::<uid>:root` or `qcs::cam::uin/<uin>:root`. */
export function accountArn(accountId: string): string {
  return cloudOfAccountId(accountId) === Cloud.Tencent
    ? `qcs::cam::uin/${accountId}:root`
    : `acs:ram::${accountId}:root`;
}

/** A grant's stable id, `<owner>/<role>/<trusted>`. */
export function grantId(key: GrantKey): string {
  return `${key.ownerAccountId}/${key.roleName}/${key.trustedAccountId}`;
}

/** A role's stable id, `<owner>/<role>`. */
export function roleId(key: RoleKey): string {
  return `${key.ownerAccountId}/${key.roleName}`;
}
