import { roleId } from '../domain/ownership.js';
import type { AttachedPolicy } from '../ports.js';
import type { PlannedAction, RolePlan } from './plan.js';

const TRUST_VERB = { narrow: 'narrow', widen: 'widen', replace: 'replace' } as const;

const policyName = (policy: AttachedPolicy): string => `${policy.policyName} (${policy.policyType})`;

/** One action as a person reads it in a dry run. */
export function describeAction(action: PlannedAction): string {
  switch (action.kind) {
    case 'createRole':
      return `create role ${action.role.roleName} trusting ${action.role.trustPolicy}`;
    case 'updateTrust':
      if (action.diff !== undefined) return `${TRUST_VERB[action.change]} trust policy: ${action.diff.summary}`;
      return `replace unparseable trust policy (${action.parseError ?? 'unknown reason'}) with ${action.after}`;
    case 'attachPolicy':
      return `attach ${policyName(action.policy)}`;
    case 'detachPolicy':
      return `detach ${policyName(action.policy)} (${action.reason === 'roleDeletion' ? 'before deletion' : 'no grant declares it'})`;
    case 'deleteRole':
      return 'delete role (no active grant left)';
    case 'adoptRole':
      return `adopt role: set Description to ${JSON.stringify(action.after)}`;
    case 'conflict':
      return `conflict ${action.code}: ${action.message}`;
    case 'nothing':
      return `nothing to do: ${action.reason}`;
  }
}

/**
 * A plan as a dry run prints it: a header line, one numbered line per action applied, then the changes a hold keeps
 * back (observe or paused grants, a flap pause, a backoff), numbered on.
 */
export function describePlan(plan: RolePlan): string {
  const hold = plan.hold === undefined ? '' : ` [${plan.hold}: additions and repairs held back]`;
  const header = `${roleId(plan.role)} (${plan.arn})${hold}`;
  const applied = plan.actions.map((action, i) => `  ${i + 1}. ${describeAction(action)}`);
  const held = plan.heldBack.map(
    (action, i) => `  ${plan.actions.length + i + 1}. held back: ${describeAction(action)}`,
  );
  return [header, ...applied, ...held].join('\n');
}
