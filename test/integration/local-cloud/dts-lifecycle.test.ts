import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../../local/cloud/server.js';
import { DtsInventoryClient } from '../../../shared/alicloud/dts.js';
import { callDts, type DtsOutcome, dtsTrustPolicy, migrationTask, verdict } from './dts-call.js';

const TASK = { id: '1000000000000001', keys: { id: 'LTAItaskroot00000001', secret: 'task-secret' } } as const;
const OWNER = '2000000000000002';
const PEER = '3000000000000003';
const STRANGER = '4000000000000004';

const role = (name: string, trusted: string) => ({
  name,
  trustPolicy: dtsTrustPolicy(trusted),
  policies: [{ name: 'AliyunDTSRolePolicy', type: 'System' }],
});

let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startLocalCloud({
    port: 0,
    accounts: {
      accounts: [
        { id: TASK.id, name: 'task', accessKeys: [TASK.keys] },
        {
          id: OWNER,
          name: 'owner',
          accessKeys: [{ id: 'LTAIownerroot0000002', secret: 'owner-secret' }],
          roles: [
            role('ram-for-dts', TASK.id),
            role('ram-for-dts-two-way', TASK.id),
            role('trusts-stranger', STRANGER),
          ],
        },
        {
          id: PEER,
          name: 'peer',
          accessKeys: [{ id: 'LTAIpeerroot00000003', secret: 'peer-secret' }],
          roles: [role('ram-for-dts', TASK.id)],
        },
      ],
    },
  });
});

afterAll(async () => {
  await cloud?.stop();
});

const dts = (action: string, query: Record<string, unknown>) => callDts(cloud.endpoint, TASK.keys, action, query);
const body = (o: DtsOutcome) => (o.kind === 'body' ? o.body : {});

async function configure(name: string, extra: Record<string, string>): Promise<string> {
  const outcome = await dts('ConfigureDtsJob', migrationTask(name, extra));
  expect(verdict(outcome)).toBe('ok');
  return String(body(outcome)['DtsJobId']);
}

const crossSource = (owner: string, roleName: string) => ({
  SourceEndpointOwnerID: owner,
  SourceEndpointRole: roleName,
});

async function setStatus(dtsJobId: string, status: string) {
  const res = await fetch(`${cloud.url}/__admin/dts/status`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ account: TASK.id, dtsJobId, status }),
  });
  expect(res.status).toBe(200);
}

