/**
 * Every rule of the guides, through the intake as it runs in the local cloud: tickets put on the queue, the
 * s.yaml trigger delivering them, the intake refusing what DTS would refuse (with the guide's code) before
 * anything is stored, and the DTS oracle agreeing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../local/cloud/server.js';
import { readEventBridgeEvents } from '../../local/cloud/services/eventbridge/store.js';
import type { TriggerInvocation } from '../../local/cloud/triggers/mns-queue-trigger.js';
import { configureDtsJob } from '../../local/harness/dts-oracle.js';
import { deployLocally } from '../../local/harness/local-deployment.js';
import { LOCAL_AUTOMATION, LOCAL_EVENT_BUS, localTrustSettings } from '../../local/harness/local-environment.js';
import { type SampleAccounts, sampleTicketBody, signedMessage } from '../../local/harness/sample-events.js';
import { deliverTickets, deployTicketQueue } from '../../local/harness/ticket-queue.js';
import { inventoryRolePolicy, managementRolePolicy } from '../../shared/deploy/permissions.js';
import type { GrantTicketBody } from '../../shared/intake/ticket-message.js';
import { FakeClock } from '../support/fake-clock.js';
import { EXAMPLE, exampleAccountsDocument } from '../support/local-cloud.js';

const accounts: SampleAccounts = {
  sourceOwner: EXAMPLE.sourceOwner.id,
  destinationOwner: EXAMPLE.destinationOwner.id,
  task: EXAMPLE.taskCreator.id,
  automation: EXAMPLE.automation.id,
};

/** A management role as the setup creates it: trusting the automation account, with the generated policy. */
function managementRole(policy: 'management' | 'inventory') {
  return {
    name: EXAMPLE.managementRole,
    trustPolicy: {
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { RAM: [`acs:ram::${LOCAL_AUTOMATION.accountId}:root`] },
        },
      ],
    },
    policies: [{ name: `dts-trust-${policy}`, type: 'Custom' as const }],
  };
}

const customPolicies = {
  'dts-trust-management': managementRolePolicy(),
  'dts-trust-inventory': inventoryRolePolicy(),
};

/** A Finance Cloud owner, listed so in the trust settings and in the local cloud. */
const FINANCE_OWNER = '1888000011112222';
/** An owner that opened the DTS console but never authorized DTS: no AliyunDTSDefaultRole. */
const UNAUTHORIZED_OWNER = '1888000033334444';
/** A task account that never opened DTS, with the inventory management role the setup gives task accounts. */
const DORMANT_TASK = '1888000055556666';

const extraAccounts = [
  {
    id: FINANCE_OWNER,
    name: 'finance-owner',
    partition: 'finance',
    roles: [managementRole('management')],
    customPolicies,
  },
  {
    id: UNAUTHORIZED_OWNER,
    name: 'unauthorized-owner',
    dtsDefaultRole: false,
    roles: [managementRole('management')],
    customPolicies,
  },
  { id: DORMANT_TASK, name: 'dormant-task', dtsActivated: false, roles: [managementRole('inventory')], customPolicies },
];

interface IntakeResult {
  outcome: string;
  codes?: string[];
  problems?: { code: string; field: string; message: string; fix: string }[];
  unchecked?: { accountId: string; check: string; reason: string }[];
  roles?: { outcome: string }[];
}

let cloud: LocalCloud;
let counter = 0;
/** Runs after every invocation the queue trigger makes (a test ends an outage there). */
let afterInvocation: ((invocation: TriggerInvocation) => void) | undefined;

/** Declare one relationship (over the sample source ticket) through the queue; the deliveries and the result. */
async function deliver(relationship: Record<string, unknown>) {
  const base = sampleTicketBody('source', accounts, new Date());
  counter += 1;
  const body = { ...base, id: `guides-e2e-${counter}-0001`, relationship } as GrantTicketBody;
  const delivered = await deliverTickets(cloud, [signedMessage(body)]);
  const [result] = (delivered.answer.body as { results: IntakeResult[] }).results;
  if (!result) throw new Error(`the intake gave no result: ${JSON.stringify(delivered.answer)}`);
  return { result, invocations: delivered.deliveries[0]?.invocations ?? [] };
}

/** Declare one relationship through the queue; the intake's result. */
async function declare(relationship: Record<string, unknown>): Promise<IntakeResult> {
  return (await deliver(relationship)).result;
}

