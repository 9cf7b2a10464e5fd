import { randomUUID } from 'node:crypto';
import TableStore from 'tablestore';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clearEventBridgeEvents } from '../../../local/cloud/services/eventbridge/store.js';
import { LOCAL_EVENT_BUS } from '../../../local/harness/local-environment.js';
import { long } from '../../../shared/alicloud/tablestore/rows.js';
import { setupTables } from '../../../shared/alicloud/tablestore/tables.js';
import { ARCHIVE_FAILED } from '../../../shared/audit/archiving-sink.js';
import { deliverAuditEvents } from '../../../shared/audit/deliver-audit-events.js';
import type { Services } from '../../../shared/composition/services.js';
import { type AuditEvent, AuditEventType, newAuditEvent } from '../../../shared/domain/audit.js';
import { type FindingData, newFindingEvent, newResolvedEvent } from '../../../shared/domain/finding.js';
import type { FindingRecord } from '../../../shared/domain/finding-record.js';
import { createLogger } from '../../../shared/logger.js';
import type { HistoryEntry } from '../../../shared/ports.js';
import { EXAMPLE, INSTANT_TABLES, startTestCloud, type TestCloud } from '../../support/local-cloud.js';
import { localRunnerServices } from '../../support/local-services.js';

let cloud: TestCloud;
let services: Services;
let now = new Date('2030-01-01T10:00:00Z');
const clock = { now: () => now, sleep: async () => {} };
const logger = createLogger({ level: 'error', write: () => {} });
const ROLE_ARN = `acs:ram::${EXAMPLE.sourceOwner.id}:role/ram-for-dts`;

beforeAll(async () => {
  cloud = await startTestCloud({ services: { eventbridge: { buses: [LOCAL_EVENT_BUS] }, ...INSTANT_TABLES } });
  services = await localRunnerServices(cloud.cloud, { clock });
});

afterAll(async () => {
  await cloud?.stop();
});

beforeEach(async () => {
  now = new Date('2030-01-01T10:00:00Z');
  clearEventBridgeEvents(cloud.cloud.core);
  for await (const page of services.outbox.entries(200)) await services.outbox.remove(page.map((e) => e.eventId));
});

function roleEvent(subject: string, at: Date, type: AuditEventType = AuditEventType.RoleRepaired): AuditEvent {
  return newAuditEvent({
    id: randomUUID(),
    type,
    subject,
    time: at,
    data: { correlationId: 'run-1', outcome: 'repaired' },
  });
}

function finding(subject: string, at: Date, about = 'RoleNotManaged'): AuditEvent {
  return newFindingEvent({
    id: randomUUID(),
    kind: 'unowned-role-in-the-way',
    subject,
    about,
    time: at,
    correlationId: 'run-1',
    summary: 'a role is in the way',
    evidence: { code: about },
  });
}

const deliver = () => deliverAuditEvents(services.outbox, services.sink, { clock, logger });

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('the audit history', () => {
  it("keeps every event the bus accepted after the outbox forgot it, and gives one role's trail in time order", async () => {
    const subject = `${ROLE_ARN}-${randomUUID().slice(0, 8)}`;
    const later = roleEvent(subject, new Date('2030-01-01T09:00:00Z'));
    const earlier = roleEvent(subject, new Date('2030-01-01T08:00:00Z'), AuditEventType.RoleCreated);
    const elsewhere = roleEvent(`${subject}-other`, new Date('2030-01-01T08:30:00Z'));
    for (const e of [later, earlier, elsewhere]) await services.outbox.record(e);

    expect(await deliver()).toMatchObject({ delivered: 3, pending: 0 });
    expect(await collect(services.outbox.entries(100))).toEqual([]);
    const trail: HistoryEntry[] = await collect(services.history.trail(subject));
    expect(trail.map((t) => t.event.id)).toEqual([earlier.id, later.id]);
    expect(trail[0]?.deliveredAt).toBe(now.toISOString());
    const since = await collect(services.history.entries({ since: new Date('2030-01-01T08:45:00Z') }));
    expect(since.map((t) => t.event.id)).toContain(later.id);
    expect(since.map((t) => t.event.id)).not.toContain(earlier.id);
  });

  it('keeps delivered events in the outbox when the history cannot take them, and keeps them on the next pass', async () => {
    const subject = `${ROLE_ARN}-${randomUUID().slice(0, 8)}`;
    const event = roleEvent(subject, now);
    await services.outbox.record(event);
    await services.tablestore.deleteTable({ tableName: services.config.tables.history });
    const failed = await deliver();
    expect(failed.callFailure?.code).toBe(ARCHIVE_FAILED);
    expect((await collect(services.outbox.entries(100))).flat().map((e) => e.eventId)).toEqual([event.id]);

    await setupTables(services.tablestore, services.config.tables, { clock, random: services.random });
    expect(await deliver()).toMatchObject({ delivered: 1, pending: 0 });
    expect((await collect(services.history.trail(subject))).map((t) => t.event.id)).toEqual([event.id]);
  });
});

