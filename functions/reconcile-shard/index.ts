import { z } from 'zod';
import { ownerAccountIdSchema } from '../../shared/domain/account-id.js';
import { parseEvent } from '../../shared/fc/envelopes.js';
import { fcHandler } from '../../shared/fc/handler.js';
import { runSummary } from '../../shared/usecases/run-summary.js';
import { runShard } from '../../shared/usecases/shard-run.js';

/** What the drift reconciler sends each shard. */
export const ShardEventSchema = z
  .object({
    correlationId: z.string().uuid(),
    shard: z.number().int().nonnegative(),
    ownerAccountIds: z.array(ownerAccountIdSchema()).min(1),
  })
  .strict();

/** Asynchronous invocation from the drift reconciler: reconcile the managed roles of some owner accounts. */
export const handler = fcHandler('reconcile-shard', async (event, { services, logger }) => {
  const assignment = parseEvent(
    event,
    ShardEventSchema,
    "invoke with the drift reconciler's shard event {correlationId, shard, ownerAccountIds}",
  );
  const { run, audit } = await runShard(services, assignment, logger);
  return { shard: assignment.shard, ...runSummary(run), audit: { delivered: audit.delivered, pending: audit.pending } };
});
