/**
 * The EventBridge rule docs/deploy.md shows for routing ticket outcomes back to a ticketing system, against the
 * events the product really emits: tickets of two systems go through the queue to the deployed intake, and the
 * documented pattern (evaluated by the local EventBridge's TestEventPattern, through `@alicloud/eventbridge`) must
 * match exactly the `ticket.processed` events of Jira's tickets among everything on the bus.
 */
import { readFile } from 'node:fs/promises';
import EventBridgeSdk from '@alicloud/eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEventBridgeEvents, type StoredEvent } from '../../../local/cloud/services/eventbridge/store.js';
import { deployLocally } from '../../../local/harness/local-deployment.js';
import { LOCAL_AUTOMATION, LOCAL_EVENT_BUS, localTrustSettings } from '../../../local/harness/local-environment.js';
import { type SampleAccounts, sampleTicketBody, signedMessage } from '../../../local/harness/sample-events.js';
import { deliverTickets, deployTicketQueue } from '../../../local/harness/ticket-queue.js';
import { FakeClock } from '../../support/fake-clock.js';
import { EXAMPLE, INSTANT_TABLES, startTestCloud, type TestCloud } from '../../support/local-cloud.js';

const KEYS = {
  jira: { keyId: 'jira-2026', secret: 'jira-secret-for-the-outcome-rule-test-01' },
  servicenow: { keyId: 'sn-2026', secret: 'sn-secret-for-the-outcome-rule-test-0001' },
} as const;
const accounts: SampleAccounts = {
  sourceOwner: EXAMPLE.sourceOwner.id,
  destinationOwner: EXAMPLE.destinationOwner.id,
  task: EXAMPLE.taskCreator.id,
  automation: EXAMPLE.automation.id,
};

let cloud: TestCloud;
let client: InstanceType<typeof EventBridgeSdk.default>;
let pattern: string;
let onBus: StoredEvent[];

/** The rule's pattern exactly as docs/deploy.md shows it (the fenced block after its marker). */
async function documentedPattern(): Promise<string> {
  const doc = await readFile(new URL('../../../docs/deploy.md', import.meta.url), 'utf8');
  const match = /<!-- rule: ticket-outcomes[^>]*-->\s*```json\n([\s\S]*?)```/.exec(doc);
  if (!match?.[1]) throw new Error('docs/deploy.md lost the ticket-outcomes rule block');
  return match[1];
}

const matches = async (event: unknown) =>
  (
    await client.testEventPattern(
      new EventBridgeSdk.TestEventPatternRequest({ event: JSON.stringify(event), eventPattern: pattern }),
    )
  ).result;

function ticket(system: keyof typeof KEYS, id: string, kind: 'source' | 'destination', over = {}) {
  const body = sampleTicketBody(kind, accounts, new Date(), { id, ...over });
  return signedMessage(
    { ...body, ticket: { ...body.ticket, system, id: `${system.toUpperCase()}-${id}` } },
    KEYS[system],
  );
}

beforeAll(async () => {
  cloud = await startTestCloud({ services: { eventbridge: { buses: [LOCAL_EVENT_BUS] }, ...INSTANT_TABLES } });
  const settings = localTrustSettings({
    ticketSystems: {
      jira: { keys: { [KEYS.jira.keyId]: KEYS.jira.secret }, administrator: false, adoptRoleNames: [] },
      servicenow: {
        keys: { [KEYS.servicenow.keyId]: KEYS.servicenow.secret },
        administrator: false,
        adoptRoleNames: [],
      },
    },
  });
  deployLocally(cloud.cloud, { DTS_TRUST_SETTINGS: JSON.stringify(settings) });
  await deployTicketQueue(cloud.cloud, { clock: new FakeClock(new Date()) });
  client = new EventBridgeSdk.default(
    new EventBridgeSdk.Config({
      accessKeyId: LOCAL_AUTOMATION.runner.accessKeyId,
      accessKeySecret: LOCAL_AUTOMATION.runner.accessKeySecret,
      endpoint: cloud.cloud.endpoint,
      protocol: 'http',
    }),
  );
  pattern = await documentedPattern();
  const delivered = await deliverTickets(cloud.cloud, [
    ticket('jira', 'rule-0001', 'source'),
    ticket('servicenow', 'rule-0002', 'destination'),
    ticket('jira', 'rule-0003', 'source', { action: 'revoke' }),
    ticket('jira', 'rule-0004', 'source', { expiresAt: '2099-01-01T00:00:00Z' }),
  ]);
  expect(delivered.answer.statusCode).toBe(200);
  onBus = readEventBridgeEvents(cloud.cloud.core, { bus: LOCAL_EVENT_BUS });
});

afterAll(async () => {
  await cloud?.stop();
});

describe('the ticket outcome rule in docs/deploy.md', () => {
  it("matches the outcome of each of its system's tickets, declared, revoked and rejected", async () => {
    const outcomes = onBus.filter((e) => e.event.type === 'dts-trust.ticket.processed');
    expect(outcomes).toHaveLength(4);
    const matched: { id: string; outcome: string }[] = [];
    for (const e of outcomes) {
      const data = e.event.data as { outcome: string; ticket: { id: string } };
      if (await matches(e.event)) matched.push({ id: data.ticket.id, outcome: data.outcome });
    }
    expect(matched.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 'JIRA-rule-0001', outcome: 'declared' },
      { id: 'JIRA-rule-0003', outcome: 'revoked' },
      { id: 'JIRA-rule-0004', outcome: 'rejected' },
    ]);
  });

  it('matches nothing else the product put on the bus: no other type, no other system', async () => {
    const others = onBus.filter(
      (e) =>
        e.event.type !== 'dts-trust.ticket.processed' ||
        (e.event.data as { ticket?: { system?: string } }).ticket?.system !== 'jira',
    );
    expect(others.map((e) => e.event.type)).toEqual(
      expect.arrayContaining(['dts-trust.grant.declared', 'dts-trust.role.created', 'dts-trust.ticket.processed']),
    );
    for (const e of others)
      expect({ type: e.event.type, matched: await matches(e.event) }).toMatchObject({ matched: false });
  });
});
