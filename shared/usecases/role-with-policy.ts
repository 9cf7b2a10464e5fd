/**
 * A role with one custom policy attached, made to exist in an account with that account's keys: the policy, the
 * role, the attachment, each created only when missing and recorded in the audit outbox (`setup.change`) first. A
 * policy or role that exists with another document is reported `differs` and left unchanged, unless the caller
 * says how to converge the role's trust policy.
 */
import { randomUUID } from 'node:crypto';
import { RamCustomPolicies } from '../alicloud/ram-policies.js';
import type { Services } from '../composition/services.js';
import { AuditEventType, newAuditEvent } from '../domain/audit.js';
import type { AccountCredentials } from '../ports.js';

/** How one part of a role ended. */
export type PartOutcome = 'created' | 'attached' | 'updated' | 'exists' | 'differs';

/** What one role needs. */
export interface RoleWithPolicySpec {
  readonly accountId: string;
  readonly roleName: string;
  readonly description: string;
  readonly trustPolicy: string;
  readonly policyName: string;
  readonly policy: string;
  readonly policyDescription: string;
}

/** Each part's outcome. */
export interface EnsuredRole {
  readonly policy: PartOutcome;
  readonly role: PartOutcome;
  readonly attachment: PartOutcome;
}

/** The same RAM document whatever the spelling: keys sorted, one-element lists and strings alike. */
function canonical(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && /^(Action|Resource|RAM|Service|Federated)$/.test(key)) return [value];
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v));
    return items.every((i) => typeof i === 'string') ? [...items].sort() : items;
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k], k)]),
    );
  }
  return value;
}

/** True when two RAM policy documents say the same. */
export function samePolicyDocument(a: string, b: string): boolean {
  try {
    return JSON.stringify(canonical(JSON.parse(a))) === JSON.stringify(canonical(JSON.parse(b)));
  } catch {
    return false;
  }
}

/** How a stored trust policy that is not the spec's may be converged. */
export interface RoleConvergence {
  /** The trust policy to write instead of the stored one; `undefined`: keep it as it is; `differs`: report it. */
  readonly convergeTrust?: (stored: string) => string | undefined | 'differs';
}

/** Make sure the role of `spec` exists with its policy attached (see the module's description). */
export async function ensureRoleWithPolicy(
  services: Services,
  keys: AccountCredentials,
  spec: RoleWithPolicySpec,
  correlationId: string,
  convergence: RoleConvergence = {},
): Promise<EnsuredRole> {
  const { config } = services;
  const where = { endpoint: config.endpoints.ram, protocol: config.protocol, regionId: config.region };
  const policies = new RamCustomPolicies(where);
  const arn = `acs:ram::${spec.accountId}:role/${spec.roleName.toLowerCase()}`;
  const record = async (detail: Record<string, unknown>) =>
    services.outbox.record(
      newAuditEvent({
        id: randomUUID(),
        type: AuditEventType.SetupChange,
        subject: arn,
        time: services.clock.now(),
        data: { correlationId, outcome: 'planned', detail: { accountId: spec.accountId, ...detail } },
      }),
    );

  let policy: PartOutcome;
  const existingPolicy = await policies.getDocument(keys, spec.policyName);
  if (existingPolicy === undefined) {
    await record({ action: 'CreatePolicy', policyName: spec.policyName, document: spec.policy });
    await policies.create(keys, spec.policyName, spec.policy, spec.policyDescription);
    policy = 'created';
  } else policy = samePolicyDocument(existingPolicy, spec.policy) ? 'exists' : 'differs';

  let role: PartOutcome;
  const existingRole = await services.directory.getRole(keys, spec.roleName);
  if (existingRole === undefined) {
    await record({ action: 'CreateRole', roleName: spec.roleName, trustPolicy: spec.trustPolicy });
    await services.directory.createRole(keys, {
      roleName: spec.roleName,
      trustPolicy: spec.trustPolicy,
      description: spec.description,
      tags: {},
    });
    role = 'created';
  } else if (samePolicyDocument(existingRole.trustPolicy, spec.trustPolicy)) role = 'exists';
  else {
    const converged = convergence.convergeTrust ? convergence.convergeTrust(existingRole.trustPolicy) : 'differs';
    if (converged === 'differs') role = 'differs';
    else if (converged === undefined) role = 'exists';
    else {
      await record({ action: 'UpdateRole', roleName: spec.roleName, trustPolicy: converged });
      await services.directory.updateTrustPolicy(keys, spec.roleName, converged);
      role = 'updated';
    }
  }

  let attachment: PartOutcome = 'exists';
  const attached = await services.directory.listAttachedPolicies(keys, spec.roleName);
  if (!attached.some((p) => p.policyType === 'Custom' && p.policyName === spec.policyName)) {
    await record({ action: 'AttachPolicyToRole', roleName: spec.roleName, policyName: spec.policyName });
    await services.directory.attachPolicy(keys, spec.roleName, { policyName: spec.policyName, policyType: 'Custom' });
    attachment = 'attached';
  }
  return { policy, role, attachment };
}
