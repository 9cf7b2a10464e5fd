/**
 * What someone with CAM access in a Tencent trusted account (the console, its own automation) or a ticket sender
 * choosing the role name can make the trusted side do, tried against the local cloud through the engine as the
 * deployed functions compose it (Tablestore status rows, the audit outbox) and the real SDKs: a customer's policy
 * of the reserved name, a policy claiming dts-trust's marker with a widened document and extra attachments (a user
 * group, a role, another sub-user), the marker stripped from dts-trust's own policy, a policy re-created under the
 * name with the marker, a status row of the previous release, and a tug-of-war over the sub-user's attachment. Each verdict is the DTS console's (the sub-user's cross-account instance listing).
 */
import TableStore from 'tablestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tencentInstanceListing } from '../../../local/harness/tencent-oracle.js';
import { reconcilerFor } from '../../../shared/composition/reconciler.js';
import type { Services } from '../../../shared/composition/services.js';
import { AuditEventType } from '../../../shared/domain/audit.js';
import { type Grant, GrantSchema } from '../../../shared/domain/grant.js';
import { subAccountPolicyDescription, subAccountPolicyName } from '../../../shared/policy/tencent/index.js';
import type { RoleStatus } from '../../../shared/ports.js';
import type { RoleResult } from '../../../shared/reconcile/outcome.js';
import { exampleAccountsDocument, INSTANT_TABLES, startTestCloud, type TestCloud } from '../../support/local-cloud.js';
import { localRunnerServices } from '../../support/local-services.js';
import { TENCENT, TencentApi, tencentClient } from '../../support/tencent-cloud.js';

const OWNER = TENCENT.sourceOwner.uin;
const TASK = TENCENT.task.uin;
const operator = TENCENT.task.operator;
/** A second sub-user of the task account, whom no grant names. */
const intruder = {
  uin: '200000000078',
  keys: { secretId: 'AKIDLocalTencentTaskIntruder01', secretKey: 'local-tencent-task-intruder-secret-01' },
};

/** The example accounts, with the intruder in the task account. */
function accountsWithIntruder(): unknown {
  const document = structuredClone(exampleAccountsDocument) as unknown as {
    tencent: { accounts: { name: string; subUsers: unknown[] }[] };
  };
  const task = document.tencent.accounts.find((a) => a.name === 'tencent-task');
  task?.subUsers.push({
    uin: intruder.uin,
    name: 'intruder',
    keys: [{ id: intruder.keys.secretId, secret: intruder.keys.secretKey }],
    policies: ['QcloudDTSFullAccess'],
  });
  return document;
}

const grant = (roleName: string): Grant =>
  GrantSchema.parse({
    ownerAccountId: OWNER,
    roleName,
    trustedAccountId: TASK,
    cloud: 'tencent',
    policies: ['QcloudDTSReadOnlyAccess', 'QcloudAccessForMySQLRole'],
    subAccountUins: [operator.uin],
    ticket: { system: 'jira', id: `DBA-${roleName}`, requester: 'ana', approver: 'ben' },
  });

const wide = JSON.stringify({ version: '2.0', statement: [{ effect: 'allow', action: ['*'], resource: ['*'] }] });

let cloud: TestCloud;
let services: Services;
let runs = 0;

/** A scheduled run (status rows hold and count flaps); the role's result. */
async function run(roleName: string): Promise<RoleResult> {
  runs += 1;
  const result = await reconcilerFor(services).reconcileAll({ correlationId: `attack-${runs}` });
  const found = result.results.find((r) => r.role.roleName === roleName);
  if (found === undefined) throw new Error(`role ${roleName} was not reconciled`);
  return found;
}

/** What the DTS console says when `keys` list the owner's instances through `roleName`. */
async function dtsConsole(keys: { secretId: string; secretKey: string }, roleName: string): Promise<string> {
  const verdict = await tencentInstanceListing(cloud.endpoint, keys, { ownerUin: OWNER, roleName });
  return verdict.accepted ? 'ok' : (verdict.code ?? '');
}

