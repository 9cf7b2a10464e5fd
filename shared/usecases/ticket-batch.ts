import { type AuditDeliveryReport, deliverAuditEvents } from '../audit/deliver-audit-events.js';
import { reconcilerFor } from '../composition/reconciler.js';
import { accountsOf, type Services } from '../composition/services.js';
import { DtsTrustError } from '../domain/errors.js';
import { AccountPreflight } from '../intake/preflight.js';
import { MessageOutcome, type MessageResult, processTicketBatch } from '../intake/process-ticket.js';
import type { QueueMessage } from '../intake/queue-message.js';
import type { Logger } from '../ports.js';

/** What one batch of queue messages came to: an outcome per message, and the audit delivery that ended it. */
export interface TicketBatchResult {
  readonly results: readonly MessageResult[];
  readonly audit: AuditDeliveryReport;
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
 * One batch of ticket messages from the queue: each message authenticated, checked and stored on its own (one bad
 * message never blocks the others), the roles it touches reconciled at once, every outcome logged, then the audit
 * outbox delivered. The trust settings are read once for the batch (and once more for a key id they lack). When a
 * message hit a retryable failure (store unavailable), throws {@link IntakeRetryError} after the others are done,
 * so the trigger redelivers the batch; messages already processed are recognised by their key and change nothing.
 */
export async function processTicketQueueBatch(
  services: Services,
  messages: readonly QueueMessage[],
  logger: Logger,
): Promise<TicketBatchResult> {
  const reconciler = reconcilerFor(services);
  const settings = await services.settings();
  const results = await processTicketBatch(messages, {
    ticketSystems: settings.ticketSystems,
    refreshTicketSystems: async (keyId) => (await services.settingsSource.refreshForUnknownKey(keyId)).ticketSystems,
    replayWindowSeconds: services.config.replayWindowSeconds,
    guardrails: {
      ...services.config.guardrails,
      allowedOwnerAccounts: settings.allowedOwnerAccounts,
      allowedTrustedAccounts: settings.allowedTrustedAccounts,
    },
    partitions: settings.accountPartitions,
    defaultPartition: settings.defaultAccountPartition,
    ledger: services.ledger,
    grants: services.grants,
    status: services.status,
    audit: services.outbox,
    clock: services.clock,
    reconcileRole: (role, correlationId) => reconciler.reconcileRole(role, { correlationId }),
    preflight: new AccountPreflight({
      broker: accountsOf(services).broker,
      roles: accountsOf(services).directory,
      users: services.users,
      retry: { policy: services.config.retry, clock: services.clock, random: services.random },
    }),
    ...(services.tencent ? { tencent: { manages: services.tencent.manages } } : {}),
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
  return { results, audit };
}
