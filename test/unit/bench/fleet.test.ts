import { describe, expect, it } from 'vitest';
import { countCalls, rolesLeftBehind } from '../../../bench/call-counts.js';
import { buildFleet, DriftKind, FLEET_TRUSTED_ACCOUNT, fleetAccountId, fleetDrift } from '../../../bench/fleet.js';
import { isOwnedDescription } from '../../../shared/domain/ownership.js';
import { parseTrustPolicy } from '../../../shared/policy/index.js';

describe('buildFleet', () => {
  const fleet = buildFleet({ accounts: 3, roles: 10 });

  it('spreads the roles evenly over the owner accounts', () => {
    expect(fleet.rolesPerAccount).toEqual([4, 3, 3]);
    expect(fleet.roles).toHaveLength(10);
    expect(fleet.grants).toHaveLength(10);
    expect(fleet.ownerAccountIds).toEqual([fleetAccountId(0), fleetAccountId(1), fleetAccountId(2)]);
    expect(fleetAccountId(12)).toMatch(/^\d{16}$/);
  });

  it('gives every owner the management role and roles exactly as their grants declare them', () => {
    const owner = fleet.accountsDocument.accounts.find((a) => a.id === fleetAccountId(0));
    const roles = (owner?.roles ?? []) as { name: string; description?: string; trustPolicy: string }[];
    expect(roles[0]?.name).toBe('dts-trust-manager');
    for (const role of roles.slice(1)) {
      expect(isOwnedDescription(role.description)).toBe(true);
      const principals = parseTrustPolicy(role.trustPolicy).entries.map((e) => e.principal);
      expect(principals.sort()).toEqual(
        [`acs:ram::${FLEET_TRUSTED_ACCOUNT}:root`, `${FLEET_TRUSTED_ACCOUNT}@dts.aliyuncs.com`].sort(),
      );
    }
  });

  it('refuses a fleet with fewer roles than accounts', () => {
    expect(() => buildFleet({ accounts: 5, roles: 4 })).toThrow(RangeError);
  });
});

describe('fleetDrift', () => {
  const roles = buildFleet({ accounts: 10, roles: 120 }).roles;

  it('drifts the given fraction of roles, cycling through every kind', () => {
    const edits = fleetDrift(roles, 0.05);
    const drifted = new Set(edits.map((e) => `${e.edit.accountId}/${e.edit.roleName}`));
    expect(drifted.size).toBe(6);
    expect(new Set(edits.map((e) => e.kind))).toEqual(new Set(Object.values(DriftKind)));
  });

  it('detaches the policy of a role before deleting it, as RAM requires', () => {
    const edits = fleetDrift(roles, 0.05).filter((e) => e.kind === DriftKind.RoleDeleted);
    expect(edits.map((e) => e.edit.kind)).toEqual(['detachPolicy', 'deleteRole']);
  });
});

describe('countCalls', () => {
  it('tells RAM reads from writes and counts AssumeRole, throttling and Tablestore', () => {
    const counts = countCalls([
      { service: 'ram', action: 'GetRole', status: 200 },
      { service: 'ram', action: 'ListPoliciesForRole', status: 200 },
      { service: 'ram', action: 'UpdateRole', status: 200 },
      { service: 'ram', action: 'GetRole', status: 400, code: 'Throttling.User' },
      { service: 'sts', action: 'AssumeRole', status: 200 },
      { service: 'tablestore', action: 'PutRow', status: 200 },
    ]);
    expect(counts).toMatchObject({
      ramReads: 3,
      ramWrites: 1,
      ramWritesByAction: { UpdateRole: 1 },
      assumeRole: 1,
      throttled: 1,
      tablestore: 1,
      tablestoreByAction: { PutRow: 1 },
      requests: 6,
    });
  });
});

describe('rolesLeftBehind', () => {
  const log = [
    { service: 'ram', action: 'GetRole', accountId: 'a', status: 200 },
    { service: 'ram', action: 'ListPoliciesForRole', accountId: 'a', status: 200 },
    { service: 'ram', action: 'GetRole', accountId: 'b', status: 200 },
    { service: 'ram', action: 'ListPoliciesForRole', accountId: 'b', status: 400, code: 'Throttling.User' },
  ];

  it('counts the roles whose reads were never both answered', () => {
    const roles = new Map([
      ['a', 1],
      ['b', 1],
      ['c', 2],
    ]);
    expect(rolesLeftBehind(countCalls(log), roles)).toBe(3);
  });

  it('is 0 when every role of every account was read', () => {
    expect(rolesLeftBehind(countCalls(log.slice(0, 2)), new Map([['a', 1]]))).toBe(0);
  });
});
