import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../../local/cloud/server.js';
import { CloudApiError, CloudErrorKind } from '../../../shared/domain/errors.js';
import { Ownership } from '../../../shared/domain/ownership.js';
import {
  buildCamTrustPolicy,
  diffCamTrust,
  parseCamTrustPolicy,
  parsedFromCamDocument,
  renderCamTrustPolicy,
} from '../../../shared/policy/tencent/index.js';
import { CamRoleDirectory } from '../../../shared/tencentcloud/cam.js';
import { CamSubAccountPolicies } from '../../../shared/tencentcloud/cam-policies.js';
import { tencentEndpoints } from '../../../shared/tencentcloud/endpoint.js';
import { TencentCredentialBroker } from '../../../shared/tencentcloud/sts.js';
import { FakeClock } from '../../support/fake-clock.js';
import { exampleAccountsDocument } from '../../support/local-cloud.js';
import { TENCENT, TencentApi, tencentClient } from '../../support/tencent-cloud.js';

const OWNER = TENCENT.sourceOwner.uin;
const desired = buildCamTrustPolicy([TENCENT.task.uin], { externalId: 'sync-ext-1' });

function world(cloud: LocalCloud, clock: FakeClock) {
  const endpoints = tencentEndpoints(cloud.endpoint);
  const broker = new TencentCredentialBroker({
    endpoints,
    clock,
    hubKeys: async () => TENCENT.hub.user.keys,
    managementRole: TENCENT.managementRole,
    externalId: TENCENT.managementExternalId,
  });
  return { broker, directory: new CamRoleDirectory(endpoints, clock) };
}

async function codeOf(call: Promise<unknown>): Promise<{ code: string; kind: string } | undefined> {
  try {
    await call;
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(CloudApiError);
    return { code: (error as CloudApiError).code, kind: (error as CloudApiError).kind };
  }
}

