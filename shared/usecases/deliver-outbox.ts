import { type AuditDeliveryReport, deliverAuditEvents } from '../audit/deliver-audit-events.js';
import type { Services } from '../composition/services.js';

/**
 * Deliver the audit outbox now (one pass of {@link deliverAuditEvents}), logging to the services' logger: what an
 * operator's command does before it exits, so its audit trail reaches the bus at once.
 */
export function deliverOutbox(services: Services, correlationId?: string): Promise<AuditDeliveryReport> {
  return deliverAuditEvents(services.outbox, services.sink, {
    clock: services.clock,
    logger: services.logger.child({ component: 'audit-delivery' }),
    ...(correlationId === undefined ? {} : { correlationId }),
  });
}
