import StsSdk from '@alicloud/sts20150401';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { staticKeys } from '../../../shared/alicloud/credentials.js';
import { ManagementRoleError, type StsBrokerOptions, StsCredentialBroker } from '../../../shared/alicloud/sts.js';
import { CloudApiError, CloudErrorKind } from '../../../shared/domain/errors.js';
import { type AliClientMock, aliClientError, aliResponse, mockAliClient } from '../../support/mock-ali-client.js';

const AUTOMATION = '1000000000000000';
const OWNER_A = '1111111111111111';
const OWNER_B = '2222222222222222';
const MINUTE = 60_000;
const START = new Date('2030-01-01T00:00:00Z');

let sts: AliClientMock<InstanceType<typeof StsSdk.default>>;
let now: Date;

beforeEach(() => {
  sts = mockAliClient(StsSdk.default);
  now = START;
});

afterEach(() => sts.restore());

function broker(overrides: Partial<StsBrokerOptions> = {}): StsCredentialBroker {
  return new StsCredentialBroker({
    endpoint: '127.0.0.1:9',
    protocol: 'http',
    regionId: 'cn-hangzhou',
    automationAccountId: AUTOMATION,
    managementRole: 'DtsTrustManager',
    ownKeys: staticKeys({ accessKeyId: 'OWN-AK', accessKeySecret: 'own-secret', securityToken: 'own-token' }),
    clock: { now: () => now },
    ...overrides,
  });
}

function assumed(keyId: string, expiration: string) {
  return aliResponse(StsSdk.AssumeRoleResponse, {
    RequestId: 'R',
    Credentials: { AccessKeyId: keyId, AccessKeySecret: 's', SecurityToken: 't', Expiration: expiration },
  });
}

/** Credentials expiring one hour after START. */
const oneHour = new Date(START.getTime() + 60 * MINUTE).toISOString();

