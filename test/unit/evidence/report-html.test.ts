import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { AuditEventType, newAuditEvent } from '../../../shared/domain/audit.js';
import { newFindingEvent } from '../../../shared/domain/finding.js';
import { foldFindingEvent } from '../../../shared/domain/finding-record.js';
import { GrantSchema } from '../../../shared/domain/grant.js';
import { renderEvidenceReport } from '../../../shared/evidence/report-html.js';
import { buildEvidenceReport } from '../../../shared/evidence/report-model.js';
import type { HistoryEntry, RoleStatus } from '../../../shared/ports.js';

const NOW = new Date('2030-03-31T12:00:00Z');
const OWNER = '1111111111111111';
const TRUSTED = '2222222222222222';
const ARN = `acs:ram::${OWNER}:role/ram-for-dts`;

const grant = (roleName: string, expiresAt: string, over: Record<string, unknown> = {}) =>
  GrantSchema.parse({
    ownerAccountId: OWNER,
    roleName,
    trustedAccountId: TRUSTED,
    expiresAt,
    ticket: { system: 'jira', id: `DBA-${roleName}`, requester: 'ana', approver: 'ben' },
    ...over,
  });

const status = (roleName: string, lastResult: string, pausedReason?: string): RoleStatus => ({
  ownerAccountId: OWNER,
  roleName,
  lastResult,
  lastReconciledAt: NOW.toISOString(),
  failureCount: 0,
  flapCount: 0,
  version: 1,
  ...(pausedReason ? { pausedReason } : {}),
});

const delivered = (
  type: AuditEventType,
  time: string,
  subject = ARN,
  data: Record<string, unknown> = {},
): HistoryEntry => ({
  event: newAuditEvent({
    id: `${type}-${time}`,
    type,
    subject,
    time: new Date(time),
    data: { correlationId: 'run', outcome: type.split('.').at(-1) ?? '', ...data },
  }),
  deliveredAt: time,
});

function page() {
  const wildcard = foldFindingEvent(
    undefined,
    newFindingEvent({
      id: 'f-1',
      kind: 'wildcard-principal-removed',
      subject: ARN,
      about: '*',
      time: new Date('2030-03-30T00:00:00Z'),
      correlationId: 'run',
      summary: 'a wildcard principal (anyone) was removed <script>alert(1)</script>',
      evidence: {},
    }),
  );
  const report = buildEvidenceReport({
    now: NOW,
    grants: [
      grant('ram-for-dts', '2030-04-03T00:00:00Z'),
      grant('soon', '2030-04-20T00:00:00Z', { mode: 'observe' }),
      grant('later', '2030-06-01T00:00:00Z'),
      grant('gone', '2030-03-01T00:00:00Z'),
    ],
    statuses: [status('ram-for-dts', 'repaired'), status('soon', 'inSync'), status('later', 'inSync', 'flapping')],
    openFindings: wildcard ? [wildcard] : [],
    history: [
      delivered(AuditEventType.RoleRepaired, '2030-03-29T01:00:00Z'),
      delivered(AuditEventType.RoleRepaired, '2030-03-29T02:00:00Z'),
      delivered(AuditEventType.RoleRepaired, '2030-03-31T02:00:00Z'),
      delivered(AuditEventType.RoleCreated, '2030-03-30T02:00:00Z'),
      delivered(AuditEventType.RoleRepaired, '2029-01-01T02:00:00Z'),
    ],
    driftDays: 7,
    trail: {
      role: ARN,
      entries: [
        delivered(AuditEventType.RoleRepaired, '2030-03-29T01:00:00Z', ARN, {
          diff: { summary: 'remove RAM acs:ram::9999999999999999:root' },
        }),
        delivered(AuditEventType.GrantDeclared, '2030-03-01T00:00:00Z', ARN, {
          ticket: { system: 'jira', id: 'DBA-7', requester: 'ana', approver: 'ben' },
        }),
      ],
    },
  });
  return parseHTML(renderEvidenceReport(report)).document;
}

type Doc = ReturnType<typeof parseHTML>['document'];
type El = ReturnType<Doc['querySelector']>;