describe('the findings ledger', () => {
  it('opens a finding when it is delivered, counts each repeat once however often it is delivered, and resolves it', async () => {
    const subject = `${ROLE_ARN}-${randomUUID().slice(0, 8)}`;
    const first = finding(subject, new Date('2030-01-01T09:00:00Z'));
    const repeat = finding(subject, new Date('2030-01-01T09:15:00Z'));
    const findingId = (first.data as FindingData).findingId;
    await services.outbox.record(first);
    await services.outbox.record(repeat);
    await deliver();
    await services.findings.apply([repeat]); // a redelivery of the same event
    const open: FindingRecord | undefined = await services.findings.get(findingId);
    expect(open).toMatchObject({
      state: 'open',
      kind: 'unowned-role-in-the-way',
      severity: 'medium',
      subject,
      occurrences: 2,
      firstSeenAt: first.time,
      lastSeenAt: repeat.time,
      lastEventId: repeat.id,
    });
    expect((await collect(services.findings.list({ state: 'open' }))).map((f) => f.findingId)).toContain(findingId);

    await services.outbox.record(
      newResolvedEvent({
        id: randomUUID(),
        kind: 'unowned-role-in-the-way',
        findingId,
        subject,
        time: new Date('2030-01-01T09:30:00Z'),
        correlationId: 'run-2',
        summary: 'the role was adopted',
        resolvedBy: 'dts-trust',
      }),
    );
    await deliver();
    expect(await services.findings.get(findingId)).toMatchObject({
      state: 'resolved',
      resolvedBy: 'dts-trust',
      resolution: 'the role was adopted',
    });
    expect((await collect(services.findings.list({ state: 'open' }))).map((f) => f.findingId)).not.toContain(findingId);
  });
});

describe('a deployment of the previous release', () => {
  it('gets the history and findings tables from setup, and its outbox rows are kept once delivered', async () => {
    const { history, findings } = services.config.tables;
    await services.tablestore.deleteTable({ tableName: history });
    await services.tablestore.deleteTable({ tableName: findings });
    // An outbox row exactly as the previous release wrote it: `event` and `recordedAt`, no attempt columns.
    const eventId = `legacy-${randomUUID()}`;
    const subject = `${ROLE_ARN}-legacy`;
    const shard = (await import('node:crypto')).createHash('sha1').update(eventId).digest().readUInt16BE(0) % 4;
    const legacy = finding(subject, now);
    await services.tablestore.putRow({
      tableName: services.config.tables.outbox,
      primaryKey: [{ shard: long(shard) }, { eventId }],
      condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
      attributeColumns: [{ event: JSON.stringify({ ...legacy, id: eventId }) }, { recordedAt: long(now.getTime()) }],
    });

    const created = await setupTables(services.tablestore, services.config.tables, {
      clock,
      random: services.random,
    });
    expect(created.sort()).toEqual([findings, history].sort());
    expect(await deliver()).toMatchObject({ delivered: 1 });
    expect((await collect(services.history.trail(subject))).map((t) => t.event.id)).toEqual([eventId]);
    expect(await services.findings.get((legacy.data as FindingData).findingId)).toMatchObject({ state: 'open' });
  });
});
