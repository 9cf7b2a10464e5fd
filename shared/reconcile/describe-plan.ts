import { roleId } from '../domain/ownership.js';
import type { AttachedPolicy } from '../ports.js';
import type { PlannedAction, RolePlan } from './plan.js';

const policyName = (policy: AttachedPolicy): string => `${policy.policyName} (${policy.policyType})`;

/** One action as a person reads it in a dry run. */
export function describeAction(action: PlannedAction): string {
  switch (action.kind) {
    case 'createRole':
      return `create role ${action.role.roleName} trusting ${action.role.trustPolicy}`;
    case 'updateTrust':
      if (action.diff !== undefined) return `update trust policy: ${action.diff.summary}`;
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

/** A plan as a dry run prints it: a header line, then one numbered line per action. */
export function describePlan(plan: RolePlan): string {
  const mode = plan.mode === 'enforce' ? '' : ` [${plan.mode}: not applied]`;
  const header = `${roleId(plan.role)} (${plan.arn})${mode}`;
  return [header, ...plan.actions.map((action, i) => `  ${i + 1}. ${describeAction(action)}`)].join('\n');
}
