/**
 * A sweep observes a Tencent owner's roles from one DescribeRoleList by the ownership tag, and never trusts it
 * further than it may: a role missing from the listing (its tag removed, deleted) is read on its own, a listing
 * older than a console edit is read again before any change, and CAM's read-after-write lag never makes the engine
 * create twice or widen anything. Real SDKs against the local cloud, the console's edits made with the owner's root
 * keys.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tencentFleetRoleName, tencentFleetRootKeys } from '../../../bench/tencent-fleet.js';
import { startTencentFleet, type TencentFleetWorld } from '../../../bench/tencent-steady-state.js';
import { reconcilerFor } from '../../../shared/composition/reconciler.js';
import { Ownership } from '../../../shared/domain/ownership.js';
import { PlanConflictCode } from '../../../shared/reconcile/plan.js';
import { FakeClock } from '../../support/fake-clock.js';
import { TENCENT, TencentApi, tencentClient } from '../../support/tencent-cloud.js';

const ROLES = 4;
let world: TencentFleetWorld;
let owner: string;
const console = () => tencentClient(world.cloud.endpoint, TencentApi.cam, tencentFleetRootKeys(owner));
const sweep = (correlationId: string) => reconcilerFor(world.services()).reconcileAll({ correlationId });
const camCalls = (action?: string) =>
  world.cloud.log.filter((e) => e.service === 'cam' && (action === undefined || e.action === action));
const CAM_READS = [
  'DescribeRoleList',
  'GetRole',
  'ListAttachedRolePolicies',
  'ListPolicies',
  'GetPolicy',
  'ListEntitiesForPolicy',
];
/** CAM writes the product made (the console signs with the owner's root keys). */
const camWrites = () =>
  camCalls().filter((e) => !CAM_READS.includes(e.action) && e.accessKeyId !== tencentFleetRootKeys(owner).secretId);
const outcomeOf = (run: Awaited<ReturnType<typeof sweep>>, roleName: string) =>
  run.results.find((r) => r.role.roleName === roleName);
const trustOf = async (roleName: string): Promise<string> =>
  (await console().request('GetRole', { RoleName: roleName })).RoleInfo.PolicyDocument;
const strangerTrust = JSON.stringify({
  version: '2.0',
  statement: [
    {
      action: 'name/sts:AssumeRole',
      effect: 'allow',
      principal: { qcs: ['qcs::cam::uin/300000000000:root', `qcs::cam::uin/${TENCENT.stranger.uin}:root`] },
    },
  ],
});

