import OpenApi, { $OpenApiUtil } from '@alicloud/openapi-core';
import RamSdk from '@alicloud/ram20150501';
import * as $dara from '@darabonba/typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RamRoleDirectory } from '../../../shared/alicloud/ram.js';
import { RamUserDirectory } from '../../../shared/alicloud/ram-users.js';
import { CloudApiError, CloudErrorKind } from '../../../shared/domain/errors.js';
import type { AccountCredentials } from '../../../shared/ports.js';
import { type AliClientMock, aliClientError, connectionReset, mockAliClient } from '../../support/mock-ali-client.js';

const owner: AccountCredentials = {
  accountId: '1111111111111111',
  accessKeyId: 'STS.OWNER',
  accessKeySecret: 'secret',
  securityToken: 'token-1',
};
const TRUST = '{"Statement":[],"Version":"1"}';

let ram: AliClientMock<InstanceType<typeof OpenApi.default>>;
let directory: RamRoleDirectory;

beforeEach(() => {
  ram = mockAliClient(OpenApi.default);
  directory = new RamRoleDirectory({ endpoint: '127.0.0.1:9', protocol: 'http' });
});

afterEach(() => ram.restore());

/** What `callApi` answers for an RPC call: status, headers and the JSON body. */
function rpc(body?: Record<string, unknown>) {
  return { statusCode: 200, headers: {}, ...(body ? { body } : {}) };
}

function roleBody(role: Record<string, unknown>) {
  return rpc({ RequestId: 'R', Role: role });
}

async function failureOf(promise: Promise<unknown>): Promise<CloudApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CloudApiError);
  return error as CloudApiError;
}

describe('RamRoleDirectory.getRole', () => {
  it('maps the role the service describes', async () => {
    ram
      .on('callApi', { action: 'GetRole', version: '2015-05-01', style: 'RPC' })
      .resolves(roleBody({ RoleName: 'dts-role', Arn: 'acs:ram::1:role/dts-role', AssumeRolePolicyDocument: TRUST }));
    expect(await directory.getRole(owner, 'dts-role')).toEqual({
      roleName: 'dts-role',
      arn: 'acs:ram::1:role/dts-role',
      description: '',
      trustPolicy: TRUST,
    });
  });

  it.each([
    ['without a Role', rpc({ RequestId: 'R' })],
    ['without an AssumeRolePolicyDocument', roleBody({ RoleName: 'dts-role', Arn: 'acs:ram::1:role/dts-role' })],
    ['without a body', rpc()],
  ])('fails as a retryable MalformedResponse on a 200 %s', async (_name, response) => {
    ram.on('callApi', { action: 'GetRole' }).resolves(response);
    const error = await failureOf(directory.getRole(owner, 'dts-role'));
    expect(error).toMatchObject({ code: 'MalformedResponse', kind: CloudErrorKind.Unavailable, api: 'ram:GetRole' });
    expect(error.retryable).toBe(true);
  });

  it('fails retryably when the connection is reset mid-response, keeping the socket error as cause', async () => {
    const reset = connectionReset();
    ram.on('callApi', { action: 'GetRole' }).rejects(reset);
    const error = await failureOf(directory.getRole(owner, 'dts-role'));
    expect(error).toMatchObject({ code: 'ECONNRESET', kind: CloudErrorKind.Unavailable });
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(reset);
  });

  it('answers undefined for a role that does not exist', async () => {
    ram.on('callApi', { action: 'GetRole' }).rejects(aliClientError({ code: 'EntityNotExist.Role', statusCode: 404 }));
    expect(await directory.getRole(owner, 'gone')).toBeUndefined();
  });

  it.each([
    ['NoPermission', 403, CloudErrorKind.NoPermission, false],
    ['Throttling.User', 400, CloudErrorKind.Throttled, true],
    ['InternalError', 500, CloudErrorKind.Unavailable, true],
  ] as const)('classifies %s (%i) as %s', async (code, statusCode, kind, retryable) => {
    ram.on('callApi', { action: 'GetRole' }).rejects(aliClientError({ code, statusCode, requestId: 'REQ-9' }));
    const error = await failureOf(directory.getRole(owner, 'dts-role'));
    expect(error).toMatchObject({ code, kind, statusCode, requestId: 'REQ-9', api: 'ram:GetRole' });
    expect(error.retryable).toBe(retryable);
  });

  it('reuses one client per credential set and builds another for new credentials', async () => {
    ram
      .on('callApi', { action: 'GetRole' })
      .resolves(roleBody({ RoleName: 'r', Arn: 'a', AssumeRolePolicyDocument: TRUST }));
    await directory.getRole(owner, 'r');
    await directory.getRole(owner, 'r');
    await directory.getRole({ ...owner, securityToken: 'token-2' }, 'r');
    const [first, second, third] = ram.calls('callApi', { action: 'GetRole' }).map((call) => call.thisValue);
    expect(first).toBe(second);
    expect(third).not.toBe(first);
  });
});

