import OpenApi, { $OpenApiUtil } from '@alicloud/openapi-core';
import StsSdk from '@alicloud/sts20150401';
import * as $dara from '@darabonba/typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { staticKeys } from '../../../shared/alicloud/credentials.js';
import { ManagementRoleError, type StsBrokerOptions, StsCredentialBroker } from '../../../shared/alicloud/sts.js';
import { callerAccountId } from '../../../shared/alicloud/sts-identity.js';
import { CloudApiError, CloudErrorKind } from '../../../shared/domain/errors.js';
import { type AliClientMock, aliClientError, mockAliClient } from '../../support/mock-ali-client.js';

const AUTOMATION = '1000000000000000';
const OWNER_A = '1111111111111111';
const OWNER_B = '2222222222222222';
const MINUTE = 60_000;
const START = new Date('2030-01-01T00:00:00Z');

let sts: AliClientMock<InstanceType<typeof OpenApi.default>>;
let now: Date;

beforeEach(() => {
  sts = mockAliClient(OpenApi.default);
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

/** What `callApi` answers for AssumeRole: status, headers and the JSON body. */
function assumed(keyId: string, expiration: string) {
  return {
    statusCode: 200,
    headers: {},
    body: {
      RequestId: 'R',
      Credentials: { AccessKeyId: keyId, AccessKeySecret: 's', SecurityToken: 't', Expiration: expiration },
    },
  };
}

/** The AssumeRole calls made, each with the query it sent. */
const assumeRoleCalls = () => sts.calls('callApi', { action: 'AssumeRole' });
const queryOf = (call: ReturnType<typeof assumeRoleCalls>[number]) => call.args[1].query ?? {};
const ASSUME_ROLE = { action: 'AssumeRole' } as const;

/** Credentials expiring one hour after START. */
const oneHour = new Date(START.getTime() + 60 * MINUTE).toISOString();

describe('StsCredentialBroker', () => {
  it('assumes the management role of the owner account with a lower-cased role ARN', async () => {
    sts.on('callApi', ASSUME_ROLE).resolves(assumed('STS.A', oneHour));
    const creds = await broker().credentialsFor(OWNER_A);
    expect(creds).toEqual({
      accountId: OWNER_A,
      accessKeyId: 'STS.A',
      accessKeySecret: 's',
      securityToken: 't',
      expiration: new Date(oneHour),
    });
    expect(assumeRoleCalls().map((call) => queryOf(call).RoleArn)).toEqual([
      `acs:ram::${OWNER_A}:role/dtstrustmanager`,
    ]);
  });

  it('caches per account until five minutes before expiry', async () => {
    sts.on('callApi', ASSUME_ROLE).callsFake(async (_params, request) => {
      const count = assumeRoleCalls().length;
      return assumed(`STS.${String(request.query?.RoleArn).split(':')[3]}.${count}`, oneHour);
    });
    const b = broker();
    await b.credentialsFor(OWNER_A);
    now = new Date(START.getTime() + 54 * MINUTE);
    expect((await b.credentialsFor(OWNER_A)).accessKeyId).toBe(`STS.${OWNER_A}.1`);
    await b.credentialsFor(OWNER_B);
    expect(assumeRoleCalls()).toHaveLength(2);
    now = new Date(START.getTime() + 55 * MINUTE);
    expect((await b.credentialsFor(OWNER_A)).accessKeyId).toBe(`STS.${OWNER_A}.3`);
    expect(assumeRoleCalls()).toHaveLength(3);
    expect(b.assumeRoleCalls).toBe(3);
  });

  it('shares one AssumeRole among concurrent requests for one account', async () => {
    let answer: (() => void) | undefined;
    sts.on('callApi', ASSUME_ROLE).callsFake(
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
    expect(assumeRoleCalls()).toHaveLength(1);
  });

  it('gives the automation account its own keys without AssumeRole', async () => {
    const creds = await broker().credentialsFor(AUTOMATION);
    expect(creds).toEqual({
      accountId: AUTOMATION,
      accessKeyId: 'OWN-AK',
      accessKeySecret: 'own-secret',
      securityToken: 'own-token',
    });
    expect(assumeRoleCalls()).toEqual([]);
  });

  it('passes the external id configured for each owner account, and none for the others', async () => {
    sts.on('callApi', ASSUME_ROLE).resolves(assumed('STS.X', oneHour));
    const externalIds: Record<string, string> = { [OWNER_A]: 'ext-a' };
    const b = broker({ externalIdOf: async (accountId) => externalIds[accountId] });
    await b.credentialsFor(OWNER_A);
    await b.credentialsFor(OWNER_B);
    const [forA, forB] = assumeRoleCalls().map(queryOf);
    expect(forA).toMatchObject({ RoleArn: `acs:ram::${OWNER_A}:role/dtstrustmanager`, ExternalId: 'ext-a' });
    expect(forB?.RoleArn).toBe(`acs:ram::${OWNER_B}:role/dtstrustmanager`);
    expect(forB?.ExternalId).toBeUndefined();
  });

  it('asks for the configured session name and duration', async () => {
    sts.on('callApi', ASSUME_ROLE).resolves(assumed('STS.X', oneHour));
    await broker({ sessionName: 'reconciler', durationSeconds: 900 }).credentialsFor(OWNER_A);
    expect(assumeRoleCalls().map(queryOf)).toEqual([
      expect.objectContaining({ RoleSessionName: 'reconciler', DurationSeconds: '900' }),
    ]);
  });

  it.each([
    ['a malformed Expiration', 'next tuesday'],
    ['an empty Expiration', ''],
  ])('fails as MalformedResponse on %s', async (_name, expiration) => {
    sts.on('callApi', ASSUME_ROLE).resolves(assumed('STS.A', expiration));
    const error = await broker()
      .credentialsFor(OWNER_A)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudApiError);
    expect(error).toMatchObject({ code: 'MalformedResponse', api: 'sts:AssumeRole', kind: CloudErrorKind.Unavailable });
  });

  it('reports a missing management role as ManagementRoleNotFound, naming the role and the account', async () => {
    sts.on('callApi', ASSUME_ROLE).rejects(aliClientError({ code: 'EntityNotExist.Role', statusCode: 404 }));
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
    sts.on('callApi', ASSUME_ROLE).rejects(aliClientError({ code: 'Throttling.User', statusCode: 400 }));
    await expect(broker().credentialsFor(OWNER_A)).rejects.toMatchObject({
      code: 'Throttling.User',
      kind: CloudErrorKind.Throttled,
    });
  });

  it('classifies a refused AssumeRole and tries again on the next request', async () => {
    sts
      .on('callApi', ASSUME_ROLE)
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
    expect(assumeRoleCalls()).toHaveLength(2);
  });
});

describe('STS on the wire', () => {
  it('sends AssumeRole exactly as @alicloud/sts20150401 sends it', async () => {
    sts.on('callApi', ASSUME_ROLE).resolves(assumed('STS.A', oneHour));
    const own = { accessKeyId: 'OWN-AK', accessKeySecret: 'own-secret', securityToken: 'own-token' };
    const sdk = new StsSdk.default(new $OpenApiUtil.Config({ ...own, endpoint: '127.0.0.1:9', protocol: 'http' }));
    await sdk.assumeRoleWithOptions(
      new StsSdk.AssumeRoleRequest({
        roleArn: `acs:ram::${OWNER_A}:role/dtstrustmanager`,
        roleSessionName: 'dts-trust',
        durationSeconds: 3600,
        externalId: 'ext-a',
      }),
      new $dara.RuntimeOptions({}),
    );
    await broker({ externalIdOf: async () => 'ext-a' }).credentialsFor(OWNER_A);
    const [bySdk, byAdapter, ...more] = assumeRoleCalls();
    expect([bySdk?.thisValue, byAdapter?.thisValue, more]).toEqual([sdk, expect.any(OpenApi.default), []]);
    expect(byAdapter?.args[0].toMap()).toEqual(bySdk?.args[0].toMap());
    expect(byAdapter?.args[1].query).toEqual(bySdk?.args[1].query);
    expect(Object.keys(byAdapter?.args[1].query ?? {})).toEqual(Object.keys(bySdk?.args[1].query ?? {}));
  });

  it('sends GetCallerIdentity exactly as @alicloud/sts20150401 sends it, and reads the account from the answer', async () => {
    sts
      .on('callApi', { action: 'GetCallerIdentity' })
      .resolves({ statusCode: 200, headers: {}, body: { RequestId: 'R', AccountId: OWNER_A, Arn: 'acs:ram::x' } });
    const keys = { accessKeyId: 'AK', accessKeySecret: 'secret' };
    const sdk = new StsSdk.default(new $OpenApiUtil.Config({ ...keys, endpoint: '127.0.0.1:9', protocol: 'http' }));
    await sdk.getCallerIdentityWithOptions(new $dara.RuntimeOptions({}));
    expect(await callerAccountId(keys, { endpoint: '127.0.0.1:9', protocol: 'http' })).toBe(OWNER_A);
    const [bySdk, byAdapter, ...more] = sts.calls('callApi', { action: 'GetCallerIdentity' });
    expect([bySdk?.thisValue, byAdapter?.thisValue, more]).toEqual([sdk, expect.any(OpenApi.default), []]);
    expect(byAdapter?.args[0].toMap()).toEqual(bySdk?.args[0].toMap());
    expect(byAdapter?.args[1].toMap()).toEqual(bySdk?.args[1].toMap());
  });
});
