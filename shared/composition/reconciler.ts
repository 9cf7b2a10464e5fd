import type { RoleKey } from '../domain/grant.js';
import type { ReconciledRole } from '../intake/process-ticket.js';
import type { GrantStore } from '../ports.js';
import { createReconciler, type Reconciler } from '../reconcile/index.js';
import type { RunTotals } from '../usecases/run-summary.js';
import type { Services } from './services.js';

/** The engine as the functions use it. */
export interface Engine {
  readonly reconciler: Reconciler;
  /** Reconcile one role now (after intake). */
  reconcileRole(role: RoleKey, correlationId: string): Promise<ReconciledRole>;
  /** Reconcile every managed role, or those of some owner accounts (a shard). */
  reconcileAll(options: {
    correlationId: string;
    ownerAccountIds?: readonly string[];
    mode?: RunTotals['mode'];
  }): Promise<RunTotals>;
}

/**
 * Wire the reconciliation engine to the adapters and the configured limits. `over.grants` replaces the grant store
 * (a ticket preview plans against the grants as they would be after the ticket).
 */
export function createEngine(services: Services, over: { readonly grants?: GrantStore } = {}): Engine {
  const { config } = services;
  const reconciler = createReconciler({
    broker: services.broker,
    directory: services.directory,
    grants: over.grants ?? services.grants,
    status: services.status,
    audit: services.outbox,
    clock: services.clock,
    random: services.random,
    options: {
      retry: config.retry,
      ramCallsPerSecond: config.ramRateLimitPerSecond,
      accountConcurrency: config.concurrency.accounts,
      roleConcurrency: config.concurrency.rolesPerAccount,
      status: { flapWindowMs: config.flap.windowMinutes * 60_000, flapLimit: config.flap.limit },
      plan: { protectedRoles: config.protectedRoles },
    },
  });
  return {
    reconciler,
    async reconcileRole(role, correlationId) {
      const result = await reconciler.reconcileRole(role, { correlationId });
      return {
        role: result.role,
        outcome: result.outcome,
        ...(result.error ? { error: { code: result.error.code, message: result.error.message } } : {}),
      };
    },
    async reconcileAll({ correlationId, ownerAccountIds, mode }) {
      const report = await reconciler.reconcileAll({ correlationId, ...(ownerAccountIds ? { ownerAccountIds } : {}) });
      return {
        correlationId,
        mode: mode ?? 'inline',
        roles: report.roles,
        outcomes: report.outcomes as Record<string, number>,
        failedAccounts: report.failedAccounts.map((f) => ({ accountId: f.accountId, code: f.code })),
        durationMs: report.durationMs,
        apiCalls: report.apiCalls,
        ...(ownerAccountIds ? { ownerAccountIds } : {}),
      };
    },
  };
}
