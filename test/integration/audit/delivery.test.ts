import { randomUUID } from 'node:crypto';
import TableStore from 'tablestore';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/main.js';
import { clearEventBridgeEvents, readEventBridgeEvents } from '../../../local/cloud/services/eventbridge/store.js';
import { LOCAL_AUTOMATION, LOCAL_EVENT_BUS, localCloudEnvironment } from '../../../local/harness/local-environment.js';
import { EventBridgeAuditSink } from '../../../shared/alicloud/eventbridge.js';
import { long } from '../../../shared/alicloud/tablestore/rows.js';
import { AUDIT_DELIVERY_DEFAULTS, deliverAuditEvents } from '../../../shared/audit/deliver-audit-events.js';
import type { Services } from '../../../shared/composition/services.js';
import { type AuditEvent, AuditEventType, newAuditEvent } from '../../../shared/domain/audit.js';
import { AUDIT_BOUNDS } from '../../../shared/domain/audit-bounds.js';
import { type FindingData, newFindingEvent } from '../../../shared/domain/finding.js';
import { processTicketMessage } from '../../../shared/intake/process-ticket.js';
import { signTicketMessage } from '../../../shared/intake/ticket-message.js';
import { createLogger } from '../../../shared/logger.js';
import type { OutboxEntry } from '../../../shared/ports.js';
import { EXAMPLE, INSTANT_TABLES, startTestCloud, type TestCloud } from '../../support/local-cloud.js';
import { localRunnerServices } from '../../support/local-services.js';

// The bus refuses entries whose id starts with `poison-` for good (the way it refuses an event over its size
// limit) and those starting with `odd-` with a code nobody documented.
const BUS_OPTIONS = {
  buses: [LOCAL_EVENT_BUS],
  rejectEntries: [
    { idPrefix: 'poison-', code: 'EventSizeExceed', message: 'The event size exceeds the limit.' },
    { idPrefix: 'odd-', code: 'SomethingNew', message: 'Refused for a reason of its own.' },
  ],
};

let cloud: TestCloud;
let services: Services;
let now = new Date('2030-01-01T10:00:00Z');
const clock = { now: () => now, sleep: async () => {} };
const logLines: Record<string, unknown>[] = [];
const logger = createLogger({ level: 'debug', write: (line) => logLines.push(JSON.parse(line)) });

beforeAll(async () => {
  cloud = await startTestCloud({ services: { eventbridge: BUS_OPTIONS, ...INSTANT_TABLES } });
  services = await localRunnerServices(cloud.cloud, { clock });
});

afterAll(async () => {
  await cloud?.stop();
});

beforeEach(async () => {
  now = new Date('2030-01-01T10:00:00Z');
  logLines.length = 0;
  cloud.cloud.setFaults({});
  clearEventBridgeEvents(cloud.cloud.core);
  for await (const page of services.outbox.entries(200)) await services.outbox.remove(page.map((e) => e.eventId));
  for await (const record of services.outbox.setAsideRecords()) {
    await services.tablestore.deleteRow({
      tableName: services.config.tables.deadLetters,
      primaryKey: [{ eventId: record.eventId }],
      condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
    });
  }
});

function event(id: string, at = now, data: Record<string, unknown> = {}): AuditEvent {
  return newAuditEvent({
    id,
    type: AuditEventType.RoleInSync,
    subject: `acs:ram::${EXAMPLE.sourceOwner.id}:role/r`,
    time: at,
    data: { correlationId: 'c-1', outcome: 'inSync', ...data },
  });
}

const onBus = () =>
  readEventBridgeEvents(cloud.cloud.core, { accountId: LOCAL_AUTOMATION.accountId, bus: LOCAL_EVENT_BUS });
const busIds = () => new Set(onBus().map((e) => e.eventId));
const findingsOnBus = (type: string) =>
  onBus()
    .map((e) => e.event)
    .filter((e) => e['type'] === type);

async function outboxRows(): Promise<OutboxEntry[]> {
  const rows: OutboxEntry[] = [];
  for await (const page of services.outbox.entries(100)) rows.push(...page);
  return rows;
}

async function setAside() {
  const records = [];
  for await (const record of services.outbox.setAsideRecords()) records.push(record);
  return records;
}

const deliver = (options: Parameters<typeof deliverAuditEvents>[2] = {}, sink = services.sink) =>
  deliverAuditEvents(services.outbox, sink, { clock, logger, ...options });

