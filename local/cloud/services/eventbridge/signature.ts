/**
 * The EventBridge data-plane signature (`authorization: acs:<ak>:<signature>`), as `@alicloud/eventbridge-util`
 * computes it: HMAC-SHA1, base64, over method, Content-MD5, Content-Type, Date, the sorted `x-acs-*` headers and
 * the resource (path plus sorted query).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { CloudCall } from '../../contract.js';

/** The access key id and signature carried by an EventBridge `authorization` header. */
export interface EventBridgeAuthorization {
  readonly accessKeyId: string;
  readonly signature: string;
}

/** Parse `acs:<accessKeyId>:<signature>`; undefined when the header is absent or malformed. */
export function parseEventBridgeAuthorization(header: string | undefined): EventBridgeAuthorization | undefined {
  const match = /^acs:([^:]+):(.+)$/.exec(header ?? '');
  if (!match) return undefined;
  return { accessKeyId: match[1]!, signature: match[2]! };
}

function headerText(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

function canonicalizedHeaders(headers: IncomingHttpHeaders): string {
  return Object.keys(headers)
    .filter((key) => key.startsWith('x-acs-'))
    .sort()
    .map(
      (key) =>
        `${key}:${headerText(headers, key)
          .replace(/[\t\n\r\f]/g, ' ')
          .trim()}\n`,
    )
    .join('');
}

function canonicalizedResource(url: URL): string {
  const keys = [...new Set(url.searchParams.keys())].sort();
  if (keys.length === 0) return url.pathname;
  return `${url.pathname}?${keys.map((key) => `${key}=${url.searchParams.get(key) ?? ''}`).join('&')}`;
}

/** The string the SDK signs for this request (header names arrive lower-cased, as the SDK wrote them). */
export function eventBridgeStringToSign(call: Pick<CloudCall, 'method' | 'url' | 'headers'>): string {
  const h = call.headers;
  return (
    `${call.method.toUpperCase()}\n${headerText(h, 'content-md5')}\n${headerText(h, 'content-type')}\n` +
    `${headerText(h, 'date')}\n${canonicalizedHeaders(h)}${canonicalizedResource(call.url)}`
  );
}

/** The base64 HMAC-SHA1 signature of `stringToSign` with `secret`. */
export function eventBridgeSignature(stringToSign: string, secret: string): string {
  return createHmac('sha1', secret).update(stringToSign, 'utf8').digest('base64');
}

/** True when `signature` is the one the SDK would compute for this request with `secret`. */
export function verifyEventBridgeSignature(
  call: Pick<CloudCall, 'method' | 'url' | 'headers'>,
  signature: string,
  secret: string,
): boolean {
  const expected = Buffer.from(eventBridgeSignature(eventBridgeStringToSign(call), secret));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
