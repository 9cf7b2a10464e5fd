import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFleet, type Fleet } from '../../bench/fleet.js';
import { type LocalCloud, startLocalCloud } from '../../local/cloud/server.js';
import { fcInvocations } from '../../local/cloud/services/fc/functions.js';
import { deployLocally, FunctionName, invokeLocally, settleLocally } from '../../local/harness/local-deployment.js';
import { LOCAL_EVENT_BUS } from '../../local/harness/local-environment.js';
import { SURVEY_READ_AHEAD } from '../../shared/usecases/role-survey.js';
import { shardTaskId } from '../../shared/usecases/shards.js';
import { localRunnerServices } from '../support/local-services.js';

/**
 * A timer run that turns out not to fit after it started reconciling here: 7 accounts of 100 in-sync roles and a
 * threshold of 600, above the survey's read-ahead of 500. The first six accounts are read whole while the run may
 * still fit (600 roles: more than the read-ahead, so the run here starts on them); the 601st role shows it does
 * not fit, and the seventh account goes to a shard.
 */
const THRESHOLD = 600;
let cloud: LocalCloud;
let fleet: Fleet;

beforeAll(async () => {
  fleet = buildFleet({ accounts: 7, roles: 700 });
  cloud = await startLocalCloud({
    port: 0,
    accounts: fleet.accountsDocument,
    services: { eventbridge: { buses: [LOCAL_EVENT_BUS] } },
  });
  // RAM's pace is not what this test is about: the product's bucket well above what the run asks.
  deployLocally(cloud, { DTS_TRUST_SHARD_THRESHOLD: String(THRESHOLD), DTS_TRUST_RAM_RATE_LIMIT: '2000' });
  const services = await localRunnerServices(cloud);
  const limit = pLimit(16);
  await Promise.all(fleet.grants.map((grant) => limit(() => services.grants.putGrant(grant))));
});

afterAll(async () => {
  await cloud?.stop();
});

describe('a timer run past its threshold after the run here started', () => {
  it('reconciles the accounts it started here, hands the rest to a shard, and reads every role once', async () => {
    expect(THRESHOLD).toBeGreaterThan(SURVEY_READ_AHEAD);
    cloud.log.length = 0;
    const run = await invokeLocally(cloud, FunctionName.DriftReconciler, {
      triggerTime: '2026-12-02T04:30:00Z',
      triggerName: 'drift-timer',
      payload: '',
    });
    expect(run.errorType).toBeUndefined();
    expect(run.body).toMatchObject({ mode: 'sharded', roles: 700, shards: 1, outcomes: { inSync: 600 } });
    await settleLocally(cloud);
    const shards = fcInvocations(cloud.core).filter((i) => i.functionName === FunctionName.ReconcileShard);
    expect(shards.map((s) => s.status)).toEqual(['succeeded']);
    // The seventh account (accounts are read in id order) is the shard's, and only it (its task id says whose).
    const seventh = fleet.ownerAccountIds[6] ?? '';
    expect(shards[0]?.taskId).toBe(shardTaskId('2026-12-02T04:30:00Z', [seventh]));

    const reads = new Map<string, number>();
    for (const e of cloud.log) {
      if (e.service !== 'ram' || e.action !== 'GetRole' || e.status !== 200) continue;
      const key = `${e.accountId}/${e.resource}`;
      reads.set(key, (reads.get(key) ?? 0) + 1);
    }
    const managed = fleet.roles.map((r) => `${r.ownerAccountId}/${r.roleName}`);
    expect(managed.filter((key) => reads.get(key) !== 1)).toEqual([]);
    expect(
      cloud.log.filter((e) => e.service === 'ram' && !e.action.startsWith('Get') && !e.action.startsWith('List')),
    ).toEqual([]);
    const entered = cloud.log.filter((e) => e.service === 'sts' && e.action === 'AssumeRole' && e.status === 200);
    expect(entered).toHaveLength(fleet.ownerAccountIds.length);
  });
});
