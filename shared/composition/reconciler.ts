import { jobDirectory } from '../evidence/dts-inventory.js';
import type { GrantStore } from '../ports.js';
import { createReconciler, type Reconciler, type ReconcilerOptions } from '../reconcile/index.js';
import { accountsOf, type Services } from './services.js';

/**
 * The reconciler over the adapters, with the configured limits, retries, flap window and protected roles.
 * `over.grants` replaces the grant store (a ticket preview plans against the grants as they would be after it);
 * `over.maxResults` bounds the per-role results a run keeps (0 for the timer's runs, whose answer and summary are
 * counts: {@link ReconcilerOptions.maxResults}).
 */
export function reconcilerFor(
  services: Services,
  over: { readonly grants?: GrantStore; readonly maxResults?: number } = {},
): Reconciler {
  const { config } = services;
  const accounts = accountsOf(services);
  return createReconciler({
    broker: accounts.broker,
    directory: accounts.directory,
    listing: accounts.listing,
    ...(services.tencent ? { trustedSide: services.tencent.trustedSide } : {}),
    grants: over.grants ?? services.grants,
    status: services.status,
    audit: services.outbox,
    clock: services.clock,
    random: services.random,
    // Listed only when a removal takes a task account out of a role, or a grant names its jobs; once per run.
    dtsJobs: jobDirectory(services.dts, services.broker, config.dtsRegions),
    options: {
      retry: config.retry,
      ramCallsPerSecond: config.ramRateLimitPerSecond,
      accountConcurrency: config.concurrency.accounts,
      roleConcurrency: config.concurrency.rolesPerAccount,
      status: { flapWindowMs: config.flap.windowMinutes * 60_000, flapLimit: config.flap.limit },
      plan: { protectedRoles: config.protectedRoles },
      ...(over.maxResults === undefined ? {} : { maxResults: over.maxResults }),
    },
  });
}