describe('local DTS: jobs with a region, a status and a reverse half', () => {
  it('keeps the region a job was configured in and lists by Region (and by the deprecated RegionId)', async () => {
    const hz = await configure('in-hangzhou', { ...crossSource(OWNER, 'ram-for-dts'), RegionId: 'cn-hangzhou' });
    const sh = await configure('in-shanghai', { ...crossSource(OWNER, 'ram-for-dts'), RegionId: 'cn-shanghai' });
    const ids = async (query: Record<string, unknown>) =>
      (
        (body(await dts('DescribeDtsJobs', { JobType: 'MIGRATION', PageSize: 30, ...query }))['DtsJobList'] ?? []) as {
          DtsJobId: string;
        }[]
      ).map((j) => j.DtsJobId);
    expect(await ids({ Region: 'cn-shanghai' })).toContain(sh);
    expect(await ids({ Region: 'cn-shanghai' })).not.toContain(hz);
    expect(await ids({ RegionId: 'cn-hangzhou' })).toContain(hz);
    expect(await ids({})).toEqual(expect.arrayContaining([hz, sh]));
  });

  it('starts a job, lets DTS finish it, and releases it with DeleteDtsJob', async () => {
    const id = await configure('lifecycle', crossSource(OWNER, 'ram-for-dts'));
    const status = async () => body(await dts('DescribeDtsJobDetail', { DtsJobId: id }))['Status'];
    expect(await status()).toBe('NotStarted');
    expect(verdict(await dts('StartDtsJob', { DtsJobId: id }))).toBe('ok');
    expect(await status()).toBe('Migrating');
    await setStatus(id, 'Finished');
    expect(await status()).toBe('Finished');
    expect(verdict(await dts('DeleteDtsJob', { DtsJobId: id }))).toBe('ok');
    expect(verdict(await dts('DescribeDtsJobDetail', { DtsJobId: id }))).toBe('Forbidden.InstanceNotFound');
  });

  it('configures the reverse job of a two-way synchronization, checked and reported as its own job', async () => {
    const forward = await configure('two-way', {
      JobType: 'SYNC',
      ...crossSource(OWNER, 'ram-for-dts-two-way'),
      DestinationEndpointOwnerID: PEER,
      DestinationEndpointRole: 'ram-for-dts',
    });
    const reverseFields = {
      JobType: 'SYNC',
      DtsJobId: forward,
      SynchronizationDirection: 'Reverse',
      SourceEndpointOwnerID: PEER,
      SourceEndpointRole: 'ram-for-dts',
      DestinationEndpointOwnerID: OWNER,
      DestinationEndpointRole: 'ram-for-dts-two-way',
    };
    const refused = await dts(
      'ConfigureDtsJob',
      migrationTask('two-way', { ...reverseFields, DestinationEndpointRole: 'trusts-stranger' }),
    );
    expect(verdict(refused)).toMatch(/^AssumeRoleFail/);
    const reverse = await dts('ConfigureDtsJob', migrationTask('two-way', reverseFields));
    expect(verdict(reverse)).toBe('ok');
    const reverseId = String(body(reverse)['DtsJobId']);
    expect(reverseId).not.toBe(forward);

    const detail = body(await dts('DescribeDtsJobDetail', { DtsJobId: forward }));
    expect(detail['ReverseJob']).toMatchObject({
      DtsJobId: reverseId,
      DtsJobDirection: 'Reverse',
      Status: 'NotStarted',
      SourceEndpoint: { AliyunUid: PEER, RoleName: 'ram-for-dts' },
      DestinationEndpoint: { AliyunUid: OWNER, RoleName: 'ram-for-dts-two-way' },
    });
    expect(verdict(await dts('StartDtsJob', { DtsJobId: reverseId }))).toBe('ok');
    expect(body(await dts('DescribeDtsJobDetail', { DtsJobId: forward }))['ReverseJob']).toMatchObject({
      Status: 'Synchronizing',
    });
    expect(verdict(await dts('DeleteDtsJob', { DtsJobId: reverseId }))).toBe('ok');
    const after = body(await dts('DescribeDtsJobDetail', { DtsJobId: forward }));
    expect(after['ReverseJob']).toBeUndefined();
    expect(after['Status']).toBe('NotStarted');
  });

  it('refuses a reverse job on a migration', async () => {
    const migration = await configure('one-way', crossSource(OWNER, 'ram-for-dts'));
    const outcome = await dts(
      'ConfigureDtsJob',
      migrationTask('one-way', { DtsJobId: migration, SynchronizationDirection: 'Reverse' }),
    );
    expect(verdict(outcome)).toBe('InvalidParameter.SynchronizationDirection');
  });
});

describe('DtsInventoryClient', () => {
  it('lists every region 30 jobs a page, each with its detail, its region and its reverse job', async () => {
    for (let i = 0; i < 31; i++) {
      await configure(`bulk-${i}`, { ...crossSource(OWNER, 'ram-for-dts'), RegionId: 'cn-beijing' });
    }
    await configure('far', { ...crossSource(PEER, 'ram-for-dts'), RegionId: 'ap-southeast-1' });
    cloud.log.length = 0;
    const client = new DtsInventoryClient({ endpoint: cloud.endpoint, protocol: 'http', regionId: 'cn-hangzhou' });
    const jobs = [];
    for await (const job of client.listJobs(
      { accountId: TASK.id, accessKeyId: TASK.keys.id, accessKeySecret: TASK.keys.secret },
      ['cn-beijing', 'ap-southeast-1'],
    )) {
      jobs.push(job);
    }
    expect(jobs.filter((j) => j.region === 'cn-beijing')).toHaveLength(31);
    expect(jobs.filter((j) => j.region === 'ap-southeast-1').map((j) => j.source)).toEqual([
      expect.objectContaining({ aliyunUid: PEER, roleName: 'ram-for-dts' }),
    ]);
    const pages = cloud.log.filter((e) => e.action === 'DescribeDtsJobs');
    // cn-beijing: two MIGRATION pages (30 + 1) and one SYNC page; ap-southeast-1: one each.
    expect(pages).toHaveLength(5);
  });
});
