/**
 * `npm start`: the whole product on the embedded local cloud. Boots the local cloud with the example accounts,
 * deploys the four functions to its FC, creates the ticket queue with s.yaml's trigger, sends sample tickets onto
 * the queue with `@alicloud/mns` (the trigger delivers them to the intake in CloudEvents batches),
 * edits a role in the console and watches the drift-event function repair it within seconds (ActionTrail's
 * event routed to its trigger), edits roles behind dts-trust's back as a person in the console would, runs the drift reconciler, revokes a
 * grant, asks the DTS oracle at each step, and prints a report. Exits 0 when everything behaved as it should.
 */
import { readFile } from 'node:fs/promises';
import { startLocalCloud } from '../cloud/server.js';
import { readEventBridgeEvents } from '../cloud/services/eventbridge/store.js';
import { fcInvocations } from '../cloud/services/fc/functions.js';
import { editInConsole } from '../harness/console-edits.js';
import { configureDtsJob, type OracleVerdict } from '../harness/dts-oracle.js';
import { HarnessError } from '../harness/errors.js';
import { deployLocally, FunctionName, invokeLocally, settleLocally } from '../harness/local-deployment.js';
import { LOCAL_AUTOMATION, LOCAL_EVENT_BUS } from '../harness/local-environment.js';
import { deployRamChangeRoute } from '../harness/ram-change-route.js';
import {
  type SampleAccounts,
  sampleEvents,
  sampleMessages,
  sampleTicketBody,
  signedMessage,
} from '../harness/sample-events.js';
import { deliverTickets, deployTicketQueue } from '../harness/ticket-queue.js';
import { type DemoReport, printReport } from './report.js';
import { showTencent } from './tencent.js';

// The functions log JSON lines; the demo prints its own report instead.
process.env.DTS_TRUST_LOG_LEVEL ??= 'warn';

const accountsFile = new URL('../accounts.example.json', import.meta.url);
const document = JSON.parse(await readFile(accountsFile, 'utf8')) as {
  accounts: { id: string; name: string; accessKeys: { id: string; secret: string }[] }[];
};
const byName = (name: string) => {
  const account = document.accounts.find((a) => a.name === name);
  if (!account) throw new HarnessError('DemoSetup', `local/accounts.example.json has no account ${name}`);
  return account;
};
const accounts: SampleAccounts = {
  sourceOwner: byName('source-owner').id,
  destinationOwner: byName('destination-owner').id,
  task: byName('task-creator').id,
  automation: LOCAL_AUTOMATION.accountId,
};
const keysOf = (name: string) => {
  const key = byName(name).accessKeys[0]!;
  return { accessKeyId: key.id, accessKeySecret: key.secret };
};

const cloud = await startLocalCloud({
  port: 0,
  accounts: document,
  services: { eventbridge: { buses: [LOCAL_EVENT_BUS] } },
});
const report: DemoReport = { intake: [], oracle: [], edits: [], reconcile: undefined, events: [] };
let ok = true;
const expectVerdict = (step: string, verdict: OracleVerdict, accepted: boolean, code?: string) => {
  const pass = verdict.accepted === accepted && (code === undefined || verdict.code === code);
  ok &&= pass;
  report.oracle.push({ step, verdict, pass });
};

