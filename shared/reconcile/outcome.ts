import type { AuditEvent } from '../domain/audit.js';
import type { RoleKey } from '../domain/grant.js';
import type { PlannedAction, RolePlan } from './plan.js';
import type { SubAccountPolicyConflict } from './sub-account-policy.js';
import type { TrustedSideStep } from './trusted-side.js';

/** How the reconcile of one role ended. */
export const RoleOutcome = {
  InSync: 'inSync',
  Created: 'created',
  Repaired: 'repaired',
  Deleted: 'deleted',
  Adopted: 'adopted',
  Conflict: 'conflict',
  DriftObserved: 'driftObserved',
  Paused: 'paused',
  /** Skipped by the run: the role failed recently and its backoff has not run out. */
  Deferred: 'deferred',
  Failed: 'failed',
} as const;
/** One of {@link RoleOutcome}. */
export type RoleOutcome = (typeof RoleOutcome)[keyof typeof RoleOutcome];

/** Why a role failed. */
export interface RoleError {
  readonly code: string;
  readonly message: string;
  /** True when the failure is terminal for the whole owner account (NoPermission): the run stops that account. */
  readonly accountLevel?: boolean;
}

/** The result of reconciling one role. */
export interface RoleResult {
  readonly role: RoleKey;
  readonly outcome: RoleOutcome;
  /** The changes made (in observe mode: none; see `planned`). */
  readonly applied: readonly PlannedAction[];
  /** Every action of the plan. */
  readonly planned: readonly PlannedAction[];
  /** The plan the role was reconciled by (what a dry run prints); absent when the role failed before planning. */
  readonly plan?: RolePlan;
  readonly error?: RoleError;
  /** The audit events recorded for this role, in order. */
  readonly auditEvents: readonly AuditEvent[];
  /** Hash of the observed state, when the role was observed. */
  readonly observedHash?: string;
  /** Tencent: the changes made to the sub-users' AssumeRole policies in the trusted accounts (planned, in a dry run). */
  readonly trustedSide?: readonly TrustedSideStep[];
  /** Tencent: the trusted-side steps a hold kept back (reported, not applied). */
  readonly trustedSideHeldBack?: readonly TrustedSideStep[];
  /**
   * Tencent: by trusted account UIN, the id of dts-trust's sub-account policy there after this reconcile (created,
   * or found as its own), `null` when it has none there (none found, or deleted); accounts without news are absent.
   */
  readonly trustedSidePolicyIds?: Readonly<Record<string, string | null>>;
  /** Tencent: the policies of the reserved name in trusted accounts that dts-trust does not own (left as they are). */
  readonly trustedSideConflicts?: readonly SubAccountPolicyConflict[];
}
