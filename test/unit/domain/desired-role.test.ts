import { describe, expect, it } from 'vitest';
import { desiredRoleFromGrants, isGrantActive, mostConservativeMode } from '../../../shared/domain/desired-role.js';
import type { GrantInput, GrantMode } from '../../../shared/domain/grant.js';
import { A, B, C, grant, NOW, ticket } from './fixtures.js';

const role = { ownerAccountId: A, roleName: 'ram-for-dts' };
const D = '4444444444444444';

describe('isGrantActive', () => {
  it.each([
    { expiresAt: undefined, active: true },
    { expiresAt: '2030-01-01T00:00:01Z', active: true },
    { expiresAt: '2030-01-01T00:00:00Z', active: false },
    { expiresAt: '2029-12-31T23:59:59Z', active: false },
    { expiresAt: '2030-01-01T08:00:01+08:00', active: true },
  ])('is $active for expiresAt $expiresAt at 2030-01-01T00:00:00Z', ({ expiresAt, active }) => {
    expect(isGrantActive(expiresAt === undefined ? {} : { expiresAt }, NOW)).toBe(active);
  });
});

describe('mostConservativeMode', () => {
  it.each<{ modes: GrantMode[]; expected: GrantMode }>([
    { modes: [], expected: 'enforce' },
    { modes: ['enforce', 'enforce'], expected: 'enforce' },
    { modes: ['enforce', 'observe'], expected: 'observe' },
    { modes: ['observe', 'paused', 'enforce'], expected: 'paused' },
    { modes: ['paused', 'observe'], expected: 'paused' },
  ])('picks $expected from $modes', ({ modes, expected }) => {
    expect(mostConservativeMode(modes)).toBe(expected);
  });
});

