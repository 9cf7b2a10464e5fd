import { describe, expect, it } from 'vitest';
import { GrantSchema } from '../../../shared/domain/grant.js';
import { checkGuardrails, type Guardrails } from '../../../shared/intake/guardrails.js';

const grant = (over: Record<string, unknown> = {}) =>
  GrantSchema.parse({
    ownerAccountId: '1111111111111111',
    roleName: 'ram-for-dts',
    trustedAccountId: '2222222222222222',
    ticket: { system: 'jira', id: 'DBA-1', requester: 'ana', approver: 'ben' },
    ...over,
  });

const guardrails: Guardrails = {
  allowedOwnerAccounts: ['1111111111111111'],
  allowedTrustedAccounts: ['2222222222222222'],
  allowedPolicies: ['AliyunDTSRolePolicy'],
  roleNamePattern: /^ram-for-dts(-[a-z0-9]+)?$/,
  maxGrantsPerTicket: 2,
  maxGrantDays: 90,
  protectedRoles: ['ram-for-dts-manager', 'ram-for-dts-fc'],
};

describe('checkGuardrails', () => {
  it('passes a grant inside every limit', () => {
    expect(checkGuardrails([grant()], guardrails)).toEqual([]);
  });

  it.each([
    ['an owner account nobody allowed', { ownerAccountId: '3333333333333333' }, 'GuardrailOwnerAccount'],
    ['a trusted account nobody allowed', { trustedAccountId: '4444444444444444' }, 'GuardrailTrustedAccount'],
    ['a policy beyond AliyunDTSRolePolicy', { policies: ['AdministratorAccess'] }, 'GuardrailPolicy'],
    ['a protected role', { roleName: 'ram-for-dts-manager' }, 'RoleProtected'],
    ['a role name outside the pattern', { roleName: 'admin' }, 'GuardrailRoleName'],
  ])('refuses %s', (_name, over, code) => {
    const problems = checkGuardrails([grant(over)], guardrails);
    expect(problems.map((p) => p.code)).toEqual([code]);
    expect(problems[0]?.fix).toBeTruthy();
  });

  it('refuses a protected role written in another case', () => {
    const problems = checkGuardrails([grant({ roleName: 'RAM-for-DTS-FC' })], guardrails);
    expect(problems.map((p) => p.code)).toContain('RoleProtected');
  });

  it('refuses a ticket that expands to more grants than allowed', () => {
    const problems = checkGuardrails([grant(), grant(), grant()], guardrails);
    expect(problems.map((p) => p.code)).toContain('GuardrailTooManyGrants');
  });

  it('allows any account when no list is configured', () => {
    const open = { ...guardrails, allowedOwnerAccounts: undefined, allowedTrustedAccounts: undefined };
    expect(checkGuardrails([grant({ ownerAccountId: '9999999999999999' })], open)).toEqual([]);
  });
});

describe('checkGuardrails: policies by cloud', () => {
  const tencentGrant = (policies: string[]) =>
    grant({ cloud: 'tencent', ownerAccountId: '1111111111111111', policies });
  const both: Guardrails = { ...guardrails, allowedTencentPolicies: ['QcloudDTSReadOnlyAccess'] };

  it('checks a Tencent grant against the Tencent list, and an Alibaba grant against the Alibaba list', () => {
    expect(checkGuardrails([tencentGrant(['QcloudDTSReadOnlyAccess'])], both)).toEqual([]);
    expect(checkGuardrails([grant({ policies: ['QcloudDTSReadOnlyAccess'] })], both).map((p) => p.code)).toEqual([
      'GuardrailPolicy',
    ]);
    const refused = checkGuardrails([tencentGrant(['AliyunDTSRolePolicy'])], both);
    expect(refused.map((p) => p.code)).toEqual(['GuardrailPolicy']);
    expect(refused[0]?.fix).toMatch(/DTS_TRUST_TENCENT_ALLOWED_POLICIES/);
  });

  it('allows a Tencent grant no policy when no Tencent list is given', () => {
    expect(checkGuardrails([tencentGrant(['QcloudDTSReadOnlyAccess'])], guardrails).map((p) => p.code)).toEqual([
      'GuardrailPolicy',
    ]);
  });
});
