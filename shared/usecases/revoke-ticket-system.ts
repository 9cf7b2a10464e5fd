import { randomUUID } from 'node:crypto';
import type { AuditDeliveryReport } from '../audit/deliver-audit-events.js';
import { reconcilerFor } from '../composition/reconciler.js';
import type { Services } from '../composition/services.js';
import { type RevokeSystemResult, revokeSystem } from '../intake/revoke-system.js';
import { deliverOutbox } from './deliver-outbox.js';

/** What revoking a ticketing system did, and the audit delivery after it. */
export interface RevokeTicketSystemResult extends RevokeSystemResult {
  readonly audit: AuditDeliveryReport;
}

/**
 * Remove every grant a (compromised) ticketing system declared, reconcile the affected roles now, then deliver the
 * audit events. Withdraw the system's keys from the trust settings first, so it cannot declare again.
 */
export async function revokeTicketSystem(services: Services, system: string): Promise<RevokeTicketSystemResult> {
  const reconciler = reconcilerFor(services);
  const result = await revokeSystem(
    system,
    {
      grants: services.grants,
      audit: services.outbox,
      clock: services.clock,
      reconcileRole: (role, correlationId) => reconciler.reconcileRole(role, { correlationId }),
      newId: randomUUID,
    },
    randomUUID(),
  );
  const audit = await deliverOutbox(services);
  return { ...result, audit };
}
