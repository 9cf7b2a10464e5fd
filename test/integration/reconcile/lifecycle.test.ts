import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleEdit } from '../../../local/harness/console-edits.js';
import { editInConsole } from '../../../local/harness/console-edits.js';
import { AuditEventType } from '../../../shared/domain/audit.js';
import type { RoleKey } from '../../../shared/domain/grant.js';
import { expireGrants } from '../../../shared/reconcile/grant-expiry.js';
import { EXAMPLE } from '../../support/local-cloud.js';
import { type ReconcileWorld, startReconcileWorld, TASK_ACCOUNT } from './world.js';

const SOURCE = EXAMPLE.sourceOwner.id;
const DESTINATION = EXAMPLE.destinationOwner.id;
/** An account no grant here declares. */
const STRANGER = EXAMPLE.automation.id;

let world: ReconcileWorld;

beforeAll(async () => {
  world = await startReconcileWorld();
});

afterAll(async () => {
  await world?.stop();
});

/** What every correct role here looks like: trusting the task account, with the DTS policy only. */
async function expectExactlyDeclared(role: RoleKey): Promise<void> {
  expect(await world.liveRole(role)).toMatchObject({
    description: expect.stringContaining('dts-trust'),
    ramPrincipals: [`acs:ram::${TASK_ACCOUNT}:root`],
    servicePrincipals: [`${TASK_ACCOUNT}@dts.aliyuncs.com`],
    policies: ['AliyunDTSRolePolicy'],
  });
  expect(await world.oracle(role)).toEqual({ accepted: true });
}

const trustOf = (ram: string[], service: string[]) => ({
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: ram, Service: service } }],
});

