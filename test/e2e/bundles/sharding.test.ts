import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../../local/cloud/server.js';
import { readEventBridgeEvents } from '../../../local/cloud/services/eventbridge/store.js';
import { FcDestinationEventType } from '../../../local/cloud/services/fc/destinations.js';
import { crashNextInvocations, fcInvocations } from '../../../local/cloud/services/fc/functions.js';
import { editInConsole } from '../../../local/harness/console-edits.js';
import { FunctionName, invokeLocally, settleLocally } from '../../../local/harness/deployment.js';
import { configureDtsJob } from '../../../local/harness/dts-oracle.js';
import { LOCAL_EVENT_BUS } from '../../../local/harness/local-environment.js';
import { sampleTicketBody, signedMessage } from '../../../local/harness/sample-events.js';
import { deliverTickets, deployTicketQueue } from '../../../local/harness/ticket-queue.js';
import { FakeClock } from '../../support/fake-clock.js';
import { EXAMPLE } from '../../support/local-cloud.js';
import { accounts, startBundleCloud, timerEvent } from './bundle-cloud.js';

let cloud: LocalCloud;

/** The roles the batch below declares: one per owner account, so two shards of one account each. */
const roles = [
  { creator: EXAMPLE.destinationOwner.root, owner: accounts.sourceOwner, roleName: 'ram-for-dts' },
  { creator: EXAMPLE.sourceOwner.root, owner: accounts.destinationOwner, roleName: 'ram-for-dts-adb' },
] as const;

async function everyRoleAccepted(): Promise<boolean[]> {
  const verdicts = [];
  for (const { creator, owner, roleName } of roles) {
    const verdict = await configureDtsJob(cloud.endpoint, creator, {
      name: `shard-${roleName}`,
      source: { ownerAccountId: owner, roleName },
    });
    verdicts.push(verdict.accepted);
  }
  return verdicts;
}

function busEvents() {
  return readEventBridgeEvents(cloud.core, { bus: LOCAL_EVENT_BUS });
}

function shardRuns() {
  return fcInvocations(cloud.core).filter((r) => r.functionName === FunctionName.ReconcileShard);
}

/** Delete both roles behind dts-trust's back, so a run has something to build again. */
async function deleteRoles(): Promise<void> {
  for (const { owner, roleName } of roles) {
    await editInConsole(cloud, { kind: 'deleteRole', accountId: owner, roleName });
  }
}

beforeAll(async () => {
  // One role per account and a threshold of 1: every run fans out one shard per owner account.
  cloud = await startBundleCloud({ DTS_TRUST_SHARD_THRESHOLD: '1' });
  const now = new Date();
  await deployTicketQueue(cloud, { clock: new FakeClock(now) });
  const { answer } = await deliverTickets(cloud, [
    signedMessage(sampleTicketBody('source', accounts, now)),
    signedMessage(sampleTicketBody('destination', accounts, now)),
  ]);
  expect(answer.errorType).toBeUndefined();
});

afterAll(async () => {
  await cloud?.stop();
});

