import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_AUTOMATION,
  localCloudEnvironment,
  localTrustSettings,
} from '../../../local/harness/local-environment.js';
import { KmsSecretReader } from '../../../shared/alicloud/kms.js';
import { createServices } from '../../../shared/composition/services.js';
import { loadConfig } from '../../../shared/config/config.js';
import { functionRolePolicy } from '../../../shared/deploy/permissions.js';
import { CloudApiError, CloudErrorKind } from '../../../shared/domain/errors.js';
import { FakeClock } from '../../support/fake-clock.js';
import {
  EXAMPLE,
  exampleAccountsDocument,
  startTestCloud,
  type TestCloud,
  type TestKeys,
} from '../../support/local-cloud.js';

const SECRET = 'dts-trust/settings';
const OWNER = EXAMPLE.sourceOwner.id;

let cloud: TestCloud;

beforeAll(async () => {
  cloud = await startTestCloud({
    services: {
      kms: {
        secrets: [{ account: LOCAL_AUTOMATION.accountId, name: SECRET, data: JSON.stringify(localTrustSettings()) }],
      },
    },
  });
});
afterAll(() => cloud.stop());

const reader = (keys: TestKeys = LOCAL_AUTOMATION.runner, endpoint = cloud.endpoint) =>
  new KmsSecretReader({ endpoint, protocol: 'http', regionId: 'cn-hangzhou', ownKeys: async () => keys });

async function putVersion(data: unknown): Promise<void> {
  const res = await fetch(`${cloud.cloud.url}/__admin/kms/secrets`, {
    method: 'POST',
    body: JSON.stringify({ account: LOCAL_AUTOMATION.accountId, name: SECRET, data: JSON.stringify(data) }),
  });
  expect(res.status).toBe(200);
}

async function failureOf(call: Promise<unknown>): Promise<CloudApiError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CloudApiError);
  return error as CloudApiError;
}

describe('KmsSecretReader', () => {
  it("reads the current version of a secret through openapi-core's callApi", async () => {
    const value = await reader().getSecretValue(SECRET);
    expect(value.secretName).toBe(SECRET);
    expect(JSON.parse(value.data)).toEqual(localTrustSettings());
  });

  it('classifies a missing secret as notFound with its code and status, not as a permission problem', async () => {
    const error = await failureOf(reader().getSecretValue('dts-trust/missing'));
    expect(error).toMatchObject({
      api: 'kms:GetSecretValue',
      code: 'Forbidden.ResourceNotFound',
      kind: CloudErrorKind.NotFound,
      statusCode: 404,
    });
    expect(error.requestId).toMatch(/^[0-9A-F-]{36}$/);
  });

  it('classifies a refusal as noPermission', async () => {
    const error = await failureOf(reader(EXAMPLE.sourceOwner.auditor).getSecretValue(SECRET));
    expect(error).toMatchObject({ code: 'Forbidden.NoPermission', kind: CloudErrorKind.NoPermission, statusCode: 403 });
  });

  it('classifies an outage and an unreachable endpoint as retryable', async () => {
    await fetch(`${cloud.cloud.url}/__admin/faults`, { method: 'PUT', body: JSON.stringify({ outages: ['kms'] }) });
    try {
      const error = await failureOf(reader().getSecretValue(SECRET));
      expect(error).toMatchObject({ code: 'ServiceUnavailable', kind: CloudErrorKind.Unavailable, statusCode: 503 });
      expect(error.retryable).toBe(true);
    } finally {
      await fetch(`${cloud.cloud.url}/__admin/faults`, { method: 'PUT', body: '{}' });
    }
    const unreachable = await failureOf(reader(LOCAL_AUTOMATION.runner, '127.0.0.1:1').getSecretValue(SECRET));
    expect(unreachable.kind).toBe(CloudErrorKind.Unavailable);
  });
});

