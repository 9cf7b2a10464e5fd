/**
 * A sweep finds the sub-users' AssumeRole policies of a trusted account in one listing (ListPolicies by the name
 * prefix) and still reads each policy's document and users before it trusts them: a user attached by hand is
 * detached, a widened document repaired, and a policy deleted since the listing is found again (not from the
 * listing) before it is created. Real SDKs against the local cloud, the console's edits made with the task
 * account's root keys.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TENCENT_FLEET_TASK, tencentFleetRoleName } from '../../../bench/tencent-fleet.js';
import { startTencentFleet, type TencentFleetWorld } from '../../../bench/tencent-steady-state.js';
import { reconcilerFor } from '../../../shared/composition/reconciler.js';
import { subAccountPolicyName } from '../../../shared/policy/tencent/index.js';
import { TencentApi, tencentClient } from '../../support/tencent-cloud.js';

let world: TencentFleetWorld;
let owner: string;
const taskConsole = () => tencentClient(world.cloud.endpoint, TencentApi.cam, TENCENT_FLEET_TASK.rootKeys);
const sweep = (correlationId: string) => reconcilerFor(world.services()).reconcileAll({ correlationId });
const stepsOf = (run: Awaited<ReturnType<typeof sweep>>, roleName: string) =>
  run.results.find((r) => r.role.roleName === roleName)?.trustedSide ?? [];
/** The CAM calls the product made in the task account (not its console). */
const productCalls = (action: string) =>
  world.cloud.log.filter(
    (e) =>
      e.service === 'cam' &&
      e.action === action &&
      e.accountId === TENCENT_FLEET_TASK.uin &&
      e.accessKeyId !== TENCENT_FLEET_TASK.rootKeys.secretId,
  );
const policyOf = async (roleName: string): Promise<{ PolicyId: number } | undefined> => {
  const name = subAccountPolicyName(owner, roleName);
  const listed = await taskConsole().request('ListPolicies', { Scope: 'Local', Keyword: name, Page: 1, Rp: 200 });
  return (listed.List as { PolicyId: number; PolicyName: string }[]).find((p) => p.PolicyName === name);
};
const usersOf = async (policyId: number): Promise<string[]> => {
  const entities = await taskConsole().request('ListEntitiesForPolicy', { PolicyId: policyId, Page: 1, Rp: 200 });
  return (entities.List as { Uin: number }[]).map((e) => String(e.Uin)).sort();
};

describe('a sweep over a trusted account’s listed sub-account policies', () => {
  beforeEach(async () => {
    world = await startTencentFleet({ owners: 1, rolesPerOwner: 4 });
    owner = world.fleet.owners[0] ?? '';
    await sweep('create');
    expect((await sweep('settle')).outcomes).toEqual({ inSync: 4 });
    world.cloud.log.length = 0;
  });
  afterEach(async () => {
    await world.stop();
  });

  it('detaches a sub-user attached by hand: a listed policy’s users are read, never taken from the listing', async () => {
    const role = tencentFleetRoleName(0);
    const policy = await policyOf(role);
    if (policy === undefined) throw new Error('the settled fleet has no sub-account policy');
    await taskConsole().request('AttachUserPolicy', {
      PolicyId: policy.PolicyId,
      AttachUin: Number(TENCENT_FLEET_TASK.otherUserUin),
    });
    world.cloud.log.length = 0;
    const run = await sweep('attached-by-hand');
    expect(stepsOf(run, role)).toEqual([
      { kind: 'detachUser', uin: TENCENT_FLEET_TASK.otherUserUin, trustedAccountId: TENCENT_FLEET_TASK.uin },
    ]);
    expect(await usersOf(policy.PolicyId)).toEqual([TENCENT_FLEET_TASK.operatorUin]);
    // One listing for the run, one find of its own before the change.
    expect(productCalls('ListPolicies')).toHaveLength(2);
  });

  it('repairs a document widened by hand', async () => {
    const role = tencentFleetRoleName(2);
    const policy = await policyOf(role);
    if (policy === undefined) throw new Error('the settled fleet has no sub-account policy');
    const wide = JSON.stringify({
      version: '2.0',
      statement: [{ effect: 'allow', action: ['name/sts:AssumeRole'], resource: ['*'] }],
    });
    await taskConsole().request('UpdatePolicy', { PolicyId: policy.PolicyId, PolicyDocument: wide });
    const run = await sweep('widened');
    expect(stepsOf(run, role).map((s) => s.kind)).toEqual(['updateDocument']);
    const { PolicyDocument } = await taskConsole().request('GetPolicy', { PolicyId: policy.PolicyId });
    expect(PolicyDocument).not.toContain('"*"');
  });

  it('creates again a policy deleted in the console, after finding it gone on its own', async () => {
    const role = tencentFleetRoleName(0);
    const policy = await policyOf(role);
    if (policy === undefined) throw new Error('the settled fleet has no sub-account policy');
    await taskConsole().request('DeletePolicy', { PolicyId: [policy.PolicyId] });
    world.cloud.log.length = 0;
    const run = await sweep('deleted');
    expect(stepsOf(run, role).map((s) => s.kind)).toEqual(['createPolicy', 'attachUser']);
    expect(productCalls('ListPolicies')).toHaveLength(2);
    const created = await policyOf(role);
    expect(created && (await usersOf(created.PolicyId))).toEqual([TENCENT_FLEET_TASK.operatorUin]);
  });
});
