/**
 * A Tencent fleet for the local cloud (pure: no I/O): owner root accounts each holding a management role and its
 * managed CAM roles already as dts-trust keeps them (ownership description and tag, the trust policy, the two
 * policies), one task root account every role trusts with a management role and a sub-user, and the grants that
 * declare it all; every other role's grant names the sub-user, so half the roles have an AssumeRole policy in the
 * task account. The hub and the Alibaba accounts are the example file's.
 */
import { type Grant, GrantSchema } from '../shared/domain/grant.js';
import { Ownership, ownedRoleDescription } from '../shared/domain/ownership.js';
import { buildCamTrustPolicy, renderCamTrustPolicy } from '../shared/policy/tencent/index.js';

/** How large a Tencent fleet is. */
export interface TencentFleetSize {
  readonly owners: number;
  readonly rolesPerOwner: number;
}

/** The policies every role of the fleet holds (MySQL's service policy). */
export const TENCENT_FLEET_POLICIES = ['QcloudDTSReadOnlyAccess', 'QcloudAccessForMySQLRole'] as const;

/**
 * The task root account every role trusts: its sub-user that runs the tasks, another sub-user no grant names, and
 * the root keys its console signs with.
 */
export const TENCENT_FLEET_TASK = {
  uin: '300000000000',
  operatorUin: '400000000000',
  otherUserUin: '400000000001',
  rootKeys: { secretId: 'AKIDBenchTaskRoot0001', secretKey: 'bench-task-root-secret-0001' },
} as const;

/** The example file's hub sub-user (of root account 100000000009): its keys sign every Tencent call. */
const HUB_SUB_USER = 'qcs::cam::uin/100000000009:uin/200000000009';
const MANAGEMENT_ROLE = 'dts-trust-manager';
const EXTERNAL_ID = 'dts-trust-local';

/** The fleet: the accounts file's `tencent` accounts (beside the example hub), grants, and who has a management role. */
export interface TencentFleet {
  /** Owner UINs, in order. */
  readonly owners: readonly string[];
  /** Accounts for the `tencent` section (the hub is not among them). */
  readonly accounts: readonly Record<string, unknown>[];
  readonly grants: readonly Grant[];
  /** `tencentManagementExternalIds` of the trust settings: every owner and the task account. */
  readonly externalIds: Readonly<Record<string, string>>;
  /** Roles whose grant names the task account's sub-user. */
  readonly subUserRoles: number;
}

/** The `n`-th owner's UIN (12 digits, a Tencent root account). */
export function tencentFleetOwner(n: number): string {
  return `3${String(n + 1).padStart(11, '0')}`;
}

/** The root API keys of a fleet owner (what its console signs with). */
export function tencentFleetRootKeys(uin: string): { readonly secretId: string; readonly secretKey: string } {
  return { secretId: `AKIDBenchOwner${uin}`, secretKey: `bench-owner-secret-${uin}` };
}

/** The role names of one owner. */
export function tencentFleetRoleName(n: number): string {
  return `dts-${String(n).padStart(5, '0')}`;
}

const managementRole = {
  name: MANAGEMENT_ROLE,
  description: 'dts-trust management role',
  policyDocument: {
    version: '2.0',
    statement: [
      {
        action: 'name/sts:AssumeRole',
        effect: 'allow',
        principal: { qcs: [HUB_SUB_USER] },
        condition: { string_equal: { 'sts:external_id': EXTERNAL_ID } },
      },
    ],
  },
  policies: ['QcloudCamFullAccess'],
};

/** Build a fleet of `size`. */
export function tencentFleet(size: TencentFleetSize): TencentFleet {
  const owners = Array.from({ length: size.owners }, (_, n) => tencentFleetOwner(n));
  const trust = renderCamTrustPolicy(buildCamTrustPolicy([TENCENT_FLEET_TASK.uin]));
  const ticket = { system: 'jira', id: 'BENCH-1', requester: 'ana', approver: 'ben' };
  const grants: Grant[] = [];
  let subUserRoles = 0;
  const accounts = owners.map((uin) => {
    const roles = Array.from({ length: size.rolesPerOwner }, (_, n) => {
      const roleName = tencentFleetRoleName(n);
      const withSubUser = n % 2 === 0;
      if (withSubUser) subUserRoles += 1;
      grants.push(
        GrantSchema.parse({
          ownerAccountId: uin,
          roleName,
          trustedAccountId: TENCENT_FLEET_TASK.uin,
          cloud: 'tencent',
          policies: [...TENCENT_FLEET_POLICIES],
          ...(withSubUser ? { subAccountUins: [TENCENT_FLEET_TASK.operatorUin] } : {}),
          ticket,
        }),
      );
      return {
        name: roleName,
        description: ownedRoleDescription({ ownerAccountId: uin, roleName }),
        policyDocument: trust,
        policies: [...TENCENT_FLEET_POLICIES],
        tags: { [Ownership.tagKey]: Ownership.tagValue },
      };
    });
    return {
      uin,
      name: `tencent-owner-${uin}`,
      keys: [{ id: tencentFleetRootKeys(uin).secretId, secret: tencentFleetRootKeys(uin).secretKey }],
      roles: [managementRole, ...roles],
    };
  });
  const task = {
    uin: TENCENT_FLEET_TASK.uin,
    name: 'tencent-bench-task',
    keys: [{ id: TENCENT_FLEET_TASK.rootKeys.secretId, secret: TENCENT_FLEET_TASK.rootKeys.secretKey }],
    subUsers: [
      { uin: TENCENT_FLEET_TASK.operatorUin, name: 'dts-operator', policies: ['QcloudDTSFullAccess'] },
      { uin: TENCENT_FLEET_TASK.otherUserUin, name: 'analyst', policies: [] },
    ],
    roles: [managementRole],
  };
  const externalIds = Object.fromEntries([...owners, TENCENT_FLEET_TASK.uin].map((uin) => [uin, EXTERNAL_ID]));
  return { owners, accounts: [...accounts, task], grants, externalIds, subUserRoles };
}
