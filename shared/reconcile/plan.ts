import type { DesiredRole } from '../domain/desired-role.js';
import { DTS_ROLE_POLICY, GrantMode, type RoleKey, type TicketRef } from '../domain/grant.js';
import { Ownership, ownedRoleDescription, roleArn } from '../domain/ownership.js';
import { isProtectedRole } from '../domain/protected-roles.js';
import { TENCENT_DTS_POLICY } from '../domain/tencent/endpoints.js';
import type { TrustDiff } from '../policy/types.js';
import type { AttachedPolicy, NewRole } from '../ports.js';
import { desiredTrustOf } from './desired-trust.js';
import type { RoleObservation } from './observe.js';
import { narrowToAccounts, TrustChange, type TrustStep, trustSteps } from './trust-steps.js';

/** Product codes of plan conflicts (besides the desired-role conflict codes of shared/domain). */
export const PlanConflictCode = {
  /** The role exists, dts-trust did not create it, and no grant says `adopt: true`. */
  RoleNotManaged: 'RoleNotManaged',
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
/** Replace the live trust policy: narrowing it, widening it, or replacing it whole (see {@link TrustChange}). */
export interface UpdateTrustAction {
  readonly kind: 'updateTrust';
  readonly change: TrustChange;
  readonly before: string;
  readonly after: string;
  /** What this step adds and removes; absent when the live document could not be parsed (see `parseError`). */
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

/** How a change affects who can use which permissions. */
export const AccessEffect = {
  /** Takes principals or policies away (a detach, a narrowing trust update, a deletion). */
  Removes: 'removes',
  /** Replaces the trust whole, after every undeclared policy is gone: it removes undeclared principals and adds declared ones. */
  Replaces: 'replaces',
  /** Adds a declared principal or policy (a creation, a widening trust update, an attach). */
  Adds: 'adds',
  /** Changes no access: takes ownership of a role (adopt). */
  Claims: 'claims',
} as const;
/** One of {@link AccessEffect}. */
export type AccessEffect = (typeof AccessEffect)[keyof typeof AccessEffect];

/** How `action` affects access. */
export function accessEffectOf(action: ChangeAction): AccessEffect {
  switch (action.kind) {
    case 'detachPolicy':
    case 'deleteRole':
      return AccessEffect.Removes;
    case 'updateTrust':
      return action.change === TrustChange.Narrow
        ? AccessEffect.Removes
        : action.change === TrustChange.Replace
          ? AccessEffect.Replaces
          : AccessEffect.Adds;
    case 'createRole':
    case 'attachPolicy':
      return AccessEffect.Adds;
    case 'adoptRole':
      return AccessEffect.Claims;
  }
}

/** True when the change takes undeclared access away, so no mode, pause or backoff may hold it back. */
export function removesUndeclaredAccess(action: ChangeAction): boolean {
  const effect = accessEffectOf(action);
  return effect === AccessEffect.Removes || effect === AccessEffect.Replaces;
}

/** Why a plan holds back its additions, repairs and adoption (removals of undeclared access are never held back). */
export const HoldReason = {
  /** A grant of the role is paused. */
  Paused: 'paused',
  /** A grant of the role is in observe mode. */
  Observe: 'observe',
  /** The product paused the role because the same drift kept coming back (its status row). */
  Flapping: 'flapping',
  /** The role failed recently and its failure backoff has not run out (its status row). */
  Backoff: 'backoff',
} as const;
/** One of {@link HoldReason}. */
export type HoldReason = (typeof HoldReason)[keyof typeof HoldReason];

const HOLD_TEXT: Readonly<Record<HoldReason, string>> = {
  paused: 'the grants of this role are paused',
  observe: 'a grant of this role is in observe mode',
  flapping: 'the role is paused because the same drift kept coming back',
  backoff: 'the role failed recently and is backing off',
};

/** What to do with one role, as data: printable as a dry run, applied by the executor. */
export interface RolePlan {
  readonly role: RoleKey;
  readonly arn: string;
  /** The most conservative mode of the role's grants (enforce when none is left). */
  readonly mode: GrantMode;
  /** Why additions, repairs and adoption are held back, when they are (the grants' mode, or the status row). */
  readonly hold?: HoldReason;
  /** The steps to apply, in order: every removal before any addition. */
  readonly actions: readonly PlannedAction[];
  /** Changes planned but held back by `hold`: reported, not applied. */
  readonly heldBack: readonly ChangeAction[];
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
  const built = desiredTrustOf(desired);
  if (!built.ok) {
    for (const p of built.problems) {
      actions.push({ kind: 'conflict', code: p.code, message: `${p.field}: ${p.message}; ${p.fix}` });
    }
  }
  return actions;
}

/** The policy DTS itself needs on a role (Alibaba's or Tencent's): detached last when a role goes. */
function isDtsPolicy(policyName: string): boolean {
  return policyName === DTS_ROLE_POLICY || policyName === TENCENT_DTS_POLICY;
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
  // The policies DTS does not need go first: they are the ones that give a trusted account the most.
  const dtsLast = [...observation.policies].sort(
    (a, b) => Number(isDtsPolicy(a.policyName)) - Number(isDtsPolicy(b.policyName)),
  );
  return [
    ...dtsLast.map((policy): DetachPolicyAction => ({ kind: 'detachPolicy', policy, reason: 'roleDeletion' })),
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

function trustUpdate(step: TrustStep, observation: RoleObservation): UpdateTrustAction {
  return {
    kind: 'updateTrust',
    change: step.change,
    before: step.before,
    after: step.text,
    ...(step.diff === undefined ? {} : { diff: step.diff }),
    ...(step.diff === undefined && observation.trustError !== undefined ? { parseError: observation.trustError } : {}),
  };
}

/**
 * Adopt (when needed), then narrow before widening: take undeclared principals out of the trust, detach undeclared
 * policies, and only then add declared principals and attach declared policies. No intermediate state lets a
 * principal use a policy unless it could before or the grants declare both (see {@link trustSteps}).
 */
function repairs(desired: DesiredRole, observation: RoleObservation): PlannedAction[] {
  const record = observation.record;
  const trust = observation.desiredTrust;
  if (record === undefined || trust === undefined) return [];
  const steps = trustSteps(observation.trust, record.trustPolicy, trust, desired.ownerAccountId);
  const update = (step: TrustStep): UpdateTrustAction => trustUpdate(step, observation);
  const actions: PlannedAction[] = [];
  if (!observation.owned) {
    actions.push({ kind: 'adoptRole', before: record.description, after: ownedRoleDescription(desired) });
  }
  if (steps.beforeDetach) actions.push(update(steps.beforeDetach));
  for (const policy of observation.policiesToDetach)
    actions.push({ kind: 'detachPolicy', policy, reason: 'undeclared' });
  if (steps.afterDetach) actions.push(update(steps.afterDetach));
  for (const policy of observation.policiesToAttach) actions.push({ kind: 'attachPolicy', policy });
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
  if (conflicts.length > 0) return [...conflicts, ...removalsDespiteConflict(desired, observation)];
  if (observation.exists && !observation.owned && !desired.adopt) return [notManaged(observation)];
  const actions = observation.exists ? repairs(desired, observation) : creation(desired, observation, options);
  return actions.length > 0 ? actions : [{ kind: 'nothing', reason: 'the role matches its grants' }];
}

/**
 * What still goes from an owned role whose grants conflict (their desired trust cannot be built): trust entries of
 * accounts no active grant declares (wildcards, strangers, foreign services) and policies no active grant declares.
 * The declared accounts keep their entries as they are until the conflict is resolved.
 */
function removalsDespiteConflict(desired: DesiredRole, observation: RoleObservation): ChangeAction[] {
  const record = observation.record;
  if (record === undefined || !observation.owned) return [];
  const narrow = narrowToAccounts(
    observation.trust,
    record.trustPolicy,
    desired.trustedAccountIds,
    desired.ownerAccountId,
    observation.dialect,
  );
  return [
    ...(narrow === undefined ? [] : [trustUpdate(narrow, observation)]),
    ...observation.policiesToDetach.map(
      (policy): DetachPolicyAction => ({ kind: 'detachPolicy', policy, reason: 'undeclared' }),
    ),
  ];
}

/** The hold of a plan: the grants' mode first, then the status row's. */
function holdOf(desired: DesiredRole | undefined, statusHold: HoldReason | undefined): HoldReason | undefined {
  if (desired?.mode === GrantMode.Paused) return HoldReason.Paused;
  if (desired?.mode === GrantMode.Observe) return HoldReason.Observe;
  return statusHold;
}

/** Split the actions of a plan under a hold: what still runs (removals, on owned roles only) and what waits. */
function underHold(
  actions: readonly PlannedAction[],
  owned: boolean,
  hold: HoldReason,
): { actions: PlannedAction[]; heldBack: ChangeAction[] } {
  const changes = actions.filter(isChange);
  if (changes.length === 0 || actions.some((a) => a.kind === 'conflict'))
    return { actions: [...actions], heldBack: [] };
  const runs = owned ? changes.filter(removesUndeclaredAccess) : [];
  const heldBack = changes.filter((a) => !runs.includes(a));
  const nothing: NothingAction = {
    kind: 'nothing',
    reason: `${HOLD_TEXT[hold]}: additions and repairs of declared access are held back`,
  };
  return { actions: runs.length > 0 ? runs : [nothing], heldBack };
}

/** Per-call context of {@link planRoleChanges}. */
export interface PlanContext {
  /** A hold from the role's status row (flap pause, failure backoff); the grants' mode holds by itself. */
  readonly hold?: HoldReason;
}

/**
 * Plan the changes that make the observed role match `desired` (`undefined`: no active grant is left).
 * A protected role is never touched (`RoleProtected`). A role not owned by dts-trust and not declared is never
 * touched; one declared without `adopt` is a `RoleNotManaged` conflict. Owned roles are managed exclusively:
 * undeclared trust entries and attachments go, before anything is added. Under a hold (paused or observe grants,
 * a flap pause, a failure backoff) only the removals of undeclared access run, and only on owned roles; additions,
 * repairs of declared access and adoption are held back and reported.
 */
export function planRoleChanges(
  desired: DesiredRole | undefined,
  observation: RoleObservation,
  options: PlanOptions = {},
  context: PlanContext = {},
): RolePlan {
  const hold = holdOf(desired, context.hold);
  const full = actionsFor(desired, observation, options);
  const split = hold === undefined ? { actions: full, heldBack: [] } : underHold(full, observation.owned, hold);
  return {
    role: observation.role,
    arn: observation.record?.arn ?? roleArn(observation.role, observation.dialect.cloud),
    mode: desired?.mode ?? GrantMode.Enforce,
    ...(hold === undefined ? {} : { hold }),
    actions: split.actions,
    heldBack: split.heldBack,
    grantIds: desired?.grantIds ?? [],
    tickets: desired?.tickets ?? [],
    ...(observation.trustDiff === undefined ? {} : { trustDiff: observation.trustDiff }),
  };
}
