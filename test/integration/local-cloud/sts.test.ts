import { $OpenApiUtil } from '@alicloud/openapi-core';
import * as RamSdk from '@alicloud/ram20150501';
import * as StsSdk from '@alicloud/sts20150401';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXAMPLE,
  sdkFailure,
  startTestCloud,
  type TestCloud,
  type TestKeys,
  testRuntime,
} from '../../support/local-cloud.js';

const { automation, sourceOwner, destinationOwner, taskCreator, managementRole } = EXAMPLE;
const rt = testRuntime;

let t: TestCloud;
beforeAll(async () => {
  t = await startTestCloud();
});
afterAll(() => t.stop());

function assumeAs(
  keys: TestKeys,
  request: Partial<{ roleArn: string; roleSessionName: string; durationSeconds: number; externalId: string }>,
) {
  return t.sts(keys).assumeRoleWithOptions(
    new StsSdk.AssumeRoleRequest({
      roleArn: `acs:ram::${sourceOwner.id}:role/${managementRole}`,
      roleSessionName: 'dts-trust',
      ...request,
    }),
    rt(),
  );
}

async function adminEdit(cloud: TestCloud, edit: Record<string, unknown>): Promise<Response> {
  return fetch(`${cloud.cloud.url}/__admin/edits`, { method: 'POST', body: JSON.stringify(edit) });
}

function addUser(cloud: TestCloud, accountId: string, name: string, policies: string[]): TestKeys {
  const account = cloud.cloud.core.accounts.get(accountId);
  if (!account) throw new Error('no account');
  const keys = { accessKeyId: `LTAI5tTest${name}${accountId.slice(-4)}`, accessKeySecret: `secret-${name}` };
  account.users.set(name, {
    name,
    userId: `20000000000000${accountId.slice(-5)}`,
    accessKeys: [{ id: keys.accessKeyId, secret: keys.accessKeySecret }],
    policies: policies.map((p) => ({ name: p, type: 'System', attachDate: '2024-01-01T00:00:00Z' })),
  });
  cloud.cloud.core.reindex();
  return keys;
}

