import { parseTimerEvent } from '../../shared/fc/envelopes.js';
import { fcHandler } from '../../shared/fc/handler.js';
import { runSummary } from '../../shared/usecases/run-summary.js';
import { runOnTimer } from '../../shared/usecases/timer-run.js';

/**
 * Timer trigger: reconcile every managed role (expiring grants as their roles settle) and end with a run-summary
 * event; above DTS_TRUST_SHARD_THRESHOLD roles, hand the owner accounts to reconcile-shard instead
 * (shared/usecases/timer-run.ts).
 */
export const handler = fcHandler('drift-reconciler', async (event, { services, logger }) => {
  const { run, audit } = await runOnTimer(services, parseTimerEvent(event), logger);
  return { ...runSummary(run), audit: { delivered: audit.delivered, pending: audit.pending } };
});
