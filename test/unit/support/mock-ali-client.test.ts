import { $OpenApiUtil, ClientError, ServerError, ThrottlingError } from '@alicloud/openapi-core';
import RamSdk from '@alicloud/ram20150501';
import * as $dara from '@darabonba/typescript';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { toCloudApiError } from '../../../shared/alicloud/cloud-error.js';
import { CloudErrorKind } from '../../../shared/domain/errors.js';
import {
  aliClientError,
  aliResponse,
  connectionReset,
  mockAliClient,
  partiallyMatches,
  teaResponseError,
} from '../../support/mock-ali-client.js';

const realGetRole = RamSdk.default.prototype.getRoleWithOptions;
const runtime = new $dara.RuntimeOptions({ autoretry: false, connectTimeout: 50, readTimeout: 50 });

function newClient(accessKeyId = 'AK'): InstanceType<typeof RamSdk.default> {
  return new RamSdk.default(
    new $OpenApiUtil.Config({ accessKeyId, accessKeySecret: 'secret', endpoint: '127.0.0.1:9', protocol: 'http' }),
  );
}

function getRole(client: InstanceType<typeof RamSdk.default>, roleName: string) {
  return client.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName }), runtime);
}

function roleResponse(roleName: string) {
  return aliResponse(RamSdk.GetRoleResponse, { RequestId: 'R', Role: { RoleName: roleName, Arn: `arn:${roleName}` } });
}

let ram: ReturnType<typeof mockAliClient<InstanceType<typeof RamSdk.default>>> | undefined;

afterEach(() => {
  ram?.restore();
  ram = undefined;
});

describe('mockAliClient', () => {
  it('intercepts clients created before and after the mock', async () => {
    const before = newClient();
    ram = mockAliClient(RamSdk.default);
    ram.on('getRoleWithOptions').resolves(roleResponse('any'));
    expect((await getRole(before, 'a')).body?.role?.roleName).toBe('any');
    expect((await getRole(newClient(), 'b')).body?.role?.roleName).toBe('any');
  });

  it('answers a call whose request partially matches and rejects one nothing answers', async () => {
    ram = mockAliClient(RamSdk.default);
    ram.on('getRoleWithOptions', { roleName: 'known' }).resolves(roleResponse('known'));
    expect((await getRole(newClient(), 'known')).body?.role?.arn).toBe('arn:known');
    await expect(getRole(newClient(), 'other')).rejects.toThrow(/nothing defined for getRoleWithOptions.*other/);
  });

  it('lets a more specific definition win over a generic one defined later', async () => {
    ram = mockAliClient(RamSdk.default);
    ram.on('getRoleWithOptions', { roleName: 'special' }).resolves(roleResponse('special'));
    ram.on('getRoleWithOptions').resolves(roleResponse('generic'));
    expect((await getRole(newClient(), 'special')).body?.role?.roleName).toBe('special');
    expect((await getRole(newClient(), 'plain')).body?.role?.roleName).toBe('generic');
  });

  it('lets the latest of equally specific definitions win', async () => {
    ram = mockAliClient(RamSdk.default);
    ram.on('getRoleWithOptions', { roleName: 'r' }).resolves(roleResponse('first'));
    ram.on('getRoleWithOptions', { roleName: 'r' }).resolves(roleResponse('second'));
    expect((await getRole(newClient(), 'r')).body?.role?.roleName).toBe('second');
  });

  it('rejects with the given error', async () => {
    ram = mockAliClient(RamSdk.default);
    const error = aliClientError({ code: 'NoPermission', statusCode: 403 });
    ram.on('getRoleWithOptions').rejects(error);
    await expect(getRole(newClient(), 'r')).rejects.toBe(error);
  });

  it('runs a fake with the call arguments', async () => {
    ram = mockAliClient(RamSdk.default);
    ram.on('getRoleWithOptions').callsFake(async (request) => roleResponse(`echo-${request.roleName}`));
    expect((await getRole(newClient(), 'x')).body?.role?.roleName).toBe('echo-x');
  });

  it('answers once-values in order, then the default', async () => {
    ram = mockAliClient(RamSdk.default);
    ram
      .on('getRoleWithOptions')
      .rejectsOnce(connectionReset())
      .resolvesOnce(roleResponse('second'))
      .resolves(roleResponse('rest'));
    await expect(getRole(newClient(), 'r')).rejects.toMatchObject({ code: 'ECONNRESET' });
    const names = [];
    for (let i = 0; i < 3; i += 1) names.push((await getRole(newClient(), 'r')).body?.role?.roleName);
    expect(names).toEqual(['second', 'rest', 'rest']);
  });

  it('falls back to a less specific definition once a specific one has run out of once-values', async () => {
    ram = mockAliClient(RamSdk.default);
    ram.on('getRoleWithOptions').resolves(roleResponse('generic'));
    ram.on('getRoleWithOptions', { roleName: 'r' }).resolvesOnce(roleResponse('once'));
    expect((await getRole(newClient(), 'r')).body?.role?.roleName).toBe('once');
    expect((await getRole(newClient(), 'r')).body?.role?.roleName).toBe('generic');
  });

  it('lists the calls whose request matches, with the client that made them', async () => {
    ram = mockAliClient(RamSdk.default);
    ram.on('getRoleWithOptions').resolves(roleResponse('any'));
    const alice = newClient('AK-ALICE');
    await getRole(alice, 'a');
    await getRole(newClient('AK-BOB'), 'b');
    await getRole(alice, 'a');
    expect(ram.calls('getRoleWithOptions')).toHaveLength(3);
    const callsForA = ram.calls('getRoleWithOptions', { roleName: 'a' });
    expect(callsForA).toHaveLength(2);
    expect(callsForA.every((call) => call.thisValue === alice)).toBe(true);
    expect(callsForA[0]?.args[1]).toBe(runtime);
    expect(ram.calls('deleteRoleWithOptions')).toEqual([]);
  });

  it('forgets definitions and calls on reset but keeps intercepting', async () => {
    ram = mockAliClient(RamSdk.default);
    ram.on('getRoleWithOptions').resolves(roleResponse('any'));
    await getRole(newClient(), 'a');
    ram.reset();
    expect(ram.calls('getRoleWithOptions')).toEqual([]);
    await expect(getRole(newClient(), 'a')).rejects.toThrow(/nothing defined/);
    expect(ram.calls('getRoleWithOptions')).toHaveLength(1);
  });

  it('puts the real methods back on restore', () => {
    ram = mockAliClient(RamSdk.default);
    ram.on('getRoleWithOptions').resolves(roleResponse('any'));
    expect(RamSdk.default.prototype.getRoleWithOptions).not.toBe(realGetRole);
    ram.restore();
    expect(RamSdk.default.prototype.getRoleWithOptions).toBe(realGetRole);
  });

  it('refuses a name that is not a method of the client', () => {
    ram = mockAliClient(RamSdk.default);
    // @ts-expect-error only method names of the client are accepted
    expect(() => ram?.on('_endpoint')).toThrow(/not a client method/);
  });

  it('types the matcher after the request model and the answer after the response', () => {
    ram = mockAliClient(RamSdk.default);
    const behavior = ram.on('getRoleWithOptions', { roleName: 'r' });
    expectTypeOf(behavior.resolves).parameter(0).toEqualTypeOf<RamSdk.GetRoleResponse>();
    // @ts-expect-error the request model has no field roleArn
    ram.on('getRoleWithOptions', { roleArn: 'x' });
  });
});

