/**
 * The reconciliation engine: observe a role, plan the changes that make it match its grants, apply them with an
 * audit record before each, and run that over every managed role. Pure: written against shared/ports.ts.
 */
export { type LaneLimits, processByAccount } from './account-lanes.js';
export { type ApplyContext, applyRolePlan, type ExecutorDeps, ExecutorErrorCode } from './apply.js';
export { beforeAfter, OutcomeEventType } from './audit-events.js';
export { describeAction, describePlan } from './describe-plan.js';
export { type DesiredTrust, desiredTrustOf } from './desired-trust.js';
export { type CallGate, gatedDirectory, retryingReads } from './directory-decorators.js';
export {
  type AccountFailure,
  createReconciler,
  type ReconcileContext,
  type Reconciler,
  type ReconcilerDeps,
  type ReconcilerOptions,
  type RolePreview,
  type RunContext,
  type RunReport,
} from './engine.js';
export { type ObserveOptions, observeRole, type RoleObservation } from './observe.js';
export { type RoleError, RoleOutcome, type RoleResult } from './outcome.js';
export * from './plan.js';
export { defaultPolicyType, type PolicyTypeResolver, policyChanges } from './policy-attachments.js';
export {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  isRetryable,
  isRetryableStep,
  type RetryPolicy,
  withRetry,
} from './retry.js';
export { mergeRoleVisits, type RoleVisit } from './role-visits.js';
export { Semaphore } from './semaphore.js';
export { DEFAULT_STATUS_POLICY, isDeferred, nextRoleStatus, repairSignature, type StatusPolicy } from './status.js';
export { TokenBucket, type TokenBucketOptions } from './token-bucket.js';
