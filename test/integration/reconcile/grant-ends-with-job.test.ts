/**
 * A grant that names its DTS job ends with it, against the local cloud: the timer run lists the task account's jobs
 * (DescribeDtsJobs, DescribeDtsJobDetail through its management role, the real SDK over loopback), keeps the grant
 * while the job runs, and once DTS reports the job Finished removes the account from the role and expires the grant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureDtsJob } from '../../../local/harness/dts-oracle.js';
import { LOCAL_EVENT_BUS } from '../../../local/harness/local-environment.js';
import type { Services } from '../../../shared/composition/services.js';
import { GrantSchema } from '../../../shared/domain/grant.js';
import { createLogger } from '../../../shared/logger.js';
import { runOnTimer } from '../../../shared/usecases/timer-run.js';
import { EXAMPLE, INSTANT_TABLES, startTestCloud, type TestCloud } from '../../support/local-cloud.js';
import { localRunnerServices } from '../../support/local-services.js';

let cloud: TestCloud;
let services: Services;
const owner = EXAMPLE.sourceOwner.id;
const task = EXAMPLE.destinationOwner.id;
const ROLE = 'ram-for-dts-job';
const key = { ownerAccountId: owner, roleName: ROLE, trustedAccountId: task };
const quiet = createLogger({ write: () => undefined });
const timer = () => ({ triggerTime: new Date().toISOString(), triggerName: 'drift-timer', payload: '' });

beforeAll(async () => {
  cloud = await startTestCloud({
    services: { eventbridge: { buses: [LOCAL_EVENT_BUS] }, ram: { detachSettleSeconds: 0 }, ...INSTANT_TABLES },
  });
  services = await localRunnerServices(cloud.cloud);
  // The task account's management role may read DTS (what `setup --task-account` gives it).
  await services.directory.attachPolicy({ accountId: task, ...EXAMPLE.destinationOwner.root }, 'dts-trust-manager', {
    policyName: 'AliyunDTSReadOnlyAccess',
    policyType: 'System',
  });
});

afterAll(async () => {
  await cloud?.stop();
});

async function setStatus(dtsJobId: string, status: string): Promise<void> {
  const res = await fetch(`${cloud.cloud.url}/__admin/dts/status`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ account: task, dtsJobId, status }),
  });
  expect(res.status).toBe(200);
}

describe('a grant that names its DTS job, against the local cloud', () => {
  it('lasts while the job runs and ends, with its account removed from the role, once the job finished', async () => {
    const declared = await services.grants.putGrant(
      GrantSchema.parse({ ...key, ticket: { system: 'jira', id: 'DBA-9', requester: 'ana', approver: 'ben' } }),
    );
    expect((await runOnTimer(services, timer(), quiet)).run.outcomes).toEqual({ created: 1 });
    expect(
      await configureDtsJob(cloud.cloud.endpoint, EXAMPLE.destinationOwner.root, {
        name: 'orders-once',
        source: { ownerAccountId: owner, roleName: ROLE },
      }),
    ).toEqual({ accepted: true });
    let dtsJobId = '';
    for await (const job of services.dts.listJobs({ accountId: task, ...EXAMPLE.destinationOwner.root })) {
      if (job.jobName === 'orders-once') dtsJobId = job.dtsJobId;
    }
    expect(dtsJobId).not.toBe('');
    // The ticket is declared again, naming the job it is for.
    await services.grants.putGrant({ ...declared, dtsJobIds: [dtsJobId] }, declared.revision);

    const running = await runOnTimer(services, timer(), quiet);
    expect(running.run.outcomes).toEqual({ inSync: 1 });
    expect(running.run.expiredGrants).toBe(0);

    await setStatus(dtsJobId, 'Finished');
    const finished = await runOnTimer(services, timer(), quiet);
    expect(finished.run.outcomes).toEqual({ deleted: 1 });
    expect(finished.run.expiredGrants).toBe(1);
    expect(await services.grants.getGrant(key)).toBeUndefined();
    expect(await services.directory.getRole({ accountId: owner, ...EXAMPLE.sourceOwner.root }, ROLE)).toBeUndefined();
    const trail = [];
    for await (const entry of services.history.trail(`acs:ram::${owner}:role/${ROLE}`)) trail.push(entry.event);
    expect(trail.find((e) => e.type === 'dts-trust.grant.expired')?.data.detail).toMatchObject({
      endedWith: 'dtsJobs',
      dtsJobs: [{ dtsJobId, status: 'Finished' }],
    });
  });
});