describe('StsCredentialBroker', () => {
  it('assumes the management role of the owner account with a lower-cased role ARN', async () => {
    sts.on('assumeRoleWithOptions').resolves(assumed('STS.A', oneHour));
    const creds = await broker().credentialsFor(OWNER_A);
    expect(creds).toEqual({
      accountId: OWNER_A,
      accessKeyId: 'STS.A',
      accessKeySecret: 's',
      securityToken: 't',
      expiration: new Date(oneHour),
    });
    expect(sts.calls('assumeRoleWithOptions', { roleArn: `acs:ram::${OWNER_A}:role/dtstrustmanager` })).toHaveLength(1);
  });

  it('caches per account until five minutes before expiry', async () => {
    sts.on('assumeRoleWithOptions').callsFake(async (request) => {
      const count = sts.calls('assumeRoleWithOptions').length;
      return assumed(`STS.${request.roleArn?.split(':')[3]}.${count}`, oneHour);
    });
    const b = broker();
    await b.credentialsFor(OWNER_A);
    now = new Date(START.getTime() + 54 * MINUTE);
    expect((await b.credentialsFor(OWNER_A)).accessKeyId).toBe(`STS.${OWNER_A}.1`);
    await b.credentialsFor(OWNER_B);
    expect(sts.calls('assumeRoleWithOptions')).toHaveLength(2);
    now = new Date(START.getTime() + 55 * MINUTE);
    expect((await b.credentialsFor(OWNER_A)).accessKeyId).toBe(`STS.${OWNER_A}.3`);
    expect(sts.calls('assumeRoleWithOptions')).toHaveLength(3);
    expect(b.assumeRoleCalls).toBe(3);
  });

  it('shares one AssumeRole among concurrent requests for one account', async () => {
    let answer: (() => void) | undefined;
    sts.on('assumeRoleWithOptions').callsFake(
      () =>
        new Promise((resolve) => {
          answer = () => resolve(assumed('STS.A', oneHour));
        }),
    );
    const b = broker();
    const pending = Promise.all([b.credentialsFor(OWNER_A), b.credentialsFor(OWNER_A), b.credentialsFor(OWNER_A)]);
    await new Promise((resolve) => setImmediate(resolve));
    answer?.();
    const results = await pending;
    expect(results.map((c) => c.accessKeyId)).toEqual(['STS.A', 'STS.A', 'STS.A']);
    expect(sts.calls('assumeRoleWithOptions')).toHaveLength(1);
  });

  it('gives the automation account its own keys without AssumeRole', async () => {
    const creds = await broker().credentialsFor(AUTOMATION);
    expect(creds).toEqual({
      accountId: AUTOMATION,
      accessKeyId: 'OWN-AK',
      accessKeySecret: 'own-secret',
      securityToken: 'own-token',
    });
    expect(sts.calls('assumeRoleWithOptions')).toEqual([]);
  });

  it('passes the external id configured for each owner account, and none for the others', async () => {
    sts.on('assumeRoleWithOptions').resolves(assumed('STS.X', oneHour));
    const externalIds: Record<string, string> = { [OWNER_A]: 'ext-a' };
    const b = broker({ externalIdOf: async (accountId) => externalIds[accountId] });
    await b.credentialsFor(OWNER_A);
    await b.credentialsFor(OWNER_B);
    const [forA, forB] = sts.calls('assumeRoleWithOptions').map((call) => call.args[0]);
    expect(forA).toMatchObject({ roleArn: `acs:ram::${OWNER_A}:role/dtstrustmanager`, externalId: 'ext-a' });
    expect(forB?.roleArn).toBe(`acs:ram::${OWNER_B}:role/dtstrustmanager`);
    expect(forB?.externalId).toBeUndefined();
  });

  it('asks for the configured session name and duration', async () => {
    sts.on('assumeRoleWithOptions').resolves(assumed('STS.X', oneHour));
    await broker({ sessionName: 'reconciler', durationSeconds: 900 }).credentialsFor(OWNER_A);
    expect(sts.calls('assumeRoleWithOptions', { roleSessionName: 'reconciler', durationSeconds: 900 })).toHaveLength(1);
  });

  it.each([
    ['a malformed Expiration', 'next tuesday'],
    ['an empty Expiration', ''],
  ])('fails as MalformedResponse on %s', async (_name, expiration) => {
    sts.on('assumeRoleWithOptions').resolves(assumed('STS.A', expiration));
    const error = await broker()
      .credentialsFor(OWNER_A)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudApiError);
    expect(error).toMatchObject({ code: 'MalformedResponse', api: 'sts:AssumeRole', kind: CloudErrorKind.Unavailable });
  });

  it('reports a missing management role as ManagementRoleNotFound, naming the role and the account', async () => {
    sts.on('assumeRoleWithOptions').rejects(aliClientError({ code: 'EntityNotExist.Role', statusCode: 404 }));
    const error = await broker()
      .credentialsFor(OWNER_A)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManagementRoleError);
    expect(error).toMatchObject({
      code: 'ManagementRoleNotFound',
      kind: CloudErrorKind.NoPermission,
      retryable: false,
    });
    expect((error as Error).message).toContain(`in owner account ${OWNER_A} does not exist`);
  });

  it('passes other AssumeRole failures through, classified', async () => {
    sts.on('assumeRoleWithOptions').rejects(aliClientError({ code: 'Throttling.User', statusCode: 400 }));
    await expect(broker().credentialsFor(OWNER_A)).rejects.toMatchObject({
      code: 'Throttling.User',
      kind: CloudErrorKind.Throttled,
    });
  });

  it('classifies a refused AssumeRole and tries again on the next request', async () => {
    sts
      .on('assumeRoleWithOptions')
      .rejectsOnce(aliClientError({ code: 'NoPermission', statusCode: 403 }))
      .resolves(assumed('STS.A', oneHour));
    const b = broker();
    await expect(b.credentialsFor(OWNER_A)).rejects.toMatchObject({
      code: 'ManagementRoleNotTrusted',
      kind: CloudErrorKind.NoPermission,
      api: 'sts:AssumeRole',
      accountId: OWNER_A,
      cause: { code: 'NoPermission', statusCode: 403 },
    });
    expect((await b.credentialsFor(OWNER_A)).accessKeyId).toBe('STS.A');
    expect(sts.calls('assumeRoleWithOptions')).toHaveLength(2);
  });
});
