/**
 * Tablestore request signing, as the `tablestore` SDK signs: HMAC-SHA1 (base64) over
 * `<path>\n<METHOD>\n\n<x-ots-* headers, sorted by name, `name:value` one a line, except x-ots-signature>\n`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The string the SDK signs for a request. */
export function tablestoreStringToSign(path: string, method: string, headers: IncomingHttpHeaders): string {
  const canonical = Object.keys(headers)
    .map((name) => name.toLowerCase())
    .filter((name) => name.startsWith('x-ots-') && name !== 'x-ots-signature')
    .sort()
    .map((name) => `${name}:${headerValue(headers, name) ?? ''}`);
  return `${path}\n${method.toUpperCase()}\n\n${canonical.join('\n')}\n`;
}

/** The signature of a string under a secret. */
export function tablestoreSignature(secret: string, stringToSign: string): string {
  return createHmac('sha1', secret).update(stringToSign, 'utf8').digest('base64');
}

/** True when `signature` is the request's signature under `secret`. */
export function verifyTablestoreSignature(
  path: string,
  method: string,
  headers: IncomingHttpHeaders,
  secret: string,
  signature: string,
): boolean {
  const expected = Buffer.from(tablestoreSignature(secret, tablestoreStringToSign(path, method, headers)));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Base64 MD5 of a body, as in `x-ots-contentmd5`. */
export function contentMd5(body: Uint8Array): string {
  return createHash('md5').update(body).digest('base64');
}

/** One header's value as a string (first value when repeated). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