describe('STS AssumeRole', () => {
  it('issues STS.-prefixed temporary credentials for a trusted caller with AliyunSTSAssumeRoleAccess', async () => {
    const before = Date.now();
    const res = await assumeAs(automation.runner, { durationSeconds: 1800 });
    const body = res.body;
    expect(body?.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(body?.credentials?.accessKeyId).toMatch(/^STS\./);
    expect(body?.credentials?.accessKeySecret).toBeTruthy();
    expect(body?.credentials?.securityToken?.length).toBeGreaterThan(100);
    expect(body?.credentials?.expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const expires = Date.parse(body?.credentials?.expiration ?? '');
    expect(expires - before).toBeGreaterThan(1790_000);
    expect(expires - before).toBeLessThanOrEqual(1801_000);
    expect(body?.assumedRoleUser?.arn).toBe(`acs:ram::${sourceOwner.id}:role/${managementRole}/dts-trust`);
    expect(body?.assumedRoleUser?.assumedRoleId).toMatch(/^\d{19}:dts-trust$/);
  });

  it('gives credentials that act inside the target account with the role’s permissions', async () => {
    const keys = await t.assume(destinationOwner.id);
    const ram = t.ram(keys);
    const trust = JSON.stringify({
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${taskCreator.id}:root`] } },
      ],
    });
    await ram.createRoleWithOptions(
      new RamSdk.CreateRoleRequest({ roleName: 'ram-for-dts', assumeRolePolicyDocument: trust }),
      rt(),
    );
    expect(t.cloud.core.accounts.get(destinationOwner.id)?.roles.has('ram-for-dts')).toBe(true);
    expect(t.cloud.core.accounts.get(automation.id)?.roles.has('ram-for-dts')).toBe(false);
    const identity = await t.sts(keys).getCallerIdentityWithOptions(rt());
    expect(identity.body?.accountId).toBe(destinationOwner.id);
    expect(identity.body?.identityType).toBe('AssumedRoleUser');
    expect(identity.body?.arn).toBe(`acs:ram::${destinationOwner.id}:assumed-role/${managementRole}/dts-trust-test`);
  });

  it('loses the permissions when the role’s policy is detached out of band', async () => {
    const cloud = await startTestCloud();
    try {
      const keys = await cloud.assume(sourceOwner.id);
      const ram = cloud.ram(keys);
      await ram.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: managementRole }), rt());
      const res = await adminEdit(cloud, {
        kind: 'detachPolicy',
        accountId: sourceOwner.id,
        roleName: managementRole,
        policyName: 'AliyunRAMFullAccess',
      });
      expect(res.status).toBe(200);
      const f = await sdkFailure(ram.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: managementRole }), rt()));
      expect([f.code, f.statusCode]).toEqual(['NoPermission', 403]);
    } finally {
      await cloud.stop();
    }
  });

  it('refuses a root account caller with NoPermission', async () => {
    const f = await sdkFailure(assumeAs(automation.root, {}));
    expect([f.code, f.statusCode]).toEqual(['NoPermission', 403]);
    expect(f.message).toContain('Roles may not be assumed by root accounts');
  });

  it('refuses a caller without sts:AssumeRole permission', async () => {
    const f = await sdkFailure(
      assumeAs(sourceOwner.auditor, { roleArn: `acs:ram::${destinationOwner.id}:role/${managementRole}` }),
    );
    expect([f.code, f.statusCode]).toEqual(['NoPermission', 403]);
  });

  it('refuses a caller the trust policy does not name', async () => {
    const outsider = addUser(t, taskCreator.id, 'outsider', ['AliyunSTSAssumeRoleAccess']);
    const f = await sdkFailure(assumeAs(outsider, {}));
    expect([f.code, f.statusCode]).toEqual(['NoPermission', 403]);
    expect(f.message).toContain('You are not authorized to do this action');
  });

  it.each([
    ['a one-character session name', { roleSessionName: 'a' }, 'InvalidParameter.RoleSessionName'],
    ['a session name with a space', { roleSessionName: 'bad name' }, 'InvalidParameter.RoleSessionName'],
    ['a session name of 65 characters', { roleSessionName: 'x'.repeat(65) }, 'InvalidParameter.RoleSessionName'],
    ['a duration under 900 seconds', { durationSeconds: 899 }, 'InvalidParameter.DurationSeconds'],
    ['a duration over the role maximum', { durationSeconds: 3601 }, 'InvalidParameter.DurationSeconds'],
    ['a role ARN that is a role name', { roleArn: managementRole }, 'InvalidParameter.RoleArn'],
  ])('refuses %s with %s 400', async (_label, request, code) => {
    const f = await sdkFailure(assumeAs(automation.runner, request));
    expect([f.code, f.statusCode]).toEqual([code, 400]);
  });

  it('accepts a session name using every allowed character kind', async () => {
    const res = await assumeAs(automation.runner, { roleSessionName: 'a.b@c-d_e9' });
    expect(res.body?.assumedRoleUser?.arn).toMatch(/a\.b@c-d_e9$/);
  });

  it('answers EntityNotExist.Role 404 for a missing role', async () => {
    const f = await sdkFailure(
      assumeAs(automation.runner, { roleArn: `acs:ram::${sourceOwner.id}:role/no-such-role` }),
    );
    expect([f.code, f.statusCode]).toEqual(['EntityNotExist.Role', 404]);
  });

  it('evaluates the sts:ExternalId condition', async () => {
    const cloud = await startTestCloud();
    try {
      const edit = await adminEdit(cloud, {
        kind: 'setTrustPolicy',
        accountId: sourceOwner.id,
        roleName: managementRole,
        trustPolicy: {
          Version: '1',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'sts:AssumeRole',
              Principal: { RAM: [`acs:ram::${automation.id}:root`] },
              Condition: { StringEquals: { 'sts:ExternalId': 'ext-1234' } },
            },
          ],
        },
      });
      expect(edit.status).toBe(200);
      const missing = await sdkFailure(cloud.assume(sourceOwner.id));
      expect(missing.code).toBe('NoPermission');
      const wrong = await sdkFailure(cloud.assume(sourceOwner.id, managementRole, 'ext-9999'));
      expect(wrong.code).toBe('NoPermission');
      const keys = await cloud.assume(sourceOwner.id, managementRole, 'ext-1234');
      expect(keys.accessKeyId).toMatch(/^STS\./);
    } finally {
      await cloud.stop();
    }
  });

  it('matches role and user principals by name', async () => {
    const cloud = await startTestCloud();
    try {
      const root = cloud.ram(destinationOwner.root);
      const trustOf = (principal: string) =>
        JSON.stringify({
          Version: '1',
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: principal } }],
        });
      await root.createRoleWithOptions(
        new RamSdk.CreateRoleRequest({
          roleName: 'for-runner',
          assumeRolePolicyDocument: trustOf(`acs:ram::${automation.id}:user/dts-trust-runner`),
        }),
        rt(),
      );
      await root.createRoleWithOptions(
        new RamSdk.CreateRoleRequest({
          roleName: 'for-someone',
          assumeRolePolicyDocument: trustOf(`acs:ram::${automation.id}:user/someone-else`),
        }),
        rt(),
      );
      await root.createRoleWithOptions(
        new RamSdk.CreateRoleRequest({
          roleName: 'for-manager',
          assumeRolePolicyDocument: trustOf(`acs:ram::${sourceOwner.id}:role/${managementRole}`),
        }),
        rt(),
      );
      expect((await cloud.assume(destinationOwner.id, 'for-runner')).accessKeyId).toMatch(/^STS\./);
      expect((await sdkFailure(cloud.assume(destinationOwner.id, 'for-someone'))).code).toBe('NoPermission');
      const attach = await adminEdit(cloud, {
        kind: 'attachPolicy',
        accountId: sourceOwner.id,
        roleName: managementRole,
        policyName: 'AliyunSTSAssumeRoleAccess',
      });
      expect(attach.status).toBe(200);
      const managerKeys = await cloud.assume(sourceOwner.id);
      const chained = await cloud.sts(managerKeys).assumeRoleWithOptions(
        new StsSdk.AssumeRoleRequest({
          roleArn: `acs:ram::${destinationOwner.id}:role/for-manager`,
          roleSessionName: 'chain',
        }),
        rt(),
      );
      expect(chained.body?.credentials?.accessKeyId).toMatch(/^STS\./);
    } finally {
      await cloud.stop();
    }
  });
});

describe('STS GetCallerIdentity', () => {
  it('describes a root account and a RAM user', async () => {
    const root = await t.sts(automation.root).getCallerIdentityWithOptions(rt());
    expect(root.body?.toMap()).toMatchObject({
      AccountId: automation.id,
      IdentityType: 'Account',
      Arn: `acs:ram::${automation.id}:root`,
    });
    const user = await t.sts(automation.runner).getCallerIdentityWithOptions(rt());
    expect(user.body?.toMap()).toMatchObject({
      AccountId: automation.id,
      IdentityType: 'RAMUser',
      Arn: `acs:ram::${automation.id}:user/dts-trust-runner`,
    });
    expect(user.body?.userId).toMatch(/^\d+$/);
  });
});

describe('STS actions', () => {
  it('answers an action STS does not have, even an Object property name, with 404 InvalidAction.NotFound', async () => {
    for (const action of ['DeleteEverything', 'constructor']) {
      const params = new $OpenApiUtil.Params({
        action,
        version: '2015-04-01',
        protocol: 'HTTP',
        pathname: '/',
        method: 'POST',
        authType: 'AK',
        style: 'RPC',
        reqBodyType: 'formData',
        bodyType: 'json',
      });
      const f = await sdkFailure(t.sts(automation.root).callApi(params, new $OpenApiUtil.OpenApiRequest({}), rt()));
      expect([f.code, f.statusCode]).toEqual(['InvalidAction.NotFound', 404]);
    }
  });
});

describe('STS credentials', () => {
  it('answers InvalidSecurityToken.Expired once the credentials expire', async () => {
    let now = Date.now();
    const cloud = await startTestCloud({ clock: { now: () => new Date(now) } });
    try {
      const keys = await cloud.assume(sourceOwner.id);
      const ram = cloud.ram(keys);
      await ram.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: managementRole }), rt());
      now += 3601_000;
      const f = await sdkFailure(ram.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: managementRole }), rt()));
      expect([f.code, f.statusCode]).toEqual(['InvalidSecurityToken.Expired', 400]);
    } finally {
      await cloud.stop();
    }
  });

  it('refuses STS keys sent without or with another security token', async () => {
    const keys = await t.assume(sourceOwner.id);
    const without = await sdkFailure(
      t
        .ram({ accessKeyId: keys.accessKeyId, accessKeySecret: keys.accessKeySecret })
        .getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: managementRole }), rt()),
    );
    expect(without.code).toBe('MissingSecurityToken');
    const other = await sdkFailure(
      t
        .ram({ ...keys, securityToken: `${keys.securityToken}x` })
        .getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: managementRole }), rt()),
    );
    expect(other.code).toBe('InvalidSecurityToken.MismatchWithAccessKey');
  });
});

describe('STS with RPC V2 signatures', () => {
  function v2Client(keys: TestKeys) {
    const client = t.sts(keys);
    (client as unknown as { _signatureAlgorithm: string })._signatureAlgorithm = 'v2';
    return client;
  }

  it('verifies an HMAC-SHA1 signed AssumeRole', async () => {
    const before = t.cloud.log.length;
    const res = await v2Client(automation.runner).assumeRoleWithOptions(
      new StsSdk.AssumeRoleRequest({
        roleArn: `acs:ram::${sourceOwner.id}:role/${managementRole}`,
        roleSessionName: 'v2-session',
      }),
      rt(),
    );
    expect(res.body?.credentials?.accessKeyId).toMatch(/^STS\./);
    expect(t.cloud.log.slice(before).map((e) => [e.service, e.action, e.status])).toEqual([['sts', 'AssumeRole', 200]]);
  });

  it('answers SignatureDoesNotMatch for a wrong secret', async () => {
    const f = await sdkFailure(
      v2Client({ ...automation.runner, accessKeySecret: 'wrong' }).getCallerIdentityWithOptions(rt()),
    );
    expect([f.code, f.statusCode]).toEqual(['SignatureDoesNotMatch', 400]);
  });
});
