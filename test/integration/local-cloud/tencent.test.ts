import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../../local/cloud/server.js';
import { exampleAccountsDocument } from '../../support/local-cloud.js';
import {
  assumeTencentRole,
  TENCENT,
  TencentApi,
  tencentClient,
  tencentCodeOf,
  tencentStsClient,
} from '../../support/tencent-cloud.js';

const trust = (uins: string[], externalId?: string) =>
  JSON.stringify({
    version: '2.0',
    statement: [
      {
        action: 'name/sts:AssumeRole',
        effect: 'allow',
        principal: { qcs: uins.map((u) => `qcs::cam::uin/${u}:root`) },
        ...(externalId ? { condition: { string_equal: { 'sts:external_id': externalId } } } : {}),
      },
    ],
  });

describe('the local cloud speaking Tencent Cloud API 3.0 to the real SDK', () => {
  let cloud: LocalCloud;
  let owner: { cam: ReturnType<typeof tencentClient> };
  beforeAll(async () => {
    cloud = await startLocalCloud({ accounts: exampleAccountsDocument });
    owner = { cam: tencentClient(cloud.endpoint, TencentApi.cam, TENCENT.sourceOwner.root) };
  });
  afterAll(() => cloud.stop());

  it('verifies TC3-HMAC-SHA256 as the SDK signs it (service "127", host without port) and refuses a wrong key', async () => {
    await expect(owner.cam.request('DescribeRoleList', { Page: 1, Rp: 10 })).resolves.toMatchObject({ TotalNum: 1 });
    const forged = tencentClient(cloud.endpoint, TencentApi.cam, { ...TENCENT.sourceOwner.root, secretKey: 'wrong' });
    expect(await tencentCodeOf(forged.request('DescribeRoleList', {}))).toBe('AuthFailure.SignatureFailure');
    const unknown = tencentClient(cloud.endpoint, TencentApi.cam, { secretId: 'AKIDnobody', secretKey: 'x' });
    expect(await tencentCodeOf(unknown.request('DescribeRoleList', {}))).toBe('AuthFailure.SecretIdNotFound');
  });

  it('stores a trust policy with CAM’s rewrites: lists, and :root returned as :uin/<same uin>', async () => {
    const single = JSON.stringify({
      version: '2.0',
      statement: [
        {
          action: 'name/sts:AssumeRole',
          effect: 'allow',
          principal: { qcs: `qcs::cam::uin/${TENCENT.task.uin}:root` },
        },
      ],
    });
    await owner.cam.request('CreateRole', { RoleName: 'rewrite-probe', PolicyDocument: single });
    const { RoleInfo } = await owner.cam.request('GetRole', { RoleName: 'rewrite-probe' });
    expect(JSON.parse(RoleInfo.PolicyDocument)).toEqual({
      version: '2.0',
      statement: [
        {
          action: ['name/sts:AssumeRole'],
          effect: 'allow',
          principal: { qcs: [`qcs::cam::uin/${TENCENT.task.uin}:uin/${TENCENT.task.uin}`] },
        },
      ],
    });
    await owner.cam.request('DeleteRole', { RoleName: 'rewrite-probe' });
  });

  it('refuses a principal account that does not exist, a name in use, and a role that is not there, with CAM’s codes', async () => {
    expect(
      await tencentCodeOf(owner.cam.request('CreateRole', { RoleName: 'x1', PolicyDocument: trust(['999999999']) })),
    ).toBe('InvalidParameter.PrincipalQcsNotExist');
    expect(
      await tencentCodeOf(
        owner.cam.request('CreateRole', { RoleName: 'dts-trust-manager', PolicyDocument: trust([TENCENT.task.uin]) }),
      ),
    ).toBe('InvalidParameter.RoleNameInUse');
    expect(await tencentCodeOf(owner.cam.request('GetRole', { RoleName: 'absent' }))).toBe(
      'InvalidParameter.RoleNotExist',
    );
  });

  it('attaches preset policies by name, lists them as QCS, and finds roles by tag', async () => {
    await owner.cam.request('CreateRole', {
      RoleName: 'tagged',
      PolicyDocument: trust([TENCENT.task.uin]),
      Tags: [{ Key: 'managed-by', Value: 'dts-trust' }],
    });
    await owner.cam.request('AttachRolePolicy', { PolicyName: 'QcloudDTSReadOnlyAccess', AttachRoleName: 'tagged' });
    const attached = await owner.cam.request('ListAttachedRolePolicies', { RoleName: 'tagged', Page: 1, Rp: 200 });
    expect(attached.List.map((p: { PolicyName: string; PolicyType: string }) => [p.PolicyName, p.PolicyType])).toEqual([
      ['QcloudDTSReadOnlyAccess', 'QCS'],
    ]);
    const listed = await owner.cam.request('DescribeRoleList', {
      Page: 1,
      Rp: 200,
      Tags: [{ Key: 'managed-by', Value: 'dts-trust' }],
    });
    expect(listed.List.map((r: { RoleName: string }) => r.RoleName)).toEqual(['tagged']);
    expect(
      await tencentCodeOf(
        owner.cam.request('AttachRolePolicy', { PolicyName: 'NoSuchPolicy', AttachRoleName: 'tagged' }),
      ),
    ).toBe('InvalidParameter.PolicyIdNotExist');
    await owner.cam.request('DeleteRole', { RoleName: 'tagged' });
  });

  it('lists roles by tag 200 a page with their trust, description and tags, and drops a role once untagged', async () => {
    const owned = [{ Key: 'managed-by', Value: 'dts-trust' }];
    for (let i = 0; i < 201; i++) {
      const RoleName = `paged-${String(i).padStart(3, '0')}`;
      await owner.cam.request('CreateRole', {
        RoleName,
        PolicyDocument: trust([TENCENT.task.uin]),
        Description: `role ${i}`,
        Tags: owned,
      });
    }
    await owner.cam.request('CreateRole', {
      RoleName: 'other-value',
      PolicyDocument: trust([TENCENT.task.uin]),
      Tags: [{ Key: 'managed-by', Value: 'someone-else' }],
    });
    const first = await owner.cam.request('DescribeRoleList', { Page: 1, Rp: 200, Tags: owned });
    const second = await owner.cam.request('DescribeRoleList', { Page: 2, Rp: 200, Tags: owned });
    expect([first.TotalNum, first.List.length, second.List.length]).toEqual([201, 200, 1]);
    const names = [...first.List, ...second.List].map((r: { RoleName: string }) => r.RoleName);
    expect(new Set(names).size).toBe(201);
    expect(names).not.toContain('other-value');
    expect(first.List[0]).toMatchObject({
      PolicyDocument: expect.stringContaining(TENCENT.task.uin),
      Description: expect.stringMatching(/^role \d+$/),
      Tags: owned,
    });
    expect(await tencentCodeOf(owner.cam.request('DescribeRoleList', { Rp: 200, Tags: owned }))).toBe(
      'MissingParameter',
    );
    expect(await tencentCodeOf(owner.cam.request('DescribeRoleList', { Page: 1, Rp: 201, Tags: owned }))).toBe(
      'InvalidParameter.ParamError',
    );
    await owner.cam.request('UntagRole', { RoleName: 'paged-000', TagKeys: ['managed-by'] });
    const after = await owner.cam.request('DescribeRoleList', { Page: 1, Rp: 200, Tags: owned });
    expect(after.TotalNum).toBe(200);
    expect(after.List.map((r: { RoleName: string }) => r.RoleName)).not.toContain('paged-000');
    for (const name of [...names, 'other-value']) await owner.cam.request('DeleteRole', { RoleName: name });
  });

  it('lets the hub sub-user assume the management role with its external ID, and acts as that role', async () => {
    const keys = await assumeTencentRole(cloud.endpoint, TENCENT.sourceOwner.uin, TENCENT.managementRole, {
      externalId: TENCENT.managementExternalId,
    });
    const cam = tencentClient(cloud.endpoint, TencentApi.cam, keys);
    await expect(cam.request('GetRole', { RoleName: 'dts-trust-manager' })).resolves.toHaveProperty('RoleInfo');
    expect(
      await tencentCodeOf(
        assumeTencentRole(cloud.endpoint, TENCENT.sourceOwner.uin, TENCENT.managementRole, { externalId: 'wrong' }),
      ),
    ).toBe('InternalError.GetRoleError');
  });

  it('answers RequestLimitExceeded (HTTP 200) when throttling is injected', async () => {
    cloud.setFaults({ qpsLimits: [{ service: 'cam', action: 'GetRole', qps: 0 }] });
    try {
      expect(await tencentCodeOf(owner.cam.request('GetRole', { RoleName: 'dts-trust-manager' }))).toBe(
        'RequestLimitExceeded',
      );
    } finally {
      cloud.setFaults({});
    }
  });

  describe('the DTS oracle (the console listing another root account’s instances)', () => {
    const roleName = 'DTS-role';
    const arn = `qcs::cam::uin/${TENCENT.sourceOwner.uin}:roleName/${roleName}`;
    const listAs = async (keys: typeof TENCENT.task.root) => {
      const tmp = await assumeTencentRole(cloud.endpoint, TENCENT.sourceOwner.uin, roleName, { keys });
      return tencentClient(cloud.endpoint, TencentApi.dts, keys).request('DescribeMigrateDBInstances', {
        DatabaseType: 'mysql',
        MigrateRole: 'src',
        AccountMode: 'other',
        TmpSecretId: tmp.secretId,
        TmpSecretKey: tmp.secretKey,
        TmpToken: tmp.token,
      });
    };

    it('answers role not exist [InternalError.GetRoleError] for a wrong account or role name', async () => {
      expect(await tencentCodeOf(listAs(TENCENT.task.root))).toBe('InternalError.GetRoleError');
    });

    it('answers InternalError.InternalInnerCommonError while the service policy is missing, and lists once it is attached', async () => {
      await owner.cam.request('CreateRole', { RoleName: roleName, PolicyDocument: trust([TENCENT.task.uin]) });
      await owner.cam.request('AttachRolePolicy', { PolicyName: 'QcloudDTSReadOnlyAccess', AttachRoleName: roleName });
      expect(await tencentCodeOf(listAs(TENCENT.task.root))).toBe('InternalError.InternalInnerCommonError');
      await owner.cam.request('AttachRolePolicy', { PolicyName: 'QcloudAccessForMySQLRole', AttachRoleName: roleName });
      await expect(listAs(TENCENT.task.root)).resolves.toMatchObject({ TotalCount: 0 });
    });

    it('refuses the sub-account without an AssumeRole policy with the guide’s message, and lets it in once granted', async () => {
      const sub = TENCENT.task.operator;
      const refused = tencentStsClient(cloud.endpoint, sub.keys).AssumeRole({ RoleArn: arn, RoleSessionName: 'dts' });
      await expect(refused).rejects.toMatchObject({
        code: 'UnauthorizedOperation',
        message: `you are not authorized to perform operation (sts:AssumeRole), resource (${arn}) has no permission`,
      });
      const task = tencentClient(cloud.endpoint, TencentApi.cam, TENCENT.task.root);
      const { PolicyId } = await task.request('CreatePolicy', {
        PolicyName: 'dts-assume',
        PolicyDocument: JSON.stringify({
          version: '2.0',
          statement: [{ effect: 'allow', action: ['name/sts:AssumeRole'], resource: [arn] }],
        }),
      });
      await task.request('AttachUserPolicy', { PolicyId, AttachUin: Number(sub.uin) });
      await expect(listAs(sub.keys)).resolves.toMatchObject({ TotalCount: 0 });
    });
  });
});

