/**
 * How the local DTS 2020-01-01 answers, in two layers as the real service does:
 * - The API gateway (signature, access key, RAM authorization, missing or malformed parameters, unknown action)
 *   answers an HTTP 4xx/5xx with `{RequestId, HostId, Code, Message, Recommend}`; openapi-core turns it into a
 *   thrown `ClientError`/`ServerError` whose `code` is `Code`.
 * - DTS itself answers business failures (the cross-account checks of ConfigureDtsJob, an unknown job) with HTTP 200
 *   and `{Success: false, ErrCode, ErrMessage, HttpStatusCode, RequestId}`; openapi-core returns these as a normal
 *   response, so a caller must check `Success`. Successful answers carry `Success: true` and `HttpStatusCode: 200`.
 */
import { randomUUID } from 'node:crypto';
import type { CloudReply } from '../../contract.js';

/** Host name reported in gateway errors. */
const DTS_HOST = 'dts.aliyuncs.com';

/** A fresh request id, in the upper-case UUID form Alibaba Cloud uses. */
export function dtsRequestId(): string {
  return randomUUID().toUpperCase();
}

function jsonReply(status: number, body: Record<string, unknown>, requestId: string): CloudReply {
  return {
    status,
    headers: { 'content-type': 'application/json;charset=utf-8', 'x-acs-request-id': requestId },
    body: JSON.stringify(body),
  };
}

/** A successful DTS answer: `fields` plus `RequestId`, `HttpStatusCode: 200`, `Success: true`. */
export function dtsSuccess(fields: Record<string, unknown>): CloudReply {
  const requestId = dtsRequestId();
  return jsonReply(200, { RequestId: requestId, HttpStatusCode: 200, ...fields, Success: true }, requestId);
}

/** A business failure: HTTP 200 with `Success: false`, `ErrCode`, `ErrMessage` and the nominal `HttpStatusCode`. */
export function dtsFailure(errCode: string, errMessage: string, httpStatusCode: number): CloudReply {
  const requestId = dtsRequestId();
  return jsonReply(
    200,
    { RequestId: requestId, HttpStatusCode: httpStatusCode, ErrCode: errCode, ErrMessage: errMessage, Success: false },
    requestId,
  );
}

/** A gateway error: HTTP `status` with `Code` and `Message` (plus `extra` fields such as `AccessDeniedDetail`). */
export function dtsGatewayError(
  status: number,
  code: string,
  message: string,
  extra?: Readonly<Record<string, unknown>>,
): CloudReply {
  const requestId = dtsRequestId();
  return jsonReply(
    status,
    {
      RequestId: requestId,
      HostId: DTS_HOST,
      Code: code,
      Message: message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}&product=Dts`,
      ...extra,
    },
    requestId,
  );
}
