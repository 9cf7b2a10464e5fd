import { z } from 'zod';
import { deliverAuditEvents } from '../../shared/audit/deliver-audit-events.js';
import { createEngine } from '../../shared/composition/reconciler.js';
import { alibabaAccountIdSchema } from '../../shared/domain/account-id.js';
import { parseEvent } from '../../shared/fc/envelopes.js';
import { fcHandler } from '../../shared/fc/handler.js';
import { expireGrants } from '../../shared/intake/expire-grants.js';
import { recordRunSummary } from '../../shared/usecases/run-summary.js';

/** What the drift reconciler sends each shard. */
export const ShardEventSchema = z
  .object({
    correlationId: z.string().uuid(),
    shard: z.number().int().nonnegative(),
    ownerAccountIds: z.array(alibabaAccountIdSchema()).min(1),
  })
  .strict();

/** Asynchronous invocation from the drift reconciler: reconcile the managed roles of some owner accounts. */
export const handler = fcHandler('reconcile-shard', async (event, { services, logger }) => {
  const { correlationId, shard, ownerAccountIds } = parseEvent(
    event,
    ShardEventSchema,
    "invoke with the drift reconciler's shard event {correlationId, shard, ownerAccountIds}",
  );
  const since = services.clock.now();
  const report = await createEngine(services).reconcileAll({ correlationId, ownerAccountIds, mode: 'shard' });
  let expiredGrants = 0;
  for (const ownerAccountId of ownerAccountIds) {
    expiredGrants += await expireGrants({ ...services, audit: services.outbox }, correlationId, since, {
      ownerAccountId,
    });
  }
  const totals = { ...report, expiredGrants };
  await recordRunSummary(services.outbox, services.clock, totals);
  const audit = await deliverAuditEvents(services.outbox, services.sink, {
    clock: services.clock,
    logger,
    correlationId,
  });
  logger.info('shard finished', { shard, ...totals, auditDelivered: audit.delivered });
  return { shard, ...totals, audit: { delivered: audit.delivered, pending: audit.pending } };
});
