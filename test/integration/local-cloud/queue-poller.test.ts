/**
 * A running local cloud polls its ticket queue in the background, as EventBridge does: a ticket sent with
 * `npm run cli -- ticket send` reaches the deployed intake without anyone draining the trigger.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/main.js';
import type { QueuePoller } from '../../../local/cloud/triggers/queue-poller.js';
import { deployLocally } from '../../../local/harness/local-deployment.js';
import { LOCAL_AUTOMATION, LOCAL_EVENT_BUS } from '../../../local/harness/local-environment.js';
import { DEMO_TICKET_KEY } from '../../../local/harness/sample-events.js';
import { LOCAL_TICKET_SENDER, serveTicketQueue } from '../../../local/harness/ticket-queue.js';
import type { TablestoreGrantStore } from '../../../shared/alicloud/tablestore/grant-store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { EXAMPLE, INSTANT_TABLES, startTestCloud, type TestCloud } from '../../support/local-cloud.js';
import { localRunnerServices } from '../../support/local-services.js';

let cloud: TestCloud;
let poller: QueuePoller;
let grants: TablestoreGrantStore;
let dir: string;

beforeAll(async () => {
  cloud = await startTestCloud({ services: { eventbridge: { buses: [LOCAL_EVENT_BUS] }, ...INSTANT_TABLES } });
  deployLocally(cloud.cloud);
  const clock = new FakeClock(new Date());
  poller = await serveTicketQueue(cloud.cloud, { trigger: { clock }, poller: { clock } });
  grants = (await localRunnerServices(cloud.cloud)).grants;
  dir = await mkdtemp(join(tmpdir(), 'dts-trust-poller-'));
});

afterAll(async () => {
  await poller?.stop();
  await cloud?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the ticket queue of a running local cloud', () => {
  it('delivers a ticket sent with `ticket send` to the deployed intake by itself', async () => {
    const file = join(dir, 'ticket.yaml');
    await writeFile(
      file,
      `action: declare
ticket: { system: jira, id: DBA-3001, requester: ana, approver: ben }
relationship:
  scenario: source
  source: { accountId: "${EXAMPLE.sourceOwner.id}", databaseType: mysql, accessMethod: instance, roleName: ram-for-dts-polled }
  destination: { accountId: "${EXAMPLE.destinationOwner.id}", databaseType: mysql, accessMethod: instance }
`,
      'utf8',
    );
    const lines: string[] = [];
    const code = await runCli(
      ['ticket', 'send', file],
      {
        DTS_TRUST_TICKET_KEY_ID: DEMO_TICKET_KEY.keyId,
        DTS_TRUST_TICKET_KEY_SECRET: DEMO_TICKET_KEY.secret,
        DTS_TRUST_AUTOMATION_ACCOUNT_ID: LOCAL_AUTOMATION.accountId,
        DTS_TRUST_MNS_ENDPOINT: cloud.cloud.url,
        ALIBABA_CLOUD_ACCESS_KEY_ID: LOCAL_TICKET_SENDER.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: LOCAL_TICKET_SENDER.accessKeySecret,
      },
      { line: (t) => lines.push(t), interactive: false },
    );
    expect({ code, lines }).toMatchObject({ code: 0 });
    await poller.nextPass();
    expect(
      await grants.getGrant({
        ownerAccountId: EXAMPLE.sourceOwner.id,
        roleName: 'ram-for-dts-polled',
        trustedAccountId: EXAMPLE.destinationOwner.id,
      }),
    ).toMatchObject({ ticket: { system: 'jira', id: 'DBA-3001' } });
    expect(cloud.cloud.log.some((e) => e.action === 'CreateRole')).toBe(true);
  });

  it('stops polling when asked, with no pass left running', async () => {
    await poller.stop();
    const passes = poller.passes;
    await new Promise((resolve) => setImmediate(resolve));
    expect(poller.passes).toBe(passes);
  });
});