describe('a sweep over a Tencent owner’s listing', () => {
  beforeEach(async () => {
    world = await startTencentFleet({ owners: 1, rolesPerOwner: ROLES });
    owner = world.fleet.owners[0] ?? '';
    // The first run creates the sub-users' AssumeRole policy of every other role: a repair of its trusted side.
    expect((await sweep('settle')).outcomes).toEqual({ inSync: ROLES / 2, repaired: ROLES / 2 });
    world.cloud.log.length = 0;
  });
  afterEach(async () => {
    await world.stop();
  });

  it('reads a role whose ownership tag was removed on its own, and leaves it alone once it is no longer dts-trust’s', async () => {
    const role = tencentFleetRoleName(1);
    await console().request('UntagRole', { RoleName: role, TagKeys: [Ownership.tagKey] });
    await console().request('UpdateRoleDescription', { RoleName: role, Description: 'taken over by the DBA team' });
    await console().request('UpdateAssumeRolePolicy', { RoleName: role, PolicyDocument: strangerTrust });
    world.cloud.log.length = 0;
    const run = await sweep('untagged');
    expect(outcomeOf(run, role)?.plan?.actions).toMatchObject([
      { kind: 'conflict', code: PlanConflictCode.RoleNotManaged },
    ]);
    expect(camCalls('DescribeRoleList')).toHaveLength(1);
    expect(camCalls('GetRole')).toHaveLength(1);
    expect(camWrites()).toEqual([]);
    expect(await trustOf(role)).toContain(TENCENT.stranger.uin);
  });

  it('keeps a role whose tag alone was removed in sync, read on its own', async () => {
    const role = tencentFleetRoleName(2);
    await console().request('UntagRole', { RoleName: role, TagKeys: [Ownership.tagKey] });
    world.cloud.log.length = 0;
    const run = await sweep('tag-only');
    expect(run.outcomes).toEqual({ inSync: ROLES });
    expect(camCalls('GetRole')).toHaveLength(1);
    expect(camWrites()).toEqual([]);
  });

  it('creates again a role deleted in the console: missing from the listing is read, never taken as absent', async () => {
    const role = tencentFleetRoleName(3);
    await console().request('DeleteRole', { RoleName: role });
    const run = await sweep('deleted');
    expect(outcomeOf(run, role)?.outcome).toBe('created');
    expect(camCalls('GetRole')).toHaveLength(1);
  });

  it('reads a role again before repairing it from a listing: one disowned since the listing is not touched', async () => {
    const role = tencentFleetRoleName(1);
    await console().request('UpdateAssumeRolePolicy', { RoleName: role, PolicyDocument: strangerTrust });
    const services = world.services();
    const cam = services.tencent?.directory;
    if (cam === undefined) throw new Error('the fleet has no Tencent side');
    // The console disowns the role right after the sweep's listing was answered, before the role's turn.
    const listOwnedRoles = cam.listOwnedRoles.bind(cam);
    cam.listOwnedRoles = async (account) => {
      const listed = await listOwnedRoles(account);
      await console().request('UpdateRoleDescription', { RoleName: role, Description: 'taken over by the DBA team' });
      return listed;
    };
    world.cloud.log.length = 0;
    const run = await reconcilerFor(services).reconcileAll({ correlationId: 'stale' });
    expect(outcomeOf(run, role)?.plan?.actions).toMatchObject([
      { kind: 'conflict', code: PlanConflictCode.RoleNotManaged },
    ]);
    expect(camWrites()).toEqual([]);
    expect(await trustOf(role)).toContain(TENCENT.stranger.uin);
  });

  it('repairs drift a listing shows once a read of the role confirms it', async () => {
    const role = tencentFleetRoleName(0);
    await console().request('UpdateAssumeRolePolicy', { RoleName: role, PolicyDocument: strangerTrust });
    world.cloud.log.length = 0;
    const run = await sweep('drift');
    expect(outcomeOf(run, role)?.outcome).toBe('repaired');
    expect(camCalls('GetRole')).toHaveLength(1);
    expect(camWrites().map((e) => e.action)).toEqual(['UpdateAssumeRolePolicy']);
    expect(await trustOf(role)).not.toContain(TENCENT.stranger.uin);
  });
});

describe('a sweep and CAM’s read-after-write lag (the readLagMs quirk)', () => {
  /** The cloud's and the product's clock: the adapters' waits for CAM's lag move it, as real waits would. */
  let clock: FakeClock;
  const lagSweep = (correlationId: string) => reconcilerFor(world.services(clock)).reconcileAll({ correlationId });
  beforeEach(async () => {
    clock = new FakeClock(new Date());
    world = await startTencentFleet(
      { owners: 1, rolesPerOwner: 2 },
      { quirks: { readLagMs: 5_000 }, cloudClock: clock },
    );
    owner = world.fleet.owners[0] ?? '';
    // The sub-user's policy is created and, once CAM shows it, attached in the same run (that role repaired).
    expect((await lagSweep('create')).outcomes).toEqual({ inSync: 1, repaired: 1 });
    expect((await lagSweep('settle')).outcomes).toEqual({ inSync: 2 });
  });
  afterEach(async () => {
    await world.stop();
  });

  it('neither creates twice nor writes a role CAM still hides from its listing, and settles it once CAM shows it', async () => {
    const role = 'dts-lagging';
    const [declared] = world.fleet.grants;
    if (declared === undefined) throw new Error('the fleet has no grant');
    await world
      .services(clock)
      .grants.putGrant({ ...declared, roleName: role, subAccountUins: undefined, revision: 0 });
    // Created moments ago (as by an intake's reconcile): CAM lists and reads it only after the lag.
    await console().request('CreateRole', {
      RoleName: role,
      PolicyDocument: await trustOf(tencentFleetRoleName(1)),
      Description: `${Ownership.descriptionPrefix}; created moments ago`,
      Tags: [{ Key: Ownership.tagKey, Value: Ownership.tagValue }],
    });
    world.cloud.log.length = 0;
    const within = await lagSweep('within-lag');
    // The one write is CAM refusing the name (the log does not keep Tencent's codes: they come in an HTTP 200).
    expect(camWrites().map((e) => e.action)).toEqual(['CreateRole']);
    expect(outcomeOf(within, role)).toMatchObject({
      outcome: 'failed',
      error: { code: 'InvalidParameter.RoleNameInUse' },
    });
    clock.advance(5_000);
    const after = await lagSweep('after-lag');
    expect(outcomeOf(after, role)?.outcome).toBe('repaired');
    expect((await lagSweep('settled')).outcomes).toEqual({ inSync: 3 });
  });
});
