import MnsClient from '@alicloud/mns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../local/cloud/server.js';
import { readEventBridgeEvents } from '../../local/cloud/services/eventbridge/store.js';
import type { TriggerInvocation } from '../../local/cloud/triggers/mns-queue-trigger.js';
import { configureDtsJob } from '../../local/harness/dts-oracle.js';
import { deployLocally, FunctionName, invokeLocally } from '../../local/harness/local-deployment.js';
import { LOCAL_EVENT_BUS } from '../../local/harness/local-environment.js';
import {
  type SampleAccounts,
  sampleMessages,
  sampleTicketBody,
  signedMessage,
} from '../../local/harness/sample-events.js';
import { deliverTickets, deployTicketQueue, TICKET_QUEUE } from '../../local/harness/ticket-queue.js';
import type { TablestoreGrantStore } from '../../shared/alicloud/tablestore/grant-store.js';
import { FakeClock } from '../support/fake-clock.js';
import { EXAMPLE, exampleAccountsDocument } from '../support/local-cloud.js';
import { localRunnerServices } from '../support/local-services.js';

const accounts: SampleAccounts = {
  sourceOwner: EXAMPLE.sourceOwner.id,
  destinationOwner: EXAMPLE.destinationOwner.id,
  task: EXAMPLE.taskCreator.id,
  automation: EXAMPLE.automation.id,
};

interface IntakeBody {
  results: { outcome: string; codes?: string[]; roles?: { outcome: string }[] }[];
}

let cloud: LocalCloud;
let grants: TablestoreGrantStore;
/** Runs after every invocation the queue trigger makes (a test ends an outage there). */
let afterInvocation: ((invocation: TriggerInvocation) => void) | undefined;

const sourceTask = { name: 'e2e-source', source: { ownerAccountId: accounts.sourceOwner, roleName: 'ram-for-dts' } };

async function grantCount(): Promise<number> {
  let n = 0;
  for await (const _ of grants.listManagedRoles()) n += 1;
  return n;
}

/** Put the bodies on the ticket queue and let the s.yaml trigger deliver them; the intake's answer. */
async function intake(bodies: string[]) {
  return (await deliverTickets(cloud, bodies)).answer;
}

beforeAll(async () => {
  cloud = await startLocalCloud({
    port: 0,
    accounts: exampleAccountsDocument,
    services: { eventbridge: { buses: [LOCAL_EVENT_BUS] } },
  });
  deployLocally(cloud);
  // Batch windows and retry delays of the trigger run on a fake clock: no test waits for them.
  await deployTicketQueue(cloud, {
    clock: new FakeClock(new Date()),
    onInvocation: (invocation) => afterInvocation?.(invocation),
  });
  grants = (await localRunnerServices(cloud)).grants;
});

afterAll(async () => {
  await cloud?.stop();
});

