import RamSdk from '@alicloud/ram20150501';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RamRoleDirectory } from '../../../shared/alicloud/ram.js';
import { CloudApiError, CloudErrorKind } from '../../../shared/domain/errors.js';
import type { AccountCredentials } from '../../../shared/ports.js';
import {
  type AliClientMock,
  aliClientError,
  aliResponse,
  connectionReset,
  mockAliClient,
} from '../../support/mock-ali-client.js';

const owner: AccountCredentials = {
  accountId: '1111111111111111',
  accessKeyId: 'STS.OWNER',
  accessKeySecret: 'secret',
  securityToken: 'token-1',
};
const TRUST = '{"Statement":[],"Version":"1"}';

let ram: AliClientMock<InstanceType<typeof RamSdk.default>>;
let directory: RamRoleDirectory;

beforeEach(() => {
  ram = mockAliClient(RamSdk.default);
  directory = new RamRoleDirectory({ endpoint: '127.0.0.1:9', protocol: 'http' });
});

afterEach(() => ram.restore());

function roleBody(role: Record<string, unknown>) {
  return aliResponse(RamSdk.GetRoleResponse, { RequestId: 'R', Role: role });
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
      .on('getRoleWithOptions', { roleName: 'dts-role' })
      .resolves(roleBody({ RoleName: 'dts-role', Arn: 'acs:ram::1:role/dts-role', AssumeRolePolicyDocument: TRUST }));
    expect(await directory.getRole(owner, 'dts-role')).toEqual({
      roleName: 'dts-role',
      arn: 'acs:ram::1:role/dts-role',
      description: '',
      trustPolicy: TRUST,
    });
  });

  it.each([
    ['without a Role', aliResponse(RamSdk.GetRoleResponse, { RequestId: 'R' })],
    ['without an AssumeRolePolicyDocument', roleBody({ RoleName: 'dts-role', Arn: 'acs:ram::1:role/dts-role' })],
    ['without a body', aliResponse(RamSdk.GetRoleResponse, {}, { statusCode: 200 })],
  ])('fails as a retryable MalformedResponse on a 200 %s', async (_name, response) => {
    ram.on('getRoleWithOptions').resolves(response);
    const error = await failureOf(directory.getRole(owner, 'dts-role'));
    expect(error).toMatchObject({ code: 'MalformedResponse', kind: CloudErrorKind.Unavailable, api: 'ram:GetRole' });
    expect(error.retryable).toBe(true);
  });

  it('fails retryably when the connection is reset mid-response, keeping the socket error as cause', async () => {
    const reset = connectionReset();
    ram.on('getRoleWithOptions').rejects(reset);
    const error = await failureOf(directory.getRole(owner, 'dts-role'));
    expect(error).toMatchObject({ code: 'ECONNRESET', kind: CloudErrorKind.Unavailable });
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(reset);
  });

  it('answers undefined for a role that does not exist', async () => {
    ram.on('getRoleWithOptions').rejects(aliClientError({ code: 'EntityNotExist.Role', statusCode: 404 }));
    expect(await directory.getRole(owner, 'gone')).toBeUndefined();
  });

  it.each([
    ['NoPermission', 403, CloudErrorKind.NoPermission, false],
    ['Throttling.User', 400, CloudErrorKind.Throttled, true],
    ['InternalError', 500, CloudErrorKind.Unavailable, true],
  ] as const)('classifies %s (%i) as %s', async (code, statusCode, kind, retryable) => {
    ram.on('getRoleWithOptions').rejects(aliClientError({ code, statusCode, requestId: 'REQ-9' }));
    const error = await failureOf(directory.getRole(owner, 'dts-role'));
    expect(error).toMatchObject({ code, kind, statusCode, requestId: 'REQ-9', api: 'ram:GetRole' });
    expect(error.retryable).toBe(retryable);
  });

  it('reuses one client per credential set and builds another for new credentials', async () => {
    ram.on('getRoleWithOptions').resolves(roleBody({ RoleName: 'r', Arn: 'a', AssumeRolePolicyDocument: TRUST }));
    await directory.getRole(owner, 'r');
    await directory.getRole(owner, 'r');
    await directory.getRole({ ...owner, securityToken: 'token-2' }, 'r');
    const [first, second, third] = ram.calls('getRoleWithOptions').map((call) => call.thisValue);
    expect(first).toBe(second);
    expect(third).not.toBe(first);
  });
});

describe('RamRoleDirectory.listAttachedPolicies', () => {
  it('maps the attached policies', async () => {
    ram.on('listPoliciesForRoleWithOptions', { roleName: 'r' }).resolves(
      aliResponse(RamSdk.ListPoliciesForRoleResponse, {
        Policies: { Policy: [{ PolicyName: 'AliyunDTSRolePolicy', PolicyType: 'System' }] },
      }),
    );
    expect(await directory.listAttachedPolicies(owner, 'r')).toEqual([
      { policyName: 'AliyunDTSRolePolicy', policyType: 'System' },
    ]);
  });

  it('answers no policies for a role that does not exist', async () => {
    ram.on('listPoliciesForRoleWithOptions').rejects(aliClientError({ code: 'EntityNotExist.Role', statusCode: 404 }));
    expect(await directory.listAttachedPolicies(owner, 'gone')).toEqual([]);
  });

  it('fails as MalformedResponse on a policy type RAM does not have', async () => {
    ram.on('listPoliciesForRoleWithOptions').resolves(
      aliResponse(RamSdk.ListPoliciesForRoleResponse, {
        Policies: { Policy: [{ PolicyName: 'p', PolicyType: 'X' }] },
      }),
    );
    expect(await failureOf(directory.listAttachedPolicies(owner, 'r'))).toMatchObject({
      code: 'MalformedResponse',
      api: 'ram:ListPoliciesForRole',
    });
  });
});

describe('RamRoleDirectory.createRole', () => {
  it('sends the trust policy, the description and every ownership tag', async () => {
    ram.on('createRoleWithOptions').resolves(
      aliResponse(RamSdk.CreateRoleResponse, {
        Role: { RoleName: 'r', Arn: 'arn:r', AssumeRolePolicyDocument: TRUST },
      }),
    );
    const created = await directory.createRole(owner, {
      roleName: 'r',
      trustPolicy: TRUST,
      description: 'managed by dts-trust',
      tags: { 'dts-trust:managed': 'true' },
    });
    expect(created).toMatchObject({ roleName: 'r', arn: 'arn:r', trustPolicy: TRUST });
    expect(
      ram.calls('createRoleWithOptions', {
        roleName: 'r',
        assumeRolePolicyDocument: TRUST,
        description: 'managed by dts-trust',
        tag: [{ key: 'dts-trust:managed', value: 'true' }],
      }),
    ).toHaveLength(1);
  });

  it('reports a role that already exists as a conflict', async () => {
    ram.on('createRoleWithOptions').rejects(aliClientError({ code: 'EntityAlreadyExists.Role', statusCode: 409 }));
    const error = await failureOf(
      directory.createRole(owner, { roleName: 'r', trustPolicy: TRUST, description: 'd', tags: {} }),
    );
    expect(error).toMatchObject({ kind: CloudErrorKind.Conflict, api: 'ram:CreateRole' });
  });
});
