import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEventType, newAuditEvent } from '../../../shared/domain/audit.js';
import { GrantSchema } from '../../../shared/domain/grant.js';
import { renderEvidenceReport } from '../../../shared/evidence/report-html.js';
import { buildEvidenceReport } from '../../../shared/evidence/report-model.js';
import { dumpDom, findChromium, screenshot } from '../../support/headless-chromium.js';

const browser = findChromium();
const NO_BROWSER =
  'SKIPPED: no headless Chromium on this machine (chromium, chromium-browser or CHROMIUM_PATH); ' +
  '`apt-get install chromium` (what .ci/run does) runs this test';

let dir: string;
let url: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dts-trust-browser-'));
  const now = new Date('2030-03-31T12:00:00Z');
  const report = buildEvidenceReport({
    now,
    grants: [
      GrantSchema.parse({
        ownerAccountId: '1111111111111111',
        roleName: 'ram-for-dts',
        trustedAccountId: '2222222222222222',
        expiresAt: '2030-04-02T00:00:00Z',
        ticket: { system: 'jira', id: 'DBA-7', requester: 'ana', approver: 'ben' },
      }),
    ],
    statuses: [],
    openFindings: [],
    history: [1, 2, 3].map((i) => ({
      event: newAuditEvent({
        id: `r-${i}`,
        type: AuditEventType.RoleRepaired,
        subject: 'acs:ram::1111111111111111:role/ram-for-dts',
        time: new Date(`2030-03-${28 + i}T01:00:00Z`),
        data: { correlationId: 'run', outcome: 'repaired' },
      }),
      deliveredAt: now.toISOString(),
    })),
    driftDays: 30,
  });
  const file = join(dir, 'report.html');
  await writeFile(file, renderEvidenceReport(report), 'utf8');
  url = pathToFileURL(file).href;
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the evidence report in a real browser', () => {
  it('is parsed by headless Chromium into the tables and the chart a person sees', async (ctx) => {
    if (!browser) {
      // Said in the output (stderr of this test) and counted as skipped, never as passed.
      console.warn(NO_BROWSER);
      ctx.skip();
      return;
    }
    const dom = await dumpDom(browser!, url, join(dir, 'profile'));
    const { document } = parseHTML(dom);
    expect(document.querySelector('h1')?.textContent).toBe('dts-trust evidence report');
    const week = [...document.querySelectorAll('#expiring table')][0];
    expect(week?.querySelector('caption')?.textContent).toBe('Expiring within 7 days');
    expect(week?.querySelector('tbody td')?.textContent).toBe('1111111111111111/ram-for-dts/2222222222222222');
    // Chromium put the inline SVG in the SVG namespace: a real chart, 30 bars, three of them drawn.
    const bars = [...document.querySelectorAll('#drift svg rect.bar')];
    expect(bars).toHaveLength(30);
    expect(bars.filter((b) => Number(b.getAttribute('height')) > 0)).toHaveLength(3);
    expect(document.querySelector('#findings')?.textContent).toContain('No open findings.');

    const png = join(dir, 'report.png');
    await screenshot(browser!, url, png, join(dir, 'profile'));
    expect((await stat(png)).size).toBeGreaterThan(10_000);
    const signature = (await readFile(png)).subarray(0, 8).toString('hex');
    expect(signature).toBe('89504e470d0a1a0a');
  }, 90_000);
});
