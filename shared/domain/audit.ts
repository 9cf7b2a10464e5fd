import { createHash } from 'node:crypto';
import { AUDIT_BOUNDS, type AuditTruncation, boundAuditData, cutText } from './audit-bounds.js';
import type { FindingEventType, ResolvedEventType } from './finding.js';
import type { TicketRef } from './grant.js';

/** CloudEvents `source` of every event dts-trust emits. */
export const AUDIT_SOURCE = 'dts-trust';

/** The CloudEvents `type` of every audit event (each at most 64 characters). */
export const AuditEventType = {
  GrantDeclared: 'dts-trust.grant.declared',
  GrantRejected: 'dts-trust.grant.rejected',
  GrantRevoked: 'dts-trust.grant.revoked',
  GrantExpired: 'dts-trust.grant.expired',
  /** A `mode` ticket switched a grant's mode (recorded before the grant row is written). */
  GrantModeChanged: 'dts-trust.grant.mode-changed',
  RoleCreated: 'dts-trust.role.created',
  RoleRepaired: 'dts-trust.role.repaired',
  RoleDeleted: 'dts-trust.role.deleted',
  RoleInSync: 'dts-trust.role.in-sync',
  RoleDriftObserved: 'dts-trust.role.drift-observed',
  RoleConflict: 'dts-trust.role.conflict',
  RolePaused: 'dts-trust.role.paused',
  /** A `resume` ticket cleared the flap pause of a role (recorded before the role is reconciled). */
  RoleResumed: 'dts-trust.role.resumed',
  RoleFailed: 'dts-trust.role.failed',
  ChangePlanned: 'dts-trust.change.planned',
  AccountFailed: 'dts-trust.account.failed',
  RunSummary: 'dts-trust.run.summary',
  /** What one authenticated ticket came to, for the ticketing system that sent it (docs/events.md). */
  TicketProcessed: 'dts-trust.ticket.processed',
  /** `npm run cli -- setup` is about to change (or changed) RAM in an account: the management role and its policy. */
  SetupChange: 'dts-trust.setup.change',
  /** A Tencent trusted account's sub-user AssumeRole policy is about to change (created, repaired, users, deleted). */
  SubAccountPolicyChange: 'dts-trust.sub-account-policy.change',
} as const;
/**
 * One of {@link AuditEventType}, a finding's type (`dts-trust.finding.<kind>`) or the type of its resolution
 * (`dts-trust.resolved.<kind>`), see finding.ts.
 */
export type AuditEventType =
  | (typeof AuditEventType)[keyof typeof AuditEventType]
  | FindingEventType
  | ResolvedEventType;

/** The payload of an audit event: enough to answer who, what, why, before and after. */
export interface AuditEventData {
  /** Ties together every event of one intake message or reconcile run. */
  readonly correlationId: string;
  /** What happened, in one word (`created`, `repaired`, `rejected`, `conflict`, ...). */
  readonly outcome: string;
  /** Grants behind the decision, as `owner/role/trusted` ids. */
  readonly grantIds?: readonly string[];
  readonly ticket?: TicketRef;
  /** The state before and after the change (trust policy text, policy names). */
  readonly before?: unknown;
  readonly after?: unknown;
  /** Findings or the semantic diff that led to the decision. */
  readonly diff?: unknown;
  /** Catalog or API codes, for rejections and failures. */
  readonly codes?: readonly string[];
  /** Free-form detail (counts for a run summary, a message for a failure). */
  readonly detail?: Readonly<Record<string, unknown>>;
  /** What the size bound left out (only when something was cut; see audit-bounds.ts). */
  readonly truncated?: AuditTruncation;
}

/** An audit event, CloudEvents 1.0 shaped; `subject` is the role's ARN when there is one. */
export interface AuditEvent {
  readonly id: string;
  readonly type: AuditEventType;
  readonly source: typeof AUDIT_SOURCE;
  readonly subject: string;
  readonly time: string;
  readonly data: AuditEventData;
}

/**
 * Build an audit event; `id` must be unique (a UUID), `time` comes from the caller's clock. The event is held to
 * {@link AUDIT_BOUNDS} here, so every producer's events fit the bus whatever text the sender chose.
 */
export function newAuditEvent<D extends AuditEventData>(init: {
  id: string;
  type: AuditEventType;
  subject: string;
  time: Date;
  data: D;
}): AuditEvent {
  return boundAuditEvent({
    id: init.id,
    type: init.type,
    source: AUDIT_SOURCE,
    subject: init.subject,
    time: init.time.toISOString(),
    data: init.data,
  });
}

/** `event` held to {@link AUDIT_BOUNDS} (subject cut, data bounded); the same object when it already fits. */
export function boundAuditEvent(event: AuditEvent): AuditEvent {
  const subject = cutText(event.subject, AUDIT_BOUNDS.maxSubjectChars);
  const data = boundAuditData(event.data);
  return subject === event.subject && data === event.data ? event : { ...event, subject, data };
}

/**
 * A UUID-shaped event id derived from `parts`: the same parts give the same id, so recording the same event
 * twice (racing workers, a retried step) writes one outbox row and consumers see one event.
 */
export function deterministicEventId(...parts: readonly string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
