import { CloudApiError, CloudErrorKind, DtsTrustError } from '../domain/errors.js';

/** The fields Alibaba SDK errors carry (openapi-core ClientError / ServerError / ThrottlingError, Tea errors). */
interface SdkErrorLike {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  requestId?: unknown;
  data?: { RequestId?: unknown; Code?: unknown; statusCode?: unknown } | unknown;
}

const TRANSPORT_CODES: ReadonlySet<string> = new Set([
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
 * Codes one service spells its own way, whose kind the general rules below would get wrong; they win over every
 * rule. KMS says "not found" with `Forbidden.*` codes (the `Forbidden` rule would read a refusal of access); a
 * missing MNS queue is a deployment mistake, not state a caller could act on.
 */
const SERVICE_CODES: Readonly<Record<string, CloudErrorKind>> = {
  'Forbidden.ResourceNotFound': CloudErrorKind.NotFound,
  'Forbidden.KeyNotFound': CloudErrorKind.NotFound,
  QueueNotExist: CloudErrorKind.Invalid,
};

/** The code a Tablestore table just created answers row operations with until it has loaded. */
export const TABLE_NOT_READY = 'OTSTableNotReady';

/** Tablestore codes of a busy, loading or failing service: worth another attempt whatever the HTTP status. */
const TABLESTORE_UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  TABLE_NOT_READY,
  'OTSServerBusy',
  'OTSTimeout',
  'OTSInternalServerError',
  'OTSServerUnavailable',
  'OTSQuotaExhausted',
  'OTSRowOperationConflict',
  'OTSPartitionUnavailable',
]);

/** How an SDK reports a failure, which decides what a status, or its absence, says about a code no rule names. */
export const ErrorDialect = {
  /**
   * openapi-core, the RPC client, EventBridge, MNS: the service's code, with the HTTP status when the SDK gives
   * one. A 403 refuses access; a code without a status (EventBridge) blames the service unless it names the
   * request ({@link CLIENT_FAULT_CODES}).
   */
  OpenApi: 'openApi',
  /**
   * tablestore: the HTTP status, with the service's code found in the message (`tablestoreCodeOf`). A 403 also
   * answers failed conditions and quotas, so it says nothing by itself; a code without a status is the SDK's or
   * node's own: only node's `E*` codes and no code at all (`TransportError`) are worth another attempt.
   */
  Tablestore: 'tablestore',
} as const;
/** One of {@link ErrorDialect}. */
export type ErrorDialect = (typeof ErrorDialect)[keyof typeof ErrorDialect];

/**
 * The one classifier of cloud failures: an error code and HTTP status, as the adapter at the boundary read them
 * from its SDK's error, become the {@link CloudErrorKind} the engine and the use cases decide by. Rules, first
 * match wins: a service's own spelling ({@link SERVICE_CODES}); throttling; a busy or loading Tablestore; a
 * transport failure; any 5xx; absent (`EntityNotExist*`, `Forbidden.InstanceNotFound`, `OTSObjectNotExist`);
 * already there or in use (`EntityAlreadyExists*`, `DeleteConflict*`, `OTSObjectAlreadyExist`); refused
 * (`NoPermission`, `Forbidden*`, `AccessDenied`, `OTSAuthFailed`, `OTSNoPermissionAccess`, and a 403 in the
 * OpenApi dialect); then what the dialect says of the rest ({@link ErrorDialect}); otherwise `invalid`.
 */
export function classifyCloudError(
  code: string,
  statusCode: number | undefined,
  dialect: ErrorDialect = ErrorDialect.OpenApi,
): CloudErrorKind {
  const own = Object.hasOwn(SERVICE_CODES, code) ? SERVICE_CODES[code] : undefined;
  if (own !== undefined) return own;
  if (/^Throttling/.test(code) || code === 'Rejected.Throttling') return CloudErrorKind.Throttled;
  if (code === 'ServiceUnavailable' || TABLESTORE_UNAVAILABLE_CODES.has(code)) return CloudErrorKind.Unavailable;
  if (TRANSPORT_CODES.has(code) || (dialect === ErrorDialect.Tablestore && /^(E[A-Z]+|TransportError)$/.test(code))) {
    return CloudErrorKind.Unavailable;
  }
  if (statusCode !== undefined && statusCode >= 500) return CloudErrorKind.Unavailable;
  if (code.startsWith('EntityNotExist') || code === 'Forbidden.InstanceNotFound' || code === 'OTSObjectNotExist') {
    return CloudErrorKind.NotFound;
  }
  if (code.startsWith('EntityAlreadyExists') || code.startsWith('DeleteConflict') || code === 'OTSObjectAlreadyExist') {
    return CloudErrorKind.Conflict;
  }
  if (
    code === 'NoPermission' ||
    code.startsWith('Forbidden') ||
    code === 'AccessDenied' ||
    code === 'OTSAuthFailed' ||
    code === 'OTSNoPermissionAccess' ||
    (dialect === ErrorDialect.OpenApi && statusCode === 403)
  ) {
    return CloudErrorKind.NoPermission;
  }
  if (dialect === ErrorDialect.OpenApi && statusCode === undefined && !CLIENT_FAULT_CODES.test(code)) {
    return CloudErrorKind.Unavailable;
  }
  return CloudErrorKind.Invalid;
}

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