describe('services.settings() from DTS_TRUST_SETTINGS_SECRET', () => {
  it('reads the settings from KMS and picks up a new secret version after the TTL, without a redeploy', async () => {
    const clock = new FakeClock(new Date());
    const env = localCloudEnvironment(cloud.cloud, { DTS_TRUST_SETTINGS_TTL_SECONDS: '60' });
    delete env.DTS_TRUST_SETTINGS;
    const services = createServices(loadConfig({ ...env, DTS_TRUST_SETTINGS_SECRET: SECRET }), {
      tablestoreKeys: LOCAL_AUTOMATION.runner,
      ownKeys: async () => LOCAL_AUTOMATION.runner,
      clock,
    });
    expect((await services.settings()).managementExternalIds).toEqual({});
    await putVersion(localTrustSettings({ managementExternalIds: { [OWNER]: 'ext-rotated' } }));
    expect((await services.settings()).managementExternalIds).toEqual({});
    clock.advance(60_000);
    expect((await services.settings()).managementExternalIds).toEqual({ [OWNER]: 'ext-rotated' });
  });

  it('assumes the management role with the external ID the secret names', async () => {
    const edit = await fetch(`${cloud.cloud.url}/__admin/edits`, {
      method: 'POST',
      body: JSON.stringify({
        kind: 'setTrustPolicy',
        accountId: OWNER,
        roleName: EXAMPLE.managementRole,
        trustPolicy: {
          Version: '1',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'sts:AssumeRole',
              Principal: { RAM: [`acs:ram::${LOCAL_AUTOMATION.accountId}:root`] },
              Condition: { StringEquals: { 'sts:ExternalId': 'ext-from-kms' } },
            },
          ],
        },
      }),
    });
    expect(edit.status).toBe(200);
    await putVersion(localTrustSettings({ managementExternalIds: { [OWNER]: 'ext-from-kms' } }));
    const env = localCloudEnvironment(cloud.cloud);
    delete env.DTS_TRUST_SETTINGS;
    const services = createServices(loadConfig({ ...env, DTS_TRUST_SETTINGS_SECRET: SECRET }), {
      tablestoreKeys: LOCAL_AUTOMATION.runner,
      ownKeys: async () => LOCAL_AUTOMATION.runner,
    });
    const creds = await services.broker.credentialsFor(OWNER);
    expect(creds.securityToken).toBeTruthy();
  });

  it('names the fix when neither settings variable is set', async () => {
    const env = localCloudEnvironment(cloud.cloud);
    delete env.DTS_TRUST_SETTINGS;
    const services = createServices(loadConfig(env), { tablestoreKeys: LOCAL_AUTOMATION.runner });
    await expect(services.settings()).rejects.toThrow(/set DTS_TRUST_SETTINGS_SECRET .* or DTS_TRUST_SETTINGS/);
  });
});

describe('functionRolePolicy', () => {
  it('lets the function role read its trust settings secret and no other secret', async () => {
    const config = loadConfig({
      DTS_TRUST_AUTOMATION_ACCOUNT_ID: LOCAL_AUTOMATION.accountId,
      DTS_TRUST_SETTINGS_SECRET: SECRET,
    });
    const keys = { accessKeyId: 'LTAI5tLeastPrivilege', accessKeySecret: 'least-privilege-secret-0001' };
    const accounts = structuredClone(exampleAccountsDocument) as unknown as {
      accounts: { id: string; users?: unknown[]; customPolicies?: Record<string, unknown> }[];
    };
    const automation = accounts.accounts.find((a) => a.id === LOCAL_AUTOMATION.accountId);
    automation!.customPolicies = { ...automation!.customPolicies, 'dts-trust-function': functionRolePolicy(config) };
    automation!.users = [
      ...(automation!.users ?? []),
      {
        name: 'least-privilege',
        accessKeys: [{ id: keys.accessKeyId, secret: keys.accessKeySecret }],
        policies: [{ name: 'dts-trust-function', type: 'Custom' }],
      },
    ];
    const scoped = await startTestCloud({
      accounts: accounts as unknown as typeof exampleAccountsDocument,
      services: {
        kms: {
          secrets: [
            { account: LOCAL_AUTOMATION.accountId, name: SECRET, data: '{}' },
            { account: LOCAL_AUTOMATION.accountId, name: 'dts-trust/other', data: '{}' },
          ],
        },
      },
    });
    try {
      expect((await reader(keys, scoped.endpoint).getSecretValue(SECRET)).data).toBe('{}');
      const other = await failureOf(reader(keys, scoped.endpoint).getSecretValue('dts-trust/other'));
      expect(other.kind).toBe(CloudErrorKind.NoPermission);
    } finally {
      await scoped.stop();
    }
  });
});
