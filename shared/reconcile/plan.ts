import type { DesiredRole } from '../domain/desired-role.js';
import { GrantMode, type RoleKey, type TicketRef } from '../domain/grant.js';
import { Ownership, ownedRoleDescription, roleArn } from '../domain/ownership.js';
import { isProtectedRole } from '../domain/protected-roles.js';
import type { TrustDiff } from '../policy/types.js';
import type { AttachedPolicy, NewRole } from '../ports.js';
import { desiredTrustOf } from './desired-trust.js';
import type { RoleObservation } from './observe.js';

/** Product codes of plan conflicts (besides the desired-role conflict codes of shared/domain). */
export const PlanConflictCode = {
  /** The role exists, dts-trust did not create it, and no grant says `adopt: true`. */
  RoleNotManaged: 'RoleNotManaged',
  /** The grants name a cloud this engine does not manage. */
  CloudNotSupported: 'CloudNotSupported',
  /** The role is protected (management role, function role, or listed by configuration): never adopted, changed or deleted. */
  RoleProtected: 'RoleProtected',
} as const;
/** One of {@link PlanConflictCode}. */
export type PlanConflictCode = (typeof PlanConflictCode)[keyof typeof PlanConflictCode];

/** Create the role with its trust policy, ownership Description and ownership tag. */
export interface CreateRoleAction {
  readonly kind: 'createRole';
  readonly role: NewRole;
}
/** Replace the live trust policy with the desired one. */
export interface UpdateTrustAction {
  readonly kind: 'updateTrust';
  readonly before: string;
  readonly after: string;
  /** The semantic diff; absent when the live document could not be parsed (see `parseError`). */
  readonly diff?: TrustDiff;
  readonly parseError?: string;
}
/** Attach a declared policy. */
export interface AttachPolicyAction {
  readonly kind: 'attachPolicy';
  readonly policy: AttachedPolicy;
}
/** Detach a policy: one no grant declares, or every policy before the role is deleted. */
export interface DetachPolicyAction {
  readonly kind: 'detachPolicy';
  readonly policy: AttachedPolicy;
  readonly reason: 'undeclared' | 'roleDeletion';
}
/** Delete an owned role no active grant declares any more (its policies are detached first). */
export interface DeleteRoleAction {
  readonly kind: 'deleteRole';
  readonly before: { readonly trustPolicy: string; readonly policies: readonly AttachedPolicy[] };
}
/** Claim a role dts-trust did not create, because a grant says `adopt: true`. */
export interface AdoptRoleAction {
  readonly kind: 'adoptRole';
  readonly before: string;
  readonly after: string;
}
/** The role cannot be reconciled as declared; nothing is changed. */
export interface ConflictAction {
  readonly kind: 'conflict';
  readonly code: string;
  readonly message: string;
}
/** Nothing to do. */
export interface NothingAction {
  readonly kind: 'nothing';
  readonly reason: string;
}

/** One step of a plan, with what it changes. */
export type PlannedAction =
  | CreateRoleAction
  | UpdateTrustAction
  | AttachPolicyAction
  | DetachPolicyAction
  | DeleteRoleAction
  | AdoptRoleAction
  | ConflictAction
  | NothingAction;

/** The kinds of {@link PlannedAction} that change RAM. */
export type ChangeAction = Exclude<PlannedAction, ConflictAction | NothingAction>;

/** True when the action changes RAM. */
export function isChange(action: PlannedAction): action is ChangeAction {
  return action.kind !== 'conflict' && action.kind !== 'nothing';
}

/** What to do with one role, as data: printable as a dry run, applied by the executor. */
export interface RolePlan {
  readonly role: RoleKey;
  readonly arn: string;
  /** Enforce applies the changes, observe only reports them, paused does nothing. */
  readonly mode: GrantMode;
  readonly actions: readonly PlannedAction[];
  readonly grantIds: readonly string[];
  readonly tickets: readonly TicketRef[];
  /** The live trust-policy semantic diff, when known (reported even in observe mode). */
  readonly trustDiff?: TrustDiff;
}

/** Options of {@link planRoleChanges}. */
export interface PlanOptions {
  /** Tags a created role carries besides the ownership tag. */
  readonly extraTags?: Readonly<Record<string, string>>;
  /** Role names dts-trust never adopts, changes or deletes, compared case-insensitively (see `Config.protectedRoles`). */
  readonly protectedRoles?: readonly string[];
}

function ownershipTags(options: PlanOptions): Record<string, string> {
  return { ...options.extraTags, [Ownership.tagKey]: Ownership.tagValue };
}

function conflictActions(desired: DesiredRole): ConflictAction[] {
  const actions: ConflictAction[] = desired.conflicts.map((c) => ({
    kind: 'conflict',
    code: c.code,
    message: `${c.message} (grants ${c.grantIds.join(', ')})`,
  }));
  if (desired.cloud !== 'alibaba') {
    actions.push({
      kind: 'conflict',
      code: PlanConflictCode.CloudNotSupported,
      message: `the grants declare cloud ${JSON.stringify(desired.cloud)}; this engine manages Alibaba Cloud RAM roles only`,
    });
  }
  const built = desiredTrustOf(desired);
  if (!built.ok) {
    for (const p of built.problems) {
      actions.push({ kind: 'conflict', code: p.code, message: `${p.field}: ${p.message}; ${p.fix}` });
    }
  }
  return actions;
}

