import { describe, expect, it } from 'vitest';
import { CloudErrorKind } from '../../../shared/domain/errors.js';
import { classifyTencentError, toTencentCloudError } from '../../../shared/tencentcloud/cloud-error.js';
import { tencentEndpoints } from '../../../shared/tencentcloud/endpoint.js';

describe('classifyTencentError', () => {
  it.each([
    ['RequestLimitExceeded', CloudErrorKind.Throttled],
    ['RequestLimitExceeded.UinLimitExceeded', CloudErrorKind.Throttled],
    ['InternalError.SystemError', CloudErrorKind.Unavailable],
    ['ResourceUnavailable', CloudErrorKind.Unavailable],
    ['InvalidParameter.RoleNotExist', CloudErrorKind.NotFound],
    ['ResourceNotFound.PolicyIdNotFound', CloudErrorKind.NotFound],
    ['InvalidParameter.RoleNameInUse', CloudErrorKind.Conflict],
    ['FailedOperation.PolicyNameInUse', CloudErrorKind.Conflict],
    ['AuthFailure.SignatureFailure', CloudErrorKind.NoPermission],
    ['UnauthorizedOperation', CloudErrorKind.NoPermission],
    ['InternalError.GetRoleError', CloudErrorKind.NoPermission],
    ['InvalidParameter.PrincipalQcsNotExist', CloudErrorKind.Invalid],
  ])('classifies %s as %s', (code, kind) => {
    expect(classifyTencentError(code, undefined)).toBe(kind);
  });

  it('treats a non-200 answer without a code by its status, and a transport failure as unavailable', () => {
    expect(toTencentCloudError('cam:GetRole', { httpCode: 502, message: 'Bad Gateway' })).toMatchObject({
      code: 'HTTP502',
      kind: CloudErrorKind.Unavailable,
      statusCode: 502,
    });
    expect(toTencentCloudError('cam:GetRole', { httpCode: 404, message: 'Not Found' }).kind).toBe(
      CloudErrorKind.Invalid,
    );
    expect(toTencentCloudError('cam:GetRole', new Error('socket hang up'))).toMatchObject({
      code: 'TransportError',
      kind: CloudErrorKind.Unavailable,
    });
  });
});

describe('tencentEndpoints', () => {
  it('uses the public HTTPS endpoints unless told, and plain HTTP only for loopback', () => {
    expect(tencentEndpoints()).toMatchObject({ cam: 'cam.tencentcloudapi.com', protocol: 'https://' });
    expect(tencentEndpoints('127.0.0.1:8080')).toMatchObject({ cam: '127.0.0.1:8080', protocol: 'http://' });
    expect(tencentEndpoints('cam.example.com')).toMatchObject({ protocol: 'https://' });
    expect(() => tencentEndpoints('http://x')).toThrow(/DTS_TRUST_TENCENT_ENDPOINT/);
  });
});
