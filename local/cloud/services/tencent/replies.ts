/**
 * How Tencent Cloud API 3.0 answers: always HTTP 200 with a JSON `Response` carrying a `RequestId`, an error as
 * `Response.Error{Code, Message}` (the SDK throws it as `TencentCloudSDKHttpException` with `code`).
 */
import { randomUUID } from 'node:crypto';
import type { CloudReply } from '../../contract.js';
import { LocalCloudError } from '../../errors.js';

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/** A successful answer. */
export function tencentReply(body: Record<string, unknown>): CloudReply {
  return {
    status: 200,
    headers: JSON_HEADERS,
    body: JSON.stringify({ Response: { ...body, RequestId: randomUUID() } }),
  };
}

/** An error answer, HTTP 200 as the real API gives it. */
export function tencentErrorReply(code: string, message: string): CloudReply {
  return {
    status: 200,
    headers: JSON_HEADERS,
    body: JSON.stringify({ Response: { Error: { Code: code, Message: message }, RequestId: randomUUID() } }),
  };
}

/** A Tencent error thrown by a handler (the module answers it with {@link tencentErrorReply}). */
export function tencentError(code: string, message: string): LocalCloudError {
  return new LocalCloudError(200, code, message);
}

/** The Tencent code for a fault the core injects (throttling, 5xx, outage). */
export function tencentFaultCode(fault: { status: number; code: string }): string {
  if (fault.code.startsWith('Throttling')) return 'RequestLimitExceeded';
  if (fault.status === 503) return 'ResourceUnavailable';
  return fault.code.startsWith('InternalError') ? fault.code : 'InternalError';
}