const rowsOf = (table: El | undefined) =>
  [...(table?.querySelectorAll('tbody tr') ?? [])].map((tr) =>
    [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim()),
  );

const tableCaptioned = (doc: Doc, caption: string) =>
  [...doc.querySelectorAll('table')].find((t) => t.querySelector('caption')?.textContent?.startsWith(caption));

describe('the evidence report page', () => {
  it('shows grants by state and by mode, and roles by their last outcome (a flap pause counts as paused)', () => {
    const doc = page();
    expect(rowsOf(tableCaptioned(doc, 'Grants by state'))).toEqual([
      ['active', '3'],
      ['expired', '1'],
    ]);
    expect(rowsOf(tableCaptioned(doc, 'Active grants by mode'))).toEqual([
      ['enforce', '2'],
      ['observe', '1'],
    ]);
    expect(rowsOf(tableCaptioned(doc, 'Roles by last outcome'))).toEqual([
      ['inSync', '1'],
      ['paused', '1'],
      ['repaired', '1'],
    ]);
    expect(doc.querySelector('#card-active-grants b')?.textContent).toBe('3');
  });

  it('lists what expires within 7 and within 30 days, soonest first, with ticket, requester and approver', () => {
    const doc = page();
    const week = rowsOf(tableCaptioned(doc, 'Expiring within 7 days'));
    expect(week.map((r) => r[0])).toEqual([`${OWNER}/ram-for-dts/${TRUSTED}`]);
    expect(week[0]?.slice(3)).toEqual(['jira:DBA-ram-for-dts', 'ana', 'ben']);
    expect(rowsOf(tableCaptioned(doc, 'Expiring within 30 days')).map((r) => r[0])).toEqual([
      `${OWNER}/ram-for-dts/${TRUSTED}`,
      `${OWNER}/soon/${TRUSTED}`,
    ]);
  });

  it('shows the open findings with their severity, and escapes what stored text says', () => {
    const doc = page();
    const [row] = rowsOf(tableCaptioned(doc, 'Open findings'));
    expect(row?.slice(0, 3)).toEqual(['critical', 'wildcard-principal-removed', ARN]);
    expect(row?.[6]).toContain('<script>alert(1)</script>');
    expect(doc.querySelectorAll('script')).toHaveLength(0);
  });

  it('charts the repairs per day as one bar per day of the span, each bar titled with its day and count', () => {
    const doc = page();
    const bars = [...doc.querySelectorAll('#drift svg rect.bar')];
    expect(bars).toHaveLength(7);
    expect(bars.map((b) => b.querySelector('title')?.textContent)).toEqual([
      '2030-03-25: 0 repaired',
      '2030-03-26: 0 repaired',
      '2030-03-27: 0 repaired',
      '2030-03-28: 0 repaired',
      '2030-03-29: 2 repaired',
      '2030-03-30: 0 repaired',
      '2030-03-31: 1 repaired',
    ]);
    const heights = bars.map((b) => Number(b.getAttribute('height')));
    expect(heights[4]).toBeGreaterThan(heights[6] ?? 0);
    expect(heights[0]).toBe(0);
    expect(doc.querySelector('#drift svg')?.getAttribute('aria-label')).toContain('3 repairs');
  });

  it("shows the role's audit trail in time order, with the ticket that approved it", () => {
    const doc = page();
    const rows = rowsOf(doc.querySelector('#trail table'));
    expect(rows.map((r) => r[1])).toEqual(['dts-trust.grant.declared', 'dts-trust.role.repaired']);
    expect(rows[0]?.[3]).toBe('jira:DBA-7 (ana, approved by ben)');
    expect(rows[1]?.[4]).toContain('remove RAM acs:ram::9999999999999999:root');
  });

  it('is one self-contained page: no script, no stylesheet or image fetched from anywhere', () => {
    const doc = page();
    expect(doc.querySelectorAll('script, link, img, iframe, object')).toHaveLength(0);
    expect(doc.querySelector('style')?.textContent).not.toMatch(/url\(|@import/);
  });
});