describe('CAM’s read-after-write lag (a quirk)', () => {
  it('hides a new role from GetRole and DescribeRoleList until the lag has passed', async () => {
    let now = Date.now();
    const cloud = await startLocalCloud({
      accounts: exampleAccountsDocument,
      clock: { now: () => new Date(now) },
      services: { tencent: { quirks: { readLagMs: 5_000 } } },
    });
    try {
      const cam = tencentClient(cloud.endpoint, TencentApi.cam, TENCENT.sourceOwner.root);
      await cam.request('CreateRole', { RoleName: 'lagging', PolicyDocument: trust([TENCENT.task.uin]) });
      expect(await tencentCodeOf(cam.request('GetRole', { RoleName: 'lagging' }))).toBe(
        'InvalidParameter.RoleNotExist',
      );
      const list = () => cam.request('DescribeRoleList', { Page: 1, Rp: 200 });
      expect((await list()).List.map((r: { RoleName: string }) => r.RoleName)).not.toContain('lagging');
      now += 5_000;
      expect((await list()).List.map((r: { RoleName: string }) => r.RoleName)).toContain('lagging');
      await expect(cam.request('GetRole', { RoleName: 'lagging' })).resolves.toHaveProperty(
        'RoleInfo.RoleName',
        'lagging',
      );
    } finally {
      await cloud.stop();
    }
  });
});
