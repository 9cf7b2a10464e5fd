/**
 * The three cross-account scenarios of the DTS guide, set up by hand as an owner would in the console (through the
 * real RAM SDK with the owner's root keys), then checked by the local DTS as the task account: the documented setup
 * makes ConfigureDtsJob succeed, and each classic mistake makes it fail with its catalog code.
 */
import * as $Ram from '@alicloud/ram20150501';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../../local/cloud/server.js';
import {
  callDts,
  createDtsRole,
  type DtsOutcome,
  dtsTrustPolicy,
  type Keys,
  migrationTask,
  type RamClient,
  ramClient,
  verdict,
} from './dts-call.js';

/** Account A owns the source database, B the destination, C is a third account that runs "both" tasks. */
const A = { id: '1111222233334444', keys: { id: 'LTAIsourceowner00001', secret: 'source-owner-secret' } } as const;
const B = { id: '5555666677778888', keys: { id: 'LTAIdestowner0000001', secret: 'dest-owner-secret' } } as const;
const C = { id: '9999000011112222', keys: { id: 'LTAIthirdparty000001', secret: 'third-party-secret' } } as const;
const ROLE = 'ram-for-dts';

const accounts = {
  accounts: [
    { id: A.id, name: 'source-owner', accessKeys: [A.keys], users: [{ name: 'dts-operator' }] },
    { id: B.id, name: 'destination-owner', accessKeys: [B.keys] },
    { id: C.id, name: 'third-party', accessKeys: [C.keys] },
  ],
};

let cloud: LocalCloud;

beforeEach(async () => {
  cloud = await startLocalCloud({ accounts, services: { ram: { detachSettleSeconds: 0 } } });
});

afterEach(async () => {
  await cloud.stop();
});

function ram(owner: { keys: Keys }): RamClient {
  return ramClient(cloud.endpoint, owner.keys);
}

function configure(task: { keys: Keys }, crossAccount: Record<string, string>): Promise<DtsOutcome> {
  return callDts(cloud.endpoint, task.keys, 'ConfigureDtsJob', migrationTask('scenario', crossAccount));
}

const crossSource = (ownerId: string, roleName: string) => ({
  SourceEndpointOwnerID: ownerId,
  SourceEndpointRole: roleName,
});
const crossDestination = (ownerId: string, roleName: string) => ({
  DestinationEndpointOwnerID: ownerId,
  DestinationEndpointRole: roleName,
});

async function jobDetail(task: { keys: Keys }, outcome: DtsOutcome): Promise<Record<string, unknown>> {
  if (outcome.kind !== 'body') throw new Error(`ConfigureDtsJob failed: ${outcome.code}`);
  const detail = await callDts(cloud.endpoint, task.keys, 'DescribeDtsJobDetail', {
    DtsJobId: outcome.body['DtsJobId'],
  });
  if (detail.kind !== 'body') throw new Error(`DescribeDtsJobDetail failed: ${detail.code}`);
  return detail.body;
}

describe('the three DTS scenarios set up by hand', () => {
  it('cross-account source: a role in A trusting B lets B create the task', async () => {
    await createDtsRole(ram(A), ROLE, dtsTrustPolicy(B.id));
    const outcome = await configure(B, crossSource(A.id, ROLE));
    expect(verdict(outcome)).toBe('ok');
    expect(await jobDetail(B, outcome)).toMatchObject({ SourceEndpoint: { AliyunUid: A.id, RoleName: ROLE } });
  });

  it('cross-account destination: a role in B trusting A lets A create the task', async () => {
    await createDtsRole(ram(B), ROLE, dtsTrustPolicy(A.id));
    const outcome = await configure(A, crossDestination(B.id, ROLE));
    expect(verdict(outcome)).toBe('ok');
    expect(await jobDetail(A, outcome)).toMatchObject({ DestinationEndpoint: { AliyunUid: B.id, RoleName: ROLE } });
  });

  it('both cross-account: roles in A and B trusting C let C create the task', async () => {
    await createDtsRole(ram(A), ROLE, dtsTrustPolicy(C.id));
    await createDtsRole(ram(B), ROLE, dtsTrustPolicy(C.id));
    const outcome = await configure(C, { ...crossSource(A.id, ROLE), ...crossDestination(B.id, ROLE) });
    expect(verdict(outcome)).toBe('ok');
    expect(await jobDetail(C, outcome)).toMatchObject({
      SourceEndpoint: { AliyunUid: A.id, RoleName: ROLE },
      DestinationEndpoint: { AliyunUid: B.id, RoleName: ROLE },
    });
  });

  it('both cross-account fails when one of the two roles trusts the wrong account', async () => {
    await createDtsRole(ram(A), ROLE, dtsTrustPolicy(C.id));
    await createDtsRole(ram(B), ROLE, dtsTrustPolicy(A.id));
    const outcome = await configure(C, { ...crossSource(A.id, ROLE), ...crossDestination(B.id, ROLE) });
    expect(verdict(outcome)).toBe('AssumeRoleFail.NoPermission');
  });
});

