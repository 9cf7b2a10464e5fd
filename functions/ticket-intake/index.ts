import { ValidationError } from '../../shared/domain/errors.js';
import { parseMnsEvent } from '../../shared/fc/envelopes.js';
import { fcHandler } from '../../shared/fc/handler.js';
import type { MessageResult } from '../../shared/intake/process-ticket.js';
import { processTicketQueueBatch } from '../../shared/usecases/ticket-batch.js';

/** The intake's answer: one outcome per queue message, and what happened to the audit events. */
export interface IntakeResult {
  readonly results: readonly MessageResult[];
  readonly audit: { readonly delivered: number; readonly pending: number };
}

/** A message's outcome as the answer carries it: each reconciled role by its outcome and error only. */
const answerOf = (result: MessageResult): MessageResult => ({
  ...result,
  ...(result.roles && {
    roles: result.roles.map(({ role, outcome, error }) => ({
      role,
      outcome,
      ...(error && { error: { code: error.code, message: error.message } }),
    })),
  }),
});

/**
 * MNS queue trigger (through EventBridge): a batch of signed `dts-trust/v1` tickets (shared/usecases/ticket-batch.ts).
 * An event that is no queue batch at all is answered with its problems, not retried.
 */
export const handler = fcHandler('ticket-intake', async (event, { services, logger }) => {
  let messages: ReturnType<typeof parseMnsEvent>;
  try {
    messages = parseMnsEvent(event);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    logger.error('undeliverable trigger event', { problems: error.problems });
    return { results: [], audit: { delivered: 0, pending: 0 }, problems: error.problems };
  }
  const { results, audit } = await processTicketQueueBatch(services, messages, logger);
  return {
    results: results.map(answerOf),
    audit: { delivered: audit.delivered, pending: audit.pending },
  } satisfies IntakeResult;
});
