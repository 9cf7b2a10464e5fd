import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../../local/cloud/server.js';
import { dtsModule } from '../../../local/cloud/services/dts/service.js';
import { callDts, type DtsOutcome, dtsTrustPolicy, type Keys, migrationTask, verdict } from './dts-call.js';

const TASK = { id: '1000000000000001', keys: { id: 'LTAItaskroot00000001', secret: 'task-secret' } } as const;
const OTHER = { id: '1000000000000009', keys: { id: 'LTAIotherroot0000009', secret: 'other-secret' } } as const;
const OWNER = '2000000000000002';
const DORMANT = '4000000000000004';
const FINANCE = '5000000000000005';
const UNAUTHORIZED = '6000000000000006';
const STRANGER = '3000000000000003';
const READER: Keys = { id: 'LTAItaskreader000001', secret: 'reader-secret' };
const NOBODY: Keys = { id: 'LTAItasknobody000001', secret: 'nobody-secret' };

const dtsPolicy = [{ name: 'AliyunDTSRolePolicy', type: 'System' }];

function role(name: string, trustPolicy: unknown, policies = dtsPolicy) {
  return { name, trustPolicy: typeof trustPolicy === 'string' ? trustPolicy : JSON.stringify(trustPolicy), policies };
}

function statement(principal: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: principal, ...extra };
}

const taskRam = `acs:ram::${TASK.id}:root`;
const taskService = `${TASK.id}@dts.aliyuncs.com`;

const accounts = {
  accounts: [
    {
      id: TASK.id,
      name: 'task',
      accessKeys: [TASK.keys],
      users: [
        { name: 'reader', accessKeys: [READER], policies: [{ name: 'AliyunDTSReadOnlyAccess', type: 'System' }] },
        { name: 'nobody', accessKeys: [NOBODY] },
      ],
    },
    { id: OTHER.id, name: 'other', accessKeys: [OTHER.keys] },
    {
      id: OWNER,
      name: 'owner',
      accessKeys: [{ id: 'LTAIownerroot0000002', secret: 'owner-secret' }],
      roles: [
        role('ram-for-dts', dtsTrustPolicy(TASK.id)),
        role('no-policy', dtsTrustPolicy(TASK.id), []),
        role('other-policy', dtsTrustPolicy(TASK.id), [{ name: 'AliyunDTSFullAccess', type: 'System' }]),
        role('trusts-stranger', dtsTrustPolicy(STRANGER)),
        role('trusts-owner', dtsTrustPolicy(OWNER)),
        role('ram-only', { Version: '1', Statement: [statement({ RAM: [taskRam] })] }),
        role('service-only', { Version: '1', Statement: [statement({ Service: [taskService] })] }),
        role('split-statements', {
          Version: '1',
          Statement: [statement({ RAM: taskRam }), statement({ Service: taskService })],
        }),
        role('with-external-id', {
          Version: '1',
          Statement: [
            statement(
              { RAM: [taskRam], Service: [taskService] },
              { Condition: { StringEquals: { 'sts:ExternalId': 'abc' } } },
            ),
          ],
        }),
        role('denied', {
          Version: '1',
          Statement: [
            statement({ RAM: [taskRam], Service: [taskService] }),
            { Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { Service: [taskService] } },
          ],
        }),
      ],
      users: [{ name: 'dts-operator' }],
    },
    { id: DORMANT, name: 'dormant', dtsActivated: false, roles: [role('ram-for-dts', dtsTrustPolicy(TASK.id))] },
    { id: FINANCE, name: 'finance', partition: 'finance', roles: [role('ram-for-dts', dtsTrustPolicy(TASK.id))] },
    {
      id: UNAUTHORIZED,
      name: 'unauthorized',
      dtsDefaultRole: false,
      roles: [role('ram-for-dts', dtsTrustPolicy(TASK.id))],
    },
  ],
};

let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startLocalCloud({ accounts });
});

afterAll(async () => {
  await cloud?.stop();
});

function configure(keys: Keys, extra: Record<string, string>, name = 'job'): Promise<DtsOutcome> {
  return callDts(cloud.endpoint, keys, 'ConfigureDtsJob', migrationTask(name, extra));
}

function body(outcome: DtsOutcome): Record<string, unknown> {
  if (outcome.kind !== 'body') throw new Error(`expected a body, got ${outcome.code}: ${outcome.message}`);
  return outcome.body;
}