describe('reconciliation against the local cloud', () => {
  it('creates a declared role from nothing, and DTS accepts it', async () => {
    const role = { ownerAccountId: SOURCE, roleName: 'ram-for-dts-orders' };
    await world.declare(role);
    expect(await world.oracle(role)).toMatchObject({ accepted: false });
    const report = await world.reconcileAll('create');
    expect(report.outcomes).toEqual({ created: 1 });
    await expectExactlyDeclared(role);
    const [created] = world.deliveredEvents(AuditEventType.RoleCreated, role);
    expect(created).toMatchObject({ data: { correlationId: 'create', outcome: 'created' } });
  });

  it('costs two RAM reads per role and one AssumeRole per account in steady state, and writes nothing', async () => {
    for (const roleName of ['steady-a', 'steady-b', 'steady-c'])
      await world.declare({ ownerAccountId: SOURCE, roleName });
    for (const roleName of ['steady-d', 'steady-e']) await world.declare({ ownerAccountId: DESTINATION, roleName });
    await world.reconcileAll('setup');
    world.cloud.cloud.log.length = 0;
    // Fresh services: no STS credentials cached from earlier runs.
    const report = await world.reconcileAll('steady');
    const roles = report.roles;
    expect(roles).toBe(6);
    expect(report.outcomes).toEqual({ inSync: 6 });
    const ram = world.calls('ram');
    expect(ram.filter((c) => c.action === 'GetRole')).toHaveLength(roles);
    expect(ram.filter((c) => c.action === 'ListPoliciesForRole')).toHaveLength(roles);
    expect(ram).toHaveLength(2 * roles);
    const assumed = world.calls('sts', 'AssumeRole');
    expect(assumed).toHaveLength(2);
    expect(report.apiCalls).toEqual({ ram: 2 * roles, assumeRole: 2 });
  });

  const role = { ownerAccountId: SOURCE, roleName: 'ram-for-dts-drift' };
  const target = { accountId: SOURCE, roleName: role.roleName };
  const drifts: { name: string; edit: ConsoleEdit; oracleBefore: boolean; outcome: string }[] = [
    {
      name: 'trust edited to another account',
      edit: {
        kind: 'setTrustPolicy',
        ...target,
        trustPolicy: trustOf([`acs:ram::${STRANGER}:root`], [`${STRANGER}@dts.aliyuncs.com`]),
      },
      oracleBefore: false,
      outcome: 'repaired',
    },
    {
      name: 'an extra principal added',
      edit: {
        kind: 'setTrustPolicy',
        ...target,
        trustPolicy: trustOf(
          [`acs:ram::${TASK_ACCOUNT}:root`, `acs:ram::${STRANGER}:root`],
          [`${TASK_ACCOUNT}@dts.aliyuncs.com`],
        ),
      },
      oracleBefore: true,
      outcome: 'repaired',
    },
    {
      name: 'the service principal rewritten to bare dts.aliyuncs.com',
      edit: {
        kind: 'setTrustPolicy',
        ...target,
        trustPolicy: trustOf([`acs:ram::${TASK_ACCOUNT}:root`], ['dts.aliyuncs.com']),
      },
      oracleBefore: false,
      outcome: 'repaired',
    },
    {
      name: 'the DTS policy detached',
      edit: { kind: 'detachPolicy', ...target, policyName: 'AliyunDTSRolePolicy' },
      oracleBefore: false,
      outcome: 'repaired',
    },
    {
      name: 'a policy no grant declares attached',
      edit: { kind: 'attachPolicy', ...target, policyName: 'AdministratorAccess' },
      oracleBefore: true,
      outcome: 'repaired',
    },
    {
      name: 'the role deleted',
      edit: { kind: 'deleteRole', ...target },
      oracleBefore: false,
      outcome: 'created',
    },
  ];

  describe.each(drifts)('repairs drift: $name', ({ edit, oracleBefore, outcome }) => {
    it(`ends ${outcome}, exactly as declared, with the change audited, and DTS accepts the role`, async () => {
      await world.declare(role);
      await world.reconcileAll('baseline');
      await expectExactlyDeclared(role);
      await editInConsole(world.cloud.cloud, edit);
      expect((await world.oracle(role)).accepted).toBe(oracleBefore);
      const correlationId = `repair-${edit.kind}-${Math.random().toString(36).slice(2)}`;
      const report = await world.reconcileAll(correlationId);
      expect(report.results.find((r) => r.role.roleName === role.roleName)?.outcome).toBe(outcome);
      await expectExactlyDeclared(role);
      const type = outcome === 'created' ? AuditEventType.RoleCreated : AuditEventType.RoleRepaired;
      const events = world.deliveredEvents(type, role).filter((e) => {
        const data = e.data as { correlationId?: string };
        return data.correlationId === correlationId;
      });
      expect(events).toHaveLength(1);
      expect(events[0]?.data).toMatchObject({ outcome, grantIds: [`${SOURCE}/${role.roleName}/${TASK_ACCOUNT}`] });
    });
  });

  it('leaves a role it does not own untouched and reports the conflict, until a grant says adopt', async () => {
    const foreign = { ownerAccountId: DESTINATION, roleName: 'hand-made-dts-role' };
    const handMade = trustOf([`acs:ram::${STRANGER}:root`], [`${STRANGER}@dts.aliyuncs.com`]);
    const ram = world.cloud.ram(EXAMPLE.destinationOwner.root);
    const RamSdk = await import('@alicloud/ram20150501');
    await ram.createRole(
      new RamSdk.CreateRoleRequest({
        roleName: foreign.roleName,
        assumeRolePolicyDocument: JSON.stringify(handMade),
        description: 'made by hand by the DBA team',
      }),
    );
    const before = await world.liveRole(foreign);
    await world.declare(foreign);
    const report = await world.reconcileAll('conflict');
    expect(report.results.find((r) => r.role.roleName === foreign.roleName)?.outcome).toBe('conflict');
    expect(await world.liveRole(foreign)).toEqual(before);
    expect(world.deliveredEvents(AuditEventType.RoleConflict, foreign)).toHaveLength(1);

    await world.declare({ ...foreign, adopt: true });
    const adopted = await world.reconcileAll('adopt');
    expect(adopted.results.find((r) => r.role.roleName === foreign.roleName)?.outcome).toBe('adopted');
    await expectExactlyDeclared(foreign);
  });

  it('narrows the trust when one of two grants is revoked, and deletes the role when the last one goes', async () => {
    const shared = { ownerAccountId: SOURCE, roleName: 'ram-for-dts-shared' };
    const first = await world.declare(shared);
    const second = await world.declare({ ...shared, trustedAccountId: DESTINATION });
    const { reconciler } = world.reconciler();
    expect((await reconciler.reconcileRole(shared, { correlationId: 'declare' })).outcome).toBe('created');
    expect((await world.liveRole(shared))?.ramPrincipals).toEqual(
      [`acs:ram::${TASK_ACCOUNT}:root`, `acs:ram::${DESTINATION}:root`].sort(),
    );

    await world.revoke(second);
    expect((await reconciler.reconcileRole(shared, { correlationId: 'revoke-one' })).outcome).toBe('repaired');
    await expectExactlyDeclared(shared);

    await world.revoke(first);
    expect((await reconciler.reconcileRole(shared, { correlationId: 'revoke-last' })).outcome).toBe('deleted');
    expect(await world.liveRole(shared)).toBeUndefined();
    expect(await world.oracle(shared)).toMatchObject({ accepted: false });
  });

  it('deletes the role once its grant expires, then forgets the expired grant', async () => {
    const expiring = { ownerAccountId: DESTINATION, roleName: 'ram-for-dts-temporary' };
    const expiresAt = new Date(Date.now() + 60 * 60_000);
    await world.declare({ ...expiring, expiresAt: expiresAt.toISOString() });
    const first = await world.reconcileAll('before-expiry');
    expect(first.results.find((r) => r.role.roleName === expiring.roleName)?.outcome).toBe('created');
    await expectExactlyDeclared(expiring);

    const later = new Date(expiresAt.getTime() + 60_000);
    const clock = { now: () => later, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
    const { services, reconciler } = world.reconciler({ clock });
    const runStarted = later;
    const report = await reconciler.reconcileAll({ correlationId: 'after-expiry' });
    expect(report.results.find((r) => r.role.roleName === expiring.roleName)?.outcome).toBe('deleted');
    expect(await world.liveRole(expiring)).toBeUndefined();
    expect(await world.oracle(expiring)).toMatchObject({ accepted: false });

    const removed = await expireGrants(
      { grants: services.grants, status: services.status, audit: services.outbox, clock },
      'after-expiry',
      runStarted,
    );
    expect(removed).toBe(1);
    expect(await services.grants.listGrantsForRole(expiring)).toEqual([]);
  });
});
