import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import CredentialsSdk from '@alicloud/credentials';
import EventBridgeSdk from '@alicloud/eventbridge';
import OpenApi, { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventBridgeConfig } from '../../../shared/alicloud/eventbridge.js';
import { openApiConfig, rpcParams } from '../../../shared/alicloud/openapi-config.js';
import { modelWithFields, StaticSigningCredential } from '../../../shared/alicloud/signing-credential.js';

const STS_KEYS = { accessKeyId: 'STS.AK', accessKeySecret: 'secret', securityToken: 'token' };
const LONG_TERM_KEYS = { accessKeyId: 'AK', accessKeySecret: 'secret' };

/** What `@alicloud/credentials` answers for the same keys, read the ways the SDK clients read it. */
async function sdkAnswers(keys: { accessKeyId: string; accessKeySecret: string; securityToken?: string }) {
  const type = keys.securityToken ? 'sts' : 'access_key';
  const credential = new CredentialsSdk.default(new CredentialsSdk.Config({ ...keys, type }));
  const model = await credential.getCredential();
  return {
    model: { ...model },
    accessKeyId: await credential.getAccessKeyId(),
    accessKeySecret: await credential.getAccessKeySecret(),
    securityToken: await credential.getSecurityToken(),
    bearerToken: credential.getBearerToken(),
    type: credential.getType(),
  };
}

async function ownAnswers(keys: { accessKeyId: string; accessKeySecret: string; securityToken?: string }) {
  const credential = new StaticSigningCredential(keys);
  return {
    model: Object.fromEntries(Object.entries(await credential.getCredential()).filter(([, v]) => v !== undefined)),
    accessKeyId: await credential.getAccessKeyId(),
    accessKeySecret: await credential.getAccessKeySecret(),
    securityToken: await credential.getSecurityToken(),
    bearerToken: credential.getBearerToken(),
    type: credential.getType(),
  };
}

describe('StaticSigningCredential', () => {
  it('answers as @alicloud/credentials does for STS keys', async () => {
    expect(await ownAnswers(STS_KEYS)).toEqual(await sdkAnswers(STS_KEYS));
  });

  it('answers as @alicloud/credentials does for long-term keys', async () => {
    expect(await ownAnswers(LONG_TERM_KEYS)).toEqual(await sdkAnswers(LONG_TERM_KEYS));
  });
});

describe('modelWithFields', () => {
  it('sets the fields the model constructor would set from the same values, and skips the absent ones', () => {
    const fields = { endpoint: 'ram.aliyuncs.com', protocol: 'https', regionId: undefined, readTimeout: 5 };
    expect({ ...modelWithFields($OpenApiUtil.Config, fields) }).toEqual({ ...new $OpenApiUtil.Config(fields) });
  });
});

describe('the config of an SDK client', () => {
  it('builds an openapi-core client without reading the config types that name @alicloud/credentials', async () => {
    const types = vi.spyOn($OpenApiUtil.Config, 'types');
    try {
      const config = openApiConfig(STS_KEYS, { endpoint: '127.0.0.1:9', protocol: 'http' });
      const client = new OpenApi.default(config);
      expect(types).not.toHaveBeenCalled();
      expect(await client.getAccessKeyId()).toBe(STS_KEYS.accessKeyId);
      expect(await client.getSecurityToken()).toBe(STS_KEYS.securityToken);
      expect(await client.getType()).toBe('sts');
    } finally {
      types.mockRestore();
    }
  });

  it('builds an EventBridge client without reading the config types that name @alicloud/credentials', () => {
    const types = vi.spyOn(EventBridgeSdk.Config, 'types');
    try {
      const config = eventBridgeConfig(STS_KEYS, { endpoint: '127.0.0.1:9', protocol: 'http', regionId: 'r' });
      const client = new EventBridgeSdk.default(config);
      expect(types).not.toHaveBeenCalled();
      expect({ endpoint: config.endpoint, protocol: config.protocol, regionId: config.regionId }).toEqual({
        endpoint: '127.0.0.1:9',
        protocol: 'http',
        regionId: 'r',
      });
      expect(client).toBeInstanceOf(EventBridgeSdk.default);
    } finally {
      types.mockRestore();
    }
  });
});

describe('a call signed with the keys as a credential', () => {
  const seen: { url: string; headers: IncomingMessage['headers'] }[] = [];
  const server = createServer((request, response) => {
    seen.push({ url: request.url ?? '', headers: request.headers });
    request.resume();
    response.setHeader('content-type', 'application/json');
    response.end('{"RequestId":"r"}');
  });
  let endpoint = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** The request a client with `config` sends for an RPC action, without what changes from call to call. */
  async function sent(config: $OpenApiUtil.Config) {
    seen.length = 0;
    const request = new $OpenApiUtil.OpenApiRequest({ query: { RoleName: 'r' } });
    const runtime = new $dara.RuntimeOptions({ autoretry: false });
    await new OpenApi.default(config).callApi(rpcParams('GetRole', '2015-05-01'), request, runtime);
    const [only] = seen;
    const query = new URL(only?.url ?? '', 'http://x').searchParams;
    for (const varying of ['Signature', 'SignatureNonce', 'Timestamp']) query.delete(varying);
    const { date: _d, 'x-acs-date': _x, 'x-acs-signature-nonce': _n, ...headers } = only?.headers ?? {};
    // The signature covers the nonce and the time; what it is made over (the signed header names) stays.
    headers.authorization = String(headers.authorization).replace(/,Signature=[0-9a-f]+$/, '');
    return { query: Object.fromEntries(query), headers };
  }

  it('sends what the SDK sends when it wraps the same keys itself', async () => {
    const where = { endpoint, protocol: 'http' as const };
    const own = await sent(openApiConfig(STS_KEYS, where));
    const sdk = await sent(new $OpenApiUtil.Config({ ...STS_KEYS, ...where, regionId: 'cn-hangzhou' }));
    expect(own).toEqual(sdk);
    expect(own.headers['x-acs-security-token']).toBe(STS_KEYS.securityToken);
    expect(own.headers['x-acs-credentials-provider']).toBe('static_sts');
  });
});
