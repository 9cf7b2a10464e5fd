import { CloudApiError, ConcurrentModificationError } from '../../domain/errors.js';
import { classifyCloudError, ErrorDialect, TABLE_NOT_READY } from '../cloud-error.js';

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

/**
 * Translate an SDK failure of `operation` into the product's error types: a failed row condition is a
 * {@link ConcurrentModificationError}; anything else a {@link CloudApiError} classified by `classifyCloudError`.
 */
export function toStoreError(operation: string, error: unknown): Error {
  const { code, status, message } = tablestoreCodeOf(error);
  if (code === 'OTSConditionCheckFail') {
    return new ConcurrentModificationError(`${operation}: the row changed since it was read (${code})`, {
      cause: error,
    });
  }
  return new CloudApiError(
    {
      api: `ots:${operation}`,
      code,
      kind: classifyCloudError(code, status, ErrorDialect.Tablestore),
      message: message.replace(/[^\x20-\x7e]+/g, ' ').trim(),
      statusCode: status,
    },
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
