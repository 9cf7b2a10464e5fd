import { describe, expect, it } from 'vitest';
import {
  buildSubAccountPolicy,
  isSubAccountPolicyUpToDate,
  renderSubAccountPolicy,
  subAccountPolicyName,
} from '../../../../shared/policy/tencent/index.js';

const OWNER = '100000000001';

describe('buildSubAccountPolicy', () => {
  it("allows name/sts:AssumeRole on the owner's role by name, version 2.0", () => {
    expect(renderSubAccountPolicy(buildSubAccountPolicy(OWNER, 'dts-role'))).toBe(
      `{"version":"2.0","statement":[{"effect":"allow","action":["name/sts:AssumeRole"],"resource":["qcs::cam::uin/${OWNER}:roleName/dts-role"]}]}`,
    );
  });

  it('is named after the owner and the role', () => {
    expect(subAccountPolicyName(OWNER, 'dts-role')).toBe(`dts-trust-${OWNER}-dts-role`);
  });
});

describe('isSubAccountPolicyUpToDate', () => {
  it('reads CAM rewrites of the policy (strings, key case, name/ prefix) as up to date', () => {
    const rewritten = JSON.stringify({
      Version: '2.0',
      Statement: { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `qcs::cam::uin/${OWNER}:roleName/dts-role` },
    });
    expect(isSubAccountPolicyUpToDate(rewritten, OWNER, 'dts-role')).toBe(true);
  });

  it('finds a widened resource, another role, an extra action or an unreadable text out of date', () => {
    const doc = (resource: string, action: string[] = ['name/sts:AssumeRole']) =>
      JSON.stringify({ version: '2.0', statement: [{ effect: 'allow', action, resource: [resource] }] });
    expect(isSubAccountPolicyUpToDate(doc('*'), OWNER, 'dts-role')).toBe(false);
    expect(isSubAccountPolicyUpToDate(doc(`qcs::cam::uin/${OWNER}:roleName/other`), OWNER, 'dts-role')).toBe(false);
    expect(
      isSubAccountPolicyUpToDate(
        doc(`qcs::cam::uin/${OWNER}:roleName/dts-role`, ['name/sts:AssumeRole', 'name/cam:*']),
        OWNER,
        'dts-role',
      ),
    ).toBe(false);
    expect(isSubAccountPolicyUpToDate('{', OWNER, 'dts-role')).toBe(false);
  });
});
