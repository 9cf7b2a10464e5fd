/**
 * What the evidence report shows, computed from stored state (pure): grants by state and mode, roles by their last
 * outcome, what expires within 7 and 30 days, the open findings, drift repaired per day, and one role's trail.
 */
import { AuditEventType } from '../domain/audit.js';
import { isGrantActive } from '../domain/desired-role.js';
import type { FindingRecord } from '../domain/finding-record.js';
import type { Grant } from '../domain/grant.js';
import { grantId } from '../domain/ownership.js';
import type { HistoryEntry, RoleStatus } from '../ports.js';

const DAY_MS = 24 * 3600 * 1000;

/** The windows "expires soon" is shown for, in days. */
export const EXPIRY_WINDOWS = [7, 30] as const;

/** One grant as the report lists it. */
export interface ReportGrant {
  readonly grantId: string;
  readonly mode: string;
  readonly ticket: string;
  readonly requester: string;
  readonly approver: string;
  readonly expiresAt?: string | undefined;
}

/** Drift repaired on one UTC day. */
export interface DriftDay {
  /** `yyyy-mm-dd`. */
  readonly day: string;
  readonly repaired: number;
}

/** One event of a role's audit trail, as a person reads it. */
export interface TrailLine {
  readonly time: string;
  readonly type: string;
  readonly outcome: string;
  readonly ticket?: string | undefined;
  readonly detail: string;
}

/** Everything the report page shows. */
export interface EvidenceReport {
  readonly generatedAt: string;
  readonly grants: {
    readonly total: number;
    readonly active: number;
    readonly expired: number;
    readonly byMode: Readonly<Record<string, number>>;
  };
  readonly roles: { readonly total: number; readonly byOutcome: Readonly<Record<string, number>> };
  /** Active grants ending within each window (days), soonest first. */
  readonly expiring: ReadonlyArray<{ readonly days: number; readonly grants: readonly ReportGrant[] }>;
  readonly openFindings: readonly FindingRecord[];
  /** One entry per day of the chart's span, oldest first (days without repairs count 0). */
  readonly drift: readonly DriftDay[];
  /** The trail of the role asked for, oldest first. */
  readonly trail?: { readonly role: string; readonly lines: readonly TrailLine[] } | undefined;
}

/** What the report is computed from. */
export interface ReportInputs {
  readonly now: Date;
  readonly grants: readonly Grant[];
  readonly statuses: readonly RoleStatus[];
  readonly openFindings: readonly FindingRecord[];
  /** Delivered events of the chart's span (any order; only repairs are counted). */
  readonly history: readonly HistoryEntry[];
  /** Days the drift chart covers, ending today. */
  readonly driftDays: number;
  readonly trail?: { readonly role: string; readonly entries: readonly HistoryEntry[] } | undefined;
}

function reportGrant(g: Grant): ReportGrant {
  return {
    grantId: grantId(g),
    mode: g.mode,
    ticket: `${g.ticket.system}:${g.ticket.id}`,
    requester: g.ticket.requester,
    approver: g.ticket.approver,
    expiresAt: g.expiresAt,
  };
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Repairs per UTC day over the `days` days ending with `now`'s day. */
export function driftPerDay(history: readonly HistoryEntry[], now: Date, days: number): DriftDay[] {
  const today = Date.parse(`${utcDay(now.getTime())}T00:00:00Z`);
  const counts = new Map<string, number>();
  for (let i = days - 1; i >= 0; i--) counts.set(utcDay(today - i * DAY_MS), 0);
  for (const { event } of history) {
    if (event.type !== AuditEventType.RoleRepaired) continue;
    const day = event.time.slice(0, 10);
    if (counts.has(day)) counts.set(day, (counts.get(day) ?? 0) + 1);
  }
  return [...counts].map(([day, repaired]) => ({ day, repaired }));
}

function trailLine({ event }: HistoryEntry): TrailLine {
  const data = event.data;
  const parts: string[] = [];
  if (data.codes?.length) parts.push(`codes ${data.codes.join(', ')}`);
  if (data.grantIds?.length) parts.push(`grants ${data.grantIds.join(', ')}`);
  const summary = (data as { summary?: unknown }).summary;
  if (typeof summary === 'string') parts.push(summary);
  const message = data.detail?.['message'];
  if (typeof message === 'string') parts.push(message);
  if (typeof data.diff === 'string') parts.push(data.diff);
  else if (data.diff !== undefined && typeof (data.diff as { summary?: unknown }).summary === 'string') {
    parts.push((data.diff as { summary: string }).summary);
  }
  return {
    time: event.time,
    type: event.type,
    outcome: data.outcome,
    ticket: data.ticket
      ? `${data.ticket.system}:${data.ticket.id} (${data.ticket.requester}, approved by ${data.ticket.approver})`
      : undefined,
    detail: parts.join('; '),
  };
}

/** Compute the report. */
export function buildEvidenceReport(inputs: ReportInputs): EvidenceReport {
  const now = inputs.now.getTime();
  const active = inputs.grants.filter((g) => isGrantActive(g, inputs.now));
  const byMode: Record<string, number> = {};
  for (const g of active) byMode[g.mode] = (byMode[g.mode] ?? 0) + 1;
  const byOutcome: Record<string, number> = {};
  for (const s of inputs.statuses) {
    const outcome = s.pausedReason !== undefined ? 'paused' : s.lastResult;
    byOutcome[outcome] = (byOutcome[outcome] ?? 0) + 1;
  }
  const expiring = EXPIRY_WINDOWS.map((days) => ({
    days,
    grants: active
      .filter((g) => g.expiresAt !== undefined && Date.parse(g.expiresAt) <= now + days * DAY_MS)
      .sort((a, b) => Date.parse(a.expiresAt ?? '') - Date.parse(b.expiresAt ?? ''))
      .map(reportGrant),
  }));
  const trail = inputs.trail
    ? {
        role: inputs.trail.role,
        lines: [...inputs.trail.entries].sort((a, b) => (a.event.time < b.event.time ? -1 : 1)).map(trailLine),
      }
    : undefined;
  return {
    generatedAt: inputs.now.toISOString(),
    grants: {
      total: inputs.grants.length,
      active: active.length,
      expired: inputs.grants.length - active.length,
      byMode,
    },
    roles: { total: inputs.statuses.length, byOutcome },
    expiring,
    openFindings: inputs.openFindings,
    drift: driftPerDay(inputs.history, inputs.now, inputs.driftDays),
    trail,
  };
}
