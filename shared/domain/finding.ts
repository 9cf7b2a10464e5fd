/**
 * Findings: audit events that ask a person to look (something the product could not do, or saw and must not
 * fix alone). Type `dts-trust.finding.<kind>`; the data carries a severity, a stable `findingId` and evidence.
 * The CloudEvents `id` stays unique per event (consumers deduplicate by it); `findingId` is the same for every
 * repeat of one finding, so consumers group and count repeats by it. See docs/events.md.
 */
import { createHash } from 'node:crypto';
import { type AuditEvent, type AuditEventData, newAuditEvent } from './audit.js';

/** How urgent a finding is. */
export const FindingSeverity = {
  Low: 'low',
  Medium: 'medium',
  High: 'high',
  Critical: 'critical',
} as const;
/** One of {@link FindingSeverity}. */
export type FindingSeverity = (typeof FindingSeverity)[keyof typeof FindingSeverity];

/**
 * Every kind of finding with its default severity. Adding a kind is one line here; its event type is
 * `dts-trust.finding.<kind>` (at most 64 characters, so a kind has at most 46).
 */
export const FINDING_KINDS = {
  /** The bus refused an audit event for good (or too often); it was set aside in the dead-letter table. */
  'audit-event-set-aside': FindingSeverity.High,
  /** PutEvents keeps failing as a whole (no permission, missing bus, throttling, outage); events wait. */
  'audit-delivery-failing': FindingSeverity.High,
  /** An outbox row could not be read as an event; it was set aside. */
  'audit-record-corrupt': FindingSeverity.Medium,
  /** A flap-paused role had access no grant declares given back again; the engine removed it once more. */
  'removal-fight': FindingSeverity.High,
} as const satisfies Record<string, FindingSeverity>;

/** One of the keys of {@link FINDING_KINDS}. */
export type FindingKind = keyof typeof FINDING_KINDS;

/** The prefix of every finding's event type. */
export const FINDING_TYPE_PREFIX = 'dts-trust.finding.';

/** The CloudEvents type of a finding. */
export type FindingEventType = `${typeof FINDING_TYPE_PREFIX}${FindingKind}`;

/** The event type of a kind of finding. */
export function findingEventType(kind: FindingKind): FindingEventType {
  return `${FINDING_TYPE_PREFIX}${kind}`;
}

/** True when `event` is a finding. */
export function isFindingEvent(event: Pick<AuditEvent, 'type'>): boolean {
  return event.type.startsWith(FINDING_TYPE_PREFIX);
}

/** The data of a finding event. */
export interface FindingData extends AuditEventData {
  readonly outcome: 'finding';
  readonly kind: FindingKind;
  /** The same for every repeat of this finding: derived from kind, subject and what it is about. */
  readonly findingId: string;
  readonly severity: FindingSeverity;
  /** One sentence for a person. */
  readonly summary: string;
  /** What was seen (codes, ids, counts); bounded like all audit data. */
  readonly evidence: Readonly<Record<string, unknown>>;
}

/** The stable id of a finding: `fnd-` and 32 hex digits of SHA-256 over kind, subject and what it is about. */
export function findingIdOf(kind: FindingKind, subject: string, about: string): string {
  return `fnd-${createHash('sha256').update(`${kind}\u0000${subject}\u0000${about}`).digest('hex').slice(0, 32)}`;
}

/** Build a finding event (its data bounded like every audit event's). */
export function newFindingEvent(init: {
  /** Unique per event (a UUID, or a deterministic id when the same event may be recorded twice). */
  id: string;
  kind: FindingKind;
  /** What the finding is on (a role ARN, `dts-trust:audit-event/<id>`, `dts-trust:event-bus/<name>`). */
  subject: string;
  /** What about the subject it is (a code, a drift signature): with kind and subject it makes the findingId. */
  about: string;
  time: Date;
  correlationId: string;
  summary: string;
  evidence: Readonly<Record<string, unknown>>;
  /** Defaults to the kind's severity in {@link FINDING_KINDS}. */
  severity?: FindingSeverity;
}): AuditEvent {
  const data: FindingData = {
    correlationId: init.correlationId,
    outcome: 'finding',
    kind: init.kind,
    findingId: findingIdOf(init.kind, init.subject, init.about),
    severity: init.severity ?? FINDING_KINDS[init.kind],
    summary: init.summary,
    evidence: init.evidence,
  };
  return newAuditEvent({
    id: init.id,
    type: findingEventType(init.kind),
    subject: init.subject,
    time: init.time,
    data,
  });
}