/** The task account's root, as its console acts. */
const taskCam = () => tencentClient(cloud.endpoint, TencentApi.cam, TENCENT.task.root);

async function policyOf(roleName: string) {
  const name = subAccountPolicyName(OWNER, roleName);
  const listed = await taskCam().request('ListPolicies', { Scope: 'Local', Keyword: name, Page: 1, Rp: 200 });
  const entry = (listed.List as { PolicyId: number; PolicyName: string }[]).find((p) => p.PolicyName === name);
  if (entry === undefined) return undefined;
  const policy = await taskCam().request('GetPolicy', { PolicyId: entry.PolicyId });
  const entities = await taskCam().request('ListEntitiesForPolicy', { PolicyId: entry.PolicyId, Page: 1, Rp: 200 });
  return {
    policyId: entry.PolicyId,
    description: policy.Description as string,
    document: policy.PolicyDocument as string,
    entities: (entities.List as { Id: string; RelatedType: number }[]).map((e) => `${e.RelatedType}:${e.Id}`).sort(),
  };
}

const findingKinds = (result: RoleResult) =>
  result.auditEvents.filter((e) => e.type.startsWith('dts-trust.finding.')).map((e) => e.type);

beforeAll(async () => {
  cloud = await startTestCloud({ accounts: accountsWithIntruder(), services: { ...INSTANT_TABLES } });
  services = await localRunnerServices(cloud.cloud, { extra: { DTS_TRUST_FLAP_LIMIT: '2' } });
});

afterAll(async () => {
  await cloud?.stop();
});

