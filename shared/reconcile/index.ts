/**
 * The reconciliation engine: observe a role, plan the changes that make it match its grants, apply them with an
 * audit record before each, and run that over every managed role. Pure: written against shared/ports.ts.
 */
export { type LaneLimits, processByAccount } from './account-lanes.js';
export { type AccountFailure, AccountRateLimits, AccountSessions } from './account-sessions.js';
export { type ApplyContext, applyRolePlan, type ExecutorDeps, ExecutorErrorCode } from './apply.js';
export { beforeAfter, OutcomeEventType } from './audit-events.js';
export { describeAction, describePlan } from './describe-plan.js';
export { type DesiredTrust, desiredTrustOf } from './desired-trust.js';
export { type CallGate, gatedDirectory, retryingReads, skippedWrites } from './directory-decorators.js';
export { expireGrants, expireRoleGrants, isSettled } from './grant-expiry.js';
export { type ObserveOptions, observeRole, type RoleObservation } from './observe.js';
export { type RoleError, RoleOutcome, type RoleResult } from './outcome.js';
export * from './plan.js';
export { defaultPolicyType, type PolicyTypeResolver, policyChanges } from './policy-attachments.js';
export type { RolePreview } from './reconcile-run.js';
export {
  createReconciler,
  type ReconcileContext,
  type Reconciler,
  type ReconcilerDeps,
  type ReconcilerOptions,
  type RunContext,
} from './reconciler.js';
export {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  isRetryable,
  isRetryableStep,
  type RetryPolicy,
  withRetry,
} from './retry.js';
export { RolePipeline, type RoleRequest, type RoleRun } from './role-pipeline.js';
export { listRoleVisits, mergeRoleVisits, type RoleVisit, roleKeysAfter, statusHold } from './role-visits.js';
export { RunMode, type RunResult, RunTally } from './run-result.js';
export { Semaphore } from './semaphore.js';
export { DEFAULT_STATUS_POLICY, isDeferred, nextRoleStatus, repairSignature, type StatusPolicy } from './status.js';
export { type RoleStatusWriter, StatusWriter, skipStatusWrites } from './status-writer.js';
export { TokenBucket, type TokenBucketOptions } from './token-bucket.js';
