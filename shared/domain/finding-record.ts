/**
 * The state of one finding across its repeats: open from its first event until it is resolved (its condition is
 * gone) or closed by a person, reopened when it is raised again afterwards. Folded from the delivered finding and
 * resolution events, so the state follows exactly what reached the bus.
 */
import type { AuditEvent } from './audit.js';
import {
  type FindingData,
  type FindingKind,
  type FindingSeverity,
  isFindingEvent,
  isFindingKind,
  isResolvedEvent,
  type ResolvedData,
} from './finding.js';

/** Whether a finding still asks for a person. */
export const FindingState = {
  Open: 'open',
  Resolved: 'resolved',
} as const;
/** One of {@link FindingState}. */
export type FindingState = (typeof FindingState)[keyof typeof FindingState];

/** One finding's state (a row of the findings table). */
export interface FindingRecord {
  readonly findingId: string;
  readonly kind: FindingKind;
  readonly severity: FindingSeverity;
  readonly subject: string;
  /** The latest event's summary and evidence. */
  readonly summary: string;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly state: FindingState;
  /** ISO times of the first and the latest event. */
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  /** Finding events seen (redeliveries of one event count once). */
  readonly occurrences: number;
  /** The CloudEvents id of the latest finding event. */
  readonly lastEventId: string;
  /** Set once resolved or closed: when, by whom (`dts-trust` or a person), and why. */
  readonly resolvedAt?: string | undefined;
  readonly resolvedBy?: string | undefined;
  readonly resolution?: string | undefined;
}

/** True when the event changes a finding's state (a finding or a resolution). */
export function affectsFindings(event: Pick<AuditEvent, 'type'>): boolean {
  return isFindingEvent(event) || isResolvedEvent(event);
}

/** The findingId an event is about, or undefined for events that are neither findings nor resolutions. */
export function findingIdOfEvent(event: AuditEvent): string | undefined {
  if (!affectsFindings(event)) return undefined;
  const id = (event.data as Partial<FindingData>).findingId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/**
 * The record after `event`: a finding opens (or reopens) it and counts a repeat; a resolution ends it. Events older
 * than the state they would change, and a second delivery of the latest event, change nothing, so redeliveries and
 * out-of-order deliveries fold to the same state. `undefined` for a resolution of a finding never seen.
 */
export function foldFindingEvent(current: FindingRecord | undefined, event: AuditEvent): FindingRecord | undefined {
  if (isResolvedEvent(event)) {
    if (current === undefined || current.state === FindingState.Resolved) return current;
    if (event.time < current.lastSeenAt) return current;
    const data = event.data as Partial<ResolvedData>;
    return {
      ...current,
      state: FindingState.Resolved,
      resolvedAt: event.time,
      resolvedBy: typeof data.resolvedBy === 'string' ? data.resolvedBy : 'dts-trust',
      resolution: typeof data.summary === 'string' ? data.summary : undefined,
    };
  }
  if (!isFindingEvent(event)) return current;
  const data = event.data as Partial<FindingData>;
  if (typeof data.findingId !== 'string' || typeof data.kind !== 'string' || !isFindingKind(data.kind)) return current;
  if (current?.lastEventId === event.id) return current;
  const severity = (data.severity ?? 'medium') as FindingSeverity;
  const latest = {
    severity,
    summary: typeof data.summary === 'string' ? data.summary : '',
    evidence: data.evidence ?? {},
    lastEventId: event.id,
    lastSeenAt: event.time,
  };
  if (current === undefined) {
    return {
      findingId: data.findingId,
      kind: data.kind,
      subject: event.subject,
      state: FindingState.Open,
      firstSeenAt: event.time,
      occurrences: 1,
      ...latest,
    };
  }
  const occurrences = current.occurrences + 1;
  if (current.state === FindingState.Resolved) {
    if (current.resolvedAt !== undefined && event.time <= current.resolvedAt) return { ...current, occurrences };
    return {
      ...current,
      ...latest,
      state: FindingState.Open,
      occurrences,
      resolvedAt: undefined,
      resolvedBy: undefined,
      resolution: undefined,
    };
  }
  if (event.time < current.lastSeenAt) return { ...current, occurrences };
  return { ...current, ...latest, occurrences };
}
