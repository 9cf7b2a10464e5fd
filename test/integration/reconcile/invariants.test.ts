/**
 * The reconcile invariants against the local cloud, tried as the trusted account would: its RAM user assumes the
 * role with the real STS SDK and calls RAM with the session, before and after every RAM change the engine makes.
 */
import * as RamSdk from '@alicloud/ram20150501';
import * as StsSdk from '@alicloud/sts20150401';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { editInConsole } from '../../../local/harness/console-edits.js';
import { deliverAuditEvents } from '../../../shared/audit/deliver-audit-events.js';
import { reconcilerFor } from '../../../shared/composition/reconciler.js';
import { AuditEventType } from '../../../shared/domain/audit.js';
import type { RoleKey } from '../../../shared/domain/grant.js';
import { EXAMPLE, type TestKeys, testRuntime } from '../../support/local-cloud.js';
import { DIRECTORY_WRITES, type DirectoryMethod } from '../../support/memory-role-directory.js';
import { type ReconcileWorld, startReconcileWorld, TASK_ACCOUNT, TASK_OPERATOR } from './world.js';

const SOURCE = EXAMPLE.sourceOwner.id;
const DESTINATION = EXAMPLE.destinationOwner.id;
/** An account no grant here declares: the one a hand-made role trusted before it was adopted. */
const STRANGER = EXAMPLE.automation.id;

let world: ReconcileWorld;

beforeAll(async () => {
  world = await startReconcileWorld();
});

afterEach(() => {
  world.cloud.cloud.setFaults({});
});

afterAll(async () => {
  await world?.stop();
});

/** What the task account's operator can do with a role: not assume it, assume it without RAM access, or use RAM. */
type Reach = 'cannot assume' | 'assumed, no RAM access' | 'assumed, RAM access';

async function operatorReach(role: RoleKey, user: TestKeys = TASK_OPERATOR.keys): Promise<Reach> {
  let keys: TestKeys;
  try {
    const assumed = await world.cloud.sts(user).assumeRoleWithOptions(
      new StsSdk.AssumeRoleRequest({
        roleArn: `acs:ram::${role.ownerAccountId}:role/${role.roleName}`,
        roleSessionName: 'task-operator',
      }),
      testRuntime(),
    );
    const c = assumed.body?.credentials;
    if (!c?.accessKeyId || !c.accessKeySecret || !c.securityToken) throw new Error('AssumeRole gave no credentials');
    keys = { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken };
  } catch (error) {
    if ((error as { code?: string }).code === undefined) throw error;
    return 'cannot assume';
  }
  try {
    await world.cloud.ram(keys).listRolesWithOptions(new RamSdk.ListRolesRequest({}), testRuntime());
    return 'assumed, RAM access';
  } catch (error) {
    if ((error as { code?: string }).code === undefined) throw error;
    return 'assumed, no RAM access';
  }
}

/** A reconciler whose RAM directory lets the operator try the role before and after every change it makes. */
function probedEngine(role: RoleKey, env: Record<string, string> = {}) {
  const services = world.services({ env });
  const reaches: { call: string; when: 'before' | 'after'; reach: Reach }[] = [];
  const directory = new Proxy(services.directory, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      // The adapter keeps private fields: call it on itself, never on the proxy.
      if (!DIRECTORY_WRITES.has(name as DirectoryMethod)) return value.bind(target);
      return async (...args: unknown[]) => {
        reaches.push({ call: String(name), when: 'before', reach: await operatorReach(role) });
        try {
          return await value.apply(target, args);
        } finally {
          reaches.push({ call: String(name), when: 'after', reach: await operatorReach(role) });
        }
      };
    },
  });
  return { services, reconciler: reconcilerFor({ ...services, directory }), reaches };
}

