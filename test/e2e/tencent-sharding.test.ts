/**
 * The timer's fan-out with a Tencent owner among the Alibaba ones: the drift reconciler hands each owner account
 * to a reconcile-shard invocation, and the shard of the Tencent UIN reconciles it through CAM with the same engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../local/cloud/server.js';
import { fcInvocations } from '../../local/cloud/services/fc/functions.js';
import { configureDtsJob } from '../../local/harness/dts-oracle.js';
import { deployLocally, FunctionName, invokeLocally, settleLocally } from '../../local/harness/local-deployment.js';
import { LOCAL_EVENT_BUS } from '../../local/harness/local-environment.js';
import { tencentInstanceListing } from '../../local/harness/tencent-oracle.js';
import { GrantSchema } from '../../shared/domain/grant.js';
import { EXAMPLE, exampleAccountsDocument } from '../support/local-cloud.js';
import { localRunnerServices } from '../support/local-services.js';
import { TENCENT } from '../support/tencent-cloud.js';

let cloud: LocalCloud;
const ticket = { system: 'jira', id: 'DBA-11', requester: 'ana', approver: 'ben' };

beforeAll(async () => {
  cloud = await startLocalCloud({
    port: 0,
    accounts: exampleAccountsDocument,
    services: { eventbridge: { buses: [LOCAL_EVENT_BUS] } },
  });
  deployLocally(cloud, { DTS_TRUST_SHARD_THRESHOLD: '2' });
  const services = await localRunnerServices(cloud);
  for (const roleName of ['ram-for-dts-a', 'ram-for-dts-b']) {
    await services.grants.putGrant(
      GrantSchema.parse({
        ownerAccountId: EXAMPLE.sourceOwner.id,
        roleName,
        trustedAccountId: EXAMPLE.destinationOwner.id,
        ticket,
      }),
    );
  }
  await services.grants.putGrant(
    GrantSchema.parse({
      ownerAccountId: TENCENT.sourceOwner.uin,
      roleName: 'DTS-role',
      trustedAccountId: TENCENT.task.uin,
      cloud: 'tencent',
      policies: ['QcloudDTSReadOnlyAccess', 'QcloudAccessForMySQLRole'],
      ticket,
    }),
  );
});

afterAll(async () => {
  await cloud?.stop();
});

describe('drift reconciler above the shard threshold, with a Tencent owner', () => {
  it('gives the Tencent owner a shard of its own, and the shard builds its role in CAM', async () => {
    const run = await invokeLocally(cloud, FunctionName.DriftReconciler, {
      triggerTime: new Date().toISOString(),
      triggerName: 'drift-timer',
      payload: '',
    });
    expect(run.errorType).toBeUndefined();
    expect(run.body).toMatchObject({ mode: 'sharded', roles: 3, shards: 2 });
    await settleLocally(cloud);
    const shards = fcInvocations(cloud.core).filter((i) => i.functionName === FunctionName.ReconcileShard);
    expect(shards.map((s) => s.status)).toEqual(['succeeded', 'succeeded']);
    const tencent = await tencentInstanceListing(cloud.endpoint, TENCENT.task.root, {
      ownerUin: TENCENT.sourceOwner.uin,
      roleName: 'DTS-role',
    });
    expect(tencent).toEqual({ accepted: true });
    const alibaba = await configureDtsJob(cloud.endpoint, EXAMPLE.destinationOwner.root, {
      name: 'shard-ram-for-dts-a',
      source: { ownerAccountId: EXAMPLE.sourceOwner.id, roleName: 'ram-for-dts-a' },
    });
    expect(alibaba).toEqual({ accepted: true });
  });
});