describe('deliverAuditEvents through the real EventBridge client', () => {
  it('delivers every event and matches the answer by id, though the bus lists it in another order and marks entries Success', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `ok-${i}-${randomUUID()}`);
    for (const id of ids) await services.outbox.record(event(id));
    const report = await deliver();
    expect(report).toMatchObject({ delivered: 40, pending: 0, setAside: 0, failureCodes: [] });
    expect(ids.filter((id) => !busIds().has(id))).toEqual([]);
    expect(await outboxRows()).toEqual([]);
  });

  it('sets aside an event the bus refuses for good, with a dead-letter record and a finding, and delivers all others', async () => {
    const poison = `poison-${randomUUID()}`;
    await services.outbox.record(event(poison, new Date(now.getTime() - 3600_000)));
    const good = Array.from({ length: 30 }, () => `ok-${randomUUID()}`);
    for (const id of good) await services.outbox.record(event(id));

    const report = await deliver();
    expect(report).toMatchObject({ delivered: 31, setAside: 1, failureCodes: ['EventSizeExceed'] });
    expect(good.filter((id) => !busIds().has(id))).toEqual([]);
    expect(busIds().has(poison)).toBe(false);
    expect(await outboxRows()).toEqual([]);

    const [record] = await setAside();
    expect(record).toMatchObject({
      eventId: poison,
      code: 'EventSizeExceed',
      attempts: 1,
      type: 'dts-trust.role.in-sync',
    });
    expect(JSON.parse(record!.raw)).toMatchObject({ id: poison });

    const [finding] = findingsOnBus('dts-trust.finding.audit-event-set-aside');
    const data = finding?.['data'] as FindingData;
    expect(data).toMatchObject({
      kind: 'audit-event-set-aside',
      severity: 'high',
      evidence: { eventId: poison, code: 'EventSizeExceed', bus: LOCAL_EVENT_BUS },
    });
    expect(data.findingId).toMatch(/^fnd-[0-9a-f]{32}$/);
    expect(logLines).toContainEqual(expect.objectContaining({ level: 'error', eventId: poison }));
  });

  it('never lets refused events hold back newer ones, and gives an unknown code a bounded number of passes', async () => {
    const odd = Array.from({ length: 40 }, (_, i) => `odd-${String(i).padStart(2, '0')}-${randomUUID()}`);
    for (const id of odd) await services.outbox.record(event(id, new Date(now.getTime() - 86_400_000)));
    const fresh = `ok-${randomUUID()}`;
    await services.outbox.record(event(fresh));

    const first = await deliver({ pageSize: 16 });
    expect(first).toMatchObject({ delivered: 1, pending: 40, setAside: 0, failureCodes: ['SomethingNew'] });
    expect(busIds().has(fresh)).toBe(true);
    expect((await outboxRows()).map((r) => r.attempts)).toEqual(Array(40).fill(1));

    for (let pass = 2; pass < AUDIT_DELIVERY_DEFAULTS.maxAttempts; pass += 1) {
      expect(await deliver({ pageSize: 16 })).toMatchObject({ delivered: 0, setAside: 0, pending: 40 });
    }
    const last = await deliver({ pageSize: 16 });
    expect(last).toMatchObject({ setAside: 40, pending: 0 });
    expect(await outboxRows()).toEqual([]);
    expect((await setAside()).map((r) => [r.code, r.attempts])).toEqual(
      Array(40).fill(['SomethingNew', AUDIT_DELIVERY_DEFAULTS.maxAttempts]),
    );
    expect(findingsOnBus('dts-trust.finding.audit-event-set-aside')).toHaveLength(40);
  });

  it('sets aside a refused finding with an error line but no finding about it, so nothing loops', async () => {
    const id = `poison-finding-${randomUUID()}`;
    await services.outbox.record(
      newFindingEvent({
        id,
        kind: 'audit-delivery-failing',
        subject: 'dts-trust:event-bus/x',
        about: 'AccessDenied',
        time: now,
        correlationId: 'c',
        summary: 's',
        evidence: {},
      }),
    );
    expect(await deliver()).toMatchObject({ setAside: 1, delivered: 0 });
    expect((await setAside()).map((r) => r.eventId)).toEqual([id]);
    expect(await outboxRows()).toEqual([]);
    expect(onBus()).toEqual([]);
    expect(logLines).toContainEqual(expect.objectContaining({ level: 'error', eventId: id }));
  });

  it('puts a replayed event back into the outbox with its attempts started again', async () => {
    const poison = `poison-${randomUUID()}`;
    await services.outbox.record(event(poison));
    await deliver();
    now = new Date(now.getTime() + 60_000);
    expect(await services.outbox.replay(poison, now)).toBe(true);
    expect(await services.outbox.replay(poison, now)).toBe(false);
    expect(await setAside()).toEqual([]);
    expect(await outboxRows()).toEqual([expect.objectContaining({ eventId: poison, attempts: 0 })]);
    // Refused for good again: a second finding event, the same findingId.
    await deliver();
    const findings = findingsOnBus('dts-trust.finding.audit-event-set-aside').filter(
      (f) => (f['data'] as FindingData).evidence['eventId'] === poison,
    );
    expect(findings).toHaveLength(2);
    expect(new Set(findings.map((f) => f['id'])).size).toBe(2);
    expect(new Set(findings.map((f) => (f['data'] as FindingData).findingId)).size).toBe(1);
  });

  const failingSinks: [string, () => EventBridgeAuditSink, string][] = [
    [
      'a bus that does not exist',
      () =>
        new EventBridgeAuditSink({
          endpoint: cloud.endpoint,
          protocol: 'http',
          eventBus: 'no-such-bus',
          keys: async () => LOCAL_AUTOMATION.runner,
        }),
      'EventBusNotExist',
    ],
    [
      'keys without eventbridge:PutEvents',
      () =>
        new EventBridgeAuditSink({
          endpoint: cloud.endpoint,
          protocol: 'http',
          eventBus: LOCAL_EVENT_BUS,
          keys: async () => EXAMPLE.sourceOwner.auditor,
        }),
      'AccessDenied',
    ],
  ];

  it.each(failingSinks)(
    'keeps every event in the outbox when the call fails for %s, logs an error and raises a finding once it persists',
    async (_, sink, code) => {
      const ids = Array.from({ length: 20 }, () => `wait-${randomUUID()}`);
      for (const id of ids) await services.outbox.record(event(id));
      now = new Date(now.getTime() + 60_000);
      const early = await deliver({}, sink());
      expect(early).toMatchObject({ delivered: 0, setAside: 0, callFailure: { code } });
      expect(logLines).toContainEqual(expect.objectContaining({ level: 'error', code, bus: expect.any(String) }));
      let rows = await outboxRows();
      expect(rows.map((r) => r.eventId).sort()).toEqual([...ids].sort());
      expect(rows.every((r) => r.attempts === 0)).toBe(true);

      now = new Date(now.getTime() + AUDIT_DELIVERY_DEFAULTS.alarmAfterMs);
      await deliver({}, sink());
      await deliver({}, sink());
      rows = await outboxRows();
      const findings = rows.filter((r) => r.event?.type === 'dts-trust.finding.audit-delivery-failing');
      expect(findings).toHaveLength(1);
      expect(findings[0]?.event?.data).toMatchObject({ severity: 'high', evidence: { code } });
      expect(await setAside()).toEqual([]);

      const recovered = await deliver();
      expect(recovered).toMatchObject({ delivered: 21, pending: 0 });
      expect(ids.filter((id) => !busIds().has(id))).toEqual([]);
    },
  );

  it('stops at the first call of an outage: one failed call, nothing set aside, nothing counted', async () => {
    for (let i = 0; i < 40; i += 1) await services.outbox.record(event(`outage-${i}-${randomUUID()}`));
    cloud.cloud.setFaults({ outages: ['eventbridge'] });
    cloud.cloud.log.length = 0;
    const report = await deliver();
    expect(report).toMatchObject({ delivered: 0, setAside: 0, callFailure: { code: 'ServiceUnavailable' } });
    expect(cloud.cloud.log.filter((e) => e.service === 'eventbridge')).toHaveLength(1);
    expect((await outboxRows()).every((r) => r.attempts === 0)).toBe(true);
  });
});

