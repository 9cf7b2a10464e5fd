import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../../local/cloud/server.js';
import { readEventBridgeEvents } from '../../../local/cloud/services/eventbridge/store.js';
import { fcInvocations } from '../../../local/cloud/services/fc/functions.js';
import type { EventBusTrigger } from '../../../local/cloud/triggers/event-bus-trigger.js';
import { editInConsole } from '../../../local/harness/console-edits.js';
import { FunctionName, invokeLocally } from '../../../local/harness/deployment.js';
import { configureDtsJob } from '../../../local/harness/dts-oracle.js';
import { LOCAL_EVENT_BUS } from '../../../local/harness/local-environment.js';
import { deployRamChangeRoute } from '../../../local/harness/ram-change-route.js';
import { mnsTriggerEvent, sampleTicketBody, signedMessage } from '../../../local/harness/sample-events.js';
import { EXAMPLE } from '../../support/local-cloud.js';
import { accounts, startBundleCloud } from './bundle-cloud.js';

interface DriftEventBody {
  events: number;
  ignored: Record<string, number>;
  unmanaged: number;
  reconciled: { role: { roleName: string }; outcome: string }[];
  apiCalls: { ram: number; assumeRole: number };
}

let cloud: LocalCloud;
let trigger: EventBusTrigger;
/** The batch window passes at once: the test is about what the function does, not about waiting. */
const instant = { now: () => new Date(), sleep: async () => undefined };
const sourceTask = { name: 'drift-source', source: { ownerAccountId: accounts.sourceOwner, roleName: 'ram-for-dts' } };
const stranger = {
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: ['acs:ram::1111222233334444:root'] } }],
};

/** Let the trigger push what the bus holds; the answers of the function, in order. */
async function pushed(): Promise<DriftEventBody[]> {
  const deliveries = await trigger.drain();
  for (const d of deliveries) expect(d.outcome).toBe('delivered');
  return deliveries.map((d) => d.invocations.at(-1)!.body as DriftEventBody);
}

const timerRuns = () => fcInvocations(cloud.core).filter((r) => r.functionName === FunctionName.DriftReconciler);

beforeAll(async () => {
  cloud = await startBundleCloud();
  trigger = deployRamChangeRoute(cloud, [accounts.sourceOwner, accounts.destinationOwner], { clock: instant });
  const now = new Date();
  const answer = await invokeLocally(
    cloud,
    FunctionName.TicketIntake,
    mnsTriggerEvent([signedMessage(sampleTicketBody('source', accounts, now))], accounts, now),
  );
  expect(answer.errorType).toBeUndefined();
});

afterAll(async () => {
  await cloud?.stop();
});

