import type { AuditOutbox, AuditSink } from '../ports.js';

/** What one delivery pass did. */
export interface AuditDeliveryReport {
  readonly delivered: number;
  /** Events the bus refused in this pass; they stay in the outbox for the next run (as does anything not tried). */
  readonly pending: number;
  readonly failureCodes: readonly string[];
}

/**
 * Deliver what the outbox holds to the bus, oldest first, and forget what the bus accepted. Stops at the first
 * pass that delivers nothing (bus down), so an outage costs one failed call, not one per event. Nothing is lost:
 * undelivered events stay in the outbox.
 */
export async function deliverAuditEvents(
  outbox: AuditOutbox,
  sink: AuditSink,
  options: { batchSize?: number; maxEvents?: number } = {},
): Promise<AuditDeliveryReport> {
  const batchSize = options.batchSize ?? 160;
  const maxEvents = options.maxEvents ?? 10_000;
  let delivered = 0;
  const codes = new Set<string>();
  const skipped = new Set<string>();
  while (delivered + skipped.size < maxEvents) {
    const events = (await outbox.pending(batchSize + skipped.size)).filter((e) => !skipped.has(e.id));
    if (events.length === 0) break;
    const batch = events.slice(0, batchSize);
    const result = await sink.publish(batch);
    if (result.delivered.length > 0) await outbox.remove(result.delivered);
    delivered += result.delivered.length;
    for (const f of result.failed) {
      skipped.add(f.id);
      codes.add(f.code);
    }
    if (result.delivered.length === 0) break;
  }
  return { delivered, pending: skipped.size, failureCodes: [...codes] };
}