describe('the drift-reconciler bundle above the shard threshold', () => {
  it('fans out to the reconcile-shard bundle by asynchronous invocation with a task id per shard', async () => {
    await deleteRoles();
    expect(await everyRoleAccepted()).toEqual([false, false]);
    const run = await invokeLocally(cloud, FunctionName.DriftReconciler, timerEvent(new Date('2026-12-01T08:00:00Z')));
    expect(run.errorType).toBeUndefined();
    expect(run.body).toMatchObject({ mode: 'sharded', roles: 2, shards: 2 });
    await settleLocally(cloud);
    expect(shardRuns().map((r) => [r.invocationType, r.status, r.attempt])).toEqual([
      ['Async', 'succeeded', 1],
      ['Async', 'succeeded', 1],
    ]);
    expect(shardRuns().every((r) => r.taskId?.startsWith('shard_20261201T080000000Z_'))).toBe(true);
    expect(await everyRoleAccepted()).toEqual([true, true]);
  });

  it('queues nothing twice when the same run fans out again: FC refuses the repeated task ids', async () => {
    const before = shardRuns().length;
    const again = await invokeLocally(
      cloud,
      FunctionName.DriftReconciler,
      timerEvent(new Date('2026-12-01T08:00:00Z')),
    );
    expect(again.errorType).toBeUndefined();
    expect(again.body).toMatchObject({ mode: 'sharded', shards: 2 });
    await settleLocally(cloud);
    expect(shardRuns()).toHaveLength(before);
  });

  it('retries the shards an instance crash stopped (the one it ran and any it ran beside), and every role and event comes out right', async () => {
    await deleteRoles();
    const eventsBefore = busEvents().length;
    crashNextInvocations(cloud.core, FunctionName.ReconcileShard, 1);
    const run = await invokeLocally(cloud, FunctionName.DriftReconciler, timerEvent(new Date('2026-12-01T08:15:00Z')));
    expect(run.errorType).toBeUndefined();
    await settleLocally(cloud);
    const runs = shardRuns().filter((r) => r.taskId?.startsWith('shard_20261201T081500000Z_'));
    // Two shards; the crash stops the instance, so the other shard fails with it when they shared it
    // (instanceConcurrency), or runs once on another instance when it came after the crash.
    const byTask = new Map<string | undefined, typeof runs>();
    for (const r of runs) byTask.set(r.taskId, [...(byTask.get(r.taskId) ?? []), r]);
    expect(byTask.size).toBe(2);
    for (const attempts of byTask.values()) {
      const last = attempts.at(-1);
      expect(last?.status).toBe('succeeded');
      for (const earlier of attempts.slice(0, -1)) expect(earlier.error).toMatch(/^InstanceExited/);
    }
    expect(runs.filter((r) => r.status === 'failed').length).toBeGreaterThanOrEqual(1);
    expect(await everyRoleAccepted()).toEqual([true, true]);
    const events = busEvents().slice(eventsBefore);
    // Delivery is at least once: count distinct event ids.
    const created = new Map(
      events.filter((e) => e.event.type === 'dts-trust.role.created').map((e) => [e.eventId, e.event.subject]),
    );
    expect([...created.values()].sort()).toEqual(roles.map((r) => `acs:ram::${r.owner}:role/${r.roleName}`).sort());
    expect(events.some((e) => String(e.event.type).endsWith('.failed'))).toBe(false);
    expect(events.some((e) => e.event.source === 'acs.fc')).toBe(false);
  });

  it('delivers a shard that fails every try to the onFailure destination on the bus', async () => {
    await deleteRoles();
    // s.yaml's maxAsyncRetryAttempts is 2: both shards run 3 times and fail each time.
    crashNextInvocations(cloud.core, FunctionName.ReconcileShard, 6);
    const run = await invokeLocally(cloud, FunctionName.DriftReconciler, timerEvent(new Date('2026-12-01T08:30:00Z')));
    expect(run.errorType).toBeUndefined();
    await settleLocally(cloud);
    const runs = shardRuns().filter((r) => r.taskId?.startsWith('shard_20261201T083000000Z_'));
    expect(runs.every((r) => r.status === 'failed')).toBe(true);
    const byRequest = new Map<string, typeof runs>();
    for (const r of runs) byRequest.set(r.requestId, [...(byRequest.get(r.requestId) ?? []), r]);
    expect([...byRequest.values()].map((attempts) => attempts.map((r) => r.attempt))).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    const records = busEvents().filter((e) => e.event.type === FcDestinationEventType.Failure);
    expect(records).toHaveLength(2);
    const shardAccounts: string[] = [];
    for (const record of records) {
      const data = record.event.data as {
        requestContext: { requestId: string; functionArn: string; approximateInvokeCount: number; condition: string };
        requestPayload: string;
      };
      expect(byRequest.has(data.requestContext.requestId)).toBe(true);
      expect(data.requestContext).toMatchObject({
        functionArn: `acs:fc:cn-hangzhou:${accounts.automation}:functions/${FunctionName.ReconcileShard}`,
        approximateInvokeCount: 3,
        condition: 'InstanceExited',
      });
      shardAccounts.push(...(JSON.parse(data.requestPayload) as { ownerAccountIds: string[] }).ownerAccountIds);
    }
    expect(shardAccounts.sort()).toEqual(roles.map((r) => r.owner).sort());
    expect(runs.filter((r) => r.attempt === 3).map((r) => r.destination?.status)).toEqual(['delivered', 'delivered']);
    // The next timer run (another trigger time, other task ids) repairs what the lost shard left.
    const next = await invokeLocally(cloud, FunctionName.DriftReconciler, timerEvent(new Date('2026-12-01T08:45:00Z')));
    expect(next.errorType).toBeUndefined();
    await settleLocally(cloud);
    expect(await everyRoleAccepted()).toEqual([true, true]);
  });
});
