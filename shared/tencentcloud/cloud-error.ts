import { CloudApiError, CloudErrorKind } from '../domain/errors.js';

/**
 * Errors of the Tencent Cloud SDK classified at the boundary. The API answers HTTP 200 with `Response.Error`, which
 * the SDK throws as `TencentCloudSDKHttpException` with `code` and `requestId`; a non-200 answer comes with
 * `httpCode` and no code, and a transport failure with neither.
 */

/** The fields a `TencentCloudSDKHttpException` carries. */
interface TencentErrorLike {
  code?: unknown;
  httpCode?: unknown;
  requestId?: unknown;
  message?: unknown;
}

/** Codes that mean "absent" for the call that answered them. */
const NOT_FOUND = /^(InvalidParameter\.RoleNotExist|ResourceNotFound\.|InvalidParameter\.PolicyIdNotExist)/;

/** Classify a Tencent error code (and the HTTP status when the answer was not 200) for the engine. */
export function classifyTencentError(code: string, httpCode: number | undefined): CloudErrorKind {
  if (code.startsWith('RequestLimitExceeded')) return CloudErrorKind.Throttled;
  // STS: the role is missing or does not trust the caller (with its external ID): the account cannot be entered.
  if (code === 'InternalError.GetRoleError') return CloudErrorKind.NoPermission;
  if (code.startsWith('InternalError') || code.startsWith('ResourceUnavailable') || code === 'ResourceInUse') {
    return CloudErrorKind.Unavailable;
  }
  if (NOT_FOUND.test(code)) return CloudErrorKind.NotFound;
  if (/NameInUse$/.test(code)) return CloudErrorKind.Conflict;
  if (code.startsWith('AuthFailure') || code.startsWith('UnauthorizedOperation')) return CloudErrorKind.NoPermission;
  if (code === '')
    return httpCode !== undefined && httpCode < 500 ? CloudErrorKind.Invalid : CloudErrorKind.Unavailable;
  return CloudErrorKind.Invalid;
}

/** Turn whatever the Tencent SDK threw into a classified {@link CloudApiError} (kept as cause). */
export function toTencentCloudError(api: string, error: unknown): CloudApiError {
  if (error instanceof CloudApiError) return error;
  const e = (error ?? {}) as TencentErrorLike;
  const code = typeof e.code === 'string' ? e.code : '';
  const httpCode = typeof e.httpCode === 'number' ? e.httpCode : undefined;
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : String(error);
  return new CloudApiError(
    {
      api,
      code: code === '' ? (httpCode !== undefined ? `HTTP${httpCode}` : 'TransportError') : code,
      kind: classifyTencentError(code, httpCode),
      message,
      statusCode: httpCode ?? (code === '' ? undefined : 200),
      requestId: typeof e.requestId === 'string' && e.requestId !== '' ? e.requestId : undefined,
    },
    { cause: error },
  );
}

/** The error for an answer the adapter cannot read (retryable: a service answering nonsense is unavailable). */
export function malformedTencentResponse(api: string, detail: string): CloudApiError {
  return new CloudApiError({
    api,
    code: 'MalformedResponse',
    kind: CloudErrorKind.Unavailable,
    message: `the service answered with an unexpected body: ${detail}`,
  });
}