const mysql = (accountId: string, over: Record<string, unknown> = {}) => ({
  accountId,
  databaseType: 'mysql',
  accessMethod: 'instance',
  ...over,
});

/** True when the local cloud's RAM holds the role in the owner account (any case, as RAM names roles). */
function roleExists(accountId: string, roleName: string): boolean {
  const roles = cloud.core.accounts.get(accountId)?.roles;
  return [...(roles?.keys() ?? [])].some((name) => name.toLowerCase() === roleName.toLowerCase());
}

beforeAll(async () => {
  cloud = await startLocalCloud({
    port: 0,
    accounts: { accounts: [...exampleAccountsDocument.accounts, ...extraAccounts] },
    services: { eventbridge: { buses: [LOCAL_EVENT_BUS] } },
  });
  deployLocally(cloud, {
    DTS_TRUST_SETTINGS: JSON.stringify(localTrustSettings({ accountPartitions: { [FINANCE_OWNER]: 'finance' } })),
  });
  await deployTicketQueue(cloud, {
    clock: new FakeClock(new Date()),
    onInvocation: (invocation) => afterInvocation?.(invocation),
  });
});

afterAll(async () => {
  await cloud?.stop();
});

describe('the guides through the intake', () => {
  it('refuses two-way Tair without its edition, and declares it between Tair Enterprise instances', async () => {
    const redis = (accountId: string, over: Record<string, unknown> = {}) => ({
      accountId,
      databaseType: 'redis',
      accessMethod: 'instance',
      roleName: 'ram-for-dts-tair',
      ...over,
    });
    const twoWay = { scenario: 'both', direction: 'two-way', taskAccountId: EXAMPLE.taskCreator.id };
    const refused = await declare({
      ...twoWay,
      source: redis(accounts.sourceOwner),
      destination: redis(accounts.destinationOwner),
    });
    expect(refused.outcome).toBe('rejected');
    expect(refused.problems?.map((p) => `${p.code}@${p.field}`)).toEqual([
      'TwoWayUnsupported@message.body.relationship.source.edition',
      'TwoWayUnsupported@message.body.relationship.destination.edition',
    ]);
    expect(roleExists(accounts.sourceOwner, 'ram-for-dts-tair')).toBe(false);
    const declared = await declare({
      ...twoWay,
      source: redis(accounts.sourceOwner, { edition: 'enterprise' }),
      destination: redis(accounts.destinationOwner, { edition: 'enterprise' }),
    });
    expect(declared.outcome).toBe('declared');
  });

  it('refuses two-way MongoDB without its topology', async () => {
    const mongo = (accountId: string) => ({ accountId, databaseType: 'mongodb', accessMethod: 'instance' });
    const result = await declare({
      scenario: 'both',
      direction: 'two-way',
      taskAccountId: EXAMPLE.taskCreator.id,
      source: mongo(accounts.sourceOwner),
      destination: mongo(accounts.destinationOwner),
    });
    expect(result.codes).toEqual(['TwoWayUnsupported']);
  });

  it("refuses a MaxCompute migration by the older guide's table, and declares it without a task kind", async () => {
    const maxcompute = { accountId: accounts.destinationOwner, databaseType: 'maxcompute', accessMethod: 'instance' };
    const refused = await declare({
      scenario: 'source',
      taskKind: 'migration',
      source: mysql(accounts.sourceOwner, { roleName: 'ram-for-dts-odps' }),
      destination: maxcompute,
    });
    expect(refused.codes).toEqual(['TaskKindUnsupported']);
    expect(refused.problems?.[0]?.message).toContain('of the older guide');
    const declared = await declare({
      scenario: 'source',
      source: mysql(accounts.sourceOwner, { roleName: 'ram-for-dts-odps' }),
      destination: maxcompute,
    });
    expect(declared.outcome).toBe('declared');
  });

  it('refuses a Finance Cloud owner paired with an unlisted (public) account, as DTS would', async () => {
    const result = await declare({
      scenario: 'source',
      source: mysql(FINANCE_OWNER),
      destination: mysql(accounts.destinationOwner),
    });
    expect(result.codes).toEqual(['PartitionMismatch']);
    expect(roleExists(FINANCE_OWNER, 'ram-for-dts')).toBe(false);
    const verdict = await configureDtsJob(cloud.endpoint, EXAMPLE.destinationOwner.root, {
      name: 'finance-to-public',
      source: { ownerAccountId: FINANCE_OWNER, roleName: 'ram-for-dts' },
    });
    expect(verdict).toMatchObject({ accepted: false, code: 'AliyunUIDNotFound' });
  });

  it('refuses a RAM user name given as the role name (RoleNameIsUser) and builds no role by that name', async () => {
    const result = await declare({
      scenario: 'source',
      source: mysql(accounts.sourceOwner, { roleName: 'ram-auditor' }),
      destination: mysql(accounts.destinationOwner),
    });
    expect(result.codes).toEqual(['RoleNameIsUser']);
    expect(result.problems?.[0]?.field).toBe('message.body.relationship.source.roleName');
    expect(roleExists(accounts.sourceOwner, 'ram-auditor')).toBe(false);
    const rejected = readEventBridgeEvents(cloud.core, { bus: LOCAL_EVENT_BUS }).filter(
      (e) => e.event.type === 'dts-trust.grant.rejected' && JSON.stringify(e.event.data).includes('RoleNameIsUser'),
    );
    expect(rejected).toHaveLength(1);
  });

  it('refuses an owner that never authorized DTS (no AliyunDTSDefaultRole) with AliyunUIDNotFound, as DTS does', async () => {
    const result = await declare({
      scenario: 'source',
      source: mysql(UNAUTHORIZED_OWNER),
      destination: mysql(accounts.destinationOwner),
    });
    expect(result.codes).toEqual(['AliyunUIDNotFound']);
    expect(result.problems?.[0]?.fix).toContain(`sign in to the DTS console once with account ${UNAUTHORIZED_OWNER}`);
    expect(roleExists(UNAUTHORIZED_OWNER, 'ram-for-dts')).toBe(false);
    const verdict = await configureDtsJob(cloud.endpoint, EXAMPLE.destinationOwner.root, {
      name: 'unauthorized-owner',
      source: { ownerAccountId: UNAUTHORIZED_OWNER, roleName: 'ram-for-dts' },
    });
    expect(verdict).toMatchObject({ accepted: false, code: 'AliyunUIDNotFound' });
  });

  it('refuses a task account that never opened DTS, read through its least-privilege inventory role', async () => {
    const result = await declare({
      scenario: 'both',
      taskAccountId: DORMANT_TASK,
      source: mysql(accounts.sourceOwner, { roleName: 'ram-for-dts-dormant' }),
      destination: mysql(accounts.destinationOwner, { roleName: 'ram-for-dts-dormant' }),
    });
    expect(result.problems?.map((p) => `${p.code}@${p.field}`)).toEqual([
      'AliyunUIDNotFound@message.body.relationship.taskAccountId',
    ]);
  });

  it('declares with a task account that has no management role, reporting it unchecked rather than passed', async () => {
    const result = await declare({
      scenario: 'both',
      taskAccountId: EXAMPLE.taskCreator.id,
      source: mysql(accounts.sourceOwner, { roleName: 'ram-for-dts-third' }),
      destination: mysql(accounts.destinationOwner, { roleName: 'ram-for-dts-third' }),
    });
    expect(result.outcome).toBe('declared');
    expect(result.unchecked?.map((u) => `${u.accountId} ${u.check} ${u.reason.split(':')[0]}`)).toEqual([
      `${EXAMPLE.taskCreator.id} dtsAuthorized ManagementRoleNotFound`,
    ]);
  });

  it('retries a ticket whose owner cannot be read (RAM GetUser unavailable), never guessing, and declares it on redelivery', async () => {
    cloud.setFaults({ errors: { rate: 1, status: 503, services: ['ram'], actions: ['GetUser'] } });
    afterInvocation = (invocation) => {
      if (!invocation.ok) cloud.setFaults({});
    };
    let delivered: Awaited<ReturnType<typeof deliver>>;
    try {
      delivered = await deliver({
        scenario: 'source',
        source: mysql(accounts.sourceOwner, { roleName: 'ram-for-dts-retried' }),
        destination: mysql(accounts.destinationOwner),
      });
    } finally {
      afterInvocation = undefined;
      cloud.setFaults({});
    }
    expect(delivered.invocations.map((i) => i.errorType ?? 'ok')).toEqual(['UnhandledInvocationError', 'ok']);
    expect(delivered.result.outcome).toBe('declared');
    expect(roleExists(accounts.sourceOwner, 'ram-for-dts-retried')).toBe(true);
  });
});
