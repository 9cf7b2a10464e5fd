import * as RamSdk from '@alicloud/ram20150501';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, sdkFailure, startTestCloud, type TestCloud, testRuntime } from '../../support/local-cloud.js';

const OWNER = '1555000033334444';
const rt = testRuntime;

/** A user allowed every role action on roles only, and one also allowed on the DTS system policy. */
const ROLE_ONLY = { accessKeyId: 'LTAI5tLocalRoleOnlyUser', accessKeySecret: 'local-role-only-user-secret-0001' };
const WITH_POLICY = { accessKeyId: 'LTAI5tLocalWithPolicyUser', accessKeySecret: 'local-with-policy-user-secret-01' };

const roleActions = ['ram:CreateRole', 'ram:DeleteRole', 'ram:AttachPolicyToRole', 'ram:DetachPolicyFromRole'];
const accounts = {
  accounts: [
    ...[EXAMPLE.automation.id].map((id) => ({ id, name: 'automation', accessKeys: [] })),
    {
      id: OWNER,
      name: 'owner',
      accessKeys: [{ id: 'LTAI5tLocalPolicyOwnerRoot', secret: 'local-policy-owner-root-secret-1' }],
      customPolicies: {
        'roles-only': {
          Version: '1',
          Statement: [{ Effect: 'Allow', Action: roleActions, Resource: 'acs:ram:*:*:role/*' }],
        },
        'roles-and-dts-policy': {
          Version: '1',
          Statement: [
            { Effect: 'Allow', Action: roleActions, Resource: 'acs:ram:*:*:role/*' },
            {
              Effect: 'Allow',
              Action: ['ram:AttachPolicyToRole', 'ram:DetachPolicyFromRole'],
              Resource: 'acs:ram:*:system:policy/AliyunDTSRolePolicy',
            },
          ],
        },
      },
      users: [
        {
          name: 'role-only',
          accessKeys: [{ id: ROLE_ONLY.accessKeyId, secret: ROLE_ONLY.accessKeySecret }],
          policies: [{ name: 'roles-only', type: 'Custom' }],
        },
        {
          name: 'with-policy',
          accessKeys: [{ id: WITH_POLICY.accessKeyId, secret: WITH_POLICY.accessKeySecret }],
          policies: [{ name: 'roles-and-dts-policy', type: 'Custom' }],
        },
      ],
    },
  ],
};

const trust = (statements: unknown[]) => JSON.stringify({ Version: '1', Statement: statements });
const assumeBy = (uid: string, action: string | string[] = 'sts:AssumeRole') => ({
  Effect: 'Allow',
  Action: action,
  Principal: { RAM: [`acs:ram::${uid}:root`] },
});
const dtsPolicy = (roleName: string) => ({ roleName, policyName: 'AliyunDTSRolePolicy', policyType: 'System' });

let cloud: TestCloud;

beforeAll(async () => {
  cloud = await startTestCloud({ accounts, services: { ram: { detachSettleSeconds: 0 } } });
});

afterAll(async () => {
  await cloud?.stop();
});

async function createRole(keys: typeof ROLE_ONLY, roleName: string): Promise<void> {
  await cloud
    .ram(keys)
    .createRoleWithOptions(
      new RamSdk.CreateRoleRequest({ roleName, assumeRolePolicyDocument: trust([assumeBy(EXAMPLE.automation.id)]) }),
      rt(),
    );
}

describe('RAM policy attachments need permission on the policy too', () => {
  it('refuses AttachPolicyToRole with NoPermission naming the system policy when only the role is allowed', async () => {
    await createRole(ROLE_ONLY, 'attach-denied');
    const denied = await sdkFailure(
      cloud
        .ram(ROLE_ONLY)
        .attachPolicyToRoleWithOptions(new RamSdk.AttachPolicyToRoleRequest(dtsPolicy('attach-denied')), rt()),
    );
    expect([denied.code, denied.statusCode]).toEqual(['NoPermission', 403]);
    expect(denied.message).toContain('Resource: acs:ram:*:system:policy/AliyunDTSRolePolicy');
    expect(denied.message).toContain('Action: ram:AttachPolicyToRole');
  });

  it('attaches and detaches when the policy resource is allowed as well', async () => {
    const ram = cloud.ram(WITH_POLICY);
    await createRole(WITH_POLICY, 'attach-allowed');
    await ram.attachPolicyToRoleWithOptions(new RamSdk.AttachPolicyToRoleRequest(dtsPolicy('attach-allowed')), rt());
    const denied = await sdkFailure(
      cloud
        .ram(ROLE_ONLY)
        .detachPolicyFromRoleWithOptions(new RamSdk.DetachPolicyFromRoleRequest(dtsPolicy('attach-allowed')), rt()),
    );
    expect(denied.code).toBe('NoPermission');
    expect(denied.message).toContain('Action: ram:DetachPolicyFromRole');
    await ram.detachPolicyFromRoleWithOptions(
      new RamSdk.DetachPolicyFromRoleRequest(dtsPolicy('attach-allowed')),
      rt(),
    );
    await ram.deleteRoleWithOptions(new RamSdk.DeleteRoleRequest({ roleName: 'attach-allowed' }), rt());
  });
});

describe('RAM trust policies with STS actions besides AssumeRole', () => {
  it('accepts sts:SetSourceIdentity next to sts:AssumeRole and stores it', async () => {
    const ram = cloud.ram(WITH_POLICY);
    const document = trust([assumeBy(EXAMPLE.automation.id, ['sts:AssumeRole', 'sts:SetSourceIdentity'])]);
    await ram.createRoleWithOptions(
      new RamSdk.CreateRoleRequest({ roleName: 'source-identity', assumeRolePolicyDocument: document }),
      rt(),
    );
    const got = await cloud
      .ram({ accessKeyId: 'LTAI5tLocalPolicyOwnerRoot', accessKeySecret: 'local-policy-owner-root-secret-1' })
      .getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: 'source-identity' }), rt());
    expect(JSON.parse(got.body?.role?.assumeRolePolicyDocument ?? '{}').Statement[0].Action).toEqual([
      'sts:AssumeRole',
      'sts:SetSourceIdentity',
    ]);
  });

  it('still refuses an action of another service as malformed', async () => {
    const failure = await sdkFailure(
      cloud.ram(WITH_POLICY).createRoleWithOptions(
        new RamSdk.CreateRoleRequest({
          roleName: 'not-sts',
          assumeRolePolicyDocument: trust([assumeBy(EXAMPLE.automation.id, 'ram:GetRole')]),
        }),
        rt(),
      ),
    );
    expect([failure.code, failure.statusCode]).toEqual(['MalformedPolicyDocument', 400]);
    expect(failure.message).toContain('is not an STS action');
  });
});
