/**
 * The evidence report as one self-contained HTML page: inline CSS and an inline SVG chart, no script, no external
 * resource, so it can be mailed, archived with an audit and opened offline. Every text from stored data is escaped.
 */
import type { FindingRecord } from '../domain/finding-record.js';
import type { DriftDay, EvidenceReport, ReportGrant, TrailLine } from './report-model.js';

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const e = escapeHtml;

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;color:#1d2330;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d5dae3;padding-bottom:.2rem}
.meta{color:#5a6478}table{border-collapse:collapse;width:100%;margin:.5rem 0}caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid #d5dae3;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f2f4f8}
td.n{text-align:right;font-variant-numeric:tabular-nums}.sev-critical{color:#fff;background:#a4161a}.sev-high{background:#f4b6b6}
.sev-medium{background:#fde9b5}.sev-low{background:#e3ecf7}.empty{color:#5a6478;font-style:italic}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #d5dae3;border-radius:6px;padding:.6rem 1rem;min-width:9rem}
.card b{display:block;font-size:1.5rem}svg{max-width:100%;height:auto}svg .bar{fill:#3b6fb6}svg .axis{stroke:#8892a6}
svg text{font-size:10px;fill:#5a6478}td.id{font-family:ui-monospace,monospace;font-size:11px;word-break:break-all;max-width:9rem}
.wide{overflow-x:auto}`;

function countTable(caption: string, head: string, counts: Readonly<Record<string, number>>): string {
  const rows = Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1));
  if (rows.length === 0) return `<p class="empty">${e(caption)}: none</p>`;
  return `<table><caption>${e(caption)}</caption><thead><tr><th>${e(head)}</th><th>count</th></tr></thead><tbody>${rows
    .map(([k, n]) => `<tr><td>${e(k)}</td><td class="n">${n}</td></tr>`)
    .join('')}</tbody></table>`;
}

function grantTable(caption: string, grants: readonly ReportGrant[]): string {
  if (grants.length === 0) return `<p class="empty">${e(caption)}: none</p>`;
  return `<table><caption>${e(caption)}</caption><thead><tr><th>grant</th><th>expires</th><th>mode</th><th>ticket</th><th>requester</th><th>approver</th></tr></thead><tbody>${grants
    .map(
      (g) =>
        `<tr><td>${e(g.grantId)}</td><td>${e(g.expiresAt ?? '')}</td><td>${e(g.mode)}</td><td>${e(g.ticket)}</td><td>${e(g.requester)}</td><td>${e(g.approver)}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

function findingsTable(findings: readonly FindingRecord[]): string {
  if (findings.length === 0) return '<p class="empty">No open findings.</p>';
  return `<div class="wide"><table><caption>Open findings (${findings.length})</caption><thead><tr><th>severity</th><th>kind</th><th>subject</th><th>seen</th><th>first</th><th>last</th><th>summary</th><th>finding</th></tr></thead><tbody>${findings
    .map(
      (f) =>
        `<tr><td class="sev-${e(f.severity)}">${e(f.severity)}</td><td>${e(f.kind)}</td><td>${e(f.subject)}</td><td class="n">${f.occurrences}</td><td>${e(f.firstSeenAt)}</td><td>${e(f.lastSeenAt)}</td><td>${e(f.summary)}</td><td class="id">${e(f.findingId)}</td></tr>`,
    )
    .join('')}</tbody></table></div>`;
}

/** The drift chart: one bar per day, a `<title>` on each bar naming the day and its count. */
export function driftChart(days: readonly DriftDay[]): string {
  const width = 720;
  const height = 180;
  const left = 32;
  const bottom = 24;
  const max = Math.max(1, ...days.map((d) => d.repaired));
  const slot = (width - left) / Math.max(1, days.length);
  const bars = days
    .map((d, i) => {
      const h = Math.round(((height - bottom - 8) * d.repaired) / max);
      const x = (left + i * slot + slot * 0.1).toFixed(1);
      const y = height - bottom - h;
      return `<rect class="bar" x="${x}" y="${y}" width="${(slot * 0.8).toFixed(1)}" height="${h}" data-day="${e(d.day)}" data-repaired="${d.repaired}"><title>${e(d.day)}: ${d.repaired} repaired</title></rect>`;
    })
    .join('');
  const first = days[0]?.day ?? '';
  const last = days.at(-1)?.day ?? '';
  const total = days.reduce((n, d) => n + d.repaired, 0);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="Drift repaired per day from ${e(first)} to ${e(last)}: ${total} repairs">` +
    `<line class="axis" x1="${left}" y1="${height - bottom}" x2="${width}" y2="${height - bottom}"/>` +
    `<line class="axis" x1="${left}" y1="8" x2="${left}" y2="${height - bottom}"/>` +
    `<text x="${left - 4}" y="14" text-anchor="end">${max}</text><text x="${left - 4}" y="${height - bottom}" text-anchor="end">0</text>` +
    `<text x="${left}" y="${height - 6}">${e(first)}</text><text x="${width}" y="${height - 6}" text-anchor="end">${e(last)}</text>` +
    `${bars}</svg>`
  );
}

function trailTable(trail: { role: string; lines: readonly TrailLine[] }): string {
  if (trail.lines.length === 0) return `<p class="empty">No delivered events about ${e(trail.role)}.</p>`;
  return `<table><caption>Audit trail of ${e(trail.role)} (${trail.lines.length} events)</caption><thead><tr><th>time</th><th>event</th><th>outcome</th><th>ticket</th><th>detail</th></tr></thead><tbody>${trail.lines
    .map(
      (l) =>
        `<tr><td>${e(l.time)}</td><td>${e(l.type)}</td><td>${e(l.outcome)}</td><td>${e(l.ticket ?? '')}</td><td>${e(l.detail)}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

/** Render the report as one HTML page. */
export function renderEvidenceReport(report: EvidenceReport): string {
  const card = (label: string, value: number, id: string) =>
    `<div class="card" id="${id}"><b>${value}</b>${e(label)}</div>`;
  const drift = report.drift;
  const repaired = drift.reduce((n, d) => n + d.repaired, 0);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>dts-trust evidence report ${e(report.generatedAt)}</title><style>${STYLE}</style></head>
<body>
<h1>dts-trust evidence report</h1>
<p class="meta">Generated ${e(report.generatedAt)} from the grants, role status, findings and audit history tables.</p>
<div class="cards">${card('active grants', report.grants.active, 'card-active-grants')}${card('managed roles', report.roles.total, 'card-roles')}${card('open findings', report.openFindings.length, 'card-open-findings')}${card(`repairs in ${drift.length} days`, repaired, 'card-repairs')}</div>
<section id="grants"><h2>Grants by state</h2>
${countTable('Grants by state', 'state', { active: report.grants.active, expired: report.grants.expired })}
${countTable('Active grants by mode', 'mode', report.grants.byMode)}</section>
<section id="roles"><h2>Roles by outcome</h2>${countTable('Roles by last outcome', 'outcome', report.roles.byOutcome)}</section>
<section id="expiring"><h2>Expiring soon</h2>${report.expiring.map((w) => grantTable(`Expiring within ${w.days} days`, w.grants)).join('\n')}</section>
<section id="findings"><h2>Open findings</h2>${findingsTable(report.openFindings)}</section>
<section id="drift"><h2>Drift repaired over time</h2><p>${repaired} repairs from ${e(drift[0]?.day ?? '')} to ${e(drift.at(-1)?.day ?? '')}.</p>${driftChart(drift)}</section>
${report.trail ? `<section id="trail"><h2>Audit trail</h2>${trailTable(report.trail)}</section>` : ''}
</body></html>
`;
}
