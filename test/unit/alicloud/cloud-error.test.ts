import { describe, expect, it } from 'vitest';
import { classifyCloudError, ErrorDialect, isSettling, toCloudApiError } from '../../../shared/alicloud/cloud-error.js';
import { toStoreError } from '../../../shared/alicloud/tablestore/errors.js';
import { CloudErrorKind, ConcurrentModificationError } from '../../../shared/domain/errors.js';

describe('classifyCloudError', () => {
  it.each([
    ['Throttling.User', 400, CloudErrorKind.Throttled],
    ['Throttling.Api', 400, CloudErrorKind.Throttled],
    ['ServiceUnavailable', 503, CloudErrorKind.Unavailable],
    ['InternalError', 500, CloudErrorKind.Unavailable],
    ['EntityNotExist.Role', 404, CloudErrorKind.NotFound],
    ['EntityNotExist.Role.Policy', 404, CloudErrorKind.NotFound],
    ['EntityAlreadyExists.Role', 409, CloudErrorKind.Conflict],
    ['DeleteConflict.Role.Policy', 409, CloudErrorKind.Conflict],
    ['NoPermission', 403, CloudErrorKind.NoPermission],
    ['MalformedPolicyDocument', 400, CloudErrorKind.Invalid],
    ['ECONNRESET', undefined, CloudErrorKind.Unavailable],
  ] as const)('classifies %s (%s) as %s', (code, status, kind) => {
    expect(classifyCloudError(code, status)).toBe(kind);
  });
});

describe('toCloudApiError', () => {
  it('keeps the code, status, request id and the original error as cause', () => {
    const sdkError = Object.assign(new Error('code: 404, role not found request id: R1'), {
      code: 'EntityNotExist.Role',
      statusCode: 404,
      requestId: 'R1',
    });
    const error = toCloudApiError('ram:GetRole', sdkError);
    expect(error).toMatchObject({ code: 'EntityNotExist.Role', statusCode: 404, requestId: 'R1', api: 'ram:GetRole' });
    expect(error.kind).toBe(CloudErrorKind.NotFound);
    expect(error.cause).toBe(sdkError);
    expect(error.retryable).toBe(false);
  });

  it('treats a connection reset as retryable', () => {
    expect(
      toCloudApiError('ram:GetRole', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).retryable,
    ).toBe(true);
  });
});

describe('toStoreError', () => {
  it('turns a failed row condition (403 with the code in the message) into a concurrent modification', () => {
    const error = toStoreError('PutRow', {
      code: 403,
      message: '\n\u0015OTSConditionCheckFail\u0012\u001cCondition check failed.',
    });
    expect(error).toBeInstanceOf(ConcurrentModificationError);
  });

  it.each([
    ['OTSServerBusy', 503, CloudErrorKind.Unavailable],
    ['OTSObjectNotExist', 404, CloudErrorKind.NotFound],
    ['OTSObjectAlreadyExist', 409, CloudErrorKind.Conflict],
    ['OTSParameterInvalid', 400, CloudErrorKind.Invalid],
    ['OTSAuthFailed', 403, CloudErrorKind.NoPermission],
    ['OTSTableNotReady', 404, CloudErrorKind.Unavailable],
    ['OTSTableNotReady', 500, CloudErrorKind.Unavailable],
  ] as const)('classifies %s (%s) as %s', (code, status, kind) => {
    expect(toStoreError('GetRow', { code: status, message: `\n\u0010${code}\u0012\u0003bad` })).toMatchObject({
      code,
      kind,
    });
  });
});

describe('classifyCloudError without an HTTP status', () => {
  it.each([
    ['SignatureDoesNotMatch', CloudErrorKind.Invalid],
    ['InvalidAccessKeyId.NotFound', CloudErrorKind.Invalid],
    ['EventBusNotExist', CloudErrorKind.Invalid],
    ['SomethingTransient', CloudErrorKind.Unavailable],
  ] as const)('classifies %s as %s', (code, kind) => {
    expect(classifyCloudError(code, undefined)).toBe(kind);
  });
});

describe('isSettling', () => {
  it('is true for DeleteConflict.Role.Policy, which RAM answers while a detach settles', () => {
    expect(isSettling(toCloudApiError('ram:DeleteRole', { code: 'DeleteConflict.Role.Policy', statusCode: 409 }))).toBe(
      true,
    );
  });

  it.each(['EntityAlreadyExists.Role', 'NoPermission', 'Throttling.User'])('is false for %s', (code) => {
    expect(isSettling(toCloudApiError('ram:DeleteRole', { code, statusCode: 409 }))).toBe(false);
  });

  it('is false for anything that is not a classified cloud error', () => {
    expect(isSettling(new Error('DeleteConflict.Role.Policy'))).toBe(false);
  });
});

describe('classifyCloudError, one classifier for every adapter', () => {
  it.each([
    ['Forbidden.ResourceNotFound', 404, CloudErrorKind.NotFound, 'KMS spells "not found" with Forbidden'],
    ['Forbidden.KeyNotFound', 400, CloudErrorKind.NotFound, 'KMS spells "not found" with Forbidden'],
    ['QueueNotExist', 404, CloudErrorKind.Invalid, 'a missing MNS queue is a deployment mistake'],
    ['Forbidden.RAM', 403, CloudErrorKind.NoPermission, 'any other Forbidden code refuses access'],
  ] as const)('classifies %s (%s) as %s: %s', (code, status, kind, _why) => {
    expect(classifyCloudError(code, status)).toBe(kind);
  });

  it.each([
    ['Http403', 403, CloudErrorKind.NoPermission, CloudErrorKind.Invalid],
    ['ERR_STREAM_PREMATURE_CLOSE', undefined, CloudErrorKind.Unavailable, CloudErrorKind.Invalid],
    ['EHOSTUNREACH', undefined, CloudErrorKind.Unavailable, CloudErrorKind.Unavailable],
    ['TransportError', undefined, CloudErrorKind.Unavailable, CloudErrorKind.Unavailable],
    ['OTSQuotaExhausted', 403, CloudErrorKind.Unavailable, CloudErrorKind.Unavailable],
    ['OTSNoPermissionAccess', 403, CloudErrorKind.NoPermission, CloudErrorKind.NoPermission],
  ] as const)('reads %s (%s) as %s from openapi-core and %s from tablestore', (code, status, openApi, tablestore) => {
    expect(classifyCloudError(code, status, ErrorDialect.OpenApi)).toBe(openApi);
    expect(classifyCloudError(code, status, ErrorDialect.Tablestore)).toBe(tablestore);
  });

  it('gives toStoreError the Tablestore reading of a 403 that names no Tablestore code', () => {
    expect(toStoreError('GetRow', { code: 403, message: 'forbidden' })).toMatchObject({
      code: 'Http403',
      kind: CloudErrorKind.Invalid,
    });
  });
});