describe('partiallyMatches', () => {
  it.each([
    ['an absent matcher', undefined, { a: 1 }, true],
    ['a subset of fields', { a: 1 }, { a: 1, b: 2 }, true],
    ['a differing field', { a: 1 }, { a: 2 }, false],
    ['a missing field', { a: 1 }, {}, false],
    ['a nested subset', { a: { b: 1 } }, { a: { b: 1, c: 2 } }, true],
    ['arrays element by element', [{ id: 'x' }], [{ id: 'x', n: 1 }], true],
    ['arrays of another length', [{ id: 'x' }], [{ id: 'x' }, { id: 'y' }], false],
    ['an object against a primitive', { a: 1 }, 'a', false],
    ['equal dates', { at: new Date(5) }, { at: new Date(5) }, true],
    ['different dates', { at: new Date(5) }, { at: new Date(6) }, false],
  ])('handles %s', (_name, expected, actual, result) => {
    expect(partiallyMatches(expected, actual)).toBe(result);
  });
});

describe('aliClientError', () => {
  it.each([
    [{ code: 'Throttling.User', statusCode: 400 }, ThrottlingError, CloudErrorKind.Throttled],
    [{ code: 'EntityNotExist.Role', statusCode: 404 }, ClientError, CloudErrorKind.NotFound],
    [{ code: 'NoPermission', statusCode: 403 }, ClientError, CloudErrorKind.NoPermission],
    [{ code: 'InternalError', statusCode: 500 }, ServerError, CloudErrorKind.Unavailable],
  ] as const)('builds %o as the SDK class the adapter classifies', (init, errorClass, kind) => {
    const error = aliClientError({ ...init, requestId: 'REQ-1' });
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ code: init.code, statusCode: init.statusCode, requestId: 'REQ-1' });
    expect(error.message).toBe(`${init.code}: code: ${init.statusCode}, ${init.code} request id: REQ-1`);
    expect(toCloudApiError('ram:GetRole', error)).toMatchObject({ kind, code: init.code, requestId: 'REQ-1' });
  });
});

describe('teaResponseError', () => {
  it('carries the code and the body without an HTTP status', () => {
    const error = teaResponseError({ code: 'EventBusNotExist', requestId: 'R2' });
    expect(error).toMatchObject({ code: 'EventBusNotExist', data: { requestId: 'R2' } });
    expect(error.statusCode).toBeUndefined();
    expect(toCloudApiError('eventbridge:PutEvents', error).kind).toBe(CloudErrorKind.Invalid);
  });
});

describe('connectionReset', () => {
  it('is classified as a retryable transport failure', () => {
    const error = toCloudApiError('ram:GetRole', connectionReset());
    expect(error).toMatchObject({ code: 'ECONNRESET', kind: CloudErrorKind.Unavailable });
    expect(error.retryable).toBe(true);
  });
});

describe('aliResponse', () => {
  it('builds the response model from the wire body as the SDK does', () => {
    const response = aliResponse(RamSdk.GetRoleResponse, { Role: { RoleName: 'r', AssumeRolePolicyDocument: '{}' } });
    expect(response).toBeInstanceOf(RamSdk.GetRoleResponse);
    expect(response.statusCode).toBe(200);
    expect(response.body?.role?.assumeRolePolicyDocument).toBe('{}');
    expect(response.body?.toMap()).toEqual({ Role: { RoleName: 'r', AssumeRolePolicyDocument: '{}' } });
  });
});
