import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import KmsSdk from '@alicloud/kms20160120';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud } from '../../../local/cloud/server.js';
import {
  EXAMPLE,
  exampleAccountsDocument,
  sdkFailure,
  startTestCloud,
  type TestCloud,
  type TestKeys,
} from '../../support/local-cloud.js';

const { automation, sourceOwner } = EXAMPLE;
const SECRET = 'dts-trust/settings';

let t: TestCloud;
beforeAll(async () => {
  t = await startTestCloud({ services: { kms: { secrets: [{ account: automation.id, name: SECRET, data: 'v1' }] } } });
});
afterAll(() => t.stop());

/** The real KMS SDK (RPC client generation) signing with `keys`, pointed at `endpoint`. */
function kms(keys: TestKeys, endpoint = t.endpoint) {
  return new KmsSdk.default({
    accessKeyId: keys.accessKeyId,
    accessKeySecret: keys.accessKeySecret,
    ...(keys.securityToken ? { securityToken: keys.securityToken } : {}),
    endpoint,
    protocol: 'http',
    regionId: 'cn-hangzhou',
  } as unknown as ConstructorParameters<typeof KmsSdk.default>[0]);
}

function get(keys: TestKeys, request: { secretName: string; versionStage?: string; versionId?: string }) {
  return kms(keys).getSecretValue(new KmsSdk.GetSecretValueRequest(request));
}

async function putVersion(body: Record<string, unknown>): Promise<Response> {
  return fetch(`${t.cloud.url}/__admin/kms/secrets`, { method: 'POST', body: JSON.stringify(body) });
}

describe('local KMS GetSecretValue', () => {
  it('answers the ACSCurrent version of a secret to a caller allowed kms:GetSecretValue on it', async () => {
    const res = await get(automation.runner, { secretName: SECRET });
    expect(res).toMatchObject({ secretName: SECRET, secretData: 'v1', secretDataType: 'text' });
    expect(res.versionStages.versionStage).toEqual(['ACSCurrent']);
    expect(res.requestId).toMatch(/^[0-9A-F-]{36}$/);
  });

  it('makes a version put through the admin route ACSCurrent and the former one ACSPrevious', async () => {
    const before = await get(automation.runner, { secretName: SECRET });
    const put = await putVersion({ account: automation.id, name: SECRET, data: 'v2', versionId: 'v2' });
    expect(put.status).toBe(200);
    const current = await get(automation.runner, { secretName: SECRET });
    expect(current).toMatchObject({ secretData: 'v2', versionId: 'v2' });
    const previous = await get(automation.runner, { secretName: SECRET, versionStage: 'ACSPrevious' });
    expect(previous).toMatchObject({ secretData: before.secretData, versionId: before.versionId });
    const byId = await get(automation.runner, { secretName: SECRET, versionId: before.versionId });
    expect(byId.versionStages.versionStage).toEqual(['ACSPrevious']);
  });

  it('refuses a version id the secret already has, and a malformed admin body', async () => {
    await putVersion({ account: automation.id, name: SECRET, data: 'v3', versionId: 'v3' });
    expect((await putVersion({ account: automation.id, name: SECRET, data: 'again', versionId: 'v3' })).status).toBe(
      409,
    );
    const bad = await putVersion({ account: 'automation', name: SECRET });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('account');
  });

  it('lists secrets and versions on the admin route without their values', async () => {
    const listed = (await (await fetch(`${t.cloud.url}/__admin/kms/secrets?account=${automation.id}`)).json()) as {
      secrets: Record<string, { name: string; versions: { versionId: string; stages: string[] }[] }[]>;
    };
    const secret = listed.secrets[automation.id]?.find((s) => s.name === SECRET);
    expect(secret?.versions.at(-1)?.stages).toEqual(['ACSCurrent']);
    expect(JSON.stringify(listed)).not.toContain('secretData');
  });

  it('refuses a caller without kms:GetSecretValue with 403 Forbidden.NoPermission, before telling whether the secret exists', async () => {
    for (const secretName of [SECRET, 'dts-trust/no-such-secret']) {
      const failure = await sdkFailure(get(sourceOwner.auditor, { secretName }));
      expect(failure.code).toBe('Forbidden.NoPermissionError');
      expect(failure.message).toContain('code: 403');
    }
  });

  it('refuses a secret outside the resource the caller may read', async () => {
    const put = await putVersion({ account: automation.id, name: 'other/secret', data: 'x' });
    expect(put.status).toBe(200);
    const failure = await sdkFailure(get(automation.runner, { secretName: 'other/secret' }));
    expect(failure.code).toBe('Forbidden.NoPermissionError');
  });

  it('answers 404 Forbidden.ResourceNotFound for an unknown secret, version id or stage', async () => {
    for (const request of [
      { secretName: 'dts-trust/missing' },
      { secretName: SECRET, versionId: 'no-such-version' },
      { secretName: SECRET, versionStage: 'ACSPending' },
    ]) {
      const failure = await sdkFailure(get(automation.root, request));
      expect(failure.code).toBe('Forbidden.ResourceNotFoundError');
      expect(failure.message).toContain('code: 404');
    }
  });

  it('refuses a secret ARN of another account', async () => {
    const arn = `acs:kms:cn-hangzhou:${sourceOwner.id}:secret/${SECRET}`;
    expect((await sdkFailure(get(automation.root, { secretName: arn }))).code).toBe('Forbidden.NoPermissionError');
    const own = `acs:kms:cn-hangzhou:${automation.id}:secret/${SECRET}`;
    expect((await get(automation.runner, { secretName: own })).secretName).toBe(SECRET);
  });

  it('verifies the V2 signature', async () => {
    const wrong = { accessKeyId: automation.runner.accessKeyId, accessKeySecret: 'not-the-secret' };
    expect((await sdkFailure(get(wrong, { secretName: SECRET }))).code).toBe('SignatureDoesNotMatchError');
  });

  it('keeps secrets and versions across a restart with --state', async () => {
    const statePath = join(await mkdtemp(join(tmpdir(), 'kms-')), 'state.json');
    const first = await startLocalCloud({ accounts: exampleAccountsDocument, statePath });
    await fetch(`${first.url}/__admin/kms/secrets`, {
      method: 'POST',
      body: JSON.stringify({ account: automation.id, name: SECRET, data: 'kept', versionId: 'k1' }),
    });
    await first.stop();
    const second = await startLocalCloud({ accounts: exampleAccountsDocument, statePath });
    try {
      const res = await kms(automation.runner, second.endpoint).getSecretValue(
        new KmsSdk.GetSecretValueRequest({ secretName: SECRET }),
      );
      expect(res).toMatchObject({ secretData: 'kept', versionId: 'k1' });
    } finally {
      await second.stop();
    }
  });
});
