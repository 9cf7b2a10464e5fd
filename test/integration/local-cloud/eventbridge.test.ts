import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as EventBridgeModule from '@alicloud/eventbridge';
import { CloudEvent, Config } from '@alicloud/eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalCloud } from '../../../local/cloud/server.js';
import { eventBridgeService, MAX_EVENTS_PER_PUT } from '../../../local/cloud/services/eventbridge/service.js';
import {
  clearEventBridgeEvents,
  eventBridgeState,
  readEventBridgeEvents,
  restoreEventBridge,
  snapshotEventBridge,
} from '../../../local/cloud/services/eventbridge/store.js';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  DENIED_USER,
  exampleAccounts,
  FUNCTION_ROLE,
  type Harness,
  startHarness,
} from './eventbridge-fc-harness.js';

/** The client class: Node gives `module.exports` as the default import, vitest gives its `default`. */
const EventBridgeClient = (
  typeof EventBridgeModule.default === 'function' ? EventBridgeModule.default : EventBridgeModule.default.default
) as typeof EventBridgeModule.default.default;
type EventBridgeClient = InstanceType<typeof EventBridgeClient>;

const AUDIT_BUS = 'dts-trust-audit';

let cloud: Harness;

beforeAll(async () => {
  cloud = await startHarness({ eventbridge: { buses: [AUDIT_BUS] } });
});

afterAll(async () => {
  await cloud.stop();
});

beforeEach(() => {
  clearEventBridgeEvents(cloud.core);
  cloud.setFaults({});
});

function client(keys: { keyId: string; secret: string; token?: string }): EventBridgeClient {
  return new EventBridgeClient(
    new Config({
      accessKeyId: keys.keyId,
      accessKeySecret: keys.secret,
      ...(keys.token ? { securityToken: keys.token } : {}),
      endpoint: cloud.endpoint,
      protocol: 'http',
    }),
  );
}

function event(id: string, bus: string = AUDIT_BUS, data: unknown = { n: id }): CloudEvent {
  return new CloudEvent({
    id,
    source: 'dts-trust',
    type: 'dts-trust:reconcile:role-repaired',
    subject: `acs:ram::${ACCOUNT_A.id}:role/dts-role`,
    time: '2024-01-01T00:00:00Z',
    datacontenttype: 'application/json;charset=utf-8',
    data: Buffer.from(JSON.stringify(data)),
    extensions: { aliyuneventbusname: bus },
  });
}

async function rejection(promise: Promise<unknown>): Promise<{ code?: string; message?: string; data?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message?: string; data?: unknown };
  }
  throw new Error('expected the call to fail');
}