describe('ticket intake end to end', () => {
  it('rejects forged, replayed and malformed tickets and stores nothing', async () => {
    const samples = sampleMessages(accounts, new Date());
    const expected = [
      ['mns-forged-signature.json', 'TicketSignatureInvalid'],
      ['mns-replay.json', 'TicketReplayed'],
      ['mns-malformed.json', 'MalformedMessage'],
    ] as const;
    for (const [file, code] of expected) {
      const answer = await intake(samples[file]!);
      expect(answer.statusCode).toBe(200);
      const body = answer.body as IntakeBody;
      expect(body.results.map((r) => r.outcome)).toEqual(['rejected']);
      expect(body.results[0]?.codes).toContain(code);
    }
    expect(await grantCount()).toBe(0);
    const rejected = readEventBridgeEvents(cloud.core, { bus: LOCAL_EVENT_BUS }).filter(
      (e) => e.event.type === 'dts-trust.grant.rejected',
    );
    expect(rejected.length).toBeGreaterThanOrEqual(3);
  });

  it('applies the good messages of a batch with one bad message, and DTS then accepts the task', async () => {
    const now = new Date();
    const answer = await intake([
      signedMessage(sampleTicketBody('source', accounts, now)),
      'not json at all',
      signedMessage(sampleTicketBody('destination', accounts, now)),
    ]);
    const body = answer.body as IntakeBody;
    expect(body.results.map((r) => r.outcome)).toEqual(['declared', 'rejected', 'declared']);
    expect(body.results[0]?.roles?.[0]?.outcome).toBe('created');
    const verdict = await configureDtsJob(cloud.endpoint, EXAMPLE.destinationOwner.root, sourceTask);
    expect(verdict).toEqual({ accepted: true });
  });

  it('changes nothing when the same message is delivered again', async () => {
    const message = signedMessage(sampleTicketBody('both', accounts, new Date()));
    const first = (await intake([message])).body as IntakeBody;
    const again = (await intake([message])).body as IntakeBody;
    expect(first.results[0]?.outcome).toBe('declared');
    expect(again.results[0]?.outcome).toBe('duplicate');
  });

  it('makes DTS refuse the task with its catalog code after the grant is revoked', async () => {
    const answer = await intake([
      signedMessage(sampleTicketBody('source', accounts, new Date(), { action: 'revoke' })),
    ]);
    expect((answer.body as IntakeBody).results[0]?.outcome).toBe('revoked');
    const verdict = await configureDtsJob(cloud.endpoint, EXAMPLE.destinationOwner.root, sourceTask);
    expect(verdict).toMatchObject({ accepted: false, code: 'AssumeRoleFail.RoleNotExist' });
  });

  it('makes DTS refuse the task after the grant expires and the reconciler runs', async () => {
    // Long enough for intake to build the role on a busy machine; the wait below is measured from the expiry.
    const expiry = Date.now() + 3_000;
    const expiresAt = new Date(expiry).toISOString();
    const body = sampleTicketBody('source', accounts, new Date(), { expiresAt });
    expect(((await intake([signedMessage(body)])).body as IntakeBody).results[0]?.outcome).toBe('declared');
    expect(await configureDtsJob(cloud.endpoint, EXAMPLE.destinationOwner.root, sourceTask)).toEqual({
      accepted: true,
    });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiry - Date.now()) + 100));
    const run = await invokeLocally(cloud, FunctionName.DriftReconciler, {
      triggerTime: new Date().toISOString(),
      triggerName: 'drift-timer',
      payload: '',
    });
    expect(run.statusCode).toBe(200);
    expect(run.errorType).toBeUndefined();
    expect((run.body as { expiredGrants?: number }).expiredGrants).toBe(1);
    expect(
      await grants.getGrant({
        ownerAccountId: accounts.sourceOwner,
        roleName: 'ram-for-dts',
        trustedAccountId: accounts.destinationOwner,
      }),
    ).toBeUndefined();
    expect(
      readEventBridgeEvents(cloud.core, { bus: LOCAL_EVENT_BUS }).some(
        (e) => e.event.type === 'dts-trust.grant.expired',
      ),
    ).toBe(true);
    const verdict = await configureDtsJob(cloud.endpoint, EXAMPLE.destinationOwner.root, sourceTask);
    expect(verdict).toMatchObject({ accepted: false, code: 'AssumeRoleFail.RoleNotExist' });
  });

  it('fails the invocation when the store is down, so the trigger redelivers, and the redelivery succeeds', async () => {
    const message = signedMessage(sampleTicketBody('destination', accounts, new Date(), { mode: 'observe' }));
    cloud.setFaults({ outages: ['tablestore'] });
    afterInvocation = (invocation) => {
      if (!invocation.ok) cloud.setFaults({});
    };
    let delivered: Awaited<ReturnType<typeof deliverTickets>>;
    try {
      delivered = await deliverTickets(cloud, [message]);
    } finally {
      afterInvocation = undefined;
      cloud.setFaults({});
    }
    const invocations = delivered.deliveries[0]?.invocations ?? [];
    expect(invocations.map((i) => i.errorType ?? 'ok')).toEqual(['UnhandledInvocationError', 'ok']);
    expect((delivered.answer.body as IntakeBody).results[0]?.outcome).toBe('declared');
  });

  it('puts the ticket into the dead-letter queue after a day of failed pushes (s.yaml: EXPONENTIAL_DECAY_RETRY)', async () => {
    const message = signedMessage(sampleTicketBody('both', accounts, new Date(), { mode: 'observe' }));
    cloud.setFaults({ outages: ['fc'] });
    let delivered: Awaited<ReturnType<typeof deliverTickets>>;
    try {
      delivered = await deliverTickets(cloud, [message]);
    } finally {
      cloud.setFaults({});
    }
    expect(delivered.deliveries[0]).toMatchObject({ outcome: 'deadLettered' });
    expect(delivered.deliveries[0]?.invocations).toHaveLength(177);
    const mns = new MnsClient(EXAMPLE.automation.id, { ...EXAMPLE.automation.root, endpoint: cloud.url });
    const dead = await mns.receiveMessage(`${TICKET_QUEUE}-dlq`);
    const event = JSON.parse(dead.body.MessageBody) as { data: { messageId: string; messageBody: string } };
    expect(event.data).toEqual(expect.objectContaining({ messageId: delivered.messageIds[0], messageBody: message }));
  });
});
