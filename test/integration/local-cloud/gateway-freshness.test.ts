import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import KmsSdk from '@alicloud/kms20160120';
import * as RamSdk from '@alicloud/ram20150501';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EXAMPLE,
  sdkFailure,
  startTestCloud,
  type TestCloud,
  type TestKeys,
  testRuntime,
} from '../../support/local-cloud.js';

const MINUTE = 60_000;
const SECRET = 'dts-trust/settings';

let cloud: TestCloud | undefined;
let proxy: Server | undefined;

afterEach(async () => {
  await cloud?.stop();
  cloud = undefined;
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  proxy = undefined;
});

/** A local cloud whose clock is `offsetMs` ahead of the SDKs' (negative: behind). */
async function cloudOffBy(offsetMs: number, services: Record<string, unknown> = {}): Promise<TestCloud> {
  cloud = await startTestCloud({
    clock: { now: () => new Date(Date.now() + offsetMs) },
    services: { kms: { secrets: [{ account: EXAMPLE.automation.id, name: SECRET, data: 'v1' }] }, ...services },
  });
  return cloud;
}

const getRole = (c: TestCloud, endpoint = c.endpoint) =>
  new RamSdk.default.default({
    accessKeyId: EXAMPLE.sourceOwner.root.accessKeyId,
    accessKeySecret: EXAMPLE.sourceOwner.root.accessKeySecret,
    endpoint,
    protocol: 'http',
    regionId: 'cn-hangzhou',
  } as never).getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: EXAMPLE.managementRole }), testRuntime());

/** The KMS SDK, the older RPC client generation that signs with V2 (`Timestamp`, `SignatureNonce`). */
function getSecret(c: TestCloud, keys: TestKeys = EXAMPLE.automation.runner) {
  return new KmsSdk.default({
    accessKeyId: keys.accessKeyId,
    accessKeySecret: keys.accessKeySecret,
    endpoint: c.endpoint,
    protocol: 'http',
    regionId: 'cn-hangzhou',
  } as unknown as ConstructorParameters<typeof KmsSdk.default>[0]).getSecretValue(
    new KmsSdk.GetSecretValueRequest({ secretName: SECRET }),
  );
}

interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function send(port: number, r: Recorded): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: r.method, path: r.path, headers: r.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

/** A pass-through proxy in front of the cloud that keeps every request exactly as the SDK sent it. */
async function recordingProxy(target: TestCloud, recorded: Recorded[]): Promise<string> {
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      recorded.push(r);
      send(target.cloud.port, r).then(
        (answer) => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body),
        () => res.writeHead(502).end(),
      );
    });
  });
  await new Promise<void>((resolve) => proxy?.listen(0, '127.0.0.1', () => resolve()));
  return `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

describe('the gateway in front of the RPC services', () => {
  it('refuses a call signed 20 minutes before the server time with InvalidTimeStamp.Expired (ACS3, RAM)', async () => {
    const c = await cloudOffBy(20 * MINUTE);
    const f = await sdkFailure(getRole(c));
    expect([f.code, f.statusCode]).toEqual(['InvalidTimeStamp.Expired', 400]);
    expect(f.message).toContain('x-acs-date');
  });

  it('refuses a call dated 20 minutes after the server time as well', async () => {
    const c = await cloudOffBy(-20 * MINUTE);
    expect((await sdkFailure(getRole(c))).code).toBe('InvalidTimeStamp.Expired');
  });

  it('accepts a client clock 14 minutes off', async () => {
    const c = await cloudOffBy(14 * MINUTE);
    expect((await getRole(c)).statusCode).toBe(200);
  });

  it('refuses a stale V2-signed call (KMS, Timestamp parameter) with the same code', async () => {
    const c = await cloudOffBy(20 * MINUTE);
    const f = await sdkFailure(getSecret(c));
    // The RPC client generation appends "Error" to the service's code.
    expect(f.code).toBe('InvalidTimeStamp.ExpiredError');
    expect(f.message).toContain('Timestamp');
  });

  it('refuses a replayed ACS3 call with SignatureNonceUsed, while the SDK signs every call with a new nonce', async () => {
    const c = await cloudOffBy(0);
    const recorded: Recorded[] = [];
    const endpoint = await recordingProxy(c, recorded);
    expect((await getRole(c, endpoint)).statusCode).toBe(200);
    expect((await getRole(c, endpoint)).statusCode).toBe(200);
    const nonces = recorded.map((r) => r.headers['x-acs-signature-nonce']);
    expect(new Set(nonces).size).toBe(2);
    const replay = await send(c.cloud.port, recorded[0]!);
    expect(replay.status).toBe(400);
    expect(JSON.parse(replay.body)).toMatchObject({ Code: 'SignatureNonceUsed' });
    const renonced = await send(c.cloud.port, {
      ...recorded[0]!,
      headers: { ...recorded[0]!.headers, 'x-acs-signature-nonce': 'another-nonce' },
    });
    expect(JSON.parse(renonced.body)).toMatchObject({ Code: 'SignatureDoesNotMatch' });
  });

  it('refuses a replayed V2 call with SignatureNonceUsed', async () => {
    const c = await cloudOffBy(0);
    const recorded: Recorded[] = [];
    const endpoint = await recordingProxy(c, recorded);
    const viaProxy = { ...c, endpoint } as TestCloud;
    expect((await getSecret(viaProxy)).secretData).toBe('v1');
    const replay = await send(c.cloud.port, recorded[0]!);
    expect(JSON.parse(replay.body)).toMatchObject({ Code: 'SignatureNonceUsed' });
  });

  it('checks nothing of the kind when configured off', async () => {
    const c = await cloudOffBy(60 * MINUTE, { gateway: { maxClockSkewSeconds: 0, rejectReusedNonces: false } });
    expect((await getRole(c)).statusCode).toBe(200);
  });
});
