import { createHash } from 'node:crypto';
import { newResolvedEvent } from '../domain/finding.js';
import { FindingState } from '../domain/finding-record.js';
import type { AuditLog, Clock, FindingLedger } from '../ports.js';

/** Why a finding could not be closed. */
export const CloseFindingRefusal = {
  NotFound: 'FindingNotFound',
  AlreadyResolved: 'FindingAlreadyResolved',
} as const;
/** One of {@link CloseFindingRefusal}. */
export type CloseFindingRefusal = (typeof CloseFindingRefusal)[keyof typeof CloseFindingRefusal];

/** What closing did: the resolution event recorded, or why nothing was recorded. */
export type CloseFindingResult =
  | { readonly closed: true; readonly eventId: string }
  | { readonly closed: false; readonly refusal: CloseFindingRefusal };

/**
 * The id of the event that closes a finding by hand, the same for every close of one open episode (the finding's
 * latest event): closing again before the first close is delivered overwrites the waiting outbox row instead of
 * adding a second resolution, and a consumer that sees both deduplicates them by id. A finding raised again gets a
 * new latest event, so closing it then is a new event.
 */
export function closingEventId(findingId: string, lastEventId: string): string {
  return `cls-${createHash('sha256').update(`${findingId}\u0000${lastEventId}`).digest('hex').slice(0, 32)}`;
}

/**
 * A person closes a finding: a `dts-trust.resolved.<kind>` event naming them and their reason is recorded in the
 * outbox (so the closing is audited and routed like the finding), and the finding's state follows once the event is
 * delivered. Closing a finding that is not open records nothing.
 */
export async function closeFinding(
  deps: { findings: FindingLedger; audit: AuditLog; clock: Pick<Clock, 'now'> },
  request: { findingId: string; closedBy: string; reason: string; correlationId: string },
): Promise<CloseFindingResult> {
  const record = await deps.findings.get(request.findingId);
  if (record === undefined) return { closed: false, refusal: CloseFindingRefusal.NotFound };
  if (record.state !== FindingState.Open) return { closed: false, refusal: CloseFindingRefusal.AlreadyResolved };
  const event = newResolvedEvent({
    id: closingEventId(record.findingId, record.lastEventId),
    kind: record.kind,
    findingId: record.findingId,
    subject: record.subject,
    time: deps.clock.now(),
    correlationId: request.correlationId,
    summary: request.reason,
    resolvedBy: request.closedBy,
    severity: record.severity,
  });
  await deps.audit.record(event);
  return { closed: true, eventId: event.id };
}
