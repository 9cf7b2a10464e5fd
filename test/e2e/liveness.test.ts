import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../local/cloud/server.js';
import { readEventBridgeEvents } from '../../local/cloud/services/eventbridge/store.js';
import { deployLocally, FunctionName, invokeLocally } from '../../local/harness/local-deployment.js';
import { LOCAL_EVENT_BUS } from '../../local/harness/local-environment.js';
import type { Services } from '../../shared/composition/services.js';
import { RECONCILER_NOT_RUNNING_ID } from '../../shared/domain/liveness.js';
import { TIMER_RUN } from '../../shared/evidence/liveness.js';
import { exampleAccountsDocument } from '../support/local-cloud.js';
import { localRunnerServices } from '../support/local-services.js';

let cloud: LocalCloud;
let services: Services;

beforeAll(async () => {
  cloud = await startLocalCloud({
    port: 0,
    accounts: exampleAccountsDocument,
    services: { eventbridge: { buses: [LOCAL_EVENT_BUS] }, tablestore: { tableLoadSeconds: 0 } },
  });
  deployLocally(cloud);
  services = await localRunnerServices(cloud);
});

afterAll(async () => {
  await cloud?.stop();
});

const timerRun = () =>
  invokeLocally(cloud, FunctionName.DriftReconciler, {
    triggerTime: new Date().toISOString(),
    triggerName: 'drift-timer',
    payload: '',
  });

const onBus = (type: string) =>
  readEventBridgeEvents(cloud.core, { bus: LOCAL_EVENT_BUS }).filter((e) => e.event.type === type);

describe('the timer run checks the previous one', () => {
  it('records nothing on a first run and beats, then after two silent hours raises reconciler-not-running and resolves it', async () => {
    expect((await timerRun()).statusCode).toBe(200);
    expect(onBus('dts-trust.finding.reconciler-not-running')).toEqual([]);
    const first = await services.heartbeats.last(TIMER_RUN);
    expect(first).toBeDefined();

    // The timer stopped for two hours: the heartbeat is that old when the next run comes.
    await services.heartbeats.beat(TIMER_RUN, new Date(Date.now() - 2 * 3600 * 1000), 'run-before-the-outage');
    expect((await timerRun()).statusCode).toBe(200);
    const [finding] = onBus('dts-trust.finding.reconciler-not-running');
    expect(finding?.event['data']).toMatchObject({
      severity: 'critical',
      findingId: RECONCILER_NOT_RUNNING_ID,
      evidence: { gapMinutes: 120, allowedIntervals: 3 },
    });
    expect(onBus('dts-trust.resolved.reconciler-not-running')).toHaveLength(1);
    expect(await services.findings.get(RECONCILER_NOT_RUNNING_ID)).toMatchObject({
      state: 'resolved',
      resolvedBy: 'dts-trust',
    });
    expect((await services.heartbeats.last(TIMER_RUN))?.succeededAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });
});