describe('RamRoleDirectory.listAttachedPolicies', () => {
  it('maps the attached policies', async () => {
    ram
      .on('callApi', { action: 'ListPoliciesForRole' })
      .resolves(rpc({ Policies: { Policy: [{ PolicyName: 'AliyunDTSRolePolicy', PolicyType: 'System' }] } }));
    expect(await directory.listAttachedPolicies(owner, 'r')).toEqual([
      { policyName: 'AliyunDTSRolePolicy', policyType: 'System' },
    ]);
  });

  it('answers no policies for a role that does not exist', async () => {
    ram
      .on('callApi', { action: 'ListPoliciesForRole' })
      .rejects(aliClientError({ code: 'EntityNotExist.Role', statusCode: 404 }));
    expect(await directory.listAttachedPolicies(owner, 'gone')).toEqual([]);
  });

  it('fails as MalformedResponse on a policy type RAM does not have', async () => {
    ram
      .on('callApi', { action: 'ListPoliciesForRole' })
      .resolves(rpc({ Policies: { Policy: [{ PolicyName: 'p', PolicyType: 'X' }] } }));
    expect(await failureOf(directory.listAttachedPolicies(owner, 'r'))).toMatchObject({
      code: 'MalformedResponse',
      api: 'ram:ListPoliciesForRole',
    });
  });
});

describe('RamRoleDirectory.createRole', () => {
  it('sends the trust policy, the description and every ownership tag', async () => {
    ram
      .on('callApi', { action: 'CreateRole' })
      .resolves(rpc({ Role: { RoleName: 'r', Arn: 'arn:r', AssumeRolePolicyDocument: TRUST } }));
    const created = await directory.createRole(owner, {
      roleName: 'r',
      trustPolicy: TRUST,
      description: 'managed by dts-trust',
      tags: { 'dts-trust:managed': 'true' },
    });
    expect(created).toMatchObject({ roleName: 'r', arn: 'arn:r', trustPolicy: TRUST });
    const [call, ...more] = ram.calls('callApi', { action: 'CreateRole' });
    expect(more).toEqual([]);
    expect(call?.args[1].query).toEqual({
      RoleName: 'r',
      AssumeRolePolicyDocument: TRUST,
      Description: 'managed by dts-trust',
      Tag: '[{"Key":"dts-trust:managed","Value":"true"}]',
    });
  });

  it('reports a role that already exists as a conflict', async () => {
    ram
      .on('callApi', { action: 'CreateRole' })
      .rejects(aliClientError({ code: 'EntityAlreadyExists.Role', statusCode: 409 }));
    const error = await failureOf(
      directory.createRole(owner, { roleName: 'r', trustPolicy: TRUST, description: 'd', tags: {} }),
    );
    expect(error).toMatchObject({ kind: CloudErrorKind.Conflict, api: 'ram:CreateRole' });
  });
});