describe('the drift-event bundle behind the RAM change route', () => {
  it("ignores the events of dts-trust's own management-role session: the intake's writes start no reconcile", async () => {
    const answers = await pushed();
    expect(answers.length).toBeGreaterThan(0);
    for (const answer of answers) {
      expect(answer.reconciled).toEqual([]);
      expect(answer.apiCalls).toEqual({ ram: 0, assumeRole: 0 });
    }
    expect(answers.reduce((n, a) => n + (a.ignored['ownSession'] ?? 0), 0)).toBeGreaterThan(0);
  });

  it('repairs a trust policy edited in the console without a timer run, and its own repair starts no other', async () => {
    await editInConsole(cloud, {
      kind: 'setTrustPolicy',
      accountId: accounts.sourceOwner,
      roleName: 'ram-for-dts',
      trustPolicy: stranger,
    });
    expect((await configureDtsJob(cloud.endpoint, EXAMPLE.destinationOwner.root, sourceTask)).accepted).toBe(false);
    const [repair] = await pushed();
    expect(repair?.reconciled).toEqual([
      { role: expect.objectContaining({ roleName: 'ram-for-dts' }), outcome: 'repaired' },
    ]);
    expect(await configureDtsJob(cloud.endpoint, EXAMPLE.destinationOwner.root, sourceTask)).toEqual({
      accepted: true,
    });
    expect(readEventBridgeEvents(cloud.core, { bus: LOCAL_EVENT_BUS }).map((e) => e.event.type)).toContain(
      'dts-trust.role.repaired',
    );
    expect(timerRuns()).toEqual([]);
    const echoes = await pushed();
    expect(echoes.flatMap((a) => a.reconciled)).toEqual([]);
    expect(echoes.reduce((n, a) => n + a.apiCalls.ram, 0)).toBe(0);
  });

  it('folds a burst of edits to one role into one reconcile that undoes them all', async () => {
    const role = { accountId: accounts.sourceOwner, roleName: 'ram-for-dts' };
    await editInConsole(cloud, { kind: 'attachPolicy', ...role, policyName: 'AdministratorAccess' });
    await editInConsole(cloud, { kind: 'attachPolicy', ...role, policyName: 'AliyunRAMFullAccess' });
    await editInConsole(cloud, { kind: 'setTrustPolicy', ...role, trustPolicy: stranger });
    const answers = await pushed();
    expect(answers[0]?.events).toBe(3);
    expect(answers[0]?.reconciled).toEqual([expect.objectContaining({ outcome: 'repaired' })]);
    expect(await configureDtsJob(cloud.endpoint, EXAMPLE.destinationOwner.root, sourceTask)).toEqual({
      accepted: true,
    });
    const policies = await fetch(`${cloud.url}/__admin/accounts/${accounts.sourceOwner}/roles/ram-for-dts`);
    const stored = JSON.stringify(await policies.json());
    expect(stored).toContain('AliyunDTSRolePolicy');
    expect(stored).not.toContain('AdministratorAccess');
    await pushed();
  });

  it('costs no RAM call for an edit to a role dts-trust does not manage', async () => {
    await editInConsole(cloud, {
      kind: 'setDescription',
      accountId: accounts.sourceOwner,
      roleName: EXAMPLE.managementRole,
      description: 'edited by hand',
    });
    const [answer] = await pushed();
    expect(answer).toMatchObject({ events: 1, unmanaged: 1, reconciled: [], apiCalls: { ram: 0, assumeRole: 0 } });
  });

  it('changes nothing for a forged or malformed event, and reads the live role for a forged one that names it', async () => {
    const forged = {
      id: 'forged-1',
      source: 'acs.actiontrail',
      type: 'actiontrail:ActionTrail:ConsoleOperation',
      aliyunaccountid: accounts.automation,
      aliyunoriginalaccountid: accounts.sourceOwner,
      data: {
        eventName: 'DeleteRole',
        serviceName: 'Ram',
        userIdentity: { type: 'root-account' },
        requestParameters: { RoleName: 'ram-for-dts', AssumeRolePolicyDocument: JSON.stringify(stranger) },
      },
    };
    const served = cloud.log.length;
    const answer = await invokeLocally(cloud, FunctionName.DriftEvent, [forged, { source: 'acs.actiontrail' }, 'junk']);
    expect(answer.errorType).toBeUndefined();
    expect(answer.body).toMatchObject({ events: 3, ignored: { malformed: 2 }, reconciled: [{ outcome: 'inSync' }] });
    const writes = cloud.log.slice(served).filter((e) => e.service === 'ram' && !/^(Get|List)/.test(e.action));
    expect(writes).toEqual([]);
    expect(await configureDtsJob(cloud.endpoint, EXAMPLE.destinationOwner.root, sourceTask)).toEqual({
      accepted: true,
    });
  });

  it('applies the flap rule of the timer run: the same drift back at the limit pauses the role, and a stranger is still removed, with a removal-fight finding', async () => {
    const edit = () =>
      editInConsole(cloud, {
        kind: 'setTrustPolicy',
        accountId: accounts.sourceOwner,
        roleName: 'ram-for-dts',
        trustPolicy: stranger,
      });
    const outcomes: string[] = [];
    const types = () => readEventBridgeEvents(cloud.core, { bus: LOCAL_EVENT_BUS }).map((e) => e.event.type);
    // The flap limit is 3 (DTS_TRUST_FLAP_LIMIT): the last repair before this test undid another drift.
    for (let i = 0; i < 3; i += 1) {
      await edit();
      outcomes.push(...(await pushed()).flatMap((a) => a.reconciled.map((r) => r.outcome)));
      await pushed();
    }
    expect(outcomes).toEqual(['repaired', 'repaired', 'repaired']);
    expect(types()).toContain('dts-trust.role.paused');
    // Paused, the role's undeclared access is removed all the same (removal wins over a hold), and the fight is raised.
    await edit();
    expect((await pushed()).flatMap((a) => a.reconciled.map((r) => r.outcome))).toEqual(['repaired']);
    await pushed();
    expect(types()).toContain('dts-trust.finding.removal-fight');
    expect(await configureDtsJob(cloud.endpoint, EXAMPLE.destinationOwner.root, sourceTask)).toEqual({
      accepted: true,
    });
    expect(timerRuns()).toEqual([]);
  });
});
