/**
 * TC3-HMAC-SHA256, verified as tencentcloud-sdk-nodejs-common signs it: POST `/` with a JSON body, signed headers
 * `content-type;host` where `host` is the hostname without its port (the Host header carries the port), the
 * scope `<date>/<service>/tc3_request` where the SDK takes the service from the endpoint's first label ("127" on
 * loopback), and the timestamp in `X-TC-Timestamp`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CloudCall } from '../../contract.js';
import { tencentError } from './replies.js';

/** How far a request's timestamp may be from the cloud's clock, seconds (Tencent's window is 5 minutes). */
export const TC3_MAX_SKEW_SECONDS = 300;

/** What the Authorization header of a TC3 request says. */
export interface Tc3Authorization {
  readonly secretId: string;
  readonly date: string;
  readonly service: string;
  readonly signedHeaders: string;
  readonly signature: string;
}

const AUTHORIZATION =
  /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

function header(call: CloudCall, name: string): string | undefined {
  const value = call.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** True when the call is signed with TC3-HMAC-SHA256 (the Tencent Cloud API 3.0). */
export function isTc3Call(call: CloudCall): boolean {
  return (
    (header(call, 'authorization') ?? '').startsWith('TC3-HMAC-SHA256 ') && header(call, 'x-tc-action') !== undefined
  );
}

/** The action and version headers of a TC3 call. */
export function tc3Target(call: CloudCall): { action: string; version: string } {
  return { action: header(call, 'x-tc-action') ?? '', version: header(call, 'x-tc-version') ?? '' };
}

/** The parts of the Authorization header; throws `AuthFailure.SignatureFailure` when it is not TC3's shape. */
export function parseTc3Authorization(call: CloudCall): Tc3Authorization {
  const match = AUTHORIZATION.exec(header(call, 'authorization') ?? '');
  if (!match) throw tencentError('AuthFailure.SignatureFailure', 'The provided credentials could not be validated.');
  const [, secretId = '', date = '', service = '', signedHeaders = '', signature = ''] = match;
  return { secretId, date, service, signedHeaders, signature };
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** The canonical value of a signed header: `host` without the port, others as sent (lower-cased names). */
function canonicalHeader(call: CloudCall, name: string): string {
  if (name === 'host') return (header(call, 'host') ?? '').replace(/:\d+$/, '');
  return (header(call, name) ?? '').trim();
}

/**
 * Verify the signature with `secretKey`; throws `AuthFailure.SignatureExpire` for a timestamp outside the
 * window or a scope date that is not the timestamp's, `AuthFailure.SignatureFailure` for a wrong signature.
 */
export function verifyTc3(call: CloudCall, auth: Tc3Authorization, secretKey: string, now: Date): void {
  const timestamp = Number(header(call, 'x-tc-timestamp'));
  if (!Number.isInteger(timestamp) || Math.abs(now.getTime() / 1000 - timestamp) > TC3_MAX_SKEW_SECONDS) {
    throw tencentError(
      'AuthFailure.SignatureExpire',
      'Signature expired: the X-TC-Timestamp is outside the allowed window.',
    );
  }
  if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== auth.date) {
    throw tencentError('AuthFailure.SignatureExpire', 'The credential scope date is not the date of X-TC-Timestamp.');
  }
  const names = auth.signedHeaders.split(';');
  const canonicalHeaders = names.map((name) => `${name}:${canonicalHeader(call, name)}\n`).join('');
  const canonicalRequest = [
    call.method.toUpperCase(),
    call.url.pathname,
    call.url.search.slice(1),
    canonicalHeaders,
    auth.signedHeaders,
    sha256Hex(call.body),
  ].join('\n');
  const stringToSign = [
    'TC3-HMAC-SHA256',
    String(timestamp),
    `${auth.date}/${auth.service}/tc3_request`,
    sha256Hex(canonicalRequest),
  ].join('\n');
  const signingKey = hmac(hmac(hmac(`TC3${secretKey}`, auth.date), auth.service), 'tc3_request');
  const expected = Buffer.from(createHmac('sha256', signingKey).update(stringToSign).digest('hex'));
  const given = Buffer.from(auth.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw tencentError(
      'AuthFailure.SignatureFailure',
      'The provided credentials could not be validated. Please check your signature is correct.',
    );
  }
}
