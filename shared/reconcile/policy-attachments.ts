import type { AttachedPolicy } from '../ports.js';

/** Decides whether a declared policy name is a RAM system policy or a custom one. */
export type PolicyTypeResolver = (policyName: string) => AttachedPolicy['policyType'];

/**
 * System policies are the cloud's own: Alibaba's are named `Aliyun...`, Tencent's presets `Qcloud...` (CAM's QCS
 * type); every other name is a custom policy.
 */
export const defaultPolicyType: PolicyTypeResolver = (policyName) =>
  policyName.startsWith('Aliyun') || policyName.startsWith('Qcloud') ? 'System' : 'Custom';

/** Policies to attach and detach so that exactly the declared names are attached. */
export interface PolicyChanges {
  readonly toAttach: AttachedPolicy[];
  readonly toDetach: AttachedPolicy[];
}

/**
 * Compare declared policy names with live attachments, by name and type: a declared name missing from the role is
 * attached (typed by `typeOf`), every live attachment not declared is detached.
 */
export function policyChanges(
  declared: readonly string[],
  attached: readonly AttachedPolicy[],
  typeOf: PolicyTypeResolver = defaultPolicyType,
): PolicyChanges {
  const wanted = [...new Set(declared)].sort().map((policyName) => ({ policyName, policyType: typeOf(policyName) }));
  const same = (a: AttachedPolicy, b: AttachedPolicy): boolean =>
    a.policyName === b.policyName && a.policyType === b.policyType;
  return {
    toAttach: wanted.filter((w) => !attached.some((a) => same(a, w))),
    toDetach: attached.filter((a) => !wanted.some((w) => same(a, w))),
  };
}
