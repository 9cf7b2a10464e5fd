import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../local/cloud/server.js';
import { readEventBridgeEvents } from '../../local/cloud/services/eventbridge-store.js';
import { configureDtsJob } from '../../local/demo/dts-oracle.js';
import { deployLocally, FunctionName, invokeLocally } from '../../local/demo/local-deployment.js';
import { LOCAL_AUTOMATION, LOCAL_EVENT_BUS, localCloudEnvironment } from '../../local/demo/local-environment.js';
import {
  mnsTriggerEvent,
  type SampleAccounts,
  sampleEvents,
  sampleTicketBody,
  signedMessage,
} from '../../local/demo/sample-events.js';
import type { TablestoreGrantStore } from '../../shared/alicloud/tablestore/grant-store.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { createServices } from '../../shared/runtime/services.js';
import { EXAMPLE, exampleAccountsDocument } from '../support/local-cloud.js';

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

const sourceTask = { name: 'e2e-source', source: { ownerAccountId: accounts.sourceOwner, roleName: 'ram-for-dts' } };

async function grantCount(): Promise<number> {
  let n = 0;
  for await (const _ of grants.listManagedRoles()) n += 1;
  return n;
}

async function intake(bodies: string[]) {
  return invokeLocally(cloud, FunctionName.TicketIntake, mnsTriggerEvent(bodies, accounts, new Date()));
}

beforeAll(async () => {
  cloud = await startLocalCloud({
    port: 0,
    accounts: exampleAccountsDocument,
    services: { eventbridge: { buses: [LOCAL_EVENT_BUS] } },
  });
  deployLocally(cloud);
  const services = createServices(loadConfig(localCloudEnvironment(cloud)), {
    tablestoreKeys: LOCAL_AUTOMATION.runner,
    ownKeys: async () => LOCAL_AUTOMATION.runner,
  });
  await services.ensureTables();
  grants = services.grants;
});

afterAll(async () => {
  await cloud?.stop();
});

describe('ticket intake end to end', () => {
  it('rejects forged, replayed and malformed tickets and stores nothing', async () => {
    const samples = sampleEvents(accounts, new Date());
    const expected = [
      ['mns-forged-signature.json', 'TicketSignatureInvalid'],
      ['mns-replay.json', 'TicketReplayed'],
      ['mns-malformed.json', 'MalformedMessage'],
    ] as const;
    for (const [file, code] of expected) {
      const answer = await invokeLocally(cloud, FunctionName.TicketIntake, samples[file]);
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
    const expiresAt = new Date(Date.now() + 1_500).toISOString();
    const body = sampleTicketBody('source', accounts, new Date(), { expiresAt });
    expect(((await intake([signedMessage(body)])).body as IntakeBody).results[0]?.outcome).toBe('declared');
    expect(await configureDtsJob(cloud.endpoint, EXAMPLE.destinationOwner.root, sourceTask)).toEqual({
      accepted: true,
    });
    await new Promise((resolve) => setTimeout(resolve, 1_600));
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
    try {
      const failed = await intake([message]);
      expect(failed.errorType).toBe('UnhandledInvocationError');
    } finally {
      cloud.setFaults({});
    }
    const retried = (await intake([message])).body as IntakeBody;
    expect(retried.results[0]?.outcome).toBe('declared');
  });
});
