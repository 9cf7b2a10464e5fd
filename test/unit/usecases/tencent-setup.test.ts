import { describe, expect, it } from 'vitest';
import { TencentDuty } from '../../../shared/deploy/tencent-permissions.js';
import {
  sameCamPermissionPolicy,
  sameCamTrustPolicy,
  tencentAccountDuties,
  tencentManagementRoleSpec,
  tencentNeedsAttention,
} from '../../../shared/usecases/tencent-setup.js';

const HUB = { rootUin: '100000000009', userUin: '200000000009' };
const spec = tencentManagementRoleSpec(
  { accountId: '100000000011', duties: [TencentDuty.Roles] },
  'dts-trust-manager',
  HUB,
  'ext-1',
);

describe('tencentAccountDuties', () => {
  it('gives owners the roles, trusted accounts the sub-user policies, and an account that is both both, by UIN', () => {
    expect(tencentAccountDuties(['300000', '100000', '200000'], ['200000', '400000', '400000'])).toEqual([
      { accountId: '100000', duties: ['roles'] },
      { accountId: '200000', duties: ['roles', 'subAccountPolicies'] },
      { accountId: '300000', duties: ['roles'] },
      { accountId: '400000', duties: ['subAccountPolicies'] },
    ]);
  });
});

describe('tencentManagementRoleSpec', () => {
  it("names the role and its policy after the configured management role, with the account's own policy", () => {
    expect(spec).toMatchObject({ roleName: 'dts-trust-manager', policyName: 'dts-trust-manager-policy' });
    expect(JSON.parse(spec.policy).statement[0].resource).toEqual(['qcs::cam::uin/100000000011:roleName/*']);
    expect(JSON.parse(spec.trustPolicy).statement[0].condition).toEqual({
      string_equal: { 'sts:external_id': 'ext-1' },
    });
  });
});

describe('sameCamTrustPolicy', () => {
  it("reads CAM's rewrites away: lists for strings, lower-case keys, the name/ prefix", () => {
    const stored = JSON.stringify({
      Version: '2.0',
      Statement: [
        {
          Action: ['sts:AssumeRole'],
          Effect: 'Allow',
          Principal: { QCS: 'qcs::cam::uin/100000000009:uin/200000000009' },
          Condition: { string_equal: { 'sts:external_id': ['ext-1'] } },
        },
      ],
    });
    expect(sameCamTrustPolicy(stored, spec.trustPolicy)).toBe(true);
  });

  it('tells the hub root from the hub sub-user, and another external ID from the spec', () => {
    const root = spec.trustPolicy.replace('uin/200000000009', 'root');
    expect(sameCamTrustPolicy(root, spec.trustPolicy)).toBe(false);
    expect(sameCamTrustPolicy(spec.trustPolicy.replace('ext-1', 'ext-2'), spec.trustPolicy)).toBe(false);
    expect(sameCamTrustPolicy('not json', spec.trustPolicy)).toBe(false);
  });
});

describe('sameCamPermissionPolicy', () => {
  it('compares grants, not text: order, case of keys and string-or-list alike; a wider grant differs', () => {
    const policy = JSON.parse(spec.policy) as { statement: { action: string[]; resource: string[] }[] };
    const reordered = JSON.stringify({
      VERSION: '2.0',
      Statement: [...policy.statement].reverse().map((s) => ({
        Effect: 'allow',
        Action: [...s.action].reverse(),
        Resource: s.resource.length === 1 ? s.resource[0] : s.resource,
      })),
    });
    expect(sameCamPermissionPolicy(reordered, spec.policy)).toBe(true);
    const wider = JSON.stringify({
      version: '2.0',
      statement: [...policy.statement, { effect: 'allow', action: ['cam:*'], resource: ['*'] }],
    });
    expect(sameCamPermissionPolicy(wider, spec.policy)).toBe(false);
  });
});

describe('tencentNeedsAttention', () => {
  it('asks a person about a role carrying other policies, and never about one only described', () => {
    const applied = {
      accountId: spec.accountId,
      duties: spec.duties,
      spec,
      policy: 'exists',
      role: 'exists',
      attachment: 'exists',
    } as const;
    expect(tencentNeedsAttention({ ...applied, status: 'applied', otherPolicies: [] })).toBe(false);
    expect(tencentNeedsAttention({ ...applied, status: 'applied', otherPolicies: ['QcloudCamFullAccess'] })).toBe(true);
    expect(tencentNeedsAttention({ accountId: spec.accountId, duties: spec.duties, status: 'described', spec })).toBe(
      false,
    );
    expect(tencentNeedsAttention({ accountId: spec.accountId, duties: spec.duties, status: 'noKeys', spec })).toBe(
      true,
    );
  });
});