describe('ConfigureDtsJob', () => {
  const source = (ownerId: string, roleName: string) => ({
    SourceEndpointOwnerID: ownerId,
    SourceEndpointRole: roleName,
  });

  it.each([
    ['a role that trusts the task account and carries AliyunDTSRolePolicy', 'ok', OWNER, 'ram-for-dts'],
    ['the role name in another case', 'ok', OWNER, 'RAM-FOR-DTS'],
    ['the two principals in separate statements', 'ok', OWNER, 'split-statements'],
    ['an owner ID that is not 16 digits', 'AliyunUidFormat', '12345', 'ram-for-dts'],
    ['an owner ID with letters', 'AliyunUidFormat', '20000000000000ab', 'ram-for-dts'],
    ['an account that does not exist', 'AliyunUIDNotFound', '9999999999999999', 'ram-for-dts'],
    ['an account that never opened DTS', 'AliyunUIDNotFound', DORMANT, 'ram-for-dts'],
    ['an account on another infrastructure', 'AliyunUIDNotFound', FINANCE, 'ram-for-dts'],
    [
      'an account that never authorized DTS (no AliyunDTSDefaultRole)',
      'AliyunUIDNotFound',
      UNAUTHORIZED,
      'ram-for-dts',
    ],
    [
      'a role ARN instead of its name',
      'AssumeRoleFail.InvalidRoleArnFormat',
      OWNER,
      `acs:ram::${OWNER}:role/ram-for-dts`,
    ],
    ['AliyunDTSDefaultRole', 'Abnormal.RamCheckUserRole', OWNER, 'AliyunDTSDefaultRole'],
    ['a role that does not exist', 'AssumeRoleFail.RoleNotExist', OWNER, 'no-such-role'],
    ['a RAM user name', 'AssumeRoleFail.RoleNotExist', OWNER, 'dts-operator'],
    ['a role without AliyunDTSRolePolicy', 'AssumeRoleFail.NoPermission', OWNER, 'no-policy'],
    ['a role with another DTS policy only', 'AssumeRoleFail.NoPermission', OWNER, 'other-policy'],
    ['a role trusting another account', 'AssumeRoleFail.NoPermission', OWNER, 'trusts-stranger'],
    [
      'a role trusting its own owner (service principal rewritten)',
      'AssumeRoleFail.NoPermission',
      OWNER,
      'trusts-owner',
    ],
    ['a role trusting only the RAM principal', 'AssumeRoleFail.NoPermission', OWNER, 'ram-only'],
    ['a role trusting only the DTS service principal', 'AssumeRoleFail.NoPermission', OWNER, 'service-only'],
    ['a trust statement with an external ID condition', 'AssumeRoleFail.NoPermission', OWNER, 'with-external-id'],
    ['a trust policy that denies the service principal', 'AssumeRoleFail.NoPermission', OWNER, 'denied'],
  ])('answers a cross-account source with %s: %s', async (_case, expected, ownerId, roleName) => {
    expect(verdict(await configure(TASK.keys, source(ownerId, roleName)))).toBe(expected);
  });

  it('answers AliyunUIDNotFound once the owner deletes AliyunDTSDefaultRole, naming the missing authorization', async () => {
    const owner = cloud.core.accounts.get(OWNER);
    const defaultRole = owner?.roles.get('AliyunDTSDefaultRole');
    if (!owner || !defaultRole) throw new Error('the owner should have AliyunDTSDefaultRole from the accounts file');
    owner.roles.delete('AliyunDTSDefaultRole');
    try {
      const outcome = body(await configure(TASK.keys, source(OWNER, 'ram-for-dts'), 'no-default-role'));
      expect(outcome['ErrCode']).toBe('AliyunUIDNotFound');
      expect(String(outcome['ErrMessage'])).toContain('has not authorized DTS');
    } finally {
      owner.roles.set('AliyunDTSDefaultRole', defaultRole);
    }
  });

  it('checks the destination endpoint the same way', async () => {
    const dest = (roleName: string) => ({ DestinationEndpointOwnerID: OWNER, DestinationEndpointRole: roleName });
    expect(verdict(await configure(TASK.keys, dest('ram-for-dts')))).toBe('ok');
    expect(verdict(await configure(TASK.keys, dest('no-policy')))).toBe('AssumeRoleFail.NoPermission');
    expect(verdict(await configure(TASK.keys, dest('AliyunDTSDefaultRole')))).toBe('Abnormal.RamCheckUserRole');
  });

  it('refuses a task when only one of its two cross-account endpoints is acceptable', async () => {
    const outcome = await configure(TASK.keys, {
      ...source(OWNER, 'ram-for-dts'),
      DestinationEndpointOwnerID: OWNER,
      DestinationEndpointRole: 'trusts-stranger',
    });
    expect(verdict(outcome)).toBe('AssumeRoleFail.NoPermission');
    expect(String(body(outcome)['ErrMessage'])).toContain('trusts-stranger');
  });

  it('answers a refusal as HTTP 200 with Success false, ErrCode, ErrMessage and HttpStatusCode', async () => {
    const outcome = await configure(TASK.keys, source(OWNER, `acs:ram::${OWNER}:role/ram-for-dts`));
    expect(outcome.kind).toBe('body');
    expect(outcome.kind === 'body' && outcome.statusCode).toBe(200);
    expect(body(outcome)).toMatchObject({
      Success: false,
      ErrCode: 'AssumeRoleFail.InvalidRoleArnFormat',
      HttpStatusCode: 400,
      RequestId: expect.any(String),
    });
    expect(String(body(outcome)['ErrMessage'])).toMatch(/^AssumeRoleFail: Invalid role arn format/);
  });

  it('names the principal a trust policy lacks in the NoPermission message', async () => {
    const outcome = await configure(TASK.keys, source(OWNER, 'trusts-owner'));
    expect(String(body(outcome)['ErrMessage'])).toContain(`${TASK.id}@dts.aliyuncs.com`);
  });

  it('skips the role checks when the owner is the task account itself', async () => {
    const outcome = await configure(TASK.keys, source(TASK.id, 'AliyunDTSDefaultRole'));
    expect(verdict(outcome)).toBe('ok');
    const detail = await callDts(cloud.endpoint, TASK.keys, 'DescribeDtsJobDetail', {
      DtsJobId: body(outcome)['DtsJobId'],
    });
    expect(body(detail)['SourceEndpoint']).not.toHaveProperty('AliyunUid');
  });

  it('stores a job and answers its ids, status and Success true', async () => {
    const outcome = await configure(TASK.keys, source(OWNER, 'ram-for-dts'), 'stored');
    expect(outcome.kind === 'body' && outcome.statusCode).toBe(200);
    expect(body(outcome)).toMatchObject({
      Success: true,
      DtsJobId: expect.stringMatching(/^[a-z0-9]{13}$/),
      DtsInstanceId: expect.stringMatching(/^dts[a-z0-9]{13}$/),
      Status: 'NotStarted',
      RequestId: expect.any(String),
    });
  });

  it('reads DbList from a form body as well as from the query', async () => {
    const { DbList, ...query } = migrationTask('form-body', source(OWNER, 'ram-for-dts'));
    const outcome = await callDts(cloud.endpoint, TASK.keys, 'ConfigureDtsJob', query, { DbList });
    expect(verdict(outcome)).toBe('ok');
  });

  it.each([
    ['DtsJobName', 'MissingDtsJobName'],
    ['DbList', 'MissingDbList'],
    ['SourceEndpointInstanceType', 'MissingSourceEndpointInstanceType'],
  ])('fails with HTTP 400 when %s is missing', async (field, code) => {
    const { [field]: _omitted, ...query } = migrationTask('missing');
    const outcome = await callDts(cloud.endpoint, TASK.keys, 'ConfigureDtsJob', query);
    expect(outcome).toMatchObject({ kind: 'error', code, statusCode: 400 });
  });

  it('fails with InvalidParameter naming DbList when it is not a JSON object', async () => {
    const outcome = await configure(TASK.keys, { DbList: 'shop' });
    expect(outcome).toMatchObject({ kind: 'error', code: 'InvalidParameter', statusCode: 400 });
    expect(outcome.kind === 'error' && outcome.message).toContain('DbList');
  });

  it('reconfigures an existing job given its DtsJobId and refuses an unknown one', async () => {
    const first = body(await configure(TASK.keys, {}, 'before'));
    const again = await configure(TASK.keys, { DtsJobId: String(first['DtsJobId']) }, 'after');
    expect(body(again)['DtsJobId']).toBe(first['DtsJobId']);
    const detail = await callDts(cloud.endpoint, TASK.keys, 'DescribeDtsJobDetail', { DtsJobId: first['DtsJobId'] });
    expect(body(detail)['DtsJobName']).toBe('after');
    expect(verdict(await configure(TASK.keys, { DtsJobId: 'unknownjob000' }))).toBe('Forbidden.InstanceNotFound');
  });
});