describe('RAM adapters on the wire', () => {
  const role = { RoleName: 'r', Arn: 'arn:r', AssumeRolePolicyDocument: TRUST };
  const runtime = new $dara.RuntimeOptions({});
  const sdk = new RamSdk.default(new $OpenApiUtil.Config({ ...owner, endpoint: '127.0.0.1:9', protocol: 'http' }));
  const policy = { policyName: 'AliyunDTSRolePolicy', policyType: 'System' } as const;
  const cases = [
    {
      action: 'GetRole',
      adapter: () => directory.getRole(owner, 'r'),
      sdk: () => sdk.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: 'r' }), runtime),
    },
    {
      action: 'ListPoliciesForRole',
      adapter: () => directory.listAttachedPolicies(owner, 'r'),
      sdk: () => sdk.listPoliciesForRoleWithOptions(new RamSdk.ListPoliciesForRoleRequest({ roleName: 'r' }), runtime),
    },
    {
      action: 'CreateRole',
      adapter: () =>
        directory.createRole(owner, { roleName: 'r', trustPolicy: TRUST, description: 'd', tags: { k: 'v' } }),
      sdk: () =>
        sdk.createRoleWithOptions(
          new RamSdk.CreateRoleRequest({
            roleName: 'r',
            assumeRolePolicyDocument: TRUST,
            description: 'd',
            tag: [new RamSdk.CreateRoleRequestTag({ key: 'k', value: 'v' })],
          }),
          runtime,
        ),
    },
    {
      action: 'UpdateRole',
      adapter: () => directory.updateTrustPolicy(owner, 'r', TRUST),
      sdk: () =>
        sdk.updateRoleWithOptions(
          new RamSdk.UpdateRoleRequest({ roleName: 'r', newAssumeRolePolicyDocument: TRUST }),
          runtime,
        ),
    },
    {
      action: 'UpdateRole',
      adapter: () => directory.updateDescription(owner, 'r', 'd'),
      sdk: () =>
        sdk.updateRoleWithOptions(new RamSdk.UpdateRoleRequest({ roleName: 'r', newDescription: 'd' }), runtime),
    },
    {
      action: 'AttachPolicyToRole',
      adapter: () => directory.attachPolicy(owner, 'r', policy),
      sdk: () =>
        sdk.attachPolicyToRoleWithOptions(
          new RamSdk.AttachPolicyToRoleRequest({ roleName: 'r', policyName: policy.policyName, policyType: 'System' }),
          runtime,
        ),
    },
    {
      action: 'DetachPolicyFromRole',
      adapter: () => directory.detachPolicy(owner, 'r', policy),
      sdk: () =>
        sdk.detachPolicyFromRoleWithOptions(
          new RamSdk.DetachPolicyFromRoleRequest({
            roleName: 'r',
            policyName: policy.policyName,
            policyType: 'System',
          }),
          runtime,
        ),
    },
    {
      action: 'GetUser',
      adapter: () => new RamUserDirectory({ endpoint: '127.0.0.1:9', protocol: 'http' }).userExists(owner, 'u'),
      sdk: () => sdk.getUserWithOptions(new RamSdk.GetUserRequest({ userName: 'u' }), runtime),
    },
    {
      action: 'DeleteRole',
      adapter: () => directory.deleteRole(owner, 'r'),
      sdk: () => sdk.deleteRoleWithOptions(new RamSdk.DeleteRoleRequest({ roleName: 'r' }), runtime),
    },
  ];

  it.each(cases)('sends $action exactly as @alicloud/ram20150501 sends it', async (c) => {
    ram.on('callApi').resolves(rpc({ RequestId: 'R', Role: role, Policies: { Policy: [] }, User: { UserName: 'u' } }));
    await c.sdk();
    await c.adapter();
    const [bySdk, byAdapter, ...more] = ram.calls('callApi', { action: c.action });
    expect([bySdk?.thisValue, byAdapter?.thisValue, more]).toEqual([sdk, expect.any(OpenApi.default), []]);
    expect(byAdapter?.args[0].toMap()).toEqual(bySdk?.args[0].toMap());
    expect(byAdapter?.args[1].query).toEqual(bySdk?.args[1].query);
  });
});
