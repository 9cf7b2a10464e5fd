import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEventType } from '../../../shared/domain/audit.js';
import { EXAMPLE } from '../../support/local-cloud.js';
import { type ReconcileWorld, startReconcileWorld } from './world.js';

/** An owner account nobody ran the setup for: it has no management role. */
const NO_MANAGER = {
  id: '1555000066667777',
  name: 'owner-without-manager',
  accessKeys: [{ id: 'LTAI5tLocalNoManagerRoot', secret: 'local-no-manager-root-secret-001' }],
};

/** An owner account whose management role trusts another account than the automation account. */
const UNTRUSTING = {
  id: '1555000077778888',
  name: 'owner-untrusting-manager',
  accessKeys: [{ id: 'LTAI5tLocalUntrustingRoot', secret: 'local-untrusting-root-secret-001' }],
  roles: [
    {
      name: EXAMPLE.managementRole,
      trustPolicy: {
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { RAM: [`acs:ram::${EXAMPLE.taskCreator.id}:root`] },
          },
        ],
      },
      policies: [{ name: 'AliyunRAMFullAccess', type: 'System' }],
    },
  ],
};

let world: ReconcileWorld;

beforeAll(async () => {
  world = await startReconcileWorld({}, { accounts: [NO_MANAGER, UNTRUSTING] });
});

afterAll(async () => {
  await world?.stop();
});

function accountFailure(accountId: string) {
  const events = world
    .deliveredEvents(AuditEventType.AccountFailed)
    .filter((e) => e.subject === `acs:ram::${accountId}:root`);
  expect(events).toHaveLength(1);
  return events[0]?.data as { codes: string[]; detail: { accountId: string; message: string } };
}

describe('an owner account whose management role cannot be assumed', () => {
  it('reports a missing management role as exactly that, naming the role, the account and the fix', async () => {
    const role = { ownerAccountId: NO_MANAGER.id, roleName: 'ram-for-dts' };
    await world.declare(role);
    const report = await world.reconcileAll('no-manager');
    const result = report.results.find((r) => r.role.ownerAccountId === NO_MANAGER.id);
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'ManagementRoleNotFound', accountLevel: true } });
    const message = result?.error?.message ?? '';
    expect(message).toContain(`management role ${EXAMPLE.managementRole}`);
    expect(message).toContain(`owner account ${NO_MANAGER.id}`);
    expect(message).toContain('does not exist (EntityNotExist.Role)');
    expect(message).toContain(`run the setup for account ${NO_MANAGER.id}`);
    expect(message).not.toMatch(/disappeared|ram-for-dts/);
    const failure = accountFailure(NO_MANAGER.id);
    expect(failure.codes).toEqual(['ManagementRoleNotFound']);
    expect(failure.detail.message).toBe(message);
    expect(world.deliveredEvents(AuditEventType.RoleFailed, role)).toEqual([]);
    expect(world.calls('sts', 'AssumeRole').filter((c) => c.code === 'EntityNotExist.Role')).toHaveLength(1);
    expect(world.calls('ram').filter((c) => c.accountId === NO_MANAGER.id)).toEqual([]);
  });

  it('reports a management role that does not trust the automation account as not trusted, with the fix', async () => {
    const role = { ownerAccountId: UNTRUSTING.id, roleName: 'ram-for-dts' };
    await world.declare(role);
    const report = await world.reconcileAll('untrusting');
    const result = report.results.find((r) => r.role.ownerAccountId === UNTRUSTING.id);
    expect(result).toMatchObject({
      outcome: 'failed',
      error: { code: 'ManagementRoleNotTrusted', accountLevel: true },
    });
    const message = result?.error?.message ?? '';
    expect(message).toContain(`management role ${EXAMPLE.managementRole} (DTS_TRUST_MANAGEMENT_ROLE)`);
    expect(message).toContain(`owner account ${UNTRUSTING.id}`);
    expect(message).toContain(`does not trust the automation account ${EXAMPLE.automation.id}`);
    expect(message).toContain(`run the setup for account ${UNTRUSTING.id}`);
    expect(accountFailure(UNTRUSTING.id).codes).toEqual(['ManagementRoleNotTrusted']);
  });
});