describe('the DTS gateway', () => {
  it('refuses a caller without dts:ConfigureDtsJob with NoPermission 403', async () => {
    expect(await configure(NOBODY, {})).toMatchObject({ kind: 'error', code: 'NoPermission', statusCode: 403 });
    expect(await configure(READER, {})).toMatchObject({ kind: 'error', code: 'NoPermission', statusCode: 403 });
  });

  it('lets a read-only user describe jobs', async () => {
    expect(verdict(await callDts(cloud.endpoint, READER, 'DescribeDtsJobs', {}))).toBe('ok');
  });

  it('refuses a wrong secret with SignatureDoesNotMatch', async () => {
    const outcome = await configure({ id: TASK.keys.id, secret: 'wrong' }, {});
    expect(outcome).toMatchObject({ kind: 'error', code: 'SignatureDoesNotMatch', statusCode: 400 });
  });

  it('refuses an unknown access key with InvalidAccessKeyId.NotFound', async () => {
    const outcome = await configure({ id: 'LTAIunknown000000000', secret: 'x' }, {});
    expect(outcome).toMatchObject({ kind: 'error', code: 'InvalidAccessKeyId.NotFound' });
  });

  it('answers an unknown DTS action with InvalidAction.NotFound 404', async () => {
    const outcome = await callDts(cloud.endpoint, TASK.keys, 'DescribeNothing', {});
    expect(outcome).toMatchObject({ kind: 'error', code: 'InvalidAction.NotFound', statusCode: 404 });
  });
});

