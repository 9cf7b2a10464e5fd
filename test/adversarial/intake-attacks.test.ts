/**
 * The intake tried as an attacker would, against the ticket-intake function on the local cloud (real SDKs over
 * loopback): once with no key at all (anyone who can write to the queue), once holding one ticketing system's
 * key. Every attack must be refused with its code, change nothing in RAM or in the grants table, leave an audit
 * record where the message got that far, and never stop the good messages of the same batch.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEventBridgeEvents } from '../../local/cloud/services/eventbridge/store.js';
import { configureDtsJob } from '../../local/harness/dts-oracle.js';
import { deployLocally, FunctionName, invokeLocally } from '../../local/harness/local-deployment.js';
import { LOCAL_EVENT_BUS, localTrustSettings } from '../../local/harness/local-environment.js';
import { mnsTriggerEvent, type SampleAccounts, sampleTicketBody } from '../../local/harness/sample-events.js';
import type { TablestoreGrantStore } from '../../shared/alicloud/tablestore/grant-store.js';
import { type GrantTicketBody, signTicketMessage } from '../../shared/intake/ticket-message.js';
import { EXAMPLE, INSTANT_TABLES, startTestCloud, type TestCloud } from '../support/local-cloud.js';
import { localRunnerServices } from '../support/local-services.js';

const accounts: SampleAccounts = {
  sourceOwner: EXAMPLE.sourceOwner.id,
  destinationOwner: EXAMPLE.destinationOwner.id,
  task: EXAMPLE.taskCreator.id,
  automation: EXAMPLE.automation.id,
};

/** Two ticketing systems: jira (the victim) and servicenow (the attacker holds its key). */
const KEYS = {
  jira: { keyId: 'jira-2026', secret: 'jira-secret-for-the-adversarial-suite-01' },
  servicenow: { keyId: 'sn-2026', secret: 'sn-secret-for-the-adversarial-suite-0001' },
} as const;
type System = keyof typeof KEYS;

const SETTINGS = localTrustSettings({
  ticketSystems: {
    jira: { keys: { [KEYS.jira.keyId]: KEYS.jira.secret }, administrator: false, adoptRoleNames: [] },
    servicenow: { keys: { [KEYS.servicenow.keyId]: KEYS.servicenow.secret }, administrator: false, adoptRoleNames: [] },
  },
});

const RAM_WRITES = new Set(['CreateRole', 'UpdateRole', 'DeleteRole', 'AttachPolicyToRole', 'DetachPolicyFromRole']);

interface Answer {
  results: { outcome: string; codes?: string[]; roles?: { outcome: string }[] }[];
}

let cloud: TestCloud;
let grants: TablestoreGrantStore;

function body(
  system: System,
  over: Partial<GrantTicketBody> = {},
  kind: 'source' | 'destination' = 'source',
): GrantTicketBody {
  const b = sampleTicketBody(kind, accounts, new Date(), over);
  return { ...b, ticket: { ...b.ticket, system, ...over.ticket } };
}

const signed = (system: System, b: unknown) =>
  JSON.stringify(signTicketMessage(b as GrantTicketBody, KEYS[system].keyId, KEYS[system].secret));

async function intake(bodies: string[]): Promise<Answer> {
  const answer = await invokeLocally(
    cloud.cloud,
    FunctionName.TicketIntake,
    mnsTriggerEvent(bodies, accounts, new Date()),
  );
  expect(answer.statusCode).toBe(200);
  expect(answer.errorType).toBeUndefined();
  return answer.body as Answer;
}

/** The RAM writes and grant rows an action caused. */
async function changesDuring(action: () => Promise<void>): Promise<{ ramWrites: string[]; grants: number }> {
  const before = cloud.cloud.log.length;
  const grantsBefore = await grantCount();
  await action();
  return {
    ramWrites: cloud.cloud.log
      .slice(before)
      .filter((e) => e.service === 'ram' && RAM_WRITES.has(e.action))
      .map((e) => e.action),
    grants: (await grantCount()) - grantsBefore,
  };
}

async function grantCount(): Promise<number> {
  let n = 0;
  for await (const role of grants.listManagedRoles()) n += (await grants.listGrantsForRole(role)).length;
  return n;
}

const sourceTask = { name: 'adv-source', source: { ownerAccountId: accounts.sourceOwner, roleName: 'ram-for-dts' } };

