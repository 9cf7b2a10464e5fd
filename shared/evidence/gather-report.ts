import type { FindingRecord } from '../domain/finding-record.js';
import { FindingState } from '../domain/finding-record.js';
import type { Grant, RoleKey } from '../domain/grant.js';
import { roleArn } from '../domain/ownership.js';
import type {
  AuditHistory,
  Clock,
  FindingLedger,
  GrantStore,
  HistoryEntry,
  RoleStatus,
  StatusStore,
} from '../ports.js';
import { buildEvidenceReport, type EvidenceReport } from './report-model.js';

/** Days the drift chart covers unless asked otherwise. */
export const DEFAULT_DRIFT_DAYS = 90;

const DAY_MS = 24 * 3600 * 1000;

const SEVERITY_RANK: Readonly<Record<string, number>> = { critical: 0, high: 1, medium: 2, low: 3 };

/** What the report reads. */
export interface ReportSources {
  readonly grants: GrantStore;
  readonly status: StatusStore;
  readonly findings: FindingLedger;
  readonly history: AuditHistory;
  readonly clock: Pick<Clock, 'now'>;
}

/**
 * Read what the evidence report shows: every grant (role by role, one page of rows at a time), every status row,
 * the open findings, the delivered events of the chart's span, and the trail of `role` when one is asked for.
 */
export async function gatherEvidenceReport(
  sources: ReportSources,
  options: { role?: RoleKey | undefined; driftDays?: number | undefined } = {},
): Promise<EvidenceReport> {
  const now = sources.clock.now();
  const driftDays = options.driftDays ?? DEFAULT_DRIFT_DAYS;
  const grants: Grant[] = [];
  for await (const role of sources.grants.listManagedRoles())
    grants.push(...(await sources.grants.listGrantsForRole(role)));
  const statuses: RoleStatus[] = [];
  for await (const status of sources.status.listStatuses()) statuses.push(status);
  const openFindings: FindingRecord[] = [];
  for await (const f of sources.findings.list({ state: FindingState.Open })) openFindings.push(f);
  openFindings.sort(
    (a, b) =>
      (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) || (a.lastSeenAt < b.lastSeenAt ? 1 : -1),
  );
  const history: HistoryEntry[] = [];
  const since = new Date(now.getTime() - driftDays * DAY_MS);
  for await (const entry of sources.history.entries({ since })) history.push(entry);
  let trail: { role: string; entries: HistoryEntry[] } | undefined;
  if (options.role) {
    const arn = roleArn(options.role);
    const entries: HistoryEntry[] = [];
    for await (const entry of sources.history.trail(arn)) entries.push(entry);
    trail = { role: arn, entries };
  }
  return buildEvidenceReport({ now, grants, statuses, openFindings, history, driftDays, trail });
}
