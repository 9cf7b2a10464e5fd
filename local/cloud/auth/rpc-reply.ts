/**
 * Request parameters and reply bodies of Alibaba RPC-style APIs (RAM, STS, DTS): parameters arrive in the query
 * and in a form body; replies are JSON with a `RequestId`; errors carry `Code`, `Message`, `RequestId`, `HostId`
 * and `Recommend`, which is what `@alicloud/openapi-core` reads (a code containing `Throttling` becomes its
 * ThrottlingError, other 4xx a ClientError, 5xx a ServerError).
 */
import { randomUUID } from 'node:crypto';
import type { CloudCall, CloudReply } from '../contract.js';
import { formParams, queryParams } from './encoding.js';

const JSON_HEADERS = { 'content-type': 'application/json;charset=utf-8' } as const;

/** A new request id in Alibaba's format (upper-case UUID). */
export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

/** Query and form-body parameters of an RPC call merged (the body wins on a clash, as RPC services treat it). */
export function rpcParams(call: CloudCall): Record<string, string> {
  const query = queryParams(call);
  if (call.body.length === 0) return query;
  return { ...query, ...formParams(call) };
}

/** A 200 JSON reply; `RequestId` is added first when the body has none. */
export function rpcJsonReply(body: Record<string, unknown>, requestId: string = newRequestId()): CloudReply {
  const withId = 'RequestId' in body ? body : { RequestId: requestId, ...body };
  return {
    status: 200,
    headers: { ...JSON_HEADERS, 'x-acs-request-id': String(withId['RequestId']) },
    body: JSON.stringify(withId),
  };
}

/** An error reply shaped as Alibaba RPC services answer: `{ RequestId, HostId, Code, Message, Recommend }`. */
export function rpcErrorReply(
  status: number,
  code: string,
  message: string,
  options: {
    hostId?: string;
    extra?: Readonly<Record<string, unknown>>;
    headers?: Readonly<Record<string, string>>;
  } = {},
): CloudReply {
  const requestId = newRequestId();
  const body = {
    RequestId: requestId,
    HostId: options.hostId ?? 'local-cloud',
    Code: code,
    Message: message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}&product=local-cloud`,
    ...options.extra,
  };
  return {
    status,
    headers: { ...JSON_HEADERS, 'x-acs-request-id': requestId, ...options.headers },
    body: JSON.stringify(body),
  };
}

/** The host a call was addressed to (for `HostId`). */
export function hostOf(call: CloudCall): string {
  const host = call.headers.host;
  return typeof host === 'string' ? host : 'local-cloud';
}
