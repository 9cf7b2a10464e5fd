import EventBridgeSdk from '@alicloud/eventbridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeAuditSink, type EventBridgeSinkOptions } from '../../../shared/alicloud/eventbridge.js';
import { AuditEventType, newAuditEvent } from '../../../shared/domain/audit.js';
import { type AliClientMock, connectionReset, mockAliClient, teaResponseError } from '../../support/mock-ali-client.js';

type CloudEvent = InstanceType<typeof EventBridgeSdk.CloudEvent>;

let bus: AliClientMock<InstanceType<typeof EventBridgeSdk.default>>;

beforeEach(() => {
  bus = mockAliClient(EventBridgeSdk.default);
});

afterEach(() => bus.restore());

function sink(overrides: Partial<EventBridgeSinkOptions> = {}): EventBridgeAuditSink {
  return new EventBridgeAuditSink({
    endpoint: '127.0.0.1:9',
    protocol: 'http',
    eventBus: 'dts-trust-audit',
    keys: async () => ({ accessKeyId: 'AK', accessKeySecret: 'secret' }),
    ...overrides,
  });
}

function events(count: number) {
  return Array.from({ length: count }, (_, i) =>
    newAuditEvent({
      id: `event-${i}`,
      type: AuditEventType.RoleInSync,
      subject: `acs:ram::1:role/r${i}`,
      time: new Date('2030-01-01T00:00:00Z'),
      data: { correlationId: 'run-1', outcome: 'in-sync' },
    }),
  );
}

/** The answer EventBridge gives: one entry per event, `errorCode` on those it rejected. */
function answer(batch: readonly CloudEvent[], rejected: Readonly<Record<string, string>> = {}) {
  const entryList = batch.map(
    (e) =>
      new EventBridgeSdk.PutEventsResponseEntry(
        rejected[e.id] ? { eventId: e.id, errorCode: rejected[e.id], errorMessage: 'no' } : { eventId: e.id },
      ),
  );
  return new EventBridgeSdk.PutEventsResponse({
    requestId: 'R',
    resourceOwnerAccountId: '1',
    failedEntryCount: Object.keys(rejected).length,
    entryList,
  });
}

function sentIds(): string[][] {
  return bus.calls('putEvents').map((call) => call.args[0].map((e) => e.id));
}

describe('EventBridgeAuditSink', () => {
  it('sends 40 events in three calls of at most 16, as CloudEvents on the configured bus', async () => {
    bus.on('putEvents').callsFake(async (batch) => answer(batch));
    const all = events(40);
    const result = await sink().publish(all);
    expect(sentIds().map((ids) => ids.length)).toEqual([16, 16, 8]);
    expect(sentIds().flat()).toEqual(all.map((e) => e.id));
    expect(result).toEqual({ delivered: all.map((e) => e.id), failed: [] });
    const first = bus.calls('putEvents')[0]?.args[0][0];
    expect(first).toMatchObject({
      id: 'event-0',
      source: 'dts-trust',
      type: AuditEventType.RoleInSync,
      specversion: '1.0',
      extensions: { aliyuneventbusname: 'dts-trust-audit' },
    });
    expect(JSON.parse(String(first?.data))).toEqual({ correlationId: 'run-1', outcome: 'in-sync' });
  });

  it('makes no call for no events', async () => {
    expect(await sink().publish([])).toEqual({ delivered: [], failed: [] });
    expect(bus.calls('putEvents')).toEqual([]);
  });

  it('retries only the entries the bus rejected, and delivers them when it accepts', async () => {
    let attempt = 0;
    bus.on('putEvents').callsFake(async (batch) => {
      attempt += 1;
      return attempt === 1 ? answer(batch, { 'event-1': 'InternalError', 'event-3': 'Throttling' }) : answer(batch);
    });
    const result = await sink().publish(events(5));
    expect(sentIds()).toEqual([
      ['event-0', 'event-1', 'event-2', 'event-3', 'event-4'],
      ['event-1', 'event-3'],
    ]);
    expect(result.failed).toEqual([]);
    expect([...result.delivered].sort()).toEqual(['event-0', 'event-1', 'event-2', 'event-3', 'event-4']);
  });

  it('reports entries still rejected after the last retry as failed with their code', async () => {
    bus.on('putEvents').callsFake(async (batch) => answer(batch, { 'event-2': 'EventSizeExceedLimit' }));
    const result = await sink({ entryRetries: 1 }).publish(events(3));
    expect(sentIds()).toEqual([['event-0', 'event-1', 'event-2'], ['event-2']]);
    expect(result).toEqual({
      delivered: ['event-0', 'event-1'],
      failed: [{ id: 'event-2', code: 'EventSizeExceedLimit' }],
    });
  });

  it('fails every event of a batch with the code when the whole call fails', async () => {
    bus.on('putEvents').rejects(teaResponseError({ code: 'EventBusNotExist' }));
    const result = await sink().publish(events(3));
    expect(bus.calls('putEvents')).toHaveLength(3);
    expect(result.delivered).toEqual([]);
    expect(result.failed).toEqual(['event-0', 'event-1', 'event-2'].map((id) => ({ id, code: 'EventBusNotExist' })));
  });

  it('keeps delivering the next batches after one batch failed', async () => {
    bus.on('putEvents').callsFake(async (batch) => {
      if (batch[0]?.id === 'event-0') throw connectionReset();
      return answer(batch);
    });
    const result = await sink({ entryRetries: 0 }).publish(events(20));
    expect(result.failed).toHaveLength(16);
    expect(result.failed[0]).toEqual({ id: 'event-0', code: 'ECONNRESET' });
    expect(result.delivered).toEqual(
      events(20)
        .slice(16)
        .map((e) => e.id),
    );
  });

  it('fails the whole batch when the bus counts failures it does not attribute', async () => {
    bus
      .on('putEvents')
      .resolves(
        new EventBridgeSdk.PutEventsResponse({ requestId: 'R', resourceOwnerAccountId: '1', failedEntryCount: 2 }),
      );
    const result = await sink({ entryRetries: 0 }).publish(events(2));
    expect(result.failed).toEqual([
      { id: 'event-0', code: 'UnattributedFailure' },
      { id: 'event-1', code: 'UnattributedFailure' },
    ]);
  });
});