describe('desiredRoleFromGrants', () => {
  it('is undefined when the role has no grant', () => {
    expect(desiredRoleFromGrants(role, [], NOW)).toBeUndefined();
  });

  it('is undefined when every grant expired', () => {
    const grants = [
      grant({ expiresAt: '2029-01-01T00:00:00Z' }),
      grant({ trustedAccountId: C, expiresAt: '2029-06-01T00:00:00Z' }),
    ];
    expect(desiredRoleFromGrants(role, grants, NOW)).toBeUndefined();
  });

  it('trusts the sorted unique union of the active grants, leaving out expired ones', () => {
    const grants = [
      grant({ trustedAccountId: D }),
      grant({ trustedAccountId: B }),
      grant({ trustedAccountId: C, expiresAt: '2029-01-01T00:00:00Z' }),
      grant({ trustedAccountId: B, ticket: { ...ticket, id: 'DTS-43' } }),
    ];
    const desired = desiredRoleFromGrants(role, grants, NOW);
    expect(desired?.trustedAccountIds).toEqual([B, D]);
    expect(desired?.grantIds).toEqual([`${A}/ram-for-dts/${B}`, `${A}/ram-for-dts/${D}`]);
    expect(desired?.tickets.map((t) => t.id)).toEqual(['DTS-42', 'DTS-43']);
  });

  it('attaches the sorted unique union of the policies', () => {
    const grants = [
      grant({ policies: ['AliyunDTSRolePolicy', 'Zeta'] }),
      grant({ trustedAccountId: C, policies: ['Alpha', 'AliyunDTSRolePolicy'] }),
    ];
    expect(desiredRoleFromGrants(role, grants, NOW)?.policies).toEqual(['AliyunDTSRolePolicy', 'Alpha', 'Zeta']);
  });

  it.each<{ modes: GrantMode[]; expected: GrantMode }>([
    { modes: ['enforce', 'enforce'], expected: 'enforce' },
    { modes: ['enforce', 'observe'], expected: 'observe' },
    { modes: ['observe', 'paused'], expected: 'paused' },
    { modes: ['enforce', 'paused'], expected: 'paused' },
  ])('runs in $expected mode when the grants say $modes', ({ modes, expected }) => {
    const grants = modes.map((mode, i) => grant({ mode, trustedAccountId: [B, C][i]! }));
    expect(desiredRoleFromGrants(role, grants, NOW)?.mode).toBe(expected);
  });

  it('ignores the mode of an expired grant', () => {
    const grants = [grant({ mode: 'paused', expiresAt: '2029-01-01T00:00:00Z' }), grant({ trustedAccountId: C })];
    expect(desiredRoleFromGrants(role, grants, NOW)?.mode).toBe('enforce');
  });

  it('adopts when any active grant says adopt', () => {
    expect(desiredRoleFromGrants(role, [grant(), grant({ trustedAccountId: C, adopt: true })], NOW)?.adopt).toBe(true);
    expect(desiredRoleFromGrants(role, [grant(), grant({ trustedAccountId: C })], NOW)?.adopt).toBe(false);
  });

  it('keeps the external ID all grants agree on, without conflicts', () => {
    const grants = [grant({ externalId: 'ext-1' }), grant({ trustedAccountId: C, externalId: 'ext-1' })];
    const desired = desiredRoleFromGrants(role, grants, NOW);
    expect(desired?.externalId).toBe('ext-1');
    expect(desired?.conflicts).toEqual([]);
  });

  it.each([
    { title: 'different external IDs', second: { externalId: 'ext-2' } },
    { title: 'an external ID on one grant only', second: {} },
  ])('reports $title as a conflict and requires none', ({ second }) => {
    const grants = [grant({ externalId: 'ext-1' }), grant({ trustedAccountId: C, ...second })];
    const desired = desiredRoleFromGrants(role, grants, NOW);
    expect(desired).not.toHaveProperty('externalId');
    expect(desired?.conflicts).toEqual([
      expect.objectContaining({
        code: 'ExternalIdConflict',
        grantIds: [`${A}/ram-for-dts/${B}`, `${A}/ram-for-dts/${C}`],
      }),
    ]);
  });

  it('reports grants of one role on different clouds as a conflict', () => {
    const grants = [grant(), grant({ trustedAccountId: C, cloud: 'tencent' })];
    expect(desiredRoleFromGrants(role, grants, NOW)?.conflicts.map((c) => c.code)).toEqual([
      'CloudConflict',
      'CloudAccountMismatch',
    ]);
  });

  it('plans a Tencent grant on a 16-digit owner ID (an earlier release stored it) in the Alibaba account, as a conflict', () => {
    const desired = desiredRoleFromGrants(role, [grant({ trustedAccountId: '100000000002', cloud: 'tencent' })], NOW);
    expect(desired?.cloud).toBe('alibaba');
    expect(desired?.conflicts).toEqual([
      expect.objectContaining({ code: 'CloudAccountMismatch', grantIds: [`${A}/ram-for-dts/100000000002`] }),
    ]);
  });

  it('plans a Tencent grant on a Tencent UIN without a conflict', () => {
    const tencentRole = { ownerAccountId: '100000000001', roleName: 'DTS-role' };
    const desired = desiredRoleFromGrants(
      tencentRole,
      [grant({ ...tencentRole, trustedAccountId: '100000000002', cloud: 'tencent' })],
      NOW,
    );
    expect(desired).toMatchObject({ cloud: 'tencent', conflicts: [] });
  });

  it('ignores grants of other roles and matches role names without regard to case', () => {
    const grants = [
      grant({ roleName: 'other-role' }),
      grant({ ownerAccountId: D }),
      grant({ roleName: 'RAM-for-DTS', trustedAccountId: C }),
    ];
    const desired = desiredRoleFromGrants(role, grants, NOW);
    expect(desired).toMatchObject({ ownerAccountId: A, roleName: 'ram-for-dts', trustedAccountIds: [C] });
  });

  it('tells when the earliest active grant expires', () => {
    const grants = [
      grant({ expiresAt: '2030-06-01T00:00:00Z' }),
      grant({ trustedAccountId: C, expiresAt: '2030-02-01T00:00:00+08:00' }),
      grant({ trustedAccountId: D }),
    ];
    expect(desiredRoleFromGrants(role, grants, NOW)?.nextExpiresAt).toBe('2030-02-01T00:00:00+08:00');
    expect(desiredRoleFromGrants(role, [grant()], NOW)).not.toHaveProperty('nextExpiresAt');
  });

  it.each<{ name: string; over: Partial<GrantInput> }>([
    { name: 'a plain grant', over: {} },
    { name: 'unsorted, repeated policies', over: { policies: ['B', 'A', 'B'] } },
    {
      name: 'an expiry, observe mode and adopt',
      over: { expiresAt: '2030-06-01T00:00:00Z', mode: 'observe', adopt: true },
    },
    {
      name: 'a Tencent grant with an external ID',
      over: { ownerAccountId: '100000000001', cloud: 'tencent', externalId: 'ext-1' },
    },
  ])('builds for one grant ($name) exactly what the union of that grant with itself gives', ({ over }) => {
    const one = grant(over);
    const own = { ownerAccountId: one.ownerAccountId, roleName: one.roleName };
    const alone = desiredRoleFromGrants(own, [one], NOW);
    expect(alone).toBeDefined();
    expect(JSON.stringify(alone)).toBe(JSON.stringify(desiredRoleFromGrants(own, [one, { ...one }], NOW)));
  });
});