describe('the Tencent adapters over the real SDKs, against the local cloud', () => {
  let cloud: LocalCloud;
  /** The product's clock (the cloud keeps real time, as the SDK's signatures do). */
  const clock = new FakeClock(new Date());
  beforeAll(async () => {
    cloud = await startLocalCloud({ accounts: exampleAccountsDocument });
  });
  afterAll(() => cloud.stop());

  it('enters an owner account through its management role with the external ID, once per credential lifetime', async () => {
    const { broker } = world(cloud, clock);
    const first = await broker.credentialsFor(OWNER);
    const second = await broker.credentialsFor(OWNER);
    expect(second).toBe(first);
    expect(cloud.log.filter((e) => e.service === 'tencent-sts' && e.action === 'AssumeRole')).toHaveLength(1);
    clock.advance(3_600_000);
    await broker.credentialsFor(OWNER);
    expect(cloud.log.filter((e) => e.service === 'tencent-sts' && e.action === 'AssumeRole')).toHaveLength(2);
  });

  it('reports an account whose management role is missing as noPermission', async () => {
    const { broker } = world(cloud, clock);
    expect(await codeOf(broker.credentialsFor(TENCENT.stranger.uin))).toEqual({
      code: 'InternalError.GetRoleError',
      kind: CloudErrorKind.NoPermission,
    });
  });

  it('creates, reads, attaches by name, lists by tag and deletes a role; CAM’s rewrites show no drift', async () => {
    const { broker, directory } = world(cloud, clock);
    const account = await broker.credentialsFor(OWNER);
    await directory.createRole(account, {
      roleName: 'DTS-role',
      trustPolicy: renderCamTrustPolicy(desired),
      description: `${Ownership.descriptionPrefix}; test`,
      tags: { [Ownership.tagKey]: Ownership.tagValue },
    });
    const live = await directory.getRole(account, 'DTS-role');
    expect(live?.trustPolicy).not.toBe(renderCamTrustPolicy(desired));
    const diff = diffCamTrust(parsedFromCamDocument(desired), parseCamTrustPolicy(live?.trustPolicy ?? ''), {
      ownerAccountId: OWNER,
    });
    expect(diff.upToDate).toBe(true);
    await directory.attachPolicy(account, 'DTS-role', { policyName: 'QcloudDTSReadOnlyAccess', policyType: 'System' });
    await directory.attachPolicy(account, 'DTS-role', { policyName: 'QcloudAccessForMySQLRole', policyType: 'System' });
    expect(await directory.listAttachedPolicies(account, 'DTS-role')).toEqual([
      { policyName: 'QcloudDTSReadOnlyAccess', policyType: 'System' },
      { policyName: 'QcloudAccessForMySQLRole', policyType: 'System' },
    ]);
    const tagged = await directory.listTaggedRoles(account, Ownership.tagKey, Ownership.tagValue);
    expect(tagged.map((r) => [r.roleName, parseCamTrustPolicy(r.trustPolicy).entries.length])).toEqual([
      ['DTS-role', 1],
    ]);
    await directory.detachPolicy(account, 'DTS-role', { policyName: 'QcloudAccessForMySQLRole', policyType: 'System' });
    await directory.deleteRole(account, 'DTS-role');
    expect(await directory.getRole(account, 'DTS-role')).toBeUndefined();
    expect(await directory.listAttachedPolicies(account, 'DTS-role')).toEqual([]);
  });

  it('lists the owned roles 200 a DescribeRoleList call, by the ownership tag only', async () => {
    const { broker, directory } = world(cloud, clock);
    const account = await broker.credentialsFor(OWNER);
    const cam = tencentClient(cloud.endpoint, TencentApi.cam, TENCENT.sourceOwner.root);
    const names = Array.from({ length: 201 }, (_, i) => `owned-${String(i).padStart(3, '0')}`);
    for (const RoleName of names) {
      await cam.request('CreateRole', {
        RoleName,
        PolicyDocument: renderCamTrustPolicy(desired),
        Description: `${Ownership.descriptionPrefix}; ${RoleName}`,
        Tags: [{ Key: Ownership.tagKey, Value: Ownership.tagValue }],
      });
    }
    await cam.request('CreateRole', { RoleName: 'not-owned', PolicyDocument: renderCamTrustPolicy(desired) });
    const before = cloud.log.length;
    const listed = await directory.listOwnedRoles(account);
    expect(cloud.log.slice(before).map((e) => e.action)).toEqual(['DescribeRoleList', 'DescribeRoleList']);
    expect(listed.map((r) => r.roleName).sort()).toEqual(names);
    expect(listed[0]).toEqual({
      roleName: listed[0]?.roleName,
      arn: `qcs::cam::uin/${OWNER}:roleName/${listed[0]?.roleName}`,
      description: `${Ownership.descriptionPrefix}; ${listed[0]?.roleName}`,
      trustPolicy: expect.stringContaining(TENCENT.task.uin),
    });
    for (const RoleName of [...names, 'not-owned']) await cam.request('DeleteRole', { RoleName });
  });

  it('lists dts-trust’s sub-account policies 200 a ListPolicies call, by the name prefix, and reads one', async () => {
    const { broker } = world(cloud, clock);
    const policies = new CamSubAccountPolicies(tencentEndpoints(cloud.endpoint), clock);
    const account = await broker.credentialsFor(TENCENT.task.uin);
    const cam = tencentClient(cloud.endpoint, TencentApi.cam, TENCENT.task.root);
    const document = JSON.stringify({
      version: '2.0',
      statement: [{ effect: 'allow', action: ['name/sts:AssumeRole'], resource: ['*'] }],
    });
    const names = Array.from({ length: 201 }, (_, i) => `dts-trust-${OWNER}-role-${String(i).padStart(3, '0')}`);
    for (const PolicyName of [...names, `not-dts-trust-${OWNER}`]) {
      await cam.request('CreatePolicy', { PolicyName, PolicyDocument: document });
    }
    const before = cloud.log.length;
    const listed = await policies.listPolicies(account, 'dts-trust-');
    expect(cloud.log.slice(before).map((e) => e.action)).toEqual(['ListPolicies', 'ListPolicies']);
    expect(listed.map((p) => p.policyName).sort()).toEqual(names);
    const [first] = listed;
    if (first === undefined) throw new Error('nothing listed');
    expect(await policies.readPolicy(account, first)).toMatchObject({ ...first, userUins: [] });
    await cam.request('DeletePolicy', { PolicyId: listed.map((p) => Number(p.policyId)) });
    expect(await policies.readPolicy(account, first)).toBeUndefined();
  });

  it('classifies CAM’s answers by code: a name in use is a conflict, throttling is throttled', async () => {
    const { broker, directory } = world(cloud, clock);
    const account = await broker.credentialsFor(OWNER);
    const role = {
      roleName: TENCENT.managementRole,
      trustPolicy: renderCamTrustPolicy(desired),
      description: '',
      tags: {},
    };
    expect(await codeOf(directory.createRole(account, role))).toEqual({
      code: 'InvalidParameter.RoleNameInUse',
      kind: CloudErrorKind.Conflict,
    });
    cloud.setFaults({ qpsLimits: [{ service: 'cam', action: 'GetRole', qps: 0 }] });
    try {
      expect(await codeOf(directory.getRole(account, 'anything'))).toEqual({
        code: 'RequestLimitExceeded',
        kind: CloudErrorKind.Throttled,
      });
    } finally {
      cloud.setFaults({});
    }
  });
});