describe('TablestoreAuditOutbox bookkeeping', () => {
  it('counts an attempt only on a row that is still there: a row delivered meanwhile does not come back', async () => {
    const kept = `kept-${randomUUID()}`;
    await services.outbox.record(event(kept));
    const gone = `gone-${randomUUID()}`;
    await services.outbox.recordFailedAttempts(
      [
        { eventId: kept, code: 'InternalError', attempts: 2 },
        { eventId: gone, code: 'InternalError', attempts: 1 },
      ],
      now,
    );
    expect(await outboxRows()).toEqual([
      expect.objectContaining({ eventId: kept, attempts: 2, lastCode: 'InternalError' }),
    ]);
  });

  it('sets aside nothing for a row another worker already removed', async () => {
    const id = `raced-${randomUUID()}`;
    await services.outbox.setAside(
      { eventId: id, recordedAt: now.getTime(), attempts: 1 },
      { code: 'X', message: 'm' },
      now,
    );
    expect(await setAside()).toEqual([]);
  });
});

describe('EventBridgeAuditSink against buses that mark accepted entries differently', () => {
  it.each([
    ['""', ''],
    ['no code at all', 'none'],
  ] as const)('takes an entry marked %s as accepted', async (_, acceptedErrorCode) => {
    const other = await startTestCloud({ services: { eventbridge: { buses: [LOCAL_EVENT_BUS], acceptedErrorCode } } });
    try {
      const sink = new EventBridgeAuditSink({
        endpoint: other.endpoint,
        protocol: 'http',
        eventBus: LOCAL_EVENT_BUS,
        keys: async () => LOCAL_AUTOMATION.runner,
      });
      const sent = [event('marked-1'), event('marked-2'), event('bad_id')];
      const result = await sink.publish(sent);
      expect([...result.delivered].sort()).toEqual(['marked-1', 'marked-2']);
      expect(result.rejected).toEqual([expect.objectContaining({ id: 'bad_id', permanent: true })]);
    } finally {
      await other.stop();
    }
  });
});

