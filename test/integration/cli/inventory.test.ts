import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FindingsJson, InventoryJson } from '../../../cli/json-documents.js';
import { runCli } from '../../../cli/main.js';
import { configureDtsJob } from '../../../local/harness/dts-oracle.js';
import { LOCAL_AUTOMATION, LOCAL_EVENT_BUS, localCloudEnvironment } from '../../../local/harness/local-environment.js';
import type { Services } from '../../../shared/composition/services.js';
import { GrantSchema } from '../../../shared/domain/grant.js';
import { EXAMPLE, INSTANT_TABLES, startTestCloud, type TestCloud } from '../../support/local-cloud.js';
import { localRunnerServices } from '../../support/local-services.js';

let cloud: TestCloud;
let env: Record<string, string>;
let services: Services;
const USED = 'ram-for-dts-inv';
const IDLE = 'ram-for-dts-idle';
const owner = EXAMPLE.sourceOwner.id;
const task = EXAMPLE.destinationOwner.id;

async function cli(...argv: string[]) {
  const lines: string[] = [];
  const code = await runCli(argv, env, { line: (t) => lines.push(t), interactive: false });
  return { code, text: lines.join('\n') };
}

const grant = (roleName: string) =>
  GrantSchema.parse({
    ownerAccountId: owner,
    roleName,
    trustedAccountId: task,
    ticket: { system: 'jira', id: `DBA-${roleName}`, requester: 'ana', approver: 'ben' },
  });

beforeAll(async () => {
  cloud = await startTestCloud({
    services: { eventbridge: { buses: [LOCAL_EVENT_BUS] }, ram: { detachSettleSeconds: 0 }, ...INSTANT_TABLES },
  });
  env = {
    ...localCloudEnvironment(cloud.cloud),
    ALIBABA_CLOUD_ACCESS_KEY_ID: LOCAL_AUTOMATION.runner.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: LOCAL_AUTOMATION.runner.accessKeySecret,
  };
  services = await localRunnerServices(cloud.cloud);
  for (const roleName of [USED, IDLE]) await services.grants.putGrant(grant(roleName));
  // The task account's management role may read DTS (what `setup --task-account` gives it).
  await services.directory.attachPolicy({ accountId: task, ...EXAMPLE.destinationOwner.root }, 'dts-trust-manager', {
    policyName: 'AliyunDTSReadOnlyAccess',
    policyType: 'System',
  });
});

afterAll(async () => {
  await cloud?.stop();
});

describe('npm run cli -- inventory', () => {
  it('lists declared roles no job uses, then the job a revoke broke, reading DTS in the task account', async () => {
    expect((await cli('reconcile')).code).toBe(0);
    expect(
      await configureDtsJob(cloud.cloud.endpoint, EXAMPLE.destinationOwner.root, {
        name: 'orders-migration',
        source: { ownerAccountId: owner, roleName: USED },
      }),
    ).toEqual({ accepted: true });

    const clean = await cli('inventory');
    expect(clean.code).toBe(0);
    expect(clean.text).toMatch(new RegExp(`unused +${owner}/${IDLE}/${task} \\(ticket jira:DBA-${IDLE}\\)`));
    expect(clean.text).not.toContain(`${owner}/${USED}/${task} (ticket`);
    expect(clean.text).toContain('1 job(s) in 1 task account(s)');
    expect(clean.text).toContain('0 broken, 0 undeclared, 1 declared role(s) unused');

    await services.grants.deleteGrant({ ownerAccountId: owner, roleName: USED, trustedAccountId: task });
    // A run visits the role left with only a status row and deletes it.
    expect((await cli('reconcile')).text).toContain('"deleted":1');
    // Before it deleted the role, the run listed the task account's jobs (DescribeDtsJobs, DescribeDtsJobDetail,
    // through its management role) and reported the one the deletion breaks.
    const findings = FindingsJson.parse(JSON.parse((await cli('findings', '--json')).text)).findings;
    expect(findings.find((f: { kind: string }) => f.kind === 'dts-jobs-broken-by-removal')).toMatchObject({
      subject: `acs:ram::${owner}:role/${USED}`,
      severity: 'high',
      evidence: { jobs: [expect.objectContaining({ taskAccountId: task, side: 'source', region: 'cn-hangzhou' })] },
    });
    const trail = [];
    for await (const entry of services.history.trail(`acs:ram::${owner}:role/${USED}`)) trail.push(entry.event);
    // The record of the deletion names the job it breaks too.
    const deletion = trail.find(
      (e) => e.type === 'dts-trust.change.planned' && (e.data.detail as { action: string }).action.startsWith('delete'),
    );
    expect(deletion?.data.detail).toMatchObject({
      dtsJobs: { accountsLosingAccess: [task], breaks: [expect.any(String)] },
    });
    const broken = await cli('inventory', '--json');
    expect(broken.code).toBe(1);
    const report = InventoryJson.parse(JSON.parse(broken.text));
    expect(report.broken).toEqual([
      expect.objectContaining({
        ownerAccountId: owner,
        roleName: USED,
        taskAccountId: task,
        reason: 'RoleMissing',
        declared: false,
        side: 'source',
      }),
    ]);
    expect(report.undeclared).toHaveLength(1);
    expect(report.unusedRoles).toMatchObject({ inventories: 3, raised: [] });

    // The third inventory in a row that finds the idle grant unused raises role-unused-by-dts.
    const third = await cli('inventory');
    expect(third.text).toContain(`long unused ${owner}/${IDLE}/${task}: unused in each of the last 3 inventories`);
    const open = FindingsJson.parse(JSON.parse((await cli('findings', '--json')).text)).findings;
    expect(open.find((f: { kind: string }) => f.kind === 'role-unused-by-dts')).toMatchObject({
      subject: `acs:ram::${owner}:role/${IDLE}`,
      severity: 'low',
      evidence: { grantId: `${owner}/${IDLE}/${task}`, inventories: 3 },
    });
  });

  it('refuses a task account that is not an account ID, naming the option', async () => {
    const bad = await cli('inventory', '--task-account', 'dest');
    expect(bad.code).toBe(2);
    expect(bad.text).toContain('--task-account must be a 16-digit account ID');
  });
});
