import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../local/cloud/server.js';
import { readEventBridgeEvents } from '../../local/cloud/services/eventbridge/store.js';
import { fcInvocations } from '../../local/cloud/services/fc/functions.js';
import { configureDtsJob } from '../../local/harness/dts-oracle.js';
import { deployLocally, FunctionName, invokeLocally, settleLocally } from '../../local/harness/local-deployment.js';
import { LOCAL_EVENT_BUS } from '../../local/harness/local-environment.js';
import type { Services } from '../../shared/composition/services.js';
import { GrantSchema } from '../../shared/domain/grant.js';
import { EXAMPLE, exampleAccountsDocument } from '../support/local-cloud.js';
import { localRunnerServices } from '../support/local-services.js';

let cloud: LocalCloud;
let services: Services;

beforeAll(async () => {
  cloud = await startLocalCloud({
    port: 0,
    accounts: exampleAccountsDocument,
    services: { eventbridge: { buses: [LOCAL_EVENT_BUS] } },
  });
  deployLocally(cloud, { DTS_TRUST_SHARD_THRESHOLD: '2' });
  services = await localRunnerServices(cloud);
  const ticket = { system: 'jira', id: 'DBA-9', requester: 'ana', approver: 'ben' };
  for (const [owner, trusted] of [
    [EXAMPLE.sourceOwner.id, EXAMPLE.destinationOwner.id],
    [EXAMPLE.destinationOwner.id, EXAMPLE.sourceOwner.id],
  ] as const) {
    for (const roleName of ['ram-for-dts-a', 'ram-for-dts-b']) {
      await services.grants.putGrant(
        GrantSchema.parse({ ownerAccountId: owner, roleName, trustedAccountId: trusted, ticket }),
      );
    }
  }
});

afterAll(async () => {
  await cloud?.stop();
});

describe('drift reconciler above the shard threshold', () => {
  it('fans out one asynchronous shard per owner account and every role gets built', async () => {
    const run = await invokeLocally(cloud, FunctionName.DriftReconciler, {
      triggerTime: new Date().toISOString(),
      triggerName: 'drift-timer',
      payload: '',
    });
    expect(run.errorType).toBeUndefined();
    expect(run.body).toMatchObject({ mode: 'sharded', roles: 4, shards: 2 });
    await settleLocally(cloud);
    const shards = fcInvocations(cloud.core).filter((i) => i.functionName === FunctionName.ReconcileShard);
    expect(shards.map((s) => [s.invocationType, s.status])).toEqual([
      ['Async', 'succeeded'],
      ['Async', 'succeeded'],
    ]);
    const summaries = readEventBridgeEvents(cloud.core, { bus: LOCAL_EVENT_BUS }).filter(
      (e) => e.event.type === 'dts-trust.run.summary',
    );
    // Delivery is at least once (concurrent shards may both send an event before either removes it from the
    // outbox); the event id is stable, so consumers count distinct ids.
    expect(new Set(summaries.map((e) => e.eventId)).size).toBe(3);
    for (const [creator, owner] of [
      [EXAMPLE.destinationOwner.root, EXAMPLE.sourceOwner.id],
      [EXAMPLE.sourceOwner.root, EXAMPLE.destinationOwner.id],
    ] as const) {
      for (const roleName of ['ram-for-dts-a', 'ram-for-dts-b']) {
        const verdict = await configureDtsJob(cloud.endpoint, creator, {
          name: `shard-${roleName}`,
          source: { ownerAccountId: owner, roleName },
        });
        expect(verdict).toEqual({ accepted: true });
      }
    }
  });

  it('still visits an account whose grants were all revoked while its roles stayed, and removes them', async () => {
    // The revokes landed, but the reconcile that should have followed never ran (RAM down, function timed out).
    for (const roleName of ['ram-for-dts-a', 'ram-for-dts-b']) {
      await services.grants.deleteGrant({
        ownerAccountId: EXAMPLE.destinationOwner.id,
        roleName,
        trustedAccountId: EXAMPLE.sourceOwner.id,
      });
    }
    const run = await invokeLocally(cloud, FunctionName.DriftReconciler, {
      triggerTime: new Date().toISOString(),
      triggerName: 'drift-timer',
      payload: '',
    });
    expect(run.body).toMatchObject({ mode: 'sharded', roles: 4, shards: 2 });
    await settleLocally(cloud);
    for (const roleName of ['ram-for-dts-a', 'ram-for-dts-b']) {
      const verdict = await configureDtsJob(cloud.endpoint, EXAMPLE.sourceOwner.root, {
        name: `revoked-${roleName}`,
        source: { ownerAccountId: EXAMPLE.destinationOwner.id, roleName },
      });
      expect(verdict.accepted).toBe(false);
      expect(
        await services.status.getStatus({ ownerAccountId: EXAMPLE.destinationOwner.id, roleName }),
      ).toBeUndefined();
    }
  });
});
