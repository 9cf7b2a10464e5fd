import { describe, expect, it } from 'vitest';
import type { Grant } from '../../../shared/domain/grant.js';
import { buildSubAccountPolicy, renderSubAccountPolicy } from '../../../shared/policy/tencent/index.js';
import {
  type DesiredSubAccountPolicy,
  desiredSubAccountPolicies,
  planSubAccountPolicy,
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
const MARKER = `Managed by dts-trust: lets the sub-users that run DTS tasks assume DTS-role in ${OWNER}`;
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
      { kind: 'updateDocument', document },
      { kind: 'attachUser', uin: '200' },
    ]);
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
