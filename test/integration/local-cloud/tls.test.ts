import { $OpenApiUtil } from '@alicloud/openapi-core';
import * as RamSdk from '@alicloud/ram20150501';
import * as $dara from '@darabonba/typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCertificate, makeLocalCertificate } from '../../../bench/tls-certificate.js';
import { EXAMPLE, RamClient, startTestCloud, type TestCloud } from '../../support/local-cloud.js';

let certificate: LocalCertificate;
let cloud: TestCloud;

beforeAll(async () => {
  certificate = await makeLocalCertificate();
  cloud = await startTestCloud({ tls: { key: certificate.key, cert: certificate.cert } });
});
afterAll(async () => {
  await cloud?.stop();
  await certificate?.remove();
});

const usage = async (): Promise<{ cpuMs: number; connections: number; tlsSessions: number }> =>
  (await fetch(`${cloud.cloud.url}/__admin/usage`)).json() as Promise<{
    cpuMs: number;
    connections: number;
    tlsSessions: number;
  }>;

const httpsRam = () =>
  new RamClient(
    new $OpenApiUtil.Config({
      accessKeyId: EXAMPLE.sourceOwner.root.accessKeyId,
      accessKeySecret: EXAMPLE.sourceOwner.root.accessKeySecret,
      endpoint: cloud.cloud.tls?.endpoint ?? '',
      protocol: 'https',
      regionId: 'cn-hangzhou',
    }),
  );
const getRole = (ram: ReturnType<typeof httpsRam>) =>
  ram.getRoleWithOptions(
    new RamSdk.GetRoleRequest({ roleName: EXAMPLE.managementRole }),
    new $dara.RuntimeOptions({ autoretry: false, ca: certificate.cert }),
  );

describe('the local cloud over TLS', () => {
  it('serves the same services over https on a port of its own, verified against its certificate', async () => {
    expect(cloud.cloud.tls?.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(cloud.cloud.tls?.port).not.toBe(cloud.cloud.port);
    const res = await getRole(httpsRam());
    expect(res.body?.role?.roleName).toBe(EXAMPLE.managementRole);
    expect(cloud.cloud.log.at(-1)).toMatchObject({ service: 'ram', action: 'GetRole', status: 200 });
  });

  it('counts TLS sessions: a client over a keep-alive agent opens one for calls made one after another', async () => {
    const before = await usage();
    const ram = httpsRam();
    for (let i = 0; i < 5; i++) await getRole(ram);
    const after = await usage();
    expect(after.tlsSessions - before.tlsSessions).toBeLessThanOrEqual(1);
    expect(after.cpuMs).toBeGreaterThan(0);
  });

  it('refuses a client that does not trust its certificate', async () => {
    const untrusting = httpsRam().getRoleWithOptions(
      new RamSdk.GetRoleRequest({ roleName: EXAMPLE.managementRole }),
      new $dara.RuntimeOptions({ autoretry: false }),
    );
    await expect(untrusting).rejects.toThrow(/self[- ]signed|certificate/i);
  });
});
