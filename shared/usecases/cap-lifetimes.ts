import { randomUUID } from 'node:crypto';
import type { AuditDeliveryReport } from '../audit/deliver-audit-events.js';
import type { Services } from '../composition/services.js';
import { capGrantLifetimes } from '../intake/cap-lifetimes.js';
import { deliverOutbox } from './deliver-outbox.js';

/** The grants given a lifetime, and the audit delivery after it. */
export interface CapLifetimesResult {
  readonly capped: readonly string[];
  readonly audit: AuditDeliveryReport;
}

/**
 * Upgrade step: give every stored grant without an expiry the maximum lifetime (DTS_TRUST_MAX_GRANT_DAYS) from
 * now, then deliver the audit events. Grants written by this release always have one.
 */
export async function capLifetimes(services: Services): Promise<CapLifetimesResult> {
  const capped = await capGrantLifetimes(
    {
      grants: services.grants,
      audit: services.outbox,
      clock: services.clock,
      guardrails: services.config.guardrails,
      newId: randomUUID,
    },
    randomUUID(),
  );
  const audit = await deliverOutbox(services);
  return { capped, audit };
}
