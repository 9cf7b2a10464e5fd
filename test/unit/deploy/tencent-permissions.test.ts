import { describe, expect, it } from 'vitest';
import {
  camManagementRolePolicy,
  camManagementRoleTrustPolicy,
  camPolicyAction,
  qcsSubUserPrincipal,
  TencentDuty,
} from '../../../shared/deploy/tencent-permissions.js';
import { CAM_ROLE_DIRECTORY_ACTIONS } from '../../../shared/tencentcloud/cam.js';
import { CAM_SUB_ACCOUNT_POLICY_ACTIONS } from '../../../shared/tencentcloud/cam-policies.js';

const OWNER = '100000000011';
const HUB = { rootUin: '100000000009', userUin: '200000000009' };
const actionsOf = (duties: TencentDuty[]) =>
  camManagementRolePolicy(OWNER, duties)
    .statement.flatMap((s) => s.action)
    .sort();

describe('camManagementRolePolicy', () => {
  it("allows an owner's management role every action of the CAM role directory and nothing else", () => {
    expect(actionsOf([TencentDuty.Roles])).toEqual(CAM_ROLE_DIRECTORY_ACTIONS.map(camPolicyAction).sort());
  });

  it("scopes the owner's role actions to the account's roles, and only the list call to every resource", () => {
    const [roles, list] = camManagementRolePolicy(OWNER, [TencentDuty.Roles]).statement;
    expect(roles?.resource).toEqual([`qcs::cam::uin/${OWNER}:roleName/*`]);
    expect(list).toEqual({ effect: 'allow', action: ['name/cam:DescribeRoleList'], resource: ['*'] });
  });

  it("allows a trusted account's management role every action of the sub-account policy directory and nothing else", () => {
    expect(actionsOf([TencentDuty.SubAccountPolicies])).toEqual(
      CAM_SUB_ACCOUNT_POLICY_ACTIONS.map(camPolicyAction).sort(),
    );
  });

  it('allows both lists to an account that is an owner and a trusted account', () => {
    expect(actionsOf([TencentDuty.Roles, TencentDuty.SubAccountPolicies])).toEqual(
      [...CAM_ROLE_DIRECTORY_ACTIONS, ...CAM_SUB_ACCOUNT_POLICY_ACTIONS].map(camPolicyAction).sort(),
    );
  });

  it('is a version 2.0 document of allow statements with no wildcard action and no STS, DTS or user action', () => {
    const policy = camManagementRolePolicy(OWNER, [TencentDuty.Roles, TencentDuty.SubAccountPolicies]);
    expect(policy.version).toBe('2.0');
    expect(policy.statement.every((s) => s.effect === 'allow')).toBe(true);
    const actions = policy.statement.flatMap((s) => s.action);
    expect(actions.every((a) => /^name\/cam:[A-Za-z]+$/.test(a))).toBe(true);
    expect(actions.filter((a) => /User$|AccessKey/.test(a))).toEqual([]);
  });
});

describe('camManagementRoleTrustPolicy', () => {
  it('trusts only the hub sub-user, with the external ID condition', () => {
    expect(camManagementRoleTrustPolicy(HUB, 'ext-1')).toEqual({
      version: '2.0',
      statement: [
        {
          action: 'name/sts:AssumeRole',
          effect: 'allow',
          principal: { qcs: ['qcs::cam::uin/100000000009:uin/200000000009'] },
          condition: { string_equal: { 'sts:external_id': 'ext-1' } },
        },
      ],
    });
  });

  it('names a sub-user by its root account and its own UIN', () => {
    expect(qcsSubUserPrincipal(HUB)).toBe('qcs::cam::uin/100000000009:uin/200000000009');
  });
});
