/**
 * Verification of `ACS3-HMAC-SHA256` signatures (Alibaba V3), recomputed exactly as `@alicloud/openapi-core`
 * `getAuthorization` builds them: canonical request = method, canonical URI, sorted encoded query, signed
 * headers (`host`, `content-type`, `x-acs-*`) with trimmed values, their names, and the hex SHA-256 of the body.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CloudCall, CloudCore, Principal } from '../contract.js';
import { LocalCloudError } from '../errors.js';
import { resolveSigner, signatureMismatch } from './credentials-check.js';
import { acsEncode, headerValue } from './encoding.js';
import { checkFreshness } from './freshness.js';

/** The V3 signature algorithm the SDKs use by default. */
export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** The parts of an `Authorization: ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..` header. */
export interface Acs3Authorization {
  readonly accessKeyId: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** Parse an ACS3 Authorization header; undefined when absent or of another scheme. */
export function parseAcs3Authorization(header: string | undefined): Acs3Authorization | undefined {
  if (!header?.startsWith(`${ACS3_ALGORITHM} `)) return undefined;
  let accessKeyId: string | undefined;
  let signedHeaders: string[] | undefined;
  let signature: string | undefined;
  for (const part of header.slice(ACS3_ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 'Credential') accessKeyId = value;
    else if (key === 'SignedHeaders') signedHeaders = value === '' ? [] : value.split(';');
    else if (key === 'Signature') signature = value;
  }
  if (!accessKeyId || !signedHeaders || !signature) return undefined;
  return { accessKeyId, signedHeaders, signature };
}

/** The access key id a V3-signed call claims (cheap, no verification), for `identify`. */
export function acs3AccessKeyId(call: CloudCall): string | undefined {
  const header = headerValue(call, 'authorization');
  if (!header?.startsWith(ACS3_ALGORITHM)) return undefined;
  const start = header.indexOf('Credential=');
  if (start < 0) return undefined;
  const end = header.indexOf(',', start);
  return header.slice(start + 11, end < 0 ? undefined : end).trim();
}

/** The canonical request openapi-core signs, rebuilt from what arrived. */
export function acs3CanonicalRequest(call: CloudCall, signedHeaders: readonly string[], payloadHash: string): string {
  const pathname = call.url.pathname.replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~');
  const query: Record<string, string> = {};
  for (const [key, value] of call.url.searchParams) query[key] = value;
  const canonicalQuery = Object.keys(query)
    .sort()
    .map((key) => `${key}=${acsEncode(query[key] ?? '')}`)
    .join('&');
  let canonicalHeaders = '';
  for (const name of signedHeaders) {
    const value = headerValue(call, name) ?? '';
    canonicalHeaders += `${name}:${value.trim()}\n`;
  }
  return `${call.method}\n${pathname}\n${canonicalQuery}\n${canonicalHeaders}\n${signedHeaders.join(';')}\n${payloadHash}`;
}

/** Why a V3 signature is refused. */
export type Acs3Problem = 'payload' | 'unsigned-header' | 'signature';

const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/**
 * Check the signature of a V3-signed call with `secret`: the body against `x-acs-content-sha256` (when sent), that
 * `host` and every `x-acs-*` header are signed, and the HMAC itself. Undefined when the signature holds.
 */
export function verifyAcs3Signature(call: CloudCall, auth: Acs3Authorization, secret: string): Acs3Problem | undefined {
  const payloadHash = sha256Hex(call.body);
  const declared = headerValue(call, 'x-acs-content-sha256');
  if (declared !== undefined && declared.trim() !== payloadHash) return 'payload';
  const mustSign = Object.keys(call.headers).filter((h) => h === 'host' || h.startsWith('x-acs-'));
  if (mustSign.some((h) => !auth.signedHeaders.includes(h))) return 'unsigned-header';
  const canonical = acs3CanonicalRequest(call, auth.signedHeaders, payloadHash);
  const stringToSign = `${ACS3_ALGORITHM}\n${sha256Hex(canonical)}`;
  const expected = createHmac('sha256', secret).update(stringToSign).digest();
  const given = Buffer.from(auth.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'signature';
}

/**
 * Verify a V3-signed call and return its principal. Throws {@link LocalCloudError}: `IncompleteSignature` (no or
 * unreadable Authorization), `InvalidAccessKeyId.NotFound`, `SignatureDoesNotMatch`, `MissingSecurityToken`,
 * `InvalidSecurityToken.Expired`, `InvalidSecurityToken.MismatchWithAccessKey`, and the gateway's stale and
 * replayed call codes (`InvalidTimeStamp.Expired`, `SignatureNonceUsed`; see freshness.ts).
 */
export function authenticateAcs3(call: CloudCall, core: CloudCore): Principal {
  const auth = parseAcs3Authorization(headerValue(call, 'authorization'));
  if (!auth) {
    throw new LocalCloudError(
      400,
      'IncompleteSignature',
      'The request signature does not conform to Aliyun standards: missing or unreadable ACS3 Authorization header.',
    );
  }
  const principal = resolveSigner(core, auth.accessKeyId, headerValue(call, 'x-acs-security-token'));
  if (verifyAcs3Signature(call, auth, principal.accessKeySecret) !== undefined) throw signatureMismatch();
  checkFreshness(core, {
    accessKeyId: auth.accessKeyId,
    timestamp: headerValue(call, 'x-acs-date'),
    nonce: headerValue(call, 'x-acs-signature-nonce'),
    names: { timestamp: 'x-acs-date', nonce: 'x-acs-signature-nonce' },
  });
  return principal;
}