describe('EventBridge PutEvents', () => {
  it("accepts one event and answers its id with a trace id and the peer's Success marker", async () => {
    const res = await client(ACCOUNT_A).putEvents([event('e-1')]);
    expect(res.failedEntryCount).toBe(0);
    expect(res.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(res.entryList).toHaveLength(1);
    expect(res.entryList?.[0]?.eventId).toBe('e-1');
    expect(res.entryList?.[0]?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(res.entryList?.[0]?.errorCode).toBe('Success');
  });

  it('accepts sixteen events in one call, stores them in order and lists the results in another order', async () => {
    const ids = Array.from({ length: MAX_EVENTS_PER_PUT }, (_, i) => `e-${i}`);
    const res = await client(ACCOUNT_A).putEvents(ids.map((id) => event(id)));
    expect(res.failedEntryCount).toBe(0);
    const answered = res.entryList?.map((e) => e.eventId) ?? [];
    expect(answered).not.toEqual(ids);
    expect([...answered].sort()).toEqual([...ids].sort());
    expect(
      readEventBridgeEvents(cloud.core, { accountId: ACCOUNT_A.id, bus: AUDIT_BUS }).map((e) => e.eventId),
    ).toEqual(ids);
  });

  it('rejects the whole call when it carries more than sixteen events', async () => {
    const events = Array.from({ length: MAX_EVENTS_PER_PUT + 1 }, (_, i) => event(`e-${i}`));
    const error = await rejection(client(ACCOUNT_A).putEvents(events));
    expect(error.code).toBe('EventsCountExceedLimit');
    expect(error.message).toMatch(
      /^EventsCountExceedLimit: \[EventBridgeError-[0-9A-F-]{36}\] The count of events \[17\]/,
    );
    expect(readEventBridgeEvents(cloud.core)).toHaveLength(0);
  });

  it('rejects the whole call when its body is over 256 KB, even though every event fits', async () => {
    const events = Array.from({ length: 5 }, (_, i) => event(`big-${i}`, AUDIT_BUS, { blob: 'x'.repeat(60 * 1024) }));
    const error = await rejection(client(ACCOUNT_A).putEvents(events));
    expect(error.code).toBe('PutEventsRequestSizeExceed');
    expect(readEventBridgeEvents(cloud.core)).toHaveLength(0);
  });

  it('fails only the entry over 64 KB, with EventSizeExceed, and keeps the others', async () => {
    const big = event('big', AUDIT_BUS, { blob: 'x'.repeat(70 * 1024) });
    const res = await client(ACCOUNT_A).putEvents([event('small-1'), big, event('small-2')]);
    expect(res.failedEntryCount).toBe(1);
    const byId = new Map(res.entryList?.map((e) => [e.eventId, e]));
    expect(byId.get('big')).toMatchObject({ errorCode: 'EventSizeExceed' });
    expect(byId.get('big')?.errorMessage).toMatch(/exceeds the limit \[65536\]/);
    expect(byId.get('small-1')?.errorCode).toBe('Success');
    expect(byId.get('small-2')?.errorCode).toBe('Success');
    expect(readEventBridgeEvents(cloud.core).map((e) => e.eventId)).toEqual(['small-1', 'small-2']);
  });

  it('fails the whole call when it names a bus the account does not have', async () => {
    const error = await rejection(
      client(ACCOUNT_A).putEvents([event('lost', 'no-such-bus'), event('kept', 'default')]),
    );
    expect(error.code).toBe('EventBusNotExist');
    expect(error.message).toContain('no-such-bus');
    expect(readEventBridgeEvents(cloud.core)).toHaveLength(0);
  });

  it('fails an entry that misses a required attribute', async () => {
    const noType = event('no-type');
    noType.type = undefined as unknown as string;
    const res = await client(ACCOUNT_A).putEvents([noType]);
    expect(res.entryList?.[0]).toMatchObject({ eventId: 'no-type', errorCode: 'JsonAttributeInvalid' });
    expect(res.entryList?.[0]?.errorMessage).toContain('[type]');
  });

  it.each([
    ['starts with "-"', '-leading'],
    ['holds "_"', 'under_score'],
    ['holds "."', 'a.b'],
    ['is longer than 128 characters', `a${'b'.repeat(128)}`],
  ])('fails an entry whose id %s', async (_, id) => {
    const res = await client(ACCOUNT_A).putEvents([event(id), event('fine-1')]);
    expect(res.failedEntryCount).toBe(1);
    const byId = new Map(res.entryList?.map((e) => [e.eventId, e]));
    expect(byId.get(id)).toMatchObject({ errorCode: 'JsonAttributeInvalid' });
    expect(byId.get(id)?.errorMessage).toContain('[id]');
    expect(byId.get('fine-1')?.errorCode).toBe('Success');
  });

  it('fails an entry whose type is longer than 64 characters', async () => {
    const long = event('long-type');
    long.type = `dts-trust.${'x'.repeat(60)}`;
    const res = await client(ACCOUNT_A).putEvents([long]);
    expect(res.entryList?.[0]).toMatchObject({ eventId: 'long-type', errorCode: 'JsonAttributeInvalid' });
    expect(res.entryList?.[0]?.errorMessage).toContain('[type]');
  });

  it('rejects a request signed with the wrong secret', async () => {
    const error = await rejection(client({ keyId: ACCOUNT_A.keyId, secret: 'wrong' }).putEvents([event('e-1')]));
    expect(error.code).toBe('SignatureDoesNotMatch');
    expect(readEventBridgeEvents(cloud.core)).toHaveLength(0);
  });

  it('rejects an access key it does not know', async () => {
    const error = await rejection(client({ keyId: 'LTAIunknownunknownun', secret: 'x' }).putEvents([event('e-1')]));
    expect(error.code).toBe('InvalidAccessKeyId');
  });

  it('denies a principal without eventbridge:PutEvents', async () => {
    const error = await rejection(client(DENIED_USER).putEvents([event('e-1')]));
    expect(error.code).toBe('AccessDenied');
  });

  it('accepts temporary credentials with their security token and rejects a wrong token', async () => {
    cloud.core.issueTemporaryCredentials({
      accessKeyId: 'STS.eventbridge-test',
      accessKeySecret: 'sts-secret',
      securityToken: 'token-1',
      expiration: new Date(Date.now() + 3600_000),
      accountId: ACCOUNT_A.id,
      roleName: FUNCTION_ROLE,
      sessionName: 's',
    });
    const sts = { keyId: 'STS.eventbridge-test', secret: 'sts-secret' };
    const res = await client({ ...sts, token: 'token-1' }).putEvents([event('sts-1', 'default')]);
    expect(res.failedEntryCount).toBe(0);
    expect(readEventBridgeEvents(cloud.core, { bus: 'default' }).map((e) => [e.accountId, e.eventId])).toEqual([
      [ACCOUNT_A.id, 'sts-1'],
    ]);
    const error = await rejection(client({ ...sts, token: 'token-2' }).putEvents([event('sts-2', 'default')]));
    expect(error.code).toBe('SecurityTokenInvalid');
  });

  it('surfaces an outage as the service error the SDK throws for a 503', async () => {
    cloud.setFaults({ outages: ['eventbridge'] });
    const error = await rejection(client(ACCOUNT_A).putEvents([event('e-1')]));
    expect(error.code).toBe('ServiceUnavailable');
    expect(error.message).toContain('[EventBridgeError-');
    expect(readEventBridgeEvents(cloud.core)).toHaveLength(0);
  });

  it('keeps events per account and bus, with the data the SDK serialised', async () => {
    await client(ACCOUNT_A).putEvents([event('a-1', AUDIT_BUS, { role: 'r1' }), event('a-2', 'default')]);
    await client(ACCOUNT_B).putEvents([event('b-1', AUDIT_BUS)]);
    const audit = readEventBridgeEvents(cloud.core, { accountId: ACCOUNT_A.id, bus: AUDIT_BUS });
    expect(audit.map((e) => e.eventId)).toEqual(['a-1']);
    expect(audit[0]?.event).toMatchObject({
      id: 'a-1',
      source: 'dts-trust',
      specversion: '1.0',
      aliyuneventbusname: AUDIT_BUS,
      data: { role: 'r1' },
    });
    expect(readEventBridgeEvents(cloud.core, { accountId: ACCOUNT_B.id }).map((e) => e.eventId)).toEqual(['b-1']);
  });

  it('lists stored events on the admin route', async () => {
    await client(ACCOUNT_A).putEvents([event('a-1'), event('a-2', 'default')]);
    const res = await fetch(`${cloud.url}/__admin/eventbridge/events?bus=${AUDIT_BUS}&account=${ACCOUNT_A.id}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { events: { eventId: string }[] };
    expect(body.events.map((e) => e.eventId)).toEqual(['a-1']);
  });

  it('creates a bus through the admin route and then accepts events on it', async () => {
    expect((await rejection(client(ACCOUNT_A).putEvents([event('x-1', 'made-later')]))).code).toBe('EventBusNotExist');
    const created = await fetch(`${cloud.url}/__admin/eventbridge/buses`, {
      method: 'POST',
      body: JSON.stringify({ account: ACCOUNT_A.id, name: 'made-later' }),
    });
    expect(created.status).toBe(200);
    const after = await client(ACCOUNT_A).putEvents([event('x-2', 'made-later')]);
    expect(after.failedEntryCount).toBe(0);
  });
});

describe('EventBridge options', () => {
  it.each([
    ['""', '' as const, ''],
    ['no code', 'none' as const, undefined],
  ])('marks accepted entries with %s and lists them in request order when told to', async (_, code, expected) => {
    const other = await startHarness({ eventbridge: { acceptedErrorCode: code, entryOrder: 'request' } });
    try {
      const res = await new EventBridgeClient(
        new Config({
          accessKeyId: ACCOUNT_A.keyId,
          accessKeySecret: ACCOUNT_A.secret,
          endpoint: other.endpoint,
          protocol: 'http',
        }),
      ).putEvents([event('o-1', 'default'), event('_bad', 'default'), event('o-2', 'default')]);
      expect(res.failedEntryCount).toBe(1);
      expect(res.entryList?.map((e) => [e.eventId, e.errorCode])).toEqual([
        ['o-1', expected],
        ['_bad', 'JsonAttributeInvalid'],
        ['o-2', expected],
      ]);
    } finally {
      await other.stop();
    }
  });

  it('creates an unknown bus on first use when autoCreateBuses is on', async () => {
    const auto = await startHarness({ eventbridge: { autoCreateBuses: true } });
    try {
      const res = await new EventBridgeClient(
        new Config({
          accessKeyId: ACCOUNT_A.keyId,
          accessKeySecret: ACCOUNT_A.secret,
          endpoint: auto.endpoint,
          protocol: 'http',
        }),
      ).putEvents([event('auto-1', 'fresh-bus')]);
      expect(res.failedEntryCount).toBe(0);
      expect(readEventBridgeEvents(auto.core, { bus: 'fresh-bus' })).toHaveLength(1);
    } finally {
      await auto.stop();
    }
  });
});

describe('EventBridge state persistence', () => {
  it('restores buses and events from a snapshot', async () => {
    await client(ACCOUNT_A).putEvents([event('p-1')]);
    eventBridgeState(cloud.core).buses.set(ACCOUNT_B.id, new Set(['extra']));
    const snapshot = JSON.parse(JSON.stringify(eventBridgeService.snapshot?.(cloud.core)));
    const other = await startHarness();
    try {
      eventBridgeService.restore?.(other.core, snapshot);
      expect(readEventBridgeEvents(other.core).map((e) => e.eventId)).toEqual(['p-1']);
      expect(snapshotEventBridge(eventBridgeState(other.core))).toEqual(snapshot);
    } finally {
      await other.stop();
    }
  });

  it('keeps events across a restart with a state file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dts-trust-eventbridge-'));
    const statePath = join(dir, 'state.json');
    try {
      const first = await startLocalCloud({ accounts: exampleAccounts(), statePath });
      try {
        await new EventBridgeClient(
          new Config({
            accessKeyId: ACCOUNT_A.keyId,
            accessKeySecret: ACCOUNT_A.secret,
            endpoint: first.endpoint,
            protocol: 'http',
          }),
        ).putEvents([event('kept-1', 'default')]);
      } finally {
        await first.stop();
      }
      const second = await startLocalCloud({ accounts: exampleAccounts(), statePath });
      try {
        expect(readEventBridgeEvents(second.core).map((e) => e.eventId)).toEqual(['kept-1']);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a malformed snapshot naming the bad field', () => {
    expect(() => restoreEventBridge(eventBridgeState(cloud.core), { buses: {}, events: [{ bus: 1 }] })).toThrow(
      /eventbridge\.events\.0\./,
    );
  });
});
