/**
 * Verification of the ACS3-HMAC-SHA256 signature that `@alicloud/openapi-core` puts on ROA calls such as FC 3.0
 * InvokeFunction: `Authorization: ACS3-HMAC-SHA256 Credential=<ak>,SignedHeaders=<a;b>,Signature=<hex>` over the
 * canonical request (method, path, sorted percent-encoded query, signed headers, hex SHA-256 of the body).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CloudCall } from '../contract.js';

/** The only algorithm the local cloud verifies (the SDK default). */
export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** The parts of an ACS3 `Authorization` header. */
export interface Acs3Authorization {
  readonly algorithm: string;
  readonly accessKeyId: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** Parse an ACS3 `Authorization` header; undefined when absent or malformed. */
export function parseAcs3Authorization(header: string | undefined): Acs3Authorization | undefined {
  const match = /^(ACS3-[A-Z0-9-]+) Credential=([^,]+),SignedHeaders=([^,]*),Signature=([0-9a-f]+)$/.exec(
    (header ?? '').trim(),
  );
  if (!match) return undefined;
  return {
    algorithm: match[1]!,
    accessKeyId: match[2]!,
    signedHeaders: match[3]!.split(';').filter((h) => h !== ''),
    signature: match[4]!,
  };
}

/** Percent-encoding of query values as openapi-core does it (RFC 3986, `!'()*` escaped too). */
function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function headerText(call: CloudCall, name: string): string {
  const value = call.headers[name];
  return Array.isArray(value)
    ? [...value]
        .map((v) => v.trim())
        .sort()
        .join(',')
    : (value ?? '').trim();
}

/** Hex SHA-256 of a buffer (the `x-acs-content-sha256` of a body). */
export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The canonical request the SDK signed, rebuilt from what arrived. */
export function acs3CanonicalRequest(call: CloudCall, signedHeaders: readonly string[], payloadHash: string): string {
  const uri = call.url.pathname.replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~');
  const keys = [...new Set(call.url.searchParams.keys())].sort();
  const query = keys.map((key) => `${key}=${encodeQueryValue(call.url.searchParams.get(key) ?? '')}`).join('&');
  const headers = signedHeaders.map((name) => `${name}:${headerText(call, name)}\n`).join('');
  return `${call.method.toUpperCase()}\n${uri}\n${query}\n${headers}\n${signedHeaders.join(';')}\n${payloadHash}`;
}

/** Why an ACS3 signature is refused; undefined when it is valid. */
export type Acs3Problem = 'algorithm' | 'payload' | 'unsigned-header' | 'signature';

/**
 * Check the signature of `call` with `secret`: the algorithm, the body hash against `x-acs-content-sha256`, that
 * `host` and every `x-acs-*` header are signed, and the HMAC itself.
 */
export function verifyAcs3Signature(call: CloudCall, auth: Acs3Authorization, secret: string): Acs3Problem | undefined {
  if (auth.algorithm !== ACS3_ALGORITHM) return 'algorithm';
  const payloadHash = headerText(call, 'x-acs-content-sha256');
  if (payloadHash !== sha256Hex(call.body)) return 'payload';
  const mustSign = Object.keys(call.headers).filter((h) => h === 'host' || h.startsWith('x-acs-'));
  if (mustSign.some((h) => !auth.signedHeaders.includes(h))) return 'unsigned-header';
  const canonical = acs3CanonicalRequest(call, auth.signedHeaders, payloadHash);
  const stringToSign = `${ACS3_ALGORITHM}\n${sha256Hex(canonical)}`;
  const expected = Buffer.from(createHmac('sha256', secret).update(stringToSign).digest('hex'));
  const given = Buffer.from(auth.signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? undefined : 'signature';
}