describe('audit events of a hostile message', () => {
  /** Process one signed message through intake, deliver, and give back the rejection event the bus holds. */
  async function rejectionOnBus(body: Record<string, unknown>, messageId: string) {
    const raw = JSON.stringify(signTicketMessage(body, 'jira', 'jira-secret'));
    const result = await processTicketMessage(
      { index: 0, messageId, body: raw },
      {
        ticketSystems: { jira: { keys: { jira: 'jira-secret' }, administrator: false, adoptRoleNames: [] } },
        replayWindowSeconds: 900,
        guardrails: {
          ...services.config.guardrails,
          allowedOwnerAccounts: undefined,
          allowedTrustedAccounts: undefined,
        },
        ledger: services.ledger,
        grants: services.grants,
        status: services.status,
        audit: services.outbox,
        clock,
        reconcileRole: async (role) => ({ role, outcome: 'inSync' }),
      },
    );
    expect(result.outcome).toBe('rejected');
    expect(await deliver()).toMatchObject({ setAside: 0, pending: 0 });
    const [rejection] = onBus().filter((e) => e.event['type'] === AuditEventType.GrantRejected);
    expect(rejection).toBeDefined();
    expect(Buffer.byteLength(JSON.stringify(rejection?.event['data']))).toBeLessThanOrEqual(AUDIT_BOUNDS.maxDataBytes);
    expect(Buffer.byteLength(JSON.stringify(rejection?.event))).toBeLessThan(64 * 1024);
    return { raw, data: rejection?.event['data'] as Record<string, unknown> };
  }

  const unknownKeys = (count: number) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`${'k'.repeat(40)}${i}`, 1]));

  const hostileBody = (keys: number) => ({
    id: `msg-hostile-${keys}`,
    issuedAt: now.toISOString(),
    action: 'declare',
    ticket: { system: 'jira', id: 'T-1', requester: 'r'.repeat(200), approver: 'a' },
    ...unknownKeys(keys),
  });

  it('delivers the rejection of a 47 KB message made of key names the sender chose, bounded to fit the bus', async () => {
    const { raw } = await rejectionOnBus(hostileBody(1000), 'mns-hostile-47k');
    expect(raw.length).toBeGreaterThan(47 * 1024);
  });

  it('caps the problem list of a message just under the size limit with a count of the problems left off', async () => {
    const { raw, data } = await rejectionOnBus(hostileBody(300), 'mns-hostile-15k');
    expect(raw.length).toBeLessThan(16 * 1024);
    const problems = data['diff'] as unknown[];
    expect(problems.length).toBeLessThan(300);
    const truncated = data['truncated'] as { omitted: { at: string; count: number }[] };
    expect(truncated.omitted).toContainEqual({ at: 'diff', count: expect.any(Number) });
    const omitted = truncated.omitted.find((o) => o.at === 'diff')?.count ?? 0;
    expect(problems.length + omitted).toBeGreaterThanOrEqual(300);
  });
});