describe('the classic mistakes of a cross-account source', () => {
  it('fails with AssumeRoleFail.NoPermission when the owner entered its own ID (RAM rewrote the service principal)', async () => {
    await createDtsRole(ram(A), ROLE, dtsTrustPolicy(A.id));
    const stored = await ram(A).getRole(new $Ram.GetRoleRequest({ roleName: ROLE }));
    expect(stored.body?.role?.assumeRolePolicyDocument).toContain('"dts.aliyuncs.com"');
    expect(verdict(await configure(B, crossSource(A.id, ROLE)))).toBe('AssumeRoleFail.NoPermission');
  });

  it('fails with AssumeRoleFail.NoPermission when AliyunDTSRolePolicy is not attached', async () => {
    await createDtsRole(ram(A), ROLE, dtsTrustPolicy(B.id), { attachPolicy: false });
    expect(verdict(await configure(B, crossSource(A.id, ROLE)))).toBe('AssumeRoleFail.NoPermission');
  });

  it('fails with AssumeRoleFail.InvalidRoleArnFormat when the role ARN is entered', async () => {
    await createDtsRole(ram(A), ROLE, dtsTrustPolicy(B.id));
    const arn = (await ram(A).getRole(new $Ram.GetRoleRequest({ roleName: ROLE }))).body?.role?.arn;
    expect(arn).toBe(`acs:ram::${A.id}:role/${ROLE}`);
    expect(verdict(await configure(B, crossSource(A.id, String(arn))))).toBe('AssumeRoleFail.InvalidRoleArnFormat');
  });

  it('fails with Abnormal.RamCheckUserRole when AliyunDTSDefaultRole is entered', async () => {
    await createDtsRole(ram(A), ROLE, dtsTrustPolicy(B.id));
    expect(verdict(await configure(B, crossSource(A.id, 'AliyunDTSDefaultRole')))).toBe('Abnormal.RamCheckUserRole');
  });

  it('fails with AssumeRoleFail.RoleNotExist when a RAM user name is entered', async () => {
    await createDtsRole(ram(A), ROLE, dtsTrustPolicy(B.id));
    expect(verdict(await configure(B, crossSource(A.id, 'dts-operator')))).toBe('AssumeRoleFail.RoleNotExist');
  });

  it.each([
    ['fifteen digits', '111122223333444'],
    ['a dashed number', '1111-2222-3333-4444'],
    ['an account name', 'source-owner'],
  ])('fails with AliyunUidFormat when the owner ID is %s', async (_case, ownerId) => {
    await createDtsRole(ram(A), ROLE, dtsTrustPolicy(B.id));
    expect(verdict(await configure(B, crossSource(ownerId, ROLE)))).toBe('AliyunUidFormat');
  });

  it('fails with AliyunUIDNotFound when the owner ID is not an account', async () => {
    await createDtsRole(ram(A), ROLE, dtsTrustPolicy(B.id));
    expect(verdict(await configure(B, crossSource('1111222233335555', ROLE)))).toBe('AliyunUIDNotFound');
  });

  it('fails with AssumeRoleFail.RoleNotExist once the owner deletes the role', async () => {
    const owner = ram(A);
    await createDtsRole(owner, ROLE, dtsTrustPolicy(B.id));
    expect(verdict(await configure(B, crossSource(A.id, ROLE)))).toBe('ok');
    await owner.detachPolicyFromRole(
      new $Ram.DetachPolicyFromRoleRequest({ roleName: ROLE, policyName: 'AliyunDTSRolePolicy', policyType: 'System' }),
    );
    await owner.deleteRole(new $Ram.DeleteRoleRequest({ roleName: ROLE }));
    expect(verdict(await configure(B, crossSource(A.id, ROLE)))).toBe('AssumeRoleFail.RoleNotExist');
  });

  it('fails with AssumeRoleFail.NoPermission once the owner detaches AliyunDTSRolePolicy', async () => {
    const owner = ram(A);
    await createDtsRole(owner, ROLE, dtsTrustPolicy(B.id));
    await owner.detachPolicyFromRole(
      new $Ram.DetachPolicyFromRoleRequest({ roleName: ROLE, policyName: 'AliyunDTSRolePolicy', policyType: 'System' }),
    );
    expect(verdict(await configure(B, crossSource(A.id, ROLE)))).toBe('AssumeRoleFail.NoPermission');
  });

  it('succeeds again once the owner fixes a wrong trust policy with UpdateRole', async () => {
    const owner = ram(A);
    await createDtsRole(owner, ROLE, dtsTrustPolicy(A.id));
    expect(verdict(await configure(B, crossSource(A.id, ROLE)))).toBe('AssumeRoleFail.NoPermission');
    await owner.updateRole(
      new $Ram.UpdateRoleRequest({ roleName: ROLE, newAssumeRolePolicyDocument: dtsTrustPolicy(B.id) }),
    );
    expect(verdict(await configure(B, crossSource(A.id, ROLE)))).toBe('ok');
  });
});
