/**
 * The trusted account's half of a Tencent relationship run by a sub-user: the AssumeRole policy created,
 * attached, repaired and removed in the task root account through its management role, each step audited first,
 * with the DTS oracle's verdict for the sub-user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../../local/cloud/server.js';
import { tencentInstanceListing } from '../../../local/harness/tencent-oracle.js';
import { AuditEventType } from '../../../shared/domain/audit.js';
import type { Grant } from '../../../shared/domain/grant.js';
import type { PolicyEntity, SubAccountPolicyRecord } from '../../../shared/ports.js';
import { desiredSubAccountPolicies, reconcileSubAccountPolicy } from '../../../shared/reconcile/sub-account-policy.js';
import { CamSubAccountPolicies } from '../../../shared/tencentcloud/cam-policies.js';
import { tencentEndpoints } from '../../../shared/tencentcloud/endpoint.js';
import { TencentCredentialBroker } from '../../../shared/tencentcloud/sts.js';
import { FakeClock } from '../../support/fake-clock.js';
import { exampleAccountsDocument } from '../../support/local-cloud.js';
import { MemoryAuditLog } from '../../support/memory-stores.js';
import { TENCENT, TencentApi, tencentClient } from '../../support/tencent-cloud.js';

const role = { ownerAccountId: TENCENT.sourceOwner.uin, roleName: 'DTS-role' };
const operator = TENCENT.task.operator;
const grant: Grant = {
  ...role,
  trustedAccountId: TENCENT.task.uin,
  cloud: 'tencent',
  policies: ['QcloudDTSReadOnlyAccess', 'QcloudAccessForMySQLRole'],
  subAccountUins: [operator.uin],
  mode: 'enforce',
  adopt: false,
  ticket: { system: 'jira', id: 'DBA-3', requester: 'ana', approver: 'ben' },
  revision: 0,
};
const trust = JSON.stringify({
  version: '2.0',
  statement: [
    { action: 'name/sts:AssumeRole', effect: 'allow', principal: { qcs: [`qcs::cam::uin/${TENCENT.task.uin}:root`] } },
  ],
});

describe('the sub-account AssumeRole policy in the trusted account', () => {
  let cloud: LocalCloud;
  const clock = new FakeClock(new Date());
  const audit = new MemoryAuditLog();
  let reconcile: (grants: Grant[]) => Promise<string[]>;
  let find: () => Promise<SubAccountPolicyRecord | undefined>;
  let detach: (policyId: string, entity: PolicyEntity) => Promise<void>;
  const task = () => tencentClient(cloud.endpoint, TencentApi.cam, TENCENT.task.root);
  /** The sub-user lists the owner's instances as the DTS console does. */
  const oracle = async (): Promise<string> => {
    const verdict = await tencentInstanceListing(cloud.endpoint, operator.keys, {
      ownerUin: role.ownerAccountId,
      roleName: role.roleName,
    });
    return verdict.accepted ? 'ok' : (verdict.code ?? '');
  };

  beforeAll(async () => {
    cloud = await startLocalCloud({ accounts: exampleAccountsDocument });
    const owner = tencentClient(cloud.endpoint, TencentApi.cam, TENCENT.sourceOwner.root);
    await owner.request('CreateRole', { RoleName: role.roleName, PolicyDocument: trust });
    for (const name of ['QcloudDTSReadOnlyAccess', 'QcloudAccessForMySQLRole'])
      await owner.request('AttachRolePolicy', { PolicyName: name, AttachRoleName: role.roleName });
    const endpoints = tencentEndpoints(cloud.endpoint);
    const broker = new TencentCredentialBroker({
      endpoints,
      clock,
      hubKeys: async () => TENCENT.hub.user.keys,
      managementRole: TENCENT.managementRole,
      externalId: TENCENT.managementExternalId,
    });
    const directory = new CamSubAccountPolicies(endpoints, clock);
    reconcile = async (grants) => {
      const [desired] = desiredSubAccountPolicies(role, grants, clock.now());
      if (desired === undefined) throw new Error('no sub-account policy desired');
      const account = await broker.credentialsFor(desired.trustedAccountId);
      const steps = await reconcileSubAccountPolicy(desired, account, { directory, audit, clock, correlationId: 't' });
      return steps.steps.map((s) => s.kind);
    };
    detach = async (policyId, entity) =>
      directory.detachEntity(await broker.credentialsFor(TENCENT.task.uin), policyId, entity);
    find = async () =>
      directory.findPolicy(
        await broker.credentialsFor(TENCENT.task.uin),
        desiredSubAccountPolicies(role, [grant], clock.now())[0]?.policyName ?? '',
      );
  });
  afterAll(() => cloud.stop());

  it('creates the policy and attaches the sub-user, auditing each change first; the sub-user can then run the task', async () => {
    expect(await oracle()).toBe('UnauthorizedOperation');
    expect(await reconcile([grant])).toEqual(['createPolicy', 'attachUser']);
    expect(audit.events.filter((e) => e.type === AuditEventType.SubAccountPolicyChange)).toHaveLength(2);
    expect(await oracle()).toBe('ok');
    expect(await reconcile([grant])).toEqual([]);
  });

  it('reads the policy back with the description it was created with and the sub-user it is attached to', async () => {
    expect(await find()).toEqual(
      expect.objectContaining({
        description: expect.stringMatching(/^Managed by dts-trust: /),
        userUins: [operator.uin],
        otherEntities: [],
      }),
    );
  });

  it('reads the user groups and roles a policy is attached to (CAM lists every entity type), and detaches them by id', async () => {
    const policyId = (await find())?.policyId ?? '';
    const { GroupId } = await task().request('CreateGroup', { GroupName: 'dba' });
    await task().request('AttachGroupPolicy', { PolicyId: Number(policyId), AttachGroupId: GroupId });
    await task().request('CreateRole', { RoleName: 'helper', PolicyDocument: trust });
    await task().request('AttachRolePolicy', { PolicyId: Number(policyId), AttachRoleName: 'helper' });
    const { RoleInfo } = await task().request('GetRole', { RoleName: 'helper' });
    const entities = (await find())?.otherEntities;
    expect(entities).toEqual([
      { kind: 'group', id: String(GroupId), name: 'dba' },
      { kind: 'role', id: RoleInfo.RoleId, name: 'helper' },
    ]);
    for (const entity of entities ?? []) await detach(policyId, entity);
    expect(await find()).toMatchObject({ userUins: [operator.uin], otherEntities: [] });
    await task().request('DeleteRole', { RoleName: 'helper' });
  });

  it('lets a sub-user assume the role through a user group holding the policy (the local cloud models membership)', async () => {
    const policyId = Number((await find())?.policyId);
    await task().request('DetachUserPolicy', { PolicyId: policyId, DetachUin: Number(operator.uin) });
    expect(await oracle()).toBe('UnauthorizedOperation');
    const { GroupId } = await task().request('CreateGroup', { GroupName: 'operators' });
    await task().request('AddUserToGroup', { Info: [{ GroupId, Uin: Number(operator.uin) }] });
    await task().request('AttachGroupPolicy', { PolicyId: policyId, AttachGroupId: GroupId });
    expect(await oracle()).toBe('ok');
    expect((await find())?.otherEntities).toEqual([{ kind: 'group', id: String(GroupId), name: 'operators' }]);
    await task().request('DetachGroupPolicy', { PolicyId: policyId, DetachGroupId: GroupId });
    await task().request('AttachUserPolicy', { PolicyId: policyId, AttachUin: Number(operator.uin) });
  });

  it('repairs a policy edited by hand to name another role, and attaches the sub-user again', async () => {
    const policies = await task().request('ListPolicies', { Scope: 'Local', Keyword: 'dts-trust-' });
    const policyId = policies.List[0].PolicyId;
    await task().request('UpdatePolicy', {
      PolicyId: policyId,
      PolicyDocument: JSON.stringify({
        version: '2.0',
        statement: [{ effect: 'allow', action: ['name/sts:AssumeRole'], resource: ['qcs::cam::uin/1:roleName/x'] }],
      }),
    });
    await task().request('DetachUserPolicy', { PolicyId: policyId, DetachUin: Number(operator.uin) });
    expect(await oracle()).toBe('UnauthorizedOperation');
    expect(await reconcile([grant])).toEqual(['updateDocument', 'attachUser']);
    expect(await oracle()).toBe('ok');
  });

  it('detaches the sub-user and deletes the policy when the grant goes', async () => {
    expect(await reconcile([{ ...grant, expiresAt: new Date(clock.millis - 1000).toISOString() }])).toEqual([
      'detachUser',
      'deletePolicy',
    ]);
    expect(await oracle()).toBe('UnauthorizedOperation');
  });
});
