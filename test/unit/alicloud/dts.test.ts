import OpenApi from '@alicloud/openapi-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DtsInventoryClient } from '../../../shared/alicloud/dts.js';
import { CloudApiError, CloudErrorKind } from '../../../shared/domain/errors.js';
import type { AccountCredentials } from '../../../shared/ports.js';
import { type AliClientMock, aliClientError, mockAliClient } from '../../support/mock-ali-client.js';

const account: AccountCredentials = { accountId: '1', accessKeyId: 'AK', accessKeySecret: 'secret' };

let api: AliClientMock<InstanceType<typeof OpenApi.default>>;
let dts: DtsInventoryClient;

beforeEach(() => {
  api = mockAliClient(OpenApi.default);
  dts = new DtsInventoryClient({ endpoint: '127.0.0.1:9', protocol: 'http', regionId: 'cn-hangzhou' });
});

afterEach(() => api.restore());

function ok(body: Record<string, unknown>) {
  return { statusCode: 200, headers: {}, body: { RequestId: 'R', Success: true, ...body } };
}

function detail(id: string) {
  return ok({
    DtsJobId: id,
    DtsJobName: `job ${id}`,
    Status: 'Migrating',
    SourceEndpoint: { InstanceType: 'RDS', EngineName: 'MySQL', AliyunUid: '2222', RoleName: 'dts-src' },
    DestinationEndpoint: { InstanceType: 'RDS', EngineName: 'MySQL' },
  });
}

async function failureOf(promise: Promise<unknown>): Promise<CloudApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CloudApiError);
  return error as CloudApiError;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('DtsInventoryClient.describeJob', () => {
  it('calls DescribeDtsJobDetail of DTS 2020-01-01 and maps the endpoints', async () => {
    api.on('callApi', { action: 'DescribeDtsJobDetail' }).resolves(detail('job-1'));
    expect(await dts.describeJob(account, 'job-1')).toEqual({
      dtsJobId: 'job-1',
      jobName: 'job job-1',
      status: 'Migrating',
      region: 'cn-hangzhou',
      source: { instanceType: 'RDS', engineName: 'MySQL', aliyunUid: '2222', roleName: 'dts-src' },
      destination: { instanceType: 'RDS', engineName: 'MySQL', aliyunUid: undefined, roleName: undefined },
    });
    const [call] = api.calls('callApi', { action: 'DescribeDtsJobDetail', version: '2020-01-01', style: 'RPC' });
    expect(call?.args[1].query).toMatchObject({ DtsJobId: 'job-1', RegionId: 'cn-hangzhou' });
  });

  it.each([
    ['a boolean', false],
    ['a string', 'false'],
  ])('throws the ErrCode of a 200 answer whose Success is %s false', async (_name, success) => {
    api.on('callApi').resolves({
      statusCode: 200,
      headers: {},
      body: { RequestId: 'R', Success: success, ErrCode: 'Forbidden.InstanceNotFound', ErrMessage: 'no such job' },
    });
    const error = await failureOf(dts.describeJob(account, 'job-x'));
    expect(error).toMatchObject({
      code: 'Forbidden.InstanceNotFound',
      kind: CloudErrorKind.NotFound,
      statusCode: 400,
      api: 'dts:DescribeDtsJobDetail',
    });
    expect(error.message).toContain('no such job');
  });

  it('takes the status of a Success: false answer from HttpStatusCode', async () => {
    api.on('callApi').resolves({
      statusCode: 200,
      headers: {},
      body: { Success: false, ErrCode: 'InternalError', HttpStatusCode: 500 },
    });
    const error = await failureOf(dts.describeJob(account, 'job-x'));
    expect(error).toMatchObject({ code: 'InternalError', statusCode: 500, kind: CloudErrorKind.Unavailable });
  });

  it('fails as MalformedResponse on a detail without DtsJobId', async () => {
    api.on('callApi').resolves(ok({ Status: 'Migrating' }));
    expect(await failureOf(dts.describeJob(account, 'job-x'))).toMatchObject({
      code: 'MalformedResponse',
      api: 'dts:DescribeDtsJobDetail',
    });
  });

  it('classifies an HTTP error the SDK throws', async () => {
    api.on('callApi').rejects(aliClientError({ code: 'Throttling.Api', statusCode: 400 }));
    expect(await failureOf(dts.describeJob(account, 'job-x'))).toMatchObject({ kind: CloudErrorKind.Throttled });
  });
});

describe('DtsInventoryClient.listJobs', () => {
  it('pages through DescribeDtsJobs by 30 until TotalRecordCount, for each job type', async () => {
    const total = 65;
    api.on('callApi', { action: 'DescribeDtsJobs' }).callsFake(async (_params, request) => {
      const page = Number(request.query?.['PageNumber']);
      const jobType = request.query?.['JobType'];
      if (jobType === 'SYNC') return ok({ TotalRecordCount: 0, DtsJobList: [] });
      const ids = Array.from({ length: Math.min(30, total - (page - 1) * 30) }, (_, i) => `m${(page - 1) * 30 + i}`);
      return ok({ TotalRecordCount: total, DtsJobList: ids.map((DtsJobId) => ({ DtsJobId })) });
    });
    api
      .on('callApi', { action: 'DescribeDtsJobDetail' })
      .callsFake(async (_params, request) => detail(String(request.query?.['DtsJobId'])));
    const jobs = await collect(dts.listJobs(account));
    expect(jobs.map((j) => j.dtsJobId)).toEqual(Array.from({ length: total }, (_, i) => `m${i}`));
    const pages = api
      .calls('callApi', { action: 'DescribeDtsJobs' })
      .map((call) => `${call.args[1].query?.['JobType']}:${call.args[1].query?.['PageNumber']}`);
    expect(pages).toEqual(['MIGRATION:1', 'MIGRATION:2', 'MIGRATION:3', 'SYNC:1']);
    expect(api.calls('callApi', { action: 'DescribeDtsJobs' })[0]?.args[1].query).toMatchObject({
      PageSize: '30',
      Region: 'cn-hangzhou',
    });
  });

  it('stops at an empty page even when TotalRecordCount promises more', async () => {
    api
      .on('callApi', { action: 'DescribeDtsJobs' })
      .resolvesOnce(ok({ TotalRecordCount: '100', DtsJobList: [{ DtsJobId: 'only' }] }))
      .resolves(ok({ TotalRecordCount: 100, DtsJobList: [] }));
    api.on('callApi', { action: 'DescribeDtsJobDetail' }).resolves(detail('only'));
    const jobs = await collect(dts.listJobs(account, ['cn-hangzhou'], ['MIGRATION']));
    expect(jobs.map((j) => j.dtsJobId)).toEqual(['only']);
    expect(api.calls('callApi', { action: 'DescribeDtsJobs' })).toHaveLength(2);
  });
});
