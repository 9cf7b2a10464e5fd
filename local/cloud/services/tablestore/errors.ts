import { CloudEmulatorError } from '../../errors.js';
/**
 * Tablestore errors as the service reports them: an HTTP status and a protobuf `Error{code, message}` body.
 * The `tablestore` SDK cannot parse that body as XML, so it surfaces the error with `code` = the HTTP status and
 * the raw body (which contains the code and message as text) in `message`.
 */

/** The Tablestore error codes the local service answers with, and the HTTP status of each. */
export const OtsErrorStatus = {
  OTSAuthFailed: 403,
  OTSNoPermissionAccess: 403,
  OTSConditionCheckFail: 403,
  OTSParameterInvalid: 400,
  OTSObjectNotExist: 404,
  OTSObjectAlreadyExist: 409,
  OTSMethodNotAllowed: 405,
  OTSUnsupportOperation: 400,
  OTSRequestBodyTooLarge: 413,
  OTSServerBusy: 503,
  OTSInternalServerError: 500,
  OTSServerUnavailable: 503,
  OTSQuotaExhausted: 403,
  OTSTimeout: 503,
  /**
   * A table just created that has not loaded yet. The HTTP status is not documented (unconfirmed); the product
   * recognises the code in the body, whatever the status.
   */
  OTSTableNotReady: 404,
} as const;

/** One of the Tablestore error codes in {@link OtsErrorStatus}. */
export type OtsErrorCode = keyof typeof OtsErrorStatus;

/** The messages the service uses for its common errors. */
export const OtsMessage = {
  conditionCheckFail: 'Condition check failed.',
  tableNotExist: 'Requested table does not exist.',
  tableAlreadyExist: 'Requested table already exists.',
  accessKeyNotExist: 'The AccessKeyID does not exist.',
  signatureMismatch: 'Signature mismatch.',
  md5Mismatch: 'Mismatch between MD5 value of request body and x-ots-contentmd5 in header.',
  noPermission: 'You have no permission to access the requested resource, please contact the resource owner',
  onlyPost: 'Only POST method for requests is supported.',
  tableNotReady: 'The table is not ready.',
} as const;

/** A Tablestore service error raised while handling a request; becomes an error reply or a per-row error. */
export class OtsError extends CloudEmulatorError {
  /** HTTP status the service answers with. */
  readonly status: number;

  constructor(code: OtsErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'OtsError';
    this.status = OtsErrorStatus[code];
  }
}

/** `OTSParameterInvalid` with a message naming what is wrong. */
export function invalidParameter(message: string, options?: { cause?: unknown }): OtsError {
  return new OtsError('OTSParameterInvalid', message, options);
}

/** `OTSObjectNotExist` for a missing table. */
export function tableNotFound(): OtsError {
  return new OtsError('OTSObjectNotExist', OtsMessage.tableNotExist);
}

/** `OTSTableNotReady` for a table that is still loading after CreateTable. */
export function tableNotReady(): OtsError {
  return new OtsError('OTSTableNotReady', OtsMessage.tableNotReady);
}