beforeAll(async () => {
  cloud = await startTestCloud({ services: { eventbridge: { buses: [LOCAL_EVENT_BUS] }, ...INSTANT_TABLES } });
  const extra = { DTS_TRUST_SETTINGS: JSON.stringify(SETTINGS) };
  deployLocally(cloud.cloud, extra);
  grants = (await localRunnerServices(cloud.cloud, { extra })).grants;
  // The victim's grant: jira declares the source role, DTS accepts the task.
  const declared = await intake([signed('jira', body('jira'))]);
  expect(declared.results[0]?.outcome).toBe('declared');
  expect(await configureDtsJob(cloud.endpoint, EXAMPLE.destinationOwner.root, sourceTask)).toEqual({ accepted: true });
});

afterAll(async () => {
  await cloud?.stop();
});

describe('an attacker with no key', () => {
  it('cannot stall the queue with an unsigned, deeply nested 8 KB body', async () => {
    const nested = `${'['.repeat(4096)}${']'.repeat(4096)}`;
    const good = signed('jira', body('jira', {}, 'destination'));
    const answer = await intake([nested, good]);
    expect(answer.results.map((r) => r.outcome)).toEqual(['rejected', 'declared']);
    expect(answer.results[0]?.codes).toEqual(['MessageTooDeep']);
  });

  it.each([
    ['an oversized body', `{"schema":"dts-trust/v1","pad":"${'x'.repeat(40_000)}"}`, 'MessageTooLarge'],
    ['a body that is not JSON', '{"schema":', 'MalformedMessage'],
    ['a lone surrogate', '{"schema":"\\ud800"}', 'NotIJson'],
    ['an integer beyond 2^53', '{"schema":9007199254740993}', 'NotIJson'],
    [
      'a key id nobody configured',
      JSON.stringify(signTicketMessage(body('jira'), 'github', 'guessed-secret')),
      'TicketKeyUnknown',
    ],
    [
      'a guessed signature',
      JSON.stringify({ ...signTicketMessage(body('jira'), KEYS.jira.keyId, 'guess'), signature: '0'.repeat(64) }),
      'TicketSignatureInvalid',
    ],
  ])('is refused for %s, changing nothing', async (_name, text, code) => {
    let answer: Answer | undefined;
    const changes = await changesDuring(async () => {
      answer = await intake([text]);
    });
    expect(answer?.results[0]?.codes).toEqual([code]);
    expect(changes).toEqual({ ramWrites: [], grants: 0 });
  });

  it('cannot turn a captured declare into a revoke with a duplicate member', async () => {
    const captured = signed('jira', body('jira', { id: randomUUID() }));
    const tampered = captured.replace('"action":"declare"', '"action":"revoke","action":"declare"');
    const answer = await intake([tampered]);
    expect(answer.results[0]?.codes).toEqual(['DuplicateJsonKey']);
    const flipped = captured.replace('"action":"declare"', '"action":"revoke"');
    expect((await intake([flipped])).results[0]?.codes).toEqual(['TicketSignatureInvalid']);
  });

  it('gains nothing by replaying a captured message, now or after the replay window', async () => {
    const old = new Date(Date.now() - 7 * 365 * 24 * 3600 * 1000);
    const stale = signed('jira', { ...body('jira'), issuedAt: old.toISOString() });
    expect((await intake([stale])).results[0]?.codes).toEqual(['TicketReplayed']);
    const captured = signed('jira', body('jira', {}, 'destination'));
    await intake([captured]);
    const changes = await changesDuring(async () => {
      expect((await intake([captured])).results[0]?.outcome).toBe('duplicate');
    });
    expect(changes).toEqual({ ramWrites: [], grants: 0 });
  });

  it('cannot silence the good messages with a batch of poison', async () => {
    const poison = [
      '',
      'null',
      '[]',
      '{}',
      '{"schema":"dts-trust/v1"}',
      '{"a":1,"a":2}',
      `${'{"a":'.repeat(5000)}`,
      '\u0000',
    ];
    const good = signed('jira', body('jira', {}, 'destination'));
    const answer = await intake([...poison, good]);
    expect(answer.results.map((r) => r.outcome)).toEqual([...poison.map(() => 'rejected'), 'declared']);
  });
});

