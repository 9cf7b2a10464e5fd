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
  /** A trust entry of an account (or principal, or statement) no grant declares was removed from a role. */
  'undeclared-principal-removed': FindingSeverity.High,
  /** A `*` or wildcard principal was removed from a role's trust policy. */
  'wildcard-principal-removed': FindingSeverity.Critical,
  /** RAM rewrote `<uid>@dts.aliyuncs.com` to `dts.aliyuncs.com`: someone entered the owner's own ID; repaired. */
  'service-principal-rewritten': FindingSeverity.Medium,
  /** A role a grant declares exists, dts-trust did not create it, and no grant says `adopt: true`. */
  'unowned-role-in-the-way': FindingSeverity.Medium,
  /**
   * Tencent: a trusted account holds a policy of the sub-account policy's reserved name that dts-trust did not
   * create (not the recorded id, or no ownership marker); it is left as it is, and the sub-users cannot get theirs.
   */
  'unowned-policy-in-the-way': FindingSeverity.High,
  /** The same drift of declared access came back so often that the role was paused: another tool fights us. */
  'tug-of-war': FindingSeverity.High,
  /** The management role of an owner account is missing, does not trust the automation account, or lacks rights. */
  'management-role-broken': FindingSeverity.High,
  /** A declared role no DTS job used in the last inventories: access nobody seems to need. */
  'role-unused-by-dts': FindingSeverity.Low,
  /** A removal (revoke, expiry) took away a role that DTS jobs use: those jobs will fail. */
  'dts-jobs-broken-by-removal': FindingSeverity.High,
  /** No reconcile run succeeded within the allowed number of timer intervals. */
  'reconciler-not-running': FindingSeverity.Critical,
} as const satisfies Record<string, FindingSeverity>;

/** One of the keys of {@link FINDING_KINDS}. */
export type FindingKind = keyof typeof FINDING_KINDS;

/** How a finding ends. */
export const FindingLifecycle = {
  /** Something happened (a removal, a refused event): it stays open until a person closes it. */
  Acknowledge: 'acknowledge',
  /** A condition (a broken role, a stopped timer): it is resolved by the product once the condition is gone. */
  Condition: 'condition',
} as const;
/** One of {@link FindingLifecycle}. */
export type FindingLifecycle = (typeof FindingLifecycle)[keyof typeof FindingLifecycle];

/** How each kind of finding ends (docs/events.md). */
export const FINDING_LIFECYCLE = {
  'audit-event-set-aside': FindingLifecycle.Acknowledge,
  'audit-delivery-failing': FindingLifecycle.Condition,
  'audit-record-corrupt': FindingLifecycle.Acknowledge,
  'removal-fight': FindingLifecycle.Acknowledge,
  'undeclared-principal-removed': FindingLifecycle.Acknowledge,
  'wildcard-principal-removed': FindingLifecycle.Acknowledge,
  'service-principal-rewritten': FindingLifecycle.Acknowledge,
  'unowned-role-in-the-way': FindingLifecycle.Condition,
  'unowned-policy-in-the-way': FindingLifecycle.Condition,
  'tug-of-war': FindingLifecycle.Condition,
  'management-role-broken': FindingLifecycle.Condition,
  'role-unused-by-dts': FindingLifecycle.Condition,
  'dts-jobs-broken-by-removal': FindingLifecycle.Acknowledge,
  'reconciler-not-running': FindingLifecycle.Condition,
} as const satisfies Record<FindingKind, FindingLifecycle>;

/** True when `kind` names a kind of finding. */
export function isFindingKind(kind: string): kind is FindingKind {
  return Object.hasOwn(FINDING_KINDS, kind);
}

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

/** The prefix of the event that says a finding's condition is gone. */
export const RESOLVED_TYPE_PREFIX = 'dts-trust.resolved.';

/** The CloudEvents type of a resolution: `dts-trust.resolved.<kind>` (routed like the finding it ends). */
export type ResolvedEventType = `${typeof RESOLVED_TYPE_PREFIX}${FindingKind}`;

/** True when `event` says a finding was resolved or closed. */
export function isResolvedEvent(event: Pick<AuditEvent, 'type'>): boolean {
  return event.type.startsWith(RESOLVED_TYPE_PREFIX);
}

/** The data of a resolution event. */
export interface ResolvedData extends AuditEventData {
  readonly outcome: 'resolved';
  readonly kind: FindingKind;
  readonly findingId: string;
  /** The finding's severity, so one rule routes a finding and its end alike. */
  readonly severity: FindingSeverity;
  readonly summary: string;
  /** Who ended it: `dts-trust` (the condition is gone) or the person who closed it. */
  readonly resolvedBy: string;
}

/** Build the event that ends a finding (the condition is gone, or a person closed it). */
export function newResolvedEvent(init: {
  id: string;
  kind: FindingKind;
  findingId: string;
  subject: string;
  time: Date;
  correlationId: string;
  summary: string;
  resolvedBy: string;
  /** The finding's severity; defaults to the kind's. */
  severity?: FindingSeverity;
}): AuditEvent {
  const data: ResolvedData = {
    correlationId: init.correlationId,
    outcome: 'resolved',
    kind: init.kind,
    findingId: init.findingId,
    severity: init.severity ?? FINDING_KINDS[init.kind],
    summary: init.summary,
    resolvedBy: init.resolvedBy,
  };
  return newAuditEvent({
    id: init.id,
    type: `${RESOLVED_TYPE_PREFIX}${init.kind}`,
    subject: init.subject,
    time: init.time,
    data,
  });
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