describe('the trusted side of a Tencent role under attack', () => {
  it('never changes, detaches from or deletes a customer’s policy of the reserved name, through a run and a revoke', async () => {
    const name = subAccountPolicyName(OWNER, 'DTS-taken');
    // The customer's own: AssumeRole on this role (and CVM besides) for the intruder, whom no grant names.
    const theirs = JSON.stringify({
      version: '2.0',
      statement: [
        {
          effect: 'allow',
          action: ['name/sts:AssumeRole', 'name/cvm:*'],
          resource: [`qcs::cam::uin/${OWNER}:roleName/DTS-taken`],
        },
      ],
    });
    const { PolicyId } = await taskCam().request('CreatePolicy', {
      PolicyName: name,
      PolicyDocument: theirs,
      Description: 'the DBA team’s own policy',
    });
    await taskCam().request('AttachUserPolicy', { PolicyId, AttachUin: Number(intruder.uin) });
    const before = await policyOf('DTS-taken');
    await services.grants.putGrant(grant('DTS-taken'));

    const declared = await run('DTS-taken');
    expect(declared.outcome).toBe('conflict');
    expect(declared.trustedSideConflicts).toEqual([
      expect.objectContaining({ code: 'SubAccountPolicyNotManaged', policyId: String(PolicyId) }),
    ]);
    expect(findingKinds(declared)).toContain('dts-trust.finding.unowned-policy-in-the-way');
    expect(declared.auditEvents.map((e) => e.type)).not.toContain(AuditEventType.SubAccountPolicyChange);
    expect(await policyOf('DTS-taken')).toEqual(before);
    expect(await dtsConsole(operator.keys, 'DTS-taken')).toBe('UnauthorizedOperation');
    const status = await services.status.getStatus({ ownerAccountId: OWNER, roleName: 'DTS-taken' });
    expect(status?.lastResult).toBe('conflict');

    await services.grants.deleteGrant({ ownerAccountId: OWNER, roleName: 'DTS-taken', trustedAccountId: TASK });
    const revoked = await run('DTS-taken');
    expect(revoked.applied.map((a) => a.kind)).toContain('deleteRole');
    // Nobody's way any more: left alone without a report, so the revoke settles.
    expect(revoked.outcome).toBe('deleted');
    expect(revoked.trustedSideConflicts).toBeUndefined();
    expect(await policyOf('DTS-taken')).toEqual(before);
  });

  it('narrows a policy that claims the marker: a widened document, a user group, a role and an undeclared sub-user', async () => {
    await services.grants.putGrant(grant('DTS-marked'));
    expect((await run('DTS-marked')).outcome).toBe('created');
    const ours = await policyOf('DTS-marked');
    expect(ours?.entities).toEqual([`1:${operator.uin}`]);
    expect(await dtsConsole(intruder.keys, 'DTS-marked')).toBe('UnauthorizedOperation');
    const policyId = ours?.policyId ?? 0;
    // The console: the document widened, the policy attached to a group the intruder is in, to a role, to the intruder.
    await taskCam().request('UpdatePolicy', { PolicyId: policyId, PolicyDocument: wide });
    const { GroupId } = await taskCam().request('CreateGroup', { GroupName: 'intruders' });
    await taskCam().request('AddUserToGroup', { Info: [{ GroupId, Uin: Number(intruder.uin) }] });
    await taskCam().request('AttachGroupPolicy', { PolicyId: policyId, AttachGroupId: GroupId });
    const helperTrust = JSON.stringify({
      version: '2.0',
      statement: [
        { action: 'name/sts:AssumeRole', effect: 'allow', principal: { qcs: [`qcs::cam::uin/${TASK}:root`] } },
      ],
    });
    await taskCam().request('CreateRole', { RoleName: 'helper', PolicyDocument: helperTrust });
    await taskCam().request('AttachRolePolicy', { PolicyId: policyId, AttachRoleName: 'helper' });
    await taskCam().request('AttachUserPolicy', { PolicyId: policyId, AttachUin: Number(intruder.uin) });
    expect(await dtsConsole(intruder.keys, 'DTS-marked')).toBe('ok');
    expect(await policyOf('DTS-marked')).toMatchObject({ document: wide });

    const repaired = await run('DTS-marked');
    expect(repaired.outcome).toBe('repaired');
    expect(repaired.trustedSide?.map((s) => s.kind)).toEqual([
      'detachEntity',
      'detachEntity',
      'detachUser',
      'updateDocument',
    ]);
    const changes = repaired.auditEvents.filter((e) => e.type === AuditEventType.SubAccountPolicyChange);
    expect(changes.map((e) => e.data.outcome)).toEqual([
      'detachEntity',
      'detachEntity',
      'detachUser',
      'updateDocument',
    ]);
    expect(repaired.auditEvents.map((e) => e.type)).toContain(AuditEventType.RoleRepaired);
    expect(await policyOf('DTS-marked')).toMatchObject({
      entities: [`1:${operator.uin}`],
      description: ours?.description,
    });
    expect(await dtsConsole(intruder.keys, 'DTS-marked')).toBe('UnauthorizedOperation');
    expect(await dtsConsole(operator.keys, 'DTS-marked')).toBe('ok');
    const status = await services.status.getStatus({ ownerAccountId: OWNER, roleName: 'DTS-marked' });
    expect(status?.lastResult).toBe('repaired');
  });

  it('keeps repairing its own policy (the id it recorded) after the marker is stripped and the document widened', async () => {
    const policyId = (await policyOf('DTS-marked'))?.policyId;
    await taskCam().request('UpdatePolicy', { PolicyId: policyId, Description: 'mine now', PolicyDocument: wide });
    await taskCam().request('AttachUserPolicy', { PolicyId: policyId, AttachUin: Number(intruder.uin) });
    expect(await dtsConsole(intruder.keys, 'DTS-marked')).toBe('ok');
    const repaired = await run('DTS-marked');
    expect(repaired.outcome).toBe('repaired');
    expect(repaired.trustedSide?.map((s) => s.kind)).toEqual(['detachUser', 'updateDocument']);
    expect(await dtsConsole(intruder.keys, 'DTS-marked')).toBe('UnauthorizedOperation');
    expect(await dtsConsole(operator.keys, 'DTS-marked')).toBe('ok');
  });

  it('never touches a policy re-created under the reserved name with the marker: it is not the one dts-trust created', async () => {
    const name = subAccountPolicyName(OWNER, 'DTS-marked');
    const ours = await policyOf('DTS-marked');
    await taskCam().request('DeletePolicy', { PolicyId: [ours?.policyId] });
    const { PolicyId } = await taskCam().request('CreatePolicy', {
      PolicyName: name,
      PolicyDocument: wide,
      Description: subAccountPolicyDescription(OWNER, 'DTS-marked'),
    });
    await taskCam().request('AttachUserPolicy', { PolicyId, AttachUin: Number(intruder.uin) });
    const before = await policyOf('DTS-marked');
    for (let i = 0; i < 2; i += 1) {
      const result = await run('DTS-marked');
      expect(result.outcome).toBe('conflict');
      expect(result.trustedSideConflicts).toEqual([expect.objectContaining({ policyId: String(PolicyId) })]);
      expect(findingKinds(result)).toContain('dts-trust.finding.unowned-policy-in-the-way');
    }
    expect(await policyOf('DTS-marked')).toEqual(before);
    const status = await services.status.getStatus({ ownerAccountId: OWNER, roleName: 'DTS-marked' });
    expect(status?.subAccountPolicyIds).toEqual({ [TASK]: String(ours?.policyId) });
  });

  it('takes over a marked policy from a status row the previous release wrote (no ids), and records its id', async () => {
    await services.grants.putGrant(grant('DTS-legacy'));
    expect((await run('DTS-legacy')).outcome).toBe('created');
    const key = { ownerAccountId: OWNER, roleName: 'DTS-legacy' };
    const written = await services.status.getStatus(key);
    const policyId = String((await policyOf('DTS-legacy'))?.policyId);
    expect(written?.subAccountPolicyIds).toEqual({ [TASK]: policyId });
    // The row as the previous release wrote it: the same JSON without subAccountPolicyIds.
    const { ownerAccountId: _o, roleName: _r, subAccountPolicyIds: _ids, ...previous } = written as RoleStatus;
    await services.tablestore.putRow({
      tableName: services.config.tables.status,
      primaryKey: [{ ownerUid: OWNER }, { roleName: 'DTS-legacy' }],
      condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
      attributeColumns: [
        { status: JSON.stringify(previous) },
        { version: TableStore.Long.fromNumber(previous.version) },
        { lastResult: previous.lastResult },
      ],
    });
    expect((await services.status.getStatus(key))?.subAccountPolicyIds).toBeUndefined();
    await taskCam().request('AttachUserPolicy', { PolicyId: Number(policyId), AttachUin: Number(intruder.uin) });
    const repaired = await run('DTS-legacy');
    expect(repaired.trustedSide?.map((s) => s.kind)).toEqual(['detachUser']);
    expect((await services.status.getStatus(key))?.subAccountPolicyIds).toEqual({ [TASK]: policyId });
  });

  it('pauses a tug-of-war over the sub-user’s attachment as it pauses the role’s own, and keeps the attach back', async () => {
    await services.grants.putGrant(grant('DTS-fought'));
    expect((await run('DTS-fought')).outcome).toBe('created');
    const policyId = (await policyOf('DTS-fought'))?.policyId;
    const detach = () => taskCam().request('DetachUserPolicy', { PolicyId: policyId, DetachUin: Number(operator.uin) });
    await detach();
    expect((await run('DTS-fought')).outcome).toBe('repaired');
    await detach();
    const second = await run('DTS-fought');
    expect(second.outcome).toBe('repaired');
    expect(findingKinds(second)).toContain('dts-trust.finding.tug-of-war');
    const status = await services.status.getStatus({ ownerAccountId: OWNER, roleName: 'DTS-fought' });
    expect(status?.pausedReason).toBeDefined();

    await detach();
    const paused = await run('DTS-fought');
    expect(paused.outcome).toBe('paused');
    expect(paused.trustedSideHeldBack?.map((s) => s.kind)).toEqual(['attachUser']);
    expect((await policyOf('DTS-fought'))?.entities).toEqual([]);
    expect(await dtsConsole(operator.keys, 'DTS-fought')).toBe('UnauthorizedOperation');
  });
});
