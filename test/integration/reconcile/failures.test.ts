import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { editInConsole } from '../../../local/harness/console-edits.js';
import { deliverAuditEvents } from '../../../shared/audit/deliver-audit-events.js';
import { AuditEventType } from '../../../shared/domain/audit.js';
import type { RoleKey } from '../../../shared/domain/grant.js';
import { EXAMPLE } from '../../support/local-cloud.js';
import { LOCKED_OWNER, type ReconcileWorld, startReconcileWorld, TASK_ACCOUNT } from './world.js';

const SOURCE = EXAMPLE.sourceOwner.id;
const DESTINATION = EXAMPLE.destinationOwner.id;

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

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

async function expectDtsAccepts(role: RoleKey): Promise<void> {
  expect(await world.oracle(role)).toEqual({ accepted: true });
}

describe('reconciliation when the cloud misbehaves', () => {
  it('stops an account answering NoPermission and reconciles the other accounts', async () => {
    for (const roleName of names('locked', 3)) await world.declare({ ownerAccountId: LOCKED_OWNER.id, roleName });
    for (const roleName of names('open', 2)) await world.declare({ ownerAccountId: SOURCE, roleName });
    world.cloud.cloud.log.length = 0;
    const report = await world.reconcileAll('no-permission');
    expect(report.failedAccounts).toEqual([
      { accountId: LOCKED_OWNER.id, code: 'NoPermission', message: expect.any(String) },
    ]);
    const byAccount = (account: string) =>
      report.results.filter((r) => r.role.ownerAccountId === account).map((r) => r.outcome);
    expect(byAccount(LOCKED_OWNER.id)).toEqual(['failed', 'failed', 'failed']);
    expect(byAccount(SOURCE)).toEqual(['created', 'created']);
    // Only the roles already in flight tried a write there; every one was refused, nothing changed.
    const lockedWrites = world
      .calls('ram')
      .filter((c) => c.accountId === LOCKED_OWNER.id && !/^(Get|List)/.test(c.action));
    expect(lockedWrites.length).toBeGreaterThan(0);
    expect(lockedWrites.length).toBeLessThanOrEqual(3);
    for (const write of lockedWrites)
      expect(write).toEqual({ action: 'CreateRole', accountId: LOCKED_OWNER.id, code: 'NoPermission' });
    expect(world.deliveredEvents(AuditEventType.AccountFailed)).toEqual([
      expect.objectContaining({ subject: `acs:ram::${LOCKED_OWNER.id}:root` }),
    ]);
    for (const roleName of names('open', 2)) await expectDtsAccepts({ ownerAccountId: SOURCE, roleName });
  });

  it('survives a throttling storm with every role reconciled in the end', async () => {
    const roles = names('storm', 12).map((roleName) => ({ ownerAccountId: DESTINATION, roleName }));
    for (const role of roles) await world.declare(role);
    world.cloud.cloud.setFaults({ qpsLimits: [{ service: 'ram', qps: 4 }] });
    world.cloud.cloud.log.length = 0;
    const report = await world.reconcileAll('storm', {
      // A retry budget no scheduling delay on a loaded machine exhausts: the test is about every role getting through.
      env: { DTS_TRUST_RETRY_MAX_ATTEMPTS: '40', DTS_TRUST_RETRY_BASE_MS: '50', DTS_TRUST_RETRY_MAX_MS: '400' },
    });
    const throttled = world.calls('ram').filter((c) => c.code === 'Throttling.User');
    expect(throttled.length).toBeGreaterThan(0);
    expect(report.failedAccounts.map((f) => f.accountId)).not.toContain(DESTINATION);
    const stormOutcomes = report.results.filter((r) => r.role.roleName.startsWith('storm-')).map((r) => r.outcome);
    expect(stormOutcomes).toEqual(Array(12).fill('created'));
    world.cloud.cloud.setFaults({});
    for (const role of roles) await expectDtsAccepts(role);
  });

  it('loses no audit event to an EventBridge outage: they wait in the outbox and go out on the next run', async () => {
    const role = { ownerAccountId: SOURCE, roleName: 'outage-role' };
    await world.declare(role);
    world.cloud.cloud.setFaults({ outages: ['eventbridge'] });
    const report = await world.reconcileAll('during-outage');
    const recorded = report.results.flatMap((r) => r.auditEvents.map((e) => e.id));
    expect(recorded.length).toBeGreaterThan(0);
    expect(world.deliveredEvents(AuditEventType.RoleCreated, role)).toEqual([]);

    const services = world.services();
    const waiting = (await services.outbox.pending(1000)).map((e) => e.id);
    expect(waiting).toEqual(expect.arrayContaining(recorded));

    world.cloud.cloud.setFaults({});
    const delivery = await deliverAuditEvents(services.outbox, services.sink);
    expect(delivery.pending).toBe(0);
    expect(world.deliveredEvents(AuditEventType.RoleCreated, role)).toHaveLength(1);
    const delivered = world.deliveredIds();
    expect(recorded.filter((id) => !delivered.has(id))).toEqual([]);
    expect(await services.outbox.pending(1000)).toEqual([]);
  });

  it('ends in one consistent state when two reconcilers race on one role', async () => {
    const role = { ownerAccountId: SOURCE, roleName: 'raced-role' };
    await world.declare(role);
    const first = world.reconciler();
    const second = world.reconciler();
    // Race on creation.
    const created = await Promise.all([
      first.reconciler.reconcileRole(role, { correlationId: 'racer-1' }),
      second.reconciler.reconcileRole(role, { correlationId: 'racer-2' }),
    ]);
    expect(created.map((r) => r.outcome)).toContain('created');
    // Race on a repair.
    await editInConsole(world.cloud.cloud, {
      kind: 'setTrustPolicy',
      accountId: SOURCE,
      roleName: role.roleName,
      trustPolicy: {
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${DESTINATION}:root`] } },
        ],
      },
    });
    await editInConsole(world.cloud.cloud, {
      kind: 'detachPolicy',
      accountId: SOURCE,
      roleName: role.roleName,
      policyName: 'AliyunDTSRolePolicy',
    });
    const repaired = await Promise.all([
      first.reconciler.reconcileAll({ correlationId: 'race-a' }),
      second.reconciler.reconcileAll({ correlationId: 'race-b' }),
    ]);
    for (const run of repaired) expect(run.outcomes.failed ?? 0).toBe(0);

    expect(await world.liveRole(role)).toMatchObject({
      ramPrincipals: [`acs:ram::${TASK_ACCOUNT}:root`],
      servicePrincipals: [`${TASK_ACCOUNT}@dts.aliyuncs.com`],
      policies: ['AliyunDTSRolePolicy'],
    });
    await expectDtsAccepts(role);
    world.cloud.cloud.log.length = 0;
    const after = await world.reconciler().reconciler.reconcileRole(role, { correlationId: 'after-race' });
    expect(after.outcome).toBe('inSync');
    expect(world.calls('ram').filter((c) => !/^(Get|List)/.test(c.action))).toEqual([]);
    expect(await world.services().status.getStatus(role)).toMatchObject({ lastResult: 'inSync', failureCount: 0 });
  });

  it('removes a revoked role on the next run when RAM was down right after the revoke', async () => {
    const role = { ownerAccountId: DESTINATION, roleName: 'revoked-during-outage' };
    const grant = await world.declare(role);
    expect((await world.reconciler().reconciler.reconcileRole(role, { correlationId: 'declare' })).outcome).toBe(
      'created',
    );
    await world.revoke(grant);
    world.cloud.cloud.setFaults({ outages: ['ram'] });
    const during = await world
      .reconciler({ env: { DTS_TRUST_RETRY_MAX_ATTEMPTS: '2' } })
      .reconciler.reconcileRole(role, { correlationId: 'revoke' });
    expect(during.outcome).toBe('failed');
    world.cloud.cloud.setFaults({});
    expect(await world.liveRole(role)).toBeDefined();

    const report = await world.reconcileAll('next-run');
    expect(report.results.find((r) => r.role.roleName === role.roleName)?.outcome).toBe('deleted');
    expect(await world.liveRole(role)).toBeUndefined();
    expect(await world.services().status.getStatus(role)).toBeUndefined();
    expect(world.deliveredEvents(AuditEventType.RoleDeleted, role)).toHaveLength(1);
  });
});
