import { CloudApiError, CloudErrorKind, ConcurrentModificationError } from '../../domain/errors.js';

/** The code a table just created answers row operations with until it has loaded. */
export const TABLE_NOT_READY = 'OTSTableNotReady';

/** Tablestore error codes as they appear inside the SDK's error message. */
const KNOWN_CODES = [
  TABLE_NOT_READY,
  'OTSConditionCheckFail',
  'OTSObjectNotExist',
  'OTSObjectAlreadyExist',
  'OTSParameterInvalid',
  'OTSServerBusy',
  'OTSTimeout',
  'OTSInternalServerError',
  'OTSServerUnavailable',
  'OTSQuotaExhausted',
  'OTSRowOperationConflict',
  'OTSPartitionUnavailable',
  'OTSAuthFailed',
  'OTSNoPermissionAccess',
] as const;

const RETRYABLE = new Set([
  TABLE_NOT_READY,
  'OTSServerBusy',
  'OTSTimeout',
  'OTSInternalServerError',
  'OTSServerUnavailable',
  'OTSQuotaExhausted',
  'OTSRowOperationConflict',
  'OTSPartitionUnavailable',
]);

/**
 * Find the Tablestore code of an SDK error. The SDK reports top-level errors with `code` = the HTTP status and
 * the service's code inside `message` (for example a failed condition is 403 with `OTSConditionCheckFail`).
 */
export function tablestoreCodeOf(error: unknown): { code: string; status: number | undefined; message: string } {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(error);
  const status = typeof e.code === 'number' ? e.code : undefined;
  const named = typeof e.code === 'string' && e.code.startsWith('OTS') ? e.code : undefined;
  const found = named ?? KNOWN_CODES.find((c) => message.includes(c));
  const code =
    found ?? (typeof e.code === 'string' ? e.code : status !== undefined ? `Http${status}` : 'TransportError');
  return { code, status, message };
}

/** Translate an SDK failure of `operation` into the product's error types. */
export function toStoreError(operation: string, error: unknown): Error {
  const { code, status, message } = tablestoreCodeOf(error);
  if (code === 'OTSConditionCheckFail') {
    return new ConcurrentModificationError(`${operation}: the row changed since it was read (${code})`, {
      cause: error,
    });
  }
  let kind: CloudErrorKind = CloudErrorKind.Invalid;
  if (
    RETRYABLE.has(code) ||
    (status !== undefined && status >= 500) ||
    code === 'TransportError' ||
    /^E[A-Z]+$/.test(code)
  ) {
    kind = CloudErrorKind.Unavailable;
  } else if (code === 'OTSObjectNotExist') kind = CloudErrorKind.NotFound;
  else if (code === 'OTSObjectAlreadyExist') kind = CloudErrorKind.Conflict;
  else if (code === 'OTSAuthFailed' || code === 'OTSNoPermissionAccess') kind = CloudErrorKind.NoPermission;
  return new CloudApiError(
    { api: `ots:${operation}`, code, kind, message: message.replace(/[^\x20-\x7e]+/g, ' ').trim(), statusCode: status },
    { cause: error },
  );
}

/** Run one Tablestore call and translate its failure. */
export async function callStore<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toStoreError(operation, error);
  }
}