describe("an attacker holding one ticketing system's key", () => {
  it("cannot sign in another system's name", async () => {
    const forged = signed('servicenow', { ...body('servicenow'), ticket: { ...body('jira').ticket } });
    expect((await intake([forged])).results[0]?.codes).toEqual(['TicketSystemMismatch']);
  });

  it("cannot revoke the other system's grant, and DTS keeps working", async () => {
    const revoke = signed('servicenow', body('servicenow', { action: 'revoke' }));
    const changes = await changesDuring(async () => {
      expect((await intake([revoke])).results[0]?.codes).toEqual(['GrantOwnedByOtherSystem']);
    });
    expect(changes).toEqual({ ramWrites: [], grants: 0 });
    expect(await configureDtsJob(cloud.endpoint, EXAMPLE.destinationOwner.root, sourceTask)).toEqual({
      accepted: true,
    });
  });

  it("cannot re-declare the other system's grant as paused or observe", async () => {
    for (const mode of ['paused', 'observe'] as const) {
      const answer = await intake([signed('servicenow', body('servicenow', { mode }))]);
      expect(answer.results[0]?.codes).toEqual(['GrantOwnedByOtherSystem']);
    }
    const stored = await grants.getGrant({
      ownerAccountId: accounts.sourceOwner,
      roleName: 'ram-for-dts',
      trustedAccountId: accounts.destinationOwner,
    });
    expect(stored?.mode).toBe('enforce');
  });

  it("cannot add its own account to the other system's role", async () => {
    const widened = body('servicenow');
    const answer = await intake([
      signed('servicenow', {
        ...widened,
        relationship: {
          ...widened.relationship,
          destination: { ...widened.relationship.destination, accountId: accounts.task },
        },
      }),
    ]);
    expect(answer.results[0]?.codes).toEqual(['RoleOwnedByOtherSystem']);
  });

  it('cannot declare or adopt the management role, in any letter case', async () => {
    for (const roleName of [EXAMPLE.managementRole, 'DTS-Trust-Manager']) {
      const b = body('servicenow', { id: randomUUID() });
      const attack = {
        ...b,
        relationship: { ...b.relationship, adopt: true, source: { ...b.relationship.source, roleName } },
      };
      const changes = await changesDuring(async () => {
        expect((await intake([signed('servicenow', attack)])).results[0]?.codes).toContain('RoleProtected');
      });
      expect(changes).toEqual({ ramWrites: [], grants: 0 });
    }
  });

  it('cannot adopt an existing role its settings do not list', async () => {
    const b = body('servicenow', { id: randomUUID() });
    const attack = {
      ...b,
      relationship: { ...b.relationship, adopt: true, source: { ...b.relationship.source, roleName: 'prod-admin' } },
    };
    expect((await intake([signed('servicenow', attack)])).results[0]?.codes).toEqual(['AdoptNotAllowed']);
  });

  it('cannot build a role DTS can never assume with an external ID', async () => {
    const b = body('servicenow', { id: randomUUID() });
    const attack = {
      ...b,
      relationship: {
        ...b.relationship,
        externalId: 'ext-123456',
        source: { ...b.relationship.source, roleName: 'sn-role' },
      },
    };
    expect((await intake([signed('servicenow', attack)])).results[0]?.codes).toEqual(['ExternalIdNotSupported']);
  });

  it("cannot shadow the other system's role with a name that differs only in case", async () => {
    const b = body('servicenow', { id: randomUUID() });
    const attack = {
      ...b,
      relationship: { ...b.relationship, source: { ...b.relationship.source, roleName: 'RAM-for-DTS' } },
    };
    expect((await intake([signed('servicenow', attack)])).results[0]?.codes).toEqual(['RoleNameCaseConflict']);
  });

  it.each([
    ['an offset of +99:99 on a 7-year-old message', { issuedAt: '2019-11-23T10:00:00+99:99' }],
    ['an offset of +00:60', { issuedAt: '2026-11-23T10:00:00+00:60' }],
    ['an expiry on February 30', { expiresAt: '2027-02-30T00:00:00Z' }],
    ['an expiry beyond the maximum lifetime', { expiresAt: '2099-01-01T00:00:00Z' }],
  ])('cannot slip in %s', async (_name, over) => {
    const b = body('servicenow', { id: randomUUID(), ...over });
    const attack = {
      ...b,
      relationship: { ...b.relationship, source: { ...b.relationship.source, roleName: 'sn-dated' } },
    };
    const answer = await intake([signed('servicenow', attack)]);
    expect(answer.results[0]?.outcome).toBe('rejected');
  });

  it('cannot reuse a processed message id for a different body, and the attempt is audited', async () => {
    const id = randomUUID();
    const b = body('servicenow', { id });
    const own = { ...b, relationship: { ...b.relationship, source: { ...b.relationship.source, roleName: 'sn-own' } } };
    expect((await intake([signed('servicenow', own)])).results[0]?.outcome).toBe('declared');
    const reused = { ...own, action: 'revoke' };
    expect((await intake([signed('servicenow', reused)])).results[0]?.codes).toEqual(['TicketIdReused']);
    const audited = readEventBridgeEvents(cloud.cloud.core, { bus: LOCAL_EVENT_BUS }).filter(
      (e) =>
        e.event.type === 'dts-trust.grant.rejected' &&
        (e.event.data as { codes?: string[] }).codes?.includes('TicketIdReused'),
    );
    expect(audited).toHaveLength(1);
  });
});