describe('CamRoleDirectory and CAM’s read-after-write lag', () => {
  it('attaches a policy to a role it just created while CAM still hides the role', async () => {
    const clock = new FakeClock(new Date());
    const cloud = await startLocalCloud({
      accounts: exampleAccountsDocument,
      clock,
      services: { tencent: { quirks: { readLagMs: 3_000 } } },
    });
    try {
      const { broker, directory } = world(cloud, clock);
      const account = await broker.credentialsFor(OWNER);
      await directory.createRole(account, {
        roleName: 'lagging',
        trustPolicy: renderCamTrustPolicy(desired),
        description: '',
        tags: {},
      });
      await directory.attachPolicy(account, 'lagging', { policyName: 'QcloudDTSReadOnlyAccess', policyType: 'System' });
      expect(clock.sleeps.length).toBeGreaterThan(0);
      expect(await directory.listAttachedPolicies(account, 'lagging')).toEqual([
        { policyName: 'QcloudDTSReadOnlyAccess', policyType: 'System' },
      ]);
    } finally {
      await cloud.stop();
    }
  });
});

describe('CamSubAccountPolicies and CAM’s read-after-write lag', () => {
  it('attaches a sub-user to a policy it just created while CAM still hides the policy, and gives up on another', async () => {
    const clock = new FakeClock(new Date());
    const cloud = await startLocalCloud({
      accounts: exampleAccountsDocument,
      clock,
      services: { tencent: { quirks: { readLagMs: 3_000 } } },
    });
    try {
      const { broker } = world(cloud, clock);
      const policies = new CamSubAccountPolicies(tencentEndpoints(cloud.endpoint), clock);
      const account = await broker.credentialsFor(TENCENT.task.uin);
      const document = JSON.stringify({
        version: '2.0',
        statement: [{ effect: 'allow', action: ['name/sts:AssumeRole'], resource: ['*'] }],
      });
      const policyId = await policies.createPolicy(account, `dts-trust-${OWNER}-lagging`, document, 'test');
      await policies.attachUser(account, policyId, TENCENT.task.operator.uin);
      expect(clock.sleeps.length).toBeGreaterThan(0);
      expect(await policies.readPolicy(account, { policyId, policyName: `dts-trust-${OWNER}-lagging` })).toMatchObject({
        userUins: [TENCENT.task.operator.uin],
      });
      // A policy this adapter did not create is not waited for: CAM's answer stands.
      const before = clock.sleeps.length;
      expect(await codeOf(policies.attachUser(account, '999999', TENCENT.task.operator.uin))).toEqual({
        code: 'ResourceNotFound.PolicyIdNotFound',
        kind: CloudErrorKind.NotFound,
      });
      expect(clock.sleeps.length).toBe(before);
    } finally {
      await cloud.stop();
    }
  });
});