describe('DTS under faults', () => {
  it('answers a QPS limit as Throttling.User and an outage as ServiceUnavailable 503', async () => {
    const faulty = await startLocalCloud({
      accounts,
      faults: { qpsLimits: [{ service: 'dts', action: 'DescribeDtsJobs', qps: 0 }] },
    });
    try {
      expect(await callDts(faulty.endpoint, TASK.keys, 'DescribeDtsJobs', {})).toMatchObject({
        kind: 'error',
        code: 'Throttling.User',
      });
      faulty.setFaults({ outages: ['dts'] });
      expect(await callDts(faulty.endpoint, TASK.keys, 'DescribeDtsJobDetail', { DtsJobId: 'x' })).toMatchObject({
        kind: 'error',
        code: 'ServiceUnavailable',
        statusCode: 503,
      });
    } finally {
      await faulty.stop();
    }
  });
});

describe('DescribeDtsJobs', () => {
  let pager: LocalCloud;
  const names = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'];

  beforeAll(async () => {
    pager = await startLocalCloud({ accounts });
    for (const name of names) {
      const extra = { SourceEndpointOwnerID: OWNER, SourceEndpointRole: 'ram-for-dts' };
      await callDts(pager.endpoint, TASK.keys, 'ConfigureDtsJob', migrationTask(name, extra));
    }
    await callDts(pager.endpoint, TASK.keys, 'ConfigureDtsJob', migrationTask('s1', { JobType: 'SYNC' }));
  });

  afterAll(async () => {
    await pager?.stop();
  });

  const list = (keys: Keys, query: Record<string, unknown>) => callDts(pager.endpoint, keys, 'DescribeDtsJobs', query);

  it('pages through the migration jobs newest first', async () => {
    const pages = [];
    for (const PageNumber of [1, 2, 3, 4]) pages.push(body(await list(TASK.keys, { PageNumber, PageSize: 3 })));
    expect(pages.map((p) => p['PageRecordCount'])).toEqual([3, 3, 1, 0]);
    expect(pages.map((p) => p['TotalRecordCount'])).toEqual([7, 7, 7, 7]);
    expect(pages.map((p) => p['PageNumber'])).toEqual([1, 2, 3, 4]);
    const listed = pages.flatMap((p) => (p['DtsJobList'] as { DtsJobName: string }[]).map((j) => j.DtsJobName));
    expect(listed).toEqual([...names].reverse());
  });

  it('lists MIGRATION jobs when no JobType is given, and SYNC jobs when asked', async () => {
    expect(body(await list(TASK.keys, {}))['TotalRecordCount']).toBe(7);
    const sync = body(await list(TASK.keys, { JobType: 'SYNC' }));
    expect((sync['DtsJobList'] as { DtsJobName: string }[]).map((j) => j.DtsJobName)).toEqual(['s1']);
  });

  it('leaves AliyunUid and RoleName out of the listed endpoints', async () => {
    const jobs = body(await list(TASK.keys, { PageSize: 30 }))['DtsJobList'] as Record<string, unknown>[];
    expect(jobs).toHaveLength(7);
    for (const job of jobs) {
      expect(job['SourceEndpoint']).toMatchObject({ InstanceType: 'RDS', EngineName: 'MySQL' });
      expect(job['SourceEndpoint']).not.toHaveProperty('AliyunUid');
      expect(job['SourceEndpoint']).not.toHaveProperty('RoleName');
    }
  });

  it.each([[31], [0]])('refuses PageSize %s with InvalidParameter', async (PageSize) => {
    expect(await list(TASK.keys, { PageSize })).toMatchObject({ kind: 'error', code: 'InvalidParameter' });
  });

  it('shows an account only its own jobs', async () => {
    expect(body(await list(OTHER.keys, {}))).toMatchObject({ TotalRecordCount: 0, DtsJobList: [] });
  });
});