function roleProtected(observation: RoleObservation): ConflictAction {
  return {
    kind: 'conflict',
    code: PlanConflictCode.RoleProtected,
    message:
      `role ${observation.role.roleName} is protected (the management role, the function role, or listed in ` +
      'DTS_TRUST_PROTECTED_ROLES): dts-trust never adopts, changes or deletes it; choose another role name',
  };
}

function notManaged(observation: RoleObservation): ConflictAction {
  return {
    kind: 'conflict',
    code: PlanConflictCode.RoleNotManaged,
    message:
      `role ${observation.role.roleName} exists in account ${observation.role.ownerAccountId} but was not created ` +
      'by dts-trust; declare adopt: true on a grant to let dts-trust take it over, or choose another role name',
  };
}

function deletion(observation: RoleObservation): PlannedAction[] {
  const record = observation.record;
  if (record === undefined) return [{ kind: 'nothing', reason: 'no active grant and no role' }];
  return [
    ...observation.policies.map(
      (policy): DetachPolicyAction => ({ kind: 'detachPolicy', policy, reason: 'roleDeletion' }),
    ),
    { kind: 'deleteRole', before: { trustPolicy: record.trustPolicy, policies: observation.policies } },
  ];
}

function creation(desired: DesiredRole, observation: RoleObservation, options: PlanOptions): PlannedAction[] {
  const trust = observation.desiredTrust;
  if (trust === undefined) return [];
  return [
    {
      kind: 'createRole',
      role: {
        roleName: desired.roleName,
        trustPolicy: trust.text,
        description: ownedRoleDescription(desired),
        tags: ownershipTags(options),
      },
    },
    ...observation.policiesToAttach.map((policy): AttachPolicyAction => ({ kind: 'attachPolicy', policy })),
  ];
}

/** Adopt (when needed), then repair trust, then attach before detaching so the role never loses what DTS needs. */
function repairs(desired: DesiredRole, observation: RoleObservation): PlannedAction[] {
  const record = observation.record;
  const trust = observation.desiredTrust;
  if (record === undefined || trust === undefined) return [];
  const actions: PlannedAction[] = [];
  if (!observation.owned) {
    actions.push({ kind: 'adoptRole', before: record.description, after: ownedRoleDescription(desired) });
  }
  if (observation.trustDiff === undefined || !observation.trustDiff.upToDate) {
    actions.push({
      kind: 'updateTrust',
      before: record.trustPolicy,
      after: trust.text,
      ...(observation.trustDiff === undefined ? {} : { diff: observation.trustDiff }),
      ...(observation.trustError === undefined ? {} : { parseError: observation.trustError }),
    });
  }
  for (const policy of observation.policiesToAttach) actions.push({ kind: 'attachPolicy', policy });
  for (const policy of observation.policiesToDetach)
    actions.push({ kind: 'detachPolicy', policy, reason: 'undeclared' });
  return actions;
}

function actionsFor(
  desired: DesiredRole | undefined,
  observation: RoleObservation,
  options: PlanOptions,
): PlannedAction[] {
  if (isProtectedRole(observation.role.roleName, options.protectedRoles ?? [])) {
    if (desired !== undefined || observation.owned) return [roleProtected(observation)];
    return [{ kind: 'nothing', reason: 'no active grant; the role is protected and not managed by dts-trust' }];
  }
  if (desired === undefined) {
    if (!observation.exists) return [{ kind: 'nothing', reason: 'no active grant and no role' }];
    if (!observation.owned)
      return [{ kind: 'nothing', reason: 'no active grant; the role is not managed by dts-trust' }];
    return deletion(observation);
  }
  const conflicts = conflictActions(desired);
  if (conflicts.length > 0) return conflicts;
  if (observation.exists && !observation.owned && !desired.adopt) return [notManaged(observation)];
  const actions = observation.exists ? repairs(desired, observation) : creation(desired, observation, options);
  return actions.length > 0 ? actions : [{ kind: 'nothing', reason: 'the role matches its grants' }];
}

/** A plan that does nothing because the role's grants are paused (no observation is needed). */
export function pausedPlan(role: RoleKey, desired: DesiredRole | undefined): RolePlan {
  return {
    role,
    arn: roleArn(role),
    mode: GrantMode.Paused,
    actions: [{ kind: 'nothing', reason: 'the grants of this role are paused' }],
    grantIds: desired?.grantIds ?? [],
    tickets: desired?.tickets ?? [],
  };
}

/**
 * Plan the changes that make the observed role match `desired` (`undefined`: no active grant is left).
 * A role not owned by dts-trust and not declared is never touched; one declared without `adopt` is a
 * `RoleNotManaged` conflict. Owned roles are managed exclusively: undeclared trust entries and attachments go.
 * Paused grants plan nothing; observe mode plans the same actions as enforce (the executor only reports them).
 */
export function planRoleChanges(
  desired: DesiredRole | undefined,
  observation: RoleObservation,
  options: PlanOptions = {},
): RolePlan {
  if (desired?.mode === GrantMode.Paused) return pausedPlan(observation.role, desired);
  return {
    role: observation.role,
    arn: observation.record?.arn ?? roleArn(observation.role),
    mode: desired?.mode ?? GrantMode.Enforce,
    actions: actionsFor(desired, observation, options),
    grantIds: desired?.grantIds ?? [],
    tickets: desired?.tickets ?? [],
    ...(observation.trustDiff === undefined ? {} : { trustDiff: observation.trustDiff }),
  };
}
