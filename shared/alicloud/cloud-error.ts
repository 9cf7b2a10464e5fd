import { CloudApiError, CloudErrorKind, DtsTrustError } from '../domain/errors.js';

/** The fields Alibaba SDK errors carry (openapi-core ClientError / ServerError / ThrottlingError, Tea errors). */
interface SdkErrorLike {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  requestId?: unknown;
  data?: { RequestId?: unknown; Code?: unknown; statusCode?: unknown } | unknown;
}

const transportCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ESOCKETTIMEDOUT',
]);

/**
 * Codes that blame the request even when the SDK gives no HTTP status (the EventBridge SDK never does): retrying
 * them cannot help.
 */
const CLIENT_FAULT_CODES =
  /^(Invalid|Signature|MissingParameter|EventBusNotExist|EventsCountExceedLimit|EventSizeExceed|PutEventsRequestSizeExceed|JsonAttributeInvalid)/;

/**
 * Codes that answer a change made moments ago, before it has reached every RAM replica: RAM is eventually
 * consistent, and right after the last policy is detached DeleteRole may still answer
 * `DeleteConflict.Role.Policy` (Terraform retries it for up to five minutes). The adapter retries these for a
 * bounded time; they stay `conflict` for the engine once the retries are spent.
 */
export const SETTLING_CODES: ReadonlySet<string> = new Set(['DeleteConflict.Role.Policy']);

/** True when the error is one RAM answers while a change just made is still settling ({@link SETTLING_CODES}). */
export function isSettling(error: unknown): boolean {
  return error instanceof CloudApiError && SETTLING_CODES.has(error.code);
}

/** Classify an error code and HTTP status the way the engine needs it. */
export function classifyCloudError(code: string, statusCode: number | undefined): CloudErrorKind {
  if (/^Throttling/.test(code) || code === 'Rejected.Throttling' || code === 'ServiceUnavailable') {
    return code === 'ServiceUnavailable' ? CloudErrorKind.Unavailable : CloudErrorKind.Throttled;
  }
  if (transportCodes.has(code)) return CloudErrorKind.Unavailable;
  if (statusCode !== undefined && statusCode >= 500) return CloudErrorKind.Unavailable;
  if (code.startsWith('EntityNotExist') || code === 'Forbidden.InstanceNotFound') return CloudErrorKind.NotFound;
  if (code.startsWith('EntityAlreadyExists') || code.startsWith('DeleteConflict')) return CloudErrorKind.Conflict;
  if (code === 'NoPermission' || code.startsWith('Forbidden') || code === 'AccessDenied' || statusCode === 403) {
    return CloudErrorKind.NoPermission;
  }
  if (statusCode === undefined && !CLIENT_FAULT_CODES.test(code)) return CloudErrorKind.Unavailable;
  return CloudErrorKind.Invalid;
}

/** Turn whatever an Alibaba SDK threw into a classified {@link CloudApiError} (kept as cause). */
export function toCloudApiError(api: string, error: unknown): CloudApiError {
  if (error instanceof CloudApiError) return error;
  if (error instanceof DtsTrustError) {
    return new CloudApiError(
      { api, code: error.code, kind: CloudErrorKind.Invalid, message: error.message },
      { cause: error },
    );
  }
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorLike;
  const data = (typeof e.data === 'object' && e.data !== null ? e.data : {}) as { RequestId?: unknown; Code?: unknown };
  const statusCode = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const code =
    typeof e.code === 'string' && e.code !== '' && e.code !== 'undefined'
      ? e.code
      : typeof data.Code === 'string'
        ? data.Code
        : statusCode !== undefined
          ? `Http${statusCode}`
          : 'TransportError';
  const requestId =
    typeof e.requestId === 'string' ? e.requestId : typeof data.RequestId === 'string' ? data.RequestId : undefined;
  const message = typeof e.message === 'string' ? e.message : String(error);
  return new CloudApiError(
    { api, code, kind: classifyCloudError(code, statusCode), message, statusCode, requestId },
    { cause: error },
  );
}

/** Run one SDK call and translate its failure; `api` names it for logs and errors (`ram:GetRole`). */
export async function callCloud<T>(api: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toCloudApiError(api, error);
  }
}

/** Thrown when a service answered 2xx with a body that does not have the documented shape. */
export function malformedResponse(api: string, detail: string): CloudApiError {
  return new CloudApiError({
    api,
    code: 'MalformedResponse',
    kind: CloudErrorKind.Unavailable,
    message: `the service answered with an unexpected body: ${detail}`,
  });
}