describe('DescribeDtsJobDetail', () => {
  it('answers both endpoints with AliyunUid and RoleName of a cross-account job', async () => {
    const created = body(
      await configure(TASK.keys, {
        SourceEndpointOwnerID: OWNER,
        SourceEndpointRole: 'ram-for-dts',
        DestinationEndpointOwnerID: OWNER,
        DestinationEndpointRole: 'split-statements',
      }),
    );
    const detail = body(
      await callDts(cloud.endpoint, TASK.keys, 'DescribeDtsJobDetail', { DtsJobId: created['DtsJobId'] }),
    );
    expect(detail).toMatchObject({
      Success: true,
      DtsJobId: created['DtsJobId'],
      DtsInstanceID: created['DtsInstanceId'],
      SourceEndpoint: { AliyunUid: OWNER, RoleName: 'ram-for-dts', InstanceType: 'RDS' },
      DestinationEndpoint: { AliyunUid: OWNER, RoleName: 'split-statements', InstanceType: 'RDS' },
    });
  });

  it('finds a job by DtsInstanceID as well', async () => {
    const created = body(await configure(TASK.keys, {}, 'by-instance'));
    const detail = await callDts(cloud.endpoint, TASK.keys, 'DescribeDtsJobDetail', {
      DtsInstanceID: created['DtsInstanceId'],
    });
    expect(body(detail)['DtsJobName']).toBe('by-instance');
  });

  it('answers an unknown or foreign job as Forbidden.InstanceNotFound', async () => {
    const created = body(await configure(TASK.keys, {}, 'mine'));
    const foreign = await callDts(cloud.endpoint, OTHER.keys, 'DescribeDtsJobDetail', {
      DtsJobId: created['DtsJobId'],
    });
    expect(verdict(foreign)).toBe('Forbidden.InstanceNotFound');
    const unknown = await callDts(cloud.endpoint, TASK.keys, 'DescribeDtsJobDetail', { DtsJobId: 'nope' });
    expect(verdict(unknown)).toBe('Forbidden.InstanceNotFound');
    expect(body(unknown)).toMatchObject({ Success: false, HttpStatusCode: 403 });
  });

  it('fails with MissingDtsJobId when neither id is given', async () => {
    const outcome = await callDts(cloud.endpoint, TASK.keys, 'DescribeDtsJobDetail', {});
    expect(outcome).toMatchObject({ kind: 'error', code: 'MissingDtsJobId', statusCode: 400 });
  });
});

describe('dtsModule snapshot', () => {
  it('restores stored jobs into a fresh local cloud', async () => {
    const created = body(
      await configure(TASK.keys, { SourceEndpointOwnerID: OWNER, SourceEndpointRole: 'ram-for-dts' }),
    );
    const saved = JSON.parse(JSON.stringify(dtsModule.snapshot?.(cloud.core)));
    const fresh = await startLocalCloud({ accounts });
    try {
      dtsModule.restore?.(fresh.core, saved);
      const detail = await callDts(fresh.endpoint, TASK.keys, 'DescribeDtsJobDetail', {
        DtsJobId: created['DtsJobId'],
      });
      expect(body(detail)['SourceEndpoint']).toMatchObject({ AliyunUid: OWNER, RoleName: 'ram-for-dts' });
    } finally {
      await fresh.stop();
    }
  });

  it('refuses a malformed snapshot naming the field', () => {
    expect(() => dtsModule.restore?.(cloud.core, { jobsByAccount: { x: [{ dtsJobId: 1 }] } })).toThrow(
      /dts state snapshot: jobsByAccount/,
    );
  });
});
