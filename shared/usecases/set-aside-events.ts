import type { AuditDeliveryReport } from '../audit/deliver-audit-events.js';
import type { Services } from '../composition/services.js';
import type { SetAsideRecord } from '../ports.js';
import { deliverOutbox } from './deliver-outbox.js';

/** The audit events set aside: the bus refused them for good (or too often), or their row was unreadable. */
export function listSetAsideEvents(services: Services): AsyncIterable<SetAsideRecord> {
  return services.outbox.setAsideRecords();
}

/** Put one set-aside event back into the outbox and deliver at once; `undefined` when there is no such record. */
export async function replaySetAsideEvent(
  services: Services,
  eventId: string,
): Promise<AuditDeliveryReport | undefined> {
  if (!(await services.outbox.replay(eventId, services.clock.now()))) return undefined;
  return deliverOutbox(services);
}
