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
 * A person closes a finding: a `dts-trust.resolved.<kind>` event naming them and their reason is recorded in the
 * outbox (so the closing is audited and routed like the finding), and the finding's state follows once the event is
 * delivered. Closing a finding that is not open records nothing.
 */
export async function closeFinding(
  deps: { findings: FindingLedger; audit: AuditLog; clock: Pick<Clock, 'now'>; newId: () => string },
  request: { findingId: string; closedBy: string; reason: string; correlationId: string },
): Promise<CloseFindingResult> {
  const record = await deps.findings.get(request.findingId);
  if (record === undefined) return { closed: false, refusal: CloseFindingRefusal.NotFound };
  if (record.state !== FindingState.Open) return { closed: false, refusal: CloseFindingRefusal.AlreadyResolved };
  const event = newResolvedEvent({
    id: deps.newId(),
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
