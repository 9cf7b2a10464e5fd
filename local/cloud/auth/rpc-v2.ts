/**
 * Verification of RPC V2 signatures (`SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`), recomputed exactly as
 * `@alicloud/openapi-core` `getRPCSignature` builds them over the query and form-body parameters.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CloudCall, CloudCore, Principal } from '../contract.js';
import { LocalCloudError } from '../errors.js';
import { resolveSigner, signatureMismatch } from './credentials-check.js';
import { acsEncode } from './encoding.js';
import { checkFreshness } from './freshness.js';
import { rpcParams } from './rpc-reply.js';

/** True when the call carries a V2 RPC signature in its parameters. */
export function isRpcV2Signed(call: CloudCall): boolean {
  return call.url.searchParams.has('Signature');
}

/** The string a V2 RPC signature is computed over. */
export function rpcV2StringToSign(method: string, params: Readonly<Record<string, string>>): string {
  const canonical = Object.keys(params)
    .filter((key) => key !== 'Signature')
    .sort()
    .map((key) => `${acsEncode(key)}=${acsEncode(params[key] ?? '')}`)
    .join('&');
  return `${method}&${acsEncode('/')}&${acsEncode(canonical)}`;
}

/**
 * Verify a V2-signed RPC call and return its principal; throws {@link LocalCloudError} as Alibaba answers
 * (`IncompleteSignature`, `InvalidAccessKeyId.NotFound`, `SignatureDoesNotMatch`, security-token errors, and the
 * gateway's stale and replayed call codes; see freshness.ts).
 */
export function authenticateRpcV2(call: CloudCall, core: CloudCore): Principal {
  const params = rpcParams(call);
  const signature = params['Signature'];
  const accessKeyId = params['AccessKeyId'];
  if (!signature || !accessKeyId) {
    throw new LocalCloudError(
      400,
      'IncompleteSignature',
      'The request signature does not conform to Aliyun standards.',
    );
  }
  if (params['SignatureMethod'] !== undefined && params['SignatureMethod'] !== 'HMAC-SHA1') {
    throw new LocalCloudError(
      400,
      'InvalidSignatureMethod',
      `Specified signature method is not supported: ${params['SignatureMethod']}.`,
    );
  }
  const principal = resolveSigner(core, accessKeyId, params['SecurityToken']);
  const expected = createHmac('sha1', `${principal.accessKeySecret}&`)
    .update(rpcV2StringToSign(call.method, params))
    .digest();
  const given = Buffer.from(signature, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw signatureMismatch();
  checkFreshness(core, {
    accessKeyId,
    timestamp: params['Timestamp'],
    nonce: params['SignatureNonce'],
    names: { timestamp: 'Timestamp', nonce: 'SignatureNonce' },
  });
  return principal;
}
