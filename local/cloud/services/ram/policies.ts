/**
 * RAM policy attachments of roles: AttachPolicyToRole, DetachPolicyFromRole, ListPoliciesForRole, with RAM's
 * codes (`EntityNotExist.Policy`, `EntityAlreadyExists.Role.Policy`, `EntityNotExist.Role.Policy`) and limits
 * (20 System and 10 Custom policies per role). Attaching and detaching need permission on the role and on the
 * policy (`acs:ram:*:<account>:policy/<name>`, `acs:ram:*:system:policy/<name>` for System policies). Detaching a
 * role's last policy takes `detachSettleSeconds` to reach DeleteRole (see roles.ts).
 */
import { LocalCloudError } from '../../errors.js';
import { ramDate } from '../../roles.js';
import { SYSTEM_POLICIES } from '../../system-policies.js';
import {
  authorize,
  DEFAULT_DETACH_SETTLE_SECONDS,
  type RamAction,
  type RamCall,
  required,
  settlingDetaches,
  settlingKey,
  targetRole,
} from './context.js';

/** The resource ARN permission policies name a policy by. */
export function policyResource(accountId: string, policy: { name: string; type: 'System' | 'Custom' }): string {
  return `acs:ram:*:${policy.type === 'System' ? 'system' : accountId}:policy/${policy.name}`;
}

/** Most policies of each type attached to one role. */
export const ROLE_POLICY_LIMITS = { System: 20, Custom: 10 } as const;

/** The request's PolicyType, which must be `System` or `Custom`. */
export function policyType(call: RamCall): 'System' | 'Custom' {
  const type = required(call, 'PolicyType');
  if (type !== 'System' && type !== 'Custom') {
    throw new LocalCloudError(
      400,
      'InvalidParameter.PolicyType',
      'The parameter PolicyType must be "System" or "Custom".',
    );
  }
  return type;
}

function policyRef(call: RamCall): { name: string; type: 'System' | 'Custom' } {
  const name = required(call, 'PolicyName');
  const type = policyType(call);
  if (!/^[A-Za-z0-9-]{1,128}$/.test(name)) {
    throw new LocalCloudError(
      400,
      'InvalidParameter.PolicyName.InvalidChars',
      'The parameter PolicyName contains invalid characters.',
    );
  }
  return { name, type };
}

/** AttachPolicyToRole: PolicyName, PolicyType, RoleName. */
export const attachPolicyToRole: RamAction = (call) => {
  const ref = policyRef(call);
  const role = targetRole(call, 'AttachPolicyToRole');
  authorize(call, 'AttachPolicyToRole', policyResource(call.account.id, ref));
  const exists =
    ref.type === 'System' ? SYSTEM_POLICIES[ref.name] !== undefined : call.account.customPolicies.has(ref.name);
  if (!exists) throw new LocalCloudError(404, 'EntityNotExist.Policy', `The policy not exists: ${ref.name}.`);
  if (role.policies.some((p) => p.name === ref.name && p.type === ref.type)) {
    throw new LocalCloudError(
      409,
      'EntityAlreadyExists.Role.Policy',
      `The policy already attached to the role: ${ref.name}.`,
    );
  }
  const count = role.policies.filter((p) => p.type === ref.type).length;
  if (count >= ROLE_POLICY_LIMITS[ref.type]) {
    throw new LocalCloudError(
      409,
      `LimitExceeded.Role.Policy.${ref.type}`,
      `The count of ${ref.type} policies attached to the role beyond the current limits: ${ROLE_POLICY_LIMITS[ref.type]}.`,
    );
  }
  role.policies.push({ name: ref.name, type: ref.type, attachDate: ramDate(call.core.now()) });
  return {};
};

/** DetachPolicyFromRole: PolicyName, PolicyType, RoleName. */
export const detachPolicyFromRole: RamAction = (call) => {
  const ref = policyRef(call);
  const role = targetRole(call, 'DetachPolicyFromRole');
  authorize(call, 'DetachPolicyFromRole', policyResource(call.account.id, ref));
  const index = role.policies.findIndex((p) => p.name === ref.name && p.type === ref.type);
  if (index < 0)
    throw new LocalCloudError(404, 'EntityNotExist.Role.Policy', `The policy not attached to the role: ${ref.name}.`);
  role.policies.splice(index, 1);
  const settleMs = (call.options.detachSettleSeconds ?? DEFAULT_DETACH_SETTLE_SECONDS) * 1000;
  if (role.policies.length === 0 && settleMs > 0) {
    settlingDetaches(call.core).set(settlingKey(call.account.id, role.name), call.core.now().getTime() + settleMs);
  }
  return {};
};

/** ListPoliciesForRole: RoleName -> Policies.Policy[] (no pagination). */
export const listPoliciesForRole: RamAction = (call) => {
  const role = targetRole(call, 'ListPoliciesForRole');
  return {
    Policies: {
      Policy: role.policies.map((p) => ({
        PolicyName: p.name,
        PolicyType: p.type,
        Description: p.type === 'System' ? (SYSTEM_POLICIES[p.name]?.description ?? '') : '',
        DefaultVersion: 'v1',
        AttachDate: p.attachDate,
      })),
    },
  };
};
