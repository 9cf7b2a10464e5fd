import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../../local/cloud/server.js';
import { readEventBridgeEvents } from '../../../local/cloud/services/eventbridge/store.js';
import { fcInvocations } from '../../../local/cloud/services/fc/functions.js';
import { editInConsole } from '../../../local/harness/console-edits.js';
import { FunctionName, invokeLocally } from '../../../local/harness/deployment.js';
import { configureDtsJob } from '../../../local/harness/dts-oracle.js';
import { LOCAL_EVENT_BUS } from '../../../local/harness/local-environment.js';
import { sampleTicketBody, signedMessage } from '../../../local/harness/sample-events.js';
import { deliverTickets, deployTicketQueue } from '../../../local/harness/ticket-queue.js';
import { FakeClock } from '../../support/fake-clock.js';
import { EXAMPLE } from '../../support/local-cloud.js';
import { accounts, startBundleCloud, timerEvent } from './bundle-cloud.js';

interface IntakeBody {
  results: { outcome: string; codes?: string[]; roles?: { outcome: string }[] }[];
}

let cloud: LocalCloud;

const sourceTask = { name: 'bundle-source', source: { ownerAccountId: accounts.sourceOwner, roleName: 'ram-for-dts' } };

/** Put the bodies on the ticket queue with `@alicloud/mns`; the s.yaml trigger pushes them to the intake bundle. */
async function intake(bodies: string[]): Promise<IntakeBody> {
  const { answer, deliveries } = await deliverTickets(cloud, bodies);
  expect(deliveries.map((d) => d.outcome)).toEqual(['delivered']);
  expect(answer.errorType).toBeUndefined();
  return answer.body as IntakeBody;
}

function eventTypes(): string[] {
  return readEventBridgeEvents(cloud.core, { bus: LOCAL_EVENT_BUS }).map((e) => String(e.event.type));
}

beforeAll(async () => {
  cloud = await startBundleCloud();
  // Batch windows and retry delays of the trigger run on a fake clock: no test waits for them.
  await deployTicketQueue(cloud, { clock: new FakeClock(new Date()) });
});

afterAll(async () => {
  await cloud?.stop();
});

describe('the built bundles on the local FC', () => {
  it('apply the good tickets of a batch, reject the bad ones, and DTS then accepts the task', async () => {
    const now = new Date();
    const forged = signedMessage(sampleTicketBody('destination', accounts, now), {
      keyId: 'demo-jira',
      secret: 'not-the-key',
    });
    const body = await intake([
      signedMessage(sampleTicketBody('source', accounts, now)),
      'not json at all',
      forged,
      signedMessage(sampleTicketBody('destination', accounts, now)),
    ]);
    expect(body.results.map((r) => r.outcome)).toEqual(['declared', 'rejected', 'rejected', 'declared']);
    expect(body.results[1]?.codes).toContain('MalformedMessage');
    expect(body.results[2]?.codes).toContain('TicketSignatureInvalid');
    expect(body.results[0]?.roles?.[0]?.outcome).toBe('created');
    expect(await configureDtsJob(cloud.endpoint, EXAMPLE.destinationOwner.root, sourceTask)).toEqual({
      accepted: true,
    });
    expect(eventTypes()).toEqual(expect.arrayContaining(['dts-trust.grant.rejected', 'dts-trust.role.created']));
  });

  it('run in a node process of their own, whose output the local FC keeps with the invocation', () => {
    const intakeRuns = fcInvocations(cloud.core).filter((r) => r.functionName === FunctionName.TicketIntake);
    expect(intakeRuns.at(-1)?.status).toBe('succeeded');
    expect(intakeRuns.at(-1)?.logs.join('\n')).toContain('"function":"ticket-intake"');
  });

  it('repair a trust policy edited in the console on the next timer run', async () => {
    await editInConsole(cloud, {
      kind: 'setTrustPolicy',
      accountId: accounts.sourceOwner,
      roleName: 'ram-for-dts',
      trustPolicy: {
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: ['acs:ram::1111222233334444:root'] } },
        ],
      },
    });
    expect((await configureDtsJob(cloud.endpoint, EXAMPLE.destinationOwner.root, sourceTask)).accepted).toBe(false);
    const run = await invokeLocally(cloud, FunctionName.DriftReconciler, timerEvent(new Date()));
    expect(run.errorType).toBeUndefined();
    expect(run.body).toMatchObject({ mode: 'inline' });
    expect(await configureDtsJob(cloud.endpoint, EXAMPLE.destinationOwner.root, sourceTask)).toEqual({
      accepted: true,
    });
    expect(eventTypes()).toContain('dts-trust.role.repaired');
  });

  it('make DTS refuse the task with its catalog code once the grant is revoked', async () => {
    const body = await intake([signedMessage(sampleTicketBody('source', accounts, new Date(), { action: 'revoke' }))]);
    expect(body.results[0]?.outcome).toBe('revoked');
    expect(await configureDtsJob(cloud.endpoint, EXAMPLE.destinationOwner.root, sourceTask)).toMatchObject({
      accepted: false,
      code: 'AssumeRoleFail.RoleNotExist',
    });
  });
});
