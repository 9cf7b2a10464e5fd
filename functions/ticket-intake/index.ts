import { deliverAuditEvents } from '../../shared/audit/deliver-audit-events.js';
import { createEngine } from '../../shared/composition/reconciler.js';
import { DtsTrustError, ValidationError } from '../../shared/domain/errors.js';
import { parseMnsEvent } from '../../shared/fc/envelopes.js';
import { fcHandler } from '../../shared/fc/handler.js';
import { AccountPreflight } from '../../shared/intake/preflight.js';
import { MessageOutcome, type MessageResult, processTicketBatch } from '../../shared/intake/process-ticket.js';

/** The intake's answer: one outcome per queue message, and what happened to the audit events. */
export interface IntakeResult {
  readonly results: readonly MessageResult[];
  readonly audit: { readonly delivered: number; readonly pending: number };
}

/** Thrown when some messages must be retried: the trigger's retry and dead-letter queue take over. */
export class IntakeRetryError extends DtsTrustError {
  constructor(readonly results: readonly MessageResult[]) {
    const retry = results.filter((r) => r.outcome === MessageOutcome.Retry);
    super(
      'IntakeRetry',
      `${retry.length} of ${results.length} messages could not be processed now and will be redelivered: ${retry
        .map((r) => `${r.messageId} (${r.error})`)
        .join('; ')}`,
    );
    this.name = 'IntakeRetryError';
  }
}

/**
 * MNS queue trigger (through EventBridge): each message is a signed `dts-trust/v1` ticket. Every message gets its
 * own outcome; one bad message never blocks the others. When a message hits a retryable failure (store
 * unavailable), the invocation fails after the others are done, so the trigger redelivers the batch; messages
 * already processed are recognised by their key and change nothing.
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
  const engine = createEngine(services);
  const settings = await services.settings();
  const guardrails = {
    ...services.config.guardrails,
    allowedOwnerAccounts: settings.allowedOwnerAccounts,
    allowedTrustedAccounts: settings.allowedTrustedAccounts,
  };
  const results = await processTicketBatch(messages, {
    ticketSystems: settings.ticketSystems,
    refreshTicketSystems: async (keyId) => (await services.settingsSource.refreshForUnknownKey(keyId)).ticketSystems,
    replayWindowSeconds: services.config.replayWindowSeconds,
    guardrails,
    partitions: settings.accountPartitions,
    defaultPartition: settings.defaultAccountPartition,
    ledger: services.ledger,
    grants: services.grants,
    status: services.status,
    audit: services.outbox,
    clock: services.clock,
    reconcileRole: (role, correlationId) => engine.reconcileRole(role, correlationId),
    preflight: new AccountPreflight({ broker: services.broker, roles: services.directory, users: services.users }),
  });
  for (const result of results) {
    logger.info('message processed', {
      messageId: result.messageId,
      outcome: result.outcome,
      ticket: result.ticket,
      codes: result.codes,
      ...(result.unchecked ? { unchecked: result.unchecked } : {}),
      ...(result.error ? { error: result.error } : {}),
    });
  }
  const audit = await deliverAuditEvents(services.outbox, services.sink, { clock: services.clock, logger });
  if (results.some((r) => r.outcome === MessageOutcome.Retry)) throw new IntakeRetryError(results);
  return { results, audit: { delivered: audit.delivered, pending: audit.pending } } satisfies IntakeResult;
});
