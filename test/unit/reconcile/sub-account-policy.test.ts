import { describe, expect, it } from 'vitest';
import type { Grant } from '../../../shared/domain/grant.js';
import {
  buildSubAccountPolicy,
  renderSubAccountPolicy,
  subAccountPolicyDescription,
} from '../../../shared/policy/tencent/index.js';
import {
  type DesiredSubAccountPolicy,
  desiredSubAccountPolicies,
  planSubAccountPolicy,
  subAccountPolicyConflict,
} from '../../../shared/reconcile/sub-account-policy.js';

const OWNER = '100000000001';
const TASK = '100000000002';
const role = { ownerAccountId: OWNER, roleName: 'DTS-role' };
const NOW = new Date('2026-12-01T12:00:00Z');
const ticket = { system: 'jira', id: 'DBA-1', requester: 'a', approver: 'b' };
const grant = (over: Partial<Grant> = {}): Grant => ({
  ownerAccountId: OWNER,
  roleName: 'DTS-role',
  trustedAccountId: TASK,
  cloud: 'tencent',
  policies: ['QcloudDTSReadOnlyAccess'],
  mode: 'enforce',
  adopt: false,
  ticket,
  revision: 0,
  ...over,
});
const desired = (uins: string[]): DesiredSubAccountPolicy => ({
  role,
  trustedAccountId: TASK,
  policyName: `dts-trust-${OWNER}-DTS-role`,
  subAccountUins: uins,
  grantIds: [],
});
const document = renderSubAccountPolicy(buildSubAccountPolicy(OWNER, 'DTS-role'));
const MARKER = subAccountPolicyDescription(OWNER, 'DTS-role');
const owned = { policyId: '7', policyName: 'p', description: MARKER, otherEntities: [] };

describe('desiredSubAccountPolicies', () => {
  it('unites the sub-users of the active grants per trusted account, and asks for none once they expired', () => {
    const [live] = desiredSubAccountPolicies(role, [grant({ subAccountUins: ['300', '200'] })], NOW);
    expect(live?.subAccountUins).toEqual(['200', '300']);
    const [expired] = desiredSubAccountPolicies(
      role,
      [grant({ subAccountUins: ['200'], expiresAt: '2026-11-30T00:00:00Z' })],
      NOW,
    );
    expect(expired?.subAccountUins).toEqual([]);
  });

  it('ignores Alibaba grants', () => {
    expect(desiredSubAccountPolicies(role, [grant({ cloud: 'alibaba' })], NOW)).toEqual([]);
  });
});

