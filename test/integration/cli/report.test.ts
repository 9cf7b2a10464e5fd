import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/main.js';
import { editInConsole } from '../../../local/harness/console-edits.js';
import { LOCAL_AUTOMATION, LOCAL_EVENT_BUS, localCloudEnvironment } from '../../../local/harness/local-environment.js';
import { GrantSchema } from '../../../shared/domain/grant.js';
import { EXAMPLE, INSTANT_TABLES, startTestCloud, type TestCloud } from '../../support/local-cloud.js';
import { localRunnerServices } from '../../support/local-services.js';

let cloud: TestCloud;
let env: Record<string, string>;
let dir: string;
const ROLE = 'ram-for-dts-report';

async function cli(...argv: string[]) {
  const lines: string[] = [];
  const code = await runCli(argv, env, { line: (t) => lines.push(t), interactive: false });
  return { code, text: lines.join('\n') };
}

beforeAll(async () => {
  cloud = await startTestCloud({
    services: { eventbridge: { buses: [LOCAL_EVENT_BUS] }, ram: { detachSettleSeconds: 0 }, ...INSTANT_TABLES },
  });
  env = {
    ...localCloudEnvironment(cloud.cloud),
    ALIBABA_CLOUD_ACCESS_KEY_ID: LOCAL_AUTOMATION.runner.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: LOCAL_AUTOMATION.runner.accessKeySecret,
  };
  const services = await localRunnerServices(cloud.cloud);
  await services.grants.putGrant(
    GrantSchema.parse({
      ownerAccountId: EXAMPLE.sourceOwner.id,
      roleName: ROLE,
      trustedAccountId: EXAMPLE.destinationOwner.id,
      expiresAt: new Date(Date.now() + 5 * 24 * 3600 * 1000).toISOString(),
      ticket: { system: 'jira', id: 'DBA-9', requester: 'ana', approver: 'ben' },
    }),
  );
  dir = await mkdtemp(join(tmpdir(), 'dts-trust-report-'));
});

afterAll(async () => {
  await cloud?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('npm run cli -- report --html FILE', () => {
  it("writes a page with the grant expiring this week, the repair of today, and the role's trail from creation to repair", async () => {
    expect((await cli('reconcile', '--role', ROLE)).code).toBe(0);
    await editInConsole(cloud.cloud, {
      kind: 'detachPolicy',
      accountId: EXAMPLE.sourceOwner.id,
      roleName: ROLE,
      policyName: 'AliyunDTSRolePolicy',
    });
    expect((await cli('reconcile', '--role', ROLE)).text).toContain(`${ROLE}: repaired`);

    const file = join(dir, 'report.html');
    const run = await cli('report', '--html', file, '--role', `${EXAMPLE.sourceOwner.id}/${ROLE}`, '--days', '30');
    expect(run.code).toBe(0);
    expect(run.text).toContain(`wrote ${file}`);
    const { document } = parseHTML(await readFile(file, 'utf8'));

    const week = [...document.querySelectorAll('#expiring table')].find((t) =>
      t.querySelector('caption')?.textContent?.includes('7 days'),
    );
    expect(week?.textContent).toContain(`${EXAMPLE.sourceOwner.id}/${ROLE}/${EXAMPLE.destinationOwner.id}`);
    const today = new Date().toISOString().slice(0, 10);
    const bar = document.querySelector(`#drift rect[data-day="${today}"]`);
    expect(Number(bar?.getAttribute('data-repaired'))).toBeGreaterThanOrEqual(1);
    const trail = [...document.querySelectorAll('#trail tbody tr')].map(
      (tr) => tr.querySelectorAll('td')[1]?.textContent,
    );
    expect(trail).toContain('dts-trust.role.created');
    expect(trail).toContain('dts-trust.role.repaired');
    expect(trail.indexOf('dts-trust.role.created')).toBeLessThan(trail.indexOf('dts-trust.role.repaired'));
  });

  it('refuses a role that is not OWNER/ROLE, naming the option and the form', async () => {
    const bad = await cli('report', '--html', join(dir, 'x.html'), '--role', 'ram-for-dts');
    expect(bad.code).toBe(2);
    expect(bad.text).toContain('--role must be OWNER/ROLE');
  });
});