try {
  deployLocally(cloud);
  // The ticket queue, its dead-letter queue and s.yaml's ticket-queue trigger (batch window, retries, DLQ).
  await deployTicketQueue(cloud);
  const now = new Date();
  const samples = sampleEvents(accounts, now);
  const messages = sampleMessages(accounts, now);

  // 1. Tickets arrive on the queue (sent with @alicloud/mns as the ticketing system's RAM user) and the trigger
  //    delivers them to the intake: a batch of three declarations, then the bad ones.
  for (const file of ['mns-tickets-batch.json', 'mns-forged-signature.json', 'mns-replay.json', 'mns-malformed.json']) {
    const { answer } = await deliverTickets(cloud, messages[file] ?? []);
    report.intake.push({ file, answer });
  }

  // 2. The DTS oracle: would a real task between the declared accounts configure now?
  const destinationCreator = keysOf('destination-owner');
  const sourceCreator = keysOf('source-owner');
  const taskCreator = keysOf('task-creator');
  const sourceTask = {
    name: 'orders-to-analytics',
    source: { ownerAccountId: accounts.sourceOwner, roleName: 'ram-for-dts' },
  };
  const destinationTask = {
    name: 'billing-to-adb',
    destination: { ownerAccountId: accounts.destinationOwner, roleName: 'ram-for-dts-adb' },
  };
  const bothTask = {
    name: 'orders-two-way',
    source: { ownerAccountId: accounts.sourceOwner, roleName: 'ram-for-dts-sync' },
    destination: { ownerAccountId: accounts.destinationOwner, roleName: 'ram-for-dts-sync' },
  };
  expectVerdict(
    'after intake: cross-account source',
    await configureDtsJob(cloud.endpoint, destinationCreator, sourceTask),
    true,
  );
  expectVerdict(
    'after intake: cross-account destination',
    await configureDtsJob(cloud.endpoint, sourceCreator, destinationTask),
    true,
  );
  expectVerdict('after intake: both cross-account', await configureDtsJob(cloud.endpoint, taskCreator, bothTask), true);

  // 2b. A stranger is added to a trust policy in the console: ActionTrail's event travels the route from the owner
  //     account to the drift-event function, which repairs the role within seconds, long before the timer's run.
  const route = deployRamChangeRoute(cloud, [accounts.sourceOwner, accounts.destinationOwner]);
  route.start();
  const edited = Date.now();
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
  let repaired = false;
  while (!repaired && Date.now() - edited < 30_000) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    repaired = (await configureDtsJob(cloud.endpoint, destinationCreator, sourceTask)).accepted;
  }
  await route.stop();
  const seconds = (Date.now() - edited) / 1000;
  const timerRuns = fcInvocations(cloud.core).filter((r) => r.functionName === FunctionName.DriftReconciler).length;
  const eventRepairPass = repaired && seconds < 15 && timerRuns === 0;
  ok &&= eventRepairPass;
  report.eventRepair = {
    what: 'stranger written into the trust policy of ram-for-dts',
    seconds,
    timerRuns,
    pass: eventRepairPass,
  };

  // 3. People edit roles in the console behind dts-trust's back (the event route is stopped: the timer repairs these).

  const edits = [
    {
      what: 'trust policy of ram-for-dts rewritten to trust a stranger and the owner itself',
      edit: {
        kind: 'setTrustPolicy' as const,
        accountId: accounts.sourceOwner,
        roleName: 'ram-for-dts',
        trustPolicy: {
          Version: '1',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'sts:AssumeRole',
              Principal: {
                RAM: [`acs:ram::${accounts.destinationOwner}:root`, 'acs:ram::1111222233334444:root'],
                Service: [`${accounts.sourceOwner}@dts.aliyuncs.com`],
              },
            },
          ],
        },
      },
    },
    {
      what: 'AliyunDTSRolePolicy detached from ram-for-dts-adb',
      edit: {
        kind: 'detachPolicy' as const,
        accountId: accounts.destinationOwner,
        roleName: 'ram-for-dts-adb',
        policyName: 'AliyunDTSRolePolicy',
      },
    },
    {
      what: 'ram-for-dts-sync deleted in the destination owner',
      edit: { kind: 'deleteRole' as const, accountId: accounts.destinationOwner, roleName: 'ram-for-dts-sync' },
    },
  ];
  for (const { what, edit } of edits) {
    await editInConsole(cloud, edit);
    report.edits.push(what);
  }
  expectVerdict(
    'after console edits: cross-account destination',
    await configureDtsJob(cloud.endpoint, sourceCreator, destinationTask),
    false,
    'AssumeRoleFail.NoPermission',
  );

  // 4. The timer fires: the drift reconciler repairs everything.
  const run = await invokeLocally(cloud, FunctionName.DriftReconciler, samples['timer.json']);
  await settleLocally(cloud);
  report.reconcile = run;
  expectVerdict(
    'after reconcile: cross-account source',
    await configureDtsJob(cloud.endpoint, destinationCreator, sourceTask),
    true,
  );
  expectVerdict(
    'after reconcile: cross-account destination',
    await configureDtsJob(cloud.endpoint, sourceCreator, destinationTask),
    true,
  );
  expectVerdict(
    'after reconcile: both cross-account',
    await configureDtsJob(cloud.endpoint, taskCreator, bothTask),
    true,
  );

  // 5. The migration is over: its ticket revokes the grant, and the role goes.
  const revoke = [signedMessage(sampleTicketBody('source', accounts, new Date(), { action: 'revoke' }))];
  report.intake.push({ file: 'revoke (fresh)', answer: (await deliverTickets(cloud, revoke)).answer });
  expectVerdict(
    'after revoke: cross-account source',
    await configureDtsJob(cloud.endpoint, destinationCreator, sourceTask),
    false,
    'AssumeRoleFail.RoleNotExist',
  );

  // 6. Tencent Cloud: a relationship over CAM through the same functions and engine, the real Tencent SDKs.
  const tencent = await showTencent(
    cloud,
    (document as unknown as { tencent: Parameters<typeof showTencent>[1] }).tencent,
  );
  for (const step of tencent.steps) {
    ok &&= step.pass;
    report.oracle.push(step);
  }
  report.intake.push(...tencent.intake);
  report.tencentReconcile = tencent.reconcile;

  report.events = readEventBridgeEvents(cloud.core, { accountId: LOCAL_AUTOMATION.accountId, bus: LOCAL_EVENT_BUS });
  ok = printReport(report) && ok;
} finally {
  await cloud.stop();
}
process.exit(ok ? 0 : 1);
