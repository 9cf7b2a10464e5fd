import { createHash } from 'node:crypto';
import { OpenApiUtil } from '@alicloud/openapi-core';
import { describe, expect, it } from 'vitest';
import { parseAcs3Authorization, verifyAcs3Signature } from '../../../local/cloud/auth/acs3.js';
import type { CloudCall } from '../../../local/cloud/contract.js';

const SECRET = 'local-secret-0001';
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A call as openapi-core signs it (its own getAuthorization), then as the local cloud receives it. */
function signedCall(body: Buffer, extraHeaders: Record<string, string> = {}): CloudCall {
  const headers: Record<string, string> = {
    host: '127.0.0.1:8080',
    'content-type': 'application/json',
    'x-acs-action': 'InvokeFunction',
    'x-acs-date': '2026-11-23T09:00:00Z',
    'x-acs-signature-nonce': 'nonce-1',
    'x-acs-content-sha256': sha256(body),
  };
  const request = {
    method: 'POST',
    pathname: '/2023-03-30/functions/echo/invocations',
    query: { qualifier: 'LATEST' },
    headers,
  };
  const authorization = (
    OpenApiUtil as unknown as {
      getAuthorization(r: unknown, algorithm: string, payload: string, ak: string, secret: string): string;
    }
  ).getAuthorization(request, 'ACS3-HMAC-SHA256', sha256(body), 'LTAIaccess', SECRET);
  return {
    method: 'POST',
    url: new URL('http://127.0.0.1:8080/2023-03-30/functions/echo/invocations?qualifier=LATEST'),
    headers: { ...headers, authorization, ...extraHeaders },
    body,
  };
}

function verify(call: CloudCall, secret = SECRET) {
  const auth = parseAcs3Authorization(String(call.headers.authorization));
  if (!auth) throw new Error('unreadable Authorization');
  return verifyAcs3Signature(call, auth, secret);
}

describe('verifyAcs3Signature', () => {
  const body = Buffer.from('{"shard":1}');

  it('accepts a call exactly as openapi-core signed it', () => {
    expect(verify(signedCall(body))).toBeUndefined();
  });

  it('refuses another secret', () => {
    expect(verify(signedCall(body), 'wrong')).toBe('signature');
  });

  it('refuses a body that is not the one the signature hashed', () => {
    expect(verify({ ...signedCall(body), body: Buffer.from('{"shard":2}') })).toBe('payload');
  });

  it('refuses an x-acs header added after signing', () => {
    expect(verify(signedCall(body, { 'x-acs-security-token': 'smuggled' }))).toBe('unsigned-header');
  });

  it('refuses a query changed after signing', () => {
    const call = signedCall(body);
    expect(verify({ ...call, url: new URL(`${call.url.origin}${call.url.pathname}?qualifier=PROD`) })).toBe(
      'signature',
    );
  });
});