describe('outbox rows an earlier release wrote', () => {
  /** A row exactly as the previous release wrote it: `event` and `recordedAt`, no attempt columns. */
  async function legacyRow(eventId: string, text: string, recordedAt: number) {
    const shard = (await import('node:crypto')).createHash('sha1').update(eventId).digest().readUInt16BE(0) % 4;
    await services.tablestore.putRow({
      tableName: services.config.tables.outbox,
      primaryKey: [{ shard: long(shard) }, { eventId }],
      condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
      attributeColumns: [{ event: text }, { recordedAt: long(recordedAt) }],
    });
  }

  it('reads them with no attempts, bounds an oversized event so the bus takes it, and counts attempts on them', async () => {
    const big = `legacy-${randomUUID()}`;
    const unbounded = {
      id: big,
      type: AuditEventType.GrantRejected,
      source: 'dts-trust',
      subject: 'dts-trust:message/m',
      time: now.toISOString(),
      data: { correlationId: 'c', outcome: 'rejected', diff: 'x'.repeat(80 * 1024) },
    };
    await legacyRow(big, JSON.stringify(unbounded), now.getTime());
    const odd = `odd-legacy-${randomUUID()}`;
    await legacyRow(
      odd,
      JSON.stringify({ ...unbounded, id: odd, data: { correlationId: 'c', outcome: 'x' } }),
      now.getTime(),
    );
    expect((await outboxRows()).map((r) => r.attempts)).toEqual([0, 0]);

    const report = await deliver();
    expect(report).toMatchObject({ delivered: 1, pending: 1, setAside: 0 });
    const [delivered] = onBus().filter((e) => e.eventId === big);
    expect(JSON.stringify(delivered?.event['data'])).toContain('…[cut');
    expect(await outboxRows()).toEqual([
      expect.objectContaining({ eventId: odd, attempts: 1, lastCode: 'SomethingNew' }),
    ]);
  });

  it('sets aside a row whose id the bus forbids, and a row that is not an event, each with a finding', async () => {
    const badId = 'legacy_underscore_id';
    await legacyRow(
      badId,
      JSON.stringify({
        id: badId,
        type: 'dts-trust.role.created',
        source: 'dts-trust',
        subject: 's',
        time: now.toISOString(),
        data: { correlationId: 'c', outcome: 'created' },
      }),
      now.getTime(),
    );
    await legacyRow('corrupt-1', '{"id": "corrupt-1", "broken', now.getTime());
    const report = await deliver();
    expect(report).toMatchObject({ setAside: 2 });
    expect((await setAside()).map((r) => [r.eventId, r.code]).sort()).toEqual([
      ['corrupt-1', 'CorruptRecord'],
      [badId, 'JsonAttributeInvalid'],
    ]);
    expect(findingsOnBus('dts-trust.finding.audit-record-corrupt')).toHaveLength(1);
    expect(findingsOnBus('dts-trust.finding.audit-event-set-aside')).toContainEqual(
      expect.objectContaining({
        data: expect.objectContaining({ evidence: expect.objectContaining({ eventId: badId }) }),
      }),
    );
    expect(await outboxRows()).toEqual([]);
  });
});

describe('the set-aside and replay commands', () => {
  it('list the events set aside and put one back into the outbox', async () => {
    const poison = `poison-${randomUUID()}`;
    await services.outbox.record(event(poison));
    await deliver();
    const env = {
      ...localCloudEnvironment(cloud.cloud),
      ALIBABA_CLOUD_ACCESS_KEY_ID: LOCAL_AUTOMATION.runner.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: LOCAL_AUTOMATION.runner.accessKeySecret,
    };
    const cli = async (...argv: string[]) => {
      const lines: string[] = [];
      const code = await runCli(argv, env, { line: (t) => lines.push(t), interactive: false });
      return { code, text: lines.join('\n') };
    };
    const listed = await cli('set-aside');
    // Set-aside events are audit events that have not reached the bus: the listing exits 3 while there are any.
    expect(listed.code).toBe(3);
    expect(listed.text).toContain(`${poison}  dts-trust.role.in-sync  code=EventSizeExceed attempts=1`);
    expect(listed.text).toContain('1 audit event(s) set aside');

    // The bus still refuses it: replaying sets it aside again, and says so with a failing exit code.
    const replayed = await cli('replay', poison);
    expect(replayed.code).toBe(1);
    expect(replayed.text).toContain(`${poison} is back in the outbox`);
    expect(replayed.text).toContain('set aside: 1');
    expect(await cli('replay', 'no-such-event')).toMatchObject({ code: 1 });
  });
});