/** A `mode` or `resume` body of `system` about the victim's source role. */
function roleBody(system: System, action: 'mode' | 'resume', over: Record<string, unknown> = {}) {
  return {
    id: randomUUID(),
    issuedAt: new Date().toISOString(),
    action,
    ticket: { system, id: `${system.toUpperCase()}-77`, requester: 'mallory', approver: 'mallory' },
    role: { ownerAccountId: accounts.sourceOwner, roleName: 'ram-for-dts' },
    ...(action === 'mode' ? { mode: 'paused' } : {}),
    ...over,
  };
}

describe("an attacker holding one ticketing system's key, with mode and resume tickets", () => {
  const victimGrant = {
    ownerAccountId: accounts.sourceOwner,
    roleName: 'ram-for-dts',
    trustedAccountId: accounts.destinationOwner,
  };

  it("cannot pause or observe the other system's grant with a mode ticket, and DTS keeps working", async () => {
    for (const mode of ['paused', 'observe'] as const) {
      const changes = await changesDuring(async () => {
        const answer = await intake([signed('servicenow', roleBody('servicenow', 'mode', { mode }))]);
        expect(answer.results[0]?.codes).toEqual(['GrantOwnedByOtherSystem']);
      });
      expect(changes).toEqual({ ramWrites: [], grants: 0 });
    }
    expect((await grants.getGrant(victimGrant))?.mode).toBe('enforce');
    expect(await configureDtsJob(cloud.endpoint, EXAMPLE.destinationOwner.root, sourceTask)).toEqual({
      accepted: true,
    });
  });

  it("cannot name only the other system's grant by its trusted account", async () => {
    const attack = roleBody('servicenow', 'mode', { trustedAccountIds: [accounts.destinationOwner] });
    expect((await intake([signed('servicenow', attack)])).results[0]?.codes).toEqual(['GrantOwnedByOtherSystem']);
    expect((await grants.getGrant(victimGrant))?.mode).toBe('enforce');
  });

  it("cannot resume the other system's role", async () => {
    const changes = await changesDuring(async () => {
      const answer = await intake([signed('servicenow', roleBody('servicenow', 'resume'))]);
      expect(answer.results[0]?.codes).toEqual(['RoleOwnedByOtherSystem']);
    });
    expect(changes).toEqual({ ramWrites: [], grants: 0 });
  });

  it('cannot smuggle a relationship or an expiry into a mode ticket', async () => {
    const attack = roleBody('servicenow', 'mode', {
      mode: 'enforce',
      relationship: body('servicenow').relationship,
      expiresAt: '2099-01-01T00:00:00Z',
    });
    const changes = await changesDuring(async () => {
      const answer = await intake([signed('servicenow', attack)]);
      expect(answer.results[0]?.outcome).toBe('rejected');
      expect(answer.results[0]?.codes).toEqual(['InvalidField']);
    });
    expect(changes).toEqual({ ramWrites: [], grants: 0 });
  });

  it('cannot reach a role nobody declared, nor the management role', async () => {
    for (const roleName of ['prod-admin', EXAMPLE.managementRole]) {
      const attack = roleBody('servicenow', 'resume', { role: { ownerAccountId: accounts.sourceOwner, roleName } });
      const changes = await changesDuring(async () => {
        expect((await intake([signed('servicenow', attack)])).results[0]?.codes).toEqual(['RoleNotDeclared']);
      });
      expect(changes).toEqual({ ramWrites: [], grants: 0 });
    }
  });

  it('cannot turn a captured mode ticket of the owner into another mode', async () => {
    const captured = signed('jira', roleBody('jira', 'mode', { mode: 'enforce' }));
    const flipped = captured.replace('"mode":"enforce"', '"mode":"paused"');
    expect((await intake([flipped])).results[0]?.codes).toEqual(['TicketSignatureInvalid']);
    expect((await intake([captured])).results[0]?.outcome).toBe('modeChanged');
    expect((await intake([captured])).results[0]?.outcome).toBe('duplicate');
    expect((await grants.getGrant(victimGrant))?.mode).toBe('enforce');
  });
});
