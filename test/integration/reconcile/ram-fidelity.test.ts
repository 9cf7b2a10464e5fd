import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editInConsole } from '../../../local/harness/console-edits.js';
import { LOCAL_AUTOMATION } from '../../../local/harness/local-environment.js';
import { managementRolePolicy } from '../../../shared/deploy/permissions.js';
import { AuditEventType } from '../../../shared/domain/audit.js';
import { EXAMPLE } from '../../support/local-cloud.js';
import { type ReconcileWorld, startReconcileWorld, TASK_ACCOUNT } from './world.js';

const managementTrust = {
  Version: '1',
  Statement: [
    { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${LOCAL_AUTOMATION.accountId}:root`] } },
  ],
};

/** An owner account whose management role has exactly the documented least-privilege policy. */
const LEAST_PRIVILEGE = {
  id: '1555000044445555',
  name: 'least-privilege-owner',
  accessKeys: [{ id: 'LTAI5tLocalLeastPrivilegeRoot', secret: 'local-least-privilege-root-secr1' }],
  customPolicies: { 'dts-trust-management': managementRolePolicy() },
  roles: [
    {
      name: EXAMPLE.managementRole,
      trustPolicy: managementTrust,
      policies: [{ name: 'dts-trust-management', type: 'Custom' }],
    },
  ],
};

/** An owner account whose management role may manage roles but not touch any policy resource. */
const ROLES_ONLY = {
  id: '1555000055556666',
  name: 'roles-only-owner',
  accessKeys: [{ id: 'LTAI5tLocalRolesOnlyOwnerRoot', secret: 'local-roles-only-owner-root-sec1' }],
  customPolicies: {
    'roles-only': {
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: ['ram:*'], Resource: ['acs:ram:*:*:role/*'] }],
    },
  },
  roles: [
    { name: EXAMPLE.managementRole, trustPolicy: managementTrust, policies: [{ name: 'roles-only', type: 'Custom' }] },
  ],
};

let world: ReconcileWorld;

beforeAll(async () => {
  world = await startReconcileWorld({}, { accounts: [LEAST_PRIVILEGE, ROLES_ONLY] });
});

afterAll(async () => {
  await world?.stop();
});

const outcomeOf = (report: { results: readonly { role: { roleName: string }; outcome: string }[] }, name: string) =>
  report.results.find((r) => r.role.roleName === name)?.outcome;

describe('reconciling with the documented least-privilege management policy', () => {
  const role = { ownerAccountId: LEAST_PRIVILEGE.id, roleName: 'ram-for-dts-least' };

  it('creates the role, detaches a policy nobody declared, and deletes the role after a revoke', async () => {
    const grant = await world.declare(role);
    expect(outcomeOf(await world.reconcileAll('lp-create'), role.roleName)).toBe('created');
    expect((await world.liveRole(role))?.policies).toEqual(['AliyunDTSRolePolicy']);

    await editInConsole(world.cloud.cloud, {
      kind: 'attachPolicy',
      accountId: role.ownerAccountId,
      roleName: role.roleName,
      policyName: 'AliyunRAMReadOnlyAccess',
    });
    expect(outcomeOf(await world.reconcileAll('lp-repair'), role.roleName)).toBe('repaired');
    expect((await world.liveRole(role))?.policies).toEqual(['AliyunDTSRolePolicy']);

    await world.revoke(grant);
    world.cloud.cloud.log.length = 0;
    expect(outcomeOf(await world.reconcileAll('lp-revoke'), role.roleName)).toBe('deleted');
    expect(await world.liveRole(role)).toBeUndefined();
    expect(world.calls('ram').filter((c) => c.code === 'NoPermission')).toEqual([]);
  });

  it('retries DeleteRole while RAM still reports the policy it just detached, instead of failing the role', async () => {
    const settling = { ownerAccountId: EXAMPLE.sourceOwner.id, roleName: 'ram-for-dts-settling' };
    const grant = await world.declare(settling);
    await world.reconcileAll('settle-create');
    await world.revoke(grant);
    world.cloud.cloud.log.length = 0;
    const report = await world.reconcileAll('settle-revoke');
    expect(outcomeOf(report, settling.roleName)).toBe('deleted');
    const deletes = world.calls('ram', 'DeleteRole').map((c) => c.code ?? 'ok');
    expect(deletes[0]).toBe('DeleteConflict.Role.Policy');
    expect(deletes.at(-1)).toBe('ok');
    expect(world.deliveredEvents(AuditEventType.RoleFailed, settling)).toEqual([]);
  });
});

describe('a management role allowed on roles but not on policies', () => {
  it('fails the account with NoPermission on the policy resource, and creates nothing half-attached', async () => {
    const role = { ownerAccountId: ROLES_ONLY.id, roleName: 'ram-for-dts-denied' };
    await world.declare(role);
    const report = await world.reconcileAll('roles-only');
    expect(outcomeOf(report, role.roleName)).toBe('failed');
    const denied = world.calls('ram', 'AttachPolicyToRole');
    expect(denied).toEqual([{ action: 'AttachPolicyToRole', accountId: ROLES_ONLY.id, code: 'NoPermission' }]);
    const failed = world
      .deliveredEvents(AuditEventType.AccountFailed)
      .filter((e) => e.subject === `acs:ram::${ROLES_ONLY.id}:root`);
    expect(JSON.stringify(failed[0]?.data)).toContain('acs:ram:*:system:policy/AliyunDTSRolePolicy');
  });
});

describe('a trust policy carrying another STS action', () => {
  it('is reported as a statement nobody declared and replaced by the declared policy', async () => {
    const role = { ownerAccountId: EXAMPLE.sourceOwner.id, roleName: 'ram-for-dts-source-identity' };
    await world.declare(role);
    await world.reconcileAll('si-create');
    await editInConsole(world.cloud.cloud, {
      kind: 'setTrustPolicy',
      accountId: role.ownerAccountId,
      roleName: role.roleName,
      trustPolicy: {
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
            Principal: { RAM: [`acs:ram::${TASK_ACCOUNT}:root`], Service: [`${TASK_ACCOUNT}@dts.aliyuncs.com`] },
          },
        ],
      },
    });
    const report = await world.reconcileAll('si-repair');
    expect(outcomeOf(report, role.roleName)).toBe('repaired');
    const live = await world.liveRole(role);
    expect(live?.trustPolicy).not.toContain('SetSourceIdentity');
    expect(live?.ramPrincipals).toEqual([`acs:ram::${TASK_ACCOUNT}:root`]);
    const [repaired] = world
      .deliveredEvents(AuditEventType.RoleRepaired, role)
      .filter((e) => (e.data as { correlationId?: string }).correlationId === 'si-repair');
    const diff = ((repaired?.data ?? {}) as { diff?: { summary?: string; toRemove?: { finding: string }[] } }).diff;
    expect(diff?.summary).toContain('remove Allow sts:SetSourceIdentity RAM');
    expect(diff?.summary).toContain('statement no grant declares');
    expect(diff?.toRemove?.map((r) => r.finding)).toEqual(['undeclaredStatement', 'undeclaredStatement']);
  });
});