describe('planSubAccountPolicy', () => {
  it('creates the policy, then attaches the declared sub-users', () => {
    expect(planSubAccountPolicy(desired(['200']), undefined)).toEqual([
      { kind: 'createPolicy', document },
      { kind: 'attachUser', uin: '200' },
    ]);
  });

  it('detaches undeclared users before it repairs a widened document, and attaches declared ones after', () => {
    const live = {
      policyId: '7',
      policyName: 'p',
      description: MARKER,
      otherEntities: [],
      document: JSON.stringify({ version: '2.0', statement: [{ effect: 'allow', action: ['*'], resource: ['*'] }] }),
      userUins: ['999'],
    };
    expect(planSubAccountPolicy(desired(['200']), live)).toEqual([
      { kind: 'detachUser', uin: '999' },
      { kind: 'updateDocument', document, narrows: true },
      { kind: 'attachUser', uin: '200' },
    ]);
  });

  it('detaches the user groups and roles holding the policy first, before undeclared users and the document', () => {
    const group = { kind: 'group' as const, id: '90001', name: 'dba' };
    const holder = { kind: 'role' as const, id: '4611686018427387001', name: 'helper' };
    expect(
      planSubAccountPolicy(desired(['200']), {
        ...owned,
        document,
        userUins: ['200', '999'],
        otherEntities: [group, holder],
      }),
    ).toEqual([
      { kind: 'detachEntity', entity: group },
      { kind: 'detachEntity', entity: holder },
      { kind: 'detachUser', uin: '999' },
    ]);
    expect(planSubAccountPolicy(desired([]), { ...owned, document, userUins: [], otherEntities: [group] })).toEqual([
      { kind: 'detachEntity', entity: group },
      { kind: 'deletePolicy' },
    ]);
  });

  it('marks a document repair that only gives the declared statement back as not narrowing', () => {
    const otherRole = JSON.stringify({
      version: '2.0',
      statement: [
        {
          effect: 'allow',
          action: ['name/sts:AssumeRole'],
          resource: [`qcs::cam::uin/${OWNER}:roleName/DTS-role`],
          condition: { ip_equal: { 'qcs:ip': '10.0.0.1' } },
        },
      ],
    });
    expect(planSubAccountPolicy(desired(['200']), { ...owned, document: otherRole, userUins: ['200'] })).toEqual([
      { kind: 'updateDocument', document, narrows: false },
    ]);
    expect(planSubAccountPolicy(desired(['200']), { ...owned, document: '{', userUins: ['200'] })).toEqual([
      { kind: 'updateDocument', document, narrows: true },
    ]);
  });

  it('plans nothing for a policy of the reserved name without the ownership marker, however wide, even when no sub-user is declared', () => {
    const customer = {
      ...owned,
      description: 'our own AssumeRole policy',
      document: JSON.stringify({ version: '2.0', statement: [{ effect: 'allow', action: ['*'], resource: ['*'] }] }),
      userUins: ['999'],
      otherEntities: [{ kind: 'group' as const, id: '1', name: 'everyone' }],
    };
    expect(planSubAccountPolicy(desired(['200']), customer)).toEqual([]);
    expect(planSubAccountPolicy(desired([]), customer)).toEqual([]);
    expect(planSubAccountPolicy(desired(['200']), { ...customer, description: `${MARKER} ` })).toEqual([]);
    expect(planSubAccountPolicy(desired(['200']), { ...customer, description: MARKER.replace(OWNER, '1') })).toEqual(
      [],
    );
  });
});

describe('subAccountPolicyConflict', () => {
  it('is a SubAccountPolicyNotManaged conflict naming a policy without the marker while sub-users are declared, and nothing otherwise', () => {
    const customer = { ...owned, description: 'ours', document, userUins: [] };
    expect(subAccountPolicyConflict(desired(['200']), customer)).toMatchObject({
      code: 'SubAccountPolicyNotManaged',
      trustedAccountId: TASK,
      policyId: '7',
      description: 'ours',
    });
    expect(subAccountPolicyConflict(desired(['200']), { ...owned, document, userUins: [] })).toBeUndefined();
    expect(subAccountPolicyConflict(desired(['200']), undefined)).toBeUndefined();
    expect(subAccountPolicyConflict(desired([]), customer)).toBeUndefined();
  });

  it('leaves a policy CAM rewrote alone', () => {
    const rewritten = JSON.stringify({
      Version: '2.0',
      Statement: { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `qcs::cam::uin/${OWNER}:roleName/DTS-role` },
    });
    expect(
      planSubAccountPolicy(desired(['200']), {
        policyId: '7',
        policyName: 'p',
        description: MARKER,
        otherEntities: [],
        document: rewritten,
        userUins: ['200'],
      }),
    ).toEqual([]);
  });

  it('detaches every user, then deletes the policy, when no sub-user is declared any more', () => {
    expect(planSubAccountPolicy(desired([]), { ...owned, document, userUins: ['200', '300'] })).toEqual([
      { kind: 'detachUser', uin: '200' },
      { kind: 'detachUser', uin: '300' },
      { kind: 'deletePolicy' },
    ]);
    expect(planSubAccountPolicy(desired([]), undefined)).toEqual([]);
  });
});