async function handMadeRole(role: RoleKey, trustedAccount: string, policies: string[]): Promise<void> {
  const ram = world.cloud.ram(
    role.ownerAccountId === SOURCE ? EXAMPLE.sourceOwner.root : EXAMPLE.destinationOwner.root,
  );
  await ram.createRoleWithOptions(
    new RamSdk.CreateRoleRequest({
      roleName: role.roleName,
      description: 'made by hand by the DBA team',
      assumeRolePolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${trustedAccount}:root`] } },
        ],
      }),
    }),
    testRuntime(),
  );
  for (const policyName of policies) {
    await ram.attachPolicyToRoleWithOptions(
      new RamSdk.AttachPolicyToRoleRequest({ roleName: role.roleName, policyName, policyType: 'System' }),
      testRuntime(),
    );
  }
}

describe('reconcile invariants against the local cloud', () => {
  it('adopts a role holding AdministratorAccess without the new account ever reaching it, even when the detach fails', async () => {
    const role = { ownerAccountId: DESTINATION, roleName: 'legacy-admin-role' };
    await handMadeRole(role, STRANGER, ['AdministratorAccess']);
    await world.declare({ ...role, adopt: true });
    expect(await operatorReach(role)).toBe('cannot assume');

    world.cloud.cloud.setFaults({ errors: { rate: 1, services: ['ram'], actions: ['DetachPolicyFromRole'] } });
    const failing = probedEngine(role, { DTS_TRUST_RETRY_MAX_ATTEMPTS: '1' });
    const failed = await failing.reconciler.reconcileRole(role, { correlationId: 'adopt-detach-fails' });
    expect(failed).toMatchObject({ outcome: 'failed', error: { code: 'ServiceUnavailable' } });
    expect(new Set(failing.reaches.map((r) => r.reach))).toEqual(new Set(['cannot assume']));
    expect(failing.reaches.map((r) => `${r.when} ${r.call}`)).toEqual([
      'before updateDescription',
      'after updateDescription',
      'before detachPolicy',
      'after detachPolicy',
    ]);
    // The failed detach left the role as it was but for the ownership marker: the new account is not trusted.
    expect(await world.liveRole(role)).toMatchObject({
      description: expect.stringContaining('dts-trust'),
      ramPrincipals: [`acs:ram::${STRANGER}:root`],
      policies: ['AdministratorAccess'],
    });
    await deliverAuditEvents(failing.services.outbox, failing.services.sink);
    expect(world.deliveredEvents(AuditEventType.RoleFailed, role).at(-1)).toMatchObject({
      data: { detail: { failedAction: 'detach AdministratorAccess (System) (no grant declares it)' } },
    });

    world.cloud.cloud.setFaults({});
    const healthy = probedEngine(role);
    expect((await healthy.reconciler.reconcileRole(role, { correlationId: 'adopt-again' })).outcome).toBe('repaired');
    expect(healthy.reaches.map((r) => `${r.when} ${r.call}`)).toEqual([
      'before detachPolicy',
      'after detachPolicy',
      'before updateTrustPolicy',
      'after updateTrustPolicy',
      'before attachPolicy',
      'after attachPolicy',
    ]);
    expect(healthy.reaches.map((r) => r.reach)).not.toContain('assumed, RAM access');
    expect(await operatorReach(role)).toBe('assumed, no RAM access');
    expect(await world.liveRole(role)).toMatchObject({
      ramPrincipals: [`acs:ram::${TASK_ACCOUNT}:root`],
      servicePrincipals: [`${TASK_ACCOUNT}@dts.aliyuncs.com`],
      policies: ['AliyunDTSRolePolicy'],
    });
    expect(await world.oracle(role)).toEqual({ accepted: true });
  });

  it('never lets a newly trusted account reach a policy someone attached by hand to an owned role', async () => {
    const role = { ownerAccountId: SOURCE, roleName: 'ram-for-dts-hand-admin' };
    await world.declare({ ...role, trustedAccountId: DESTINATION });
    await world.reconcileAll('hand-admin-setup');
    await editInConsole(world.cloud.cloud, {
      kind: 'attachPolicy',
      accountId: SOURCE,
      roleName: role.roleName,
      policyName: 'AdministratorAccess',
    });
    await world.declare(role);

    world.cloud.cloud.setFaults({ errors: { rate: 1, services: ['ram'], actions: ['DetachPolicyFromRole'] } });
    const failing = probedEngine(role, { DTS_TRUST_RETRY_MAX_ATTEMPTS: '1' });
    expect((await failing.reconciler.reconcileRole(role, { correlationId: 'hand-admin-detach-fails' })).outcome).toBe(
      'failed',
    );
    expect(new Set(failing.reaches.map((r) => r.reach))).toEqual(new Set(['cannot assume']));
    expect((await world.liveRole(role))?.ramPrincipals).toEqual([`acs:ram::${DESTINATION}:root`]);

    world.cloud.cloud.setFaults({});
    const healthy = probedEngine(role);
    expect((await healthy.reconciler.reconcileRole(role, { correlationId: 'hand-admin-repair' })).outcome).toBe(
      'repaired',
    );
    expect(healthy.reaches.map((r) => r.reach)).not.toContain('assumed, RAM access');
    expect(healthy.reaches.map((r) => `${r.when} ${r.call}`).slice(0, 2)).toEqual([
      'before detachPolicy',
      'after detachPolicy',
    ]);
    expect(await operatorReach(role)).toBe('assumed, no RAM access');
    expect((await world.liveRole(role))?.policies).toEqual(['AliyunDTSRolePolicy']);
  });

  it('keeps removing a wildcard someone keeps adding back, after the flap pause too, with a removal-fight finding', async () => {
    const role = { ownerAccountId: DESTINATION, roleName: 'ram-for-dts-fought' };
    const env = { DTS_TRUST_FLAP_LIMIT: '2' };
    await world.declare(role);
    await world.reconcileAll('fight-setup', { env });
    const outsider = EXAMPLE.automation.runner;
    for (let round = 1; round <= 3; round++) {
      const live = await world.liveRole(role);
      const trust = JSON.parse(live?.trustPolicy ?? '{}');
      trust.Statement[0].Principal.RAM = [...[trust.Statement[0].Principal.RAM].flat(), '*'];
      await editInConsole(world.cloud.cloud, {
        kind: 'setTrustPolicy',
        accountId: DESTINATION,
        roleName: role.roleName,
        trustPolicy: trust,
      });
      expect(await operatorReach(role, outsider)).toBe('assumed, no RAM access');
      const report = await world.reconcileAll(`fight-${round}`, { env });
      expect(report.results.find((r) => r.role.roleName === role.roleName)?.outcome).toBe('repaired');
      expect(await operatorReach(role, outsider)).toBe('cannot assume');
    }
    expect((await world.services().status.getStatus(role))?.pausedReason).toBeDefined();
    const findings = world.deliveredEvents('dts-trust.finding.removal-fight', role);
    expect(findings.map((e) => (e.data as { correlationId: string }).correlationId)).toEqual(['fight-2', 'fight-3']);
    expect(findings[0]).toMatchObject({ data: { severity: 'high', kind: 'removal-fight' } });
  });

  it.each(['dts-trust-manager', 'DTS-Trust-Manager'])(
    'refuses to adopt the management role declared as %s, and dts-trust can still enter the account',
    async (roleName) => {
      const role = { ownerAccountId: SOURCE, roleName };
      const before = await world.liveRole(role);
      expect(before?.policies).toEqual(['AliyunRAMFullAccess']);
      await world.declare({ ...role, adopt: true });
      const report = await world.reconcileAll(`protected-${roleName}`);
      expect(report.results.find((r) => r.role.roleName === roleName)).toMatchObject({
        outcome: 'conflict',
        applied: [],
      });
      expect(await world.liveRole(role)).toEqual(before);
      expect(await operatorReach(role)).toBe('cannot assume');
      const conflicts = world
        .deliveredEvents(AuditEventType.RoleConflict, { ...role, roleName: 'dts-trust-manager' })
        .filter((e) => (e.data as { correlationId?: string }).correlationId === `protected-${roleName}`);
      expect(conflicts).toEqual([
        expect.objectContaining({ data: expect.objectContaining({ codes: ['RoleProtected'] }) }),
      ]);
      // The product still reaches the account through the role it refused to touch.
      await world.cloud.assume(SOURCE);
      await world.revoke(await world.declare({ ...role, adopt: true }));
    },
  );

  it('removes the account of a revoked grant while the other grant of the role is paused', async () => {
    const role = { ownerAccountId: SOURCE, roleName: 'ram-for-dts-paused' };
    const revoked = await world.declare(role);
    await world.declare({ ...role, trustedAccountId: DESTINATION });
    await world.reconcileAll('paused-setup');
    await world.declare({ ...role, trustedAccountId: DESTINATION, mode: 'paused' });
    await world.revoke(revoked);
    expect(await operatorReach(role)).toBe('assumed, no RAM access');
    const report = await world.reconcileAll('paused-revoke');
    expect(report.results.find((r) => r.role.roleName === role.roleName)?.outcome).toBe('repaired');
    expect((await world.liveRole(role))?.ramPrincipals).toEqual([`acs:ram::${DESTINATION}:root`]);
    expect(await operatorReach(role)).toBe('cannot assume');
  });
});
