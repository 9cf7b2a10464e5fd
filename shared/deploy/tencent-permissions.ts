import { CAM_ASSUME_ROLE, CAM_POLICY_VERSION, CamExternalIdCondition } from '../policy/tencent/principals.js';
import { CAM_ROLE_DIRECTORY_ACTIONS } from '../tencentcloud/cam.js';
import { CAM_SUB_ACCOUNT_POLICY_ACTIONS } from '../tencentcloud/cam-policies.js';

/**
 * The Tencent Cloud side of the deploy's permissions (pure): the management role dts-trust's hub sub-user assumes in
 * each Tencent account, its trust policy and its least-privilege custom CAM policy (version 2.0), built from the
 * actions each CAM adapter declares (shared/tencentcloud/cam.ts, cam-policies.ts). The Alibaba side is
 * shared/deploy/permissions.ts.
 */

/** What dts-trust does in a Tencent account through its management role. */
export const TencentDuty = {
  /** An owner account: its DTS roles (CamRoleDirectory). */
  Roles: 'roles',
  /** A trusted account whose sub-users run tasks: their AssumeRole policy (CamSubAccountPolicies). */
  SubAccountPolicies: 'subAccountPolicies',
} as const;
/** One of {@link TencentDuty}. */
export type TencentDuty = (typeof TencentDuty)[keyof typeof TencentDuty];

/** A CAM permission policy document (version 2.0), as setup writes it. */
export interface CamPermissionPolicyDocument {
  readonly version: typeof CAM_POLICY_VERSION;
  readonly statement: ReadonlyArray<{
    readonly effect: 'allow';
    readonly action: readonly string[];
    readonly resource: readonly string[];
  }>;
}

/** A CAM trust policy document of a management role: the hub sub-user, with the external ID. */
export interface CamManagementTrustDocument {
  readonly version: typeof CAM_POLICY_VERSION;
  readonly statement: readonly [
    {
      readonly action: typeof CAM_ASSUME_ROLE;
      readonly effect: 'allow';
      readonly principal: { readonly qcs: readonly [string] };
      readonly condition: { readonly string_equal: { readonly 'sts:external_id': string } };
    },
  ];
}

/** The hub identity a management role trusts: the sub-user (its UIN) of the hub root account. */
export interface TencentHubIdentity {
  readonly rootUin: string;
  readonly userUin: string;
}

/** A CAM action as a policy names it (`name/cam:GetRole`). */
export function camPolicyAction(action: string): string {
  return `name/cam:${action}`;
}

/** The list action of the role directory: CAM lists are not resource-scoped, so it is allowed on `*`. */
const ROLE_LIST_ACTION = 'DescribeRoleList';

/**
 * The least-privilege policy of the management role in Tencent account `accountId`: for {@link TencentDuty.Roles}
 * every action of the role directory on the account's roles (`qcs::cam::uin/<uin>:roleName/*`; DescribeRoleList
 * on `*`), for {@link TencentDuty.SubAccountPolicies} every action of the sub-account policy directory (CAM's
 * policy and user-attachment calls, on `*`: a policy to be created has no resource name yet). Nothing else: no
 * STS, no DTS, no user or key management.
 */
export function camManagementRolePolicy(
  accountId: string,
  duties: readonly TencentDuty[],
): CamPermissionPolicyDocument {
  const statement: CamPermissionPolicyDocument['statement'][number][] = [];
  if (duties.includes(TencentDuty.Roles)) {
    statement.push(
      {
        effect: 'allow',
        action: CAM_ROLE_DIRECTORY_ACTIONS.filter((a) => a !== ROLE_LIST_ACTION).map(camPolicyAction),
        resource: [`qcs::cam::uin/${accountId}:roleName/*`],
      },
      { effect: 'allow', action: [camPolicyAction(ROLE_LIST_ACTION)], resource: ['*'] },
    );
  }
  if (duties.includes(TencentDuty.SubAccountPolicies)) {
    statement.push({ effect: 'allow', action: CAM_SUB_ACCOUNT_POLICY_ACTIONS.map(camPolicyAction), resource: ['*'] });
  }
  return { version: CAM_POLICY_VERSION, statement };
}

/** The `qcs` principal of a sub-user: `qcs::cam::uin/<root>:uin/<sub-user>`. */
export function qcsSubUserPrincipal(hub: TencentHubIdentity): string {
  return `qcs::cam::uin/${hub.rootUin}:uin/${hub.userUin}`;
}

/**
 * The trust policy of a Tencent management role: only the hub sub-user may assume it, and only with the account's
 * external ID (the broker always sends it; shared/tencentcloud/sts.ts).
 */
export function camManagementRoleTrustPolicy(hub: TencentHubIdentity, externalId: string): CamManagementTrustDocument {
  return {
    version: CAM_POLICY_VERSION,
    statement: [
      {
        action: CAM_ASSUME_ROLE,
        effect: 'allow',
        principal: { qcs: [qcsSubUserPrincipal(hub)] },
        condition: { [CamExternalIdCondition.operator]: { [CamExternalIdCondition.key]: externalId } },
      },
    ],
  };
}
