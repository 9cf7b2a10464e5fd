import { cloudOfAccountId } from '../domain/account-id.js';
import { CloudApiError, CloudErrorKind } from '../domain/errors.js';
import { Cloud } from '../domain/grant.js';
import type { AccountCredentials, CredentialBroker, NewRole, OwnedRoleListing, RoleDirectory } from '../ports.js';

/**
 * One broker and one role directory for the engine over both clouds, routed by the account ID: a 16-digit ID is an
 * Alibaba account (RAM over STS), any other accepted UIN a Tencent account (CAM over Tencent STS). The two ID forms
 * are disjoint by construction (shared/domain/account-id.ts), so the route of an account never depends on which
 * grant named it. Without Tencent configured, a Tencent account is refused with {@link TENCENT_NOT_CONFIGURED}.
 */

/** The code of a Tencent account met by a deployment without Tencent configuration. */
export const TENCENT_NOT_CONFIGURED = 'TencentNotConfigured';

/** The two sides a router chooses between; `tencent` is absent when Tencent is not configured. */
export interface CloudSides<T> {
  readonly alibaba: T;
  readonly tencent: T | undefined;
}

/** The side of `accountId`, or a `noPermission` error (the run stops that account) naming what is missing. */
function sideOf<T>(sides: CloudSides<T>, accountId: string, api: string): T {
  const cloud = cloudOfAccountId(accountId);
  if (cloud === Cloud.Tencent) {
    if (sides.tencent !== undefined) return sides.tencent;
    throw new CloudApiError({
      api,
      code: TENCENT_NOT_CONFIGURED,
      kind: CloudErrorKind.NoPermission,
      message: `account ${accountId} is a Tencent Cloud UIN, and this deployment has no Tencent configuration: set DTS_TRUST_TENCENT_HUB_KEYS_SECRET (docs/deploy.md, "Tencent Cloud owners")`,
    });
  }
  if (cloud === Cloud.Alibaba) return sides.alibaba;
  throw new CloudApiError({
    api,
    code: 'InvalidAccountId',
    kind: CloudErrorKind.Invalid,
    message: `${JSON.stringify(accountId)} is neither an Alibaba Cloud account ID nor a Tencent Cloud UIN`,
  });
}

/** A credential broker that asks the broker of the account's cloud. */
export function cloudRoutedBroker(sides: CloudSides<CredentialBroker>): CredentialBroker {
  return {
    credentialsFor: async (accountId) => sideOf(sides, accountId, 'sts:AssumeRole').credentialsFor(accountId),
  };
}

/**
 * A role directory that calls the directory of the credentials' account's cloud (RAM or CAM). Not an `async`
 * layer of its own (it is on the path of every RAM call): a refused route is a rejected promise all the same.
 */
export function cloudRoutedDirectory(sides: CloudSides<RoleDirectory>): RoleDirectory {
  const via = <T>(account: AccountCredentials, call: (side: RoleDirectory) => Promise<T>): Promise<T> => {
    let side: RoleDirectory;
    try {
      side = sideOf(sides, account.accountId, 'roles');
    } catch (error) {
      return Promise.reject(error);
    }
    return call(side);
  };
  return {
    getRole: (account, roleName) => via(account, (side) => side.getRole(account, roleName)),
    listAttachedPolicies: (account, roleName) => via(account, (side) => side.listAttachedPolicies(account, roleName)),
    createRole: (account, role: NewRole) => via(account, (side) => side.createRole(account, role)),
    updateTrustPolicy: (account, roleName, trustPolicy) =>
      via(account, (side) => side.updateTrustPolicy(account, roleName, trustPolicy)),
    updateDescription: (account, roleName, description) =>
      via(account, (side) => side.updateDescription(account, roleName, description)),
    attachPolicy: (account, roleName, policy) => via(account, (side) => side.attachPolicy(account, roleName, policy)),
    detachPolicy: (account, roleName, policy) => via(account, (side) => side.detachPolicy(account, roleName, policy)),
    deleteRole: (account, roleName) => via(account, (side) => side.deleteRole(account, roleName)),
  };
}

/**
 * The listing of owned roles for the accounts whose cloud has one: Tencent accounts (CAM's DescribeRoleList by the
 * ownership tag) when Tencent is configured; an Alibaba account is not covered, so its roles are read one by one.
 */
export function cloudRoutedListing(tencent: OwnedRoleListing | undefined): OwnedRoleListing {
  return {
    covers: (accountId) =>
      tencent !== undefined && cloudOfAccountId(accountId) === Cloud.Tencent && tencent.covers(accountId),
    listOwnedRoles: async (account) => {
      if (tencent === undefined || cloudOfAccountId(account.accountId) !== Cloud.Tencent) return [];
      return tencent.listOwnedRoles(account);
    },
  };
}
