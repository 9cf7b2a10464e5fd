import EventBridgeSdk from '@alicloud/eventbridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeAuditSink, matchEntries } from '../../../shared/alicloud/eventbridge.js';
import { AuditEventType, newAuditEvent } from '../../../shared/domain/audit.js';
import { type AliClientMock, mockAliClient } from '../../support/mock-ali-client.js';

// Answers the local cloud cannot give (it always names every entry): the sink over a stubbed SDK client.

let bus: AliClientMock<InstanceType<typeof EventBridgeSdk.default>>;

beforeEach(() => {
  bus = mockAliClient(EventBridgeSdk.default);
});

afterEach(() => bus.restore());

const sink = () =>
  new EventBridgeAuditSink({
    endpoint: '127.0.0.1:9',
    protocol: 'http',
    eventBus: 'dts-trust-audit',
    keys: async () => ({ accessKeyId: 'AK', accessKeySecret: 'secret' }),
    entryRetries: 0,
  });

const events = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    newAuditEvent({
      id: `event-${i}`,
      type: AuditEventType.RoleInSync,
      subject: `acs:ram::1:role/r${i}`,
      time: new Date('2030-01-01T00:00:00Z'),
      data: { correlationId: 'run-1', outcome: 'in-sync' },
    }),
  );

describe('EventBridgeAuditSink over answers that name no entry', () => {
  it('rejects, to be tried again, events a failed-entry count leaves unexplained', async () => {
    bus
      .on('putEvents')
      .resolves(
        new EventBridgeSdk.PutEventsResponse({ requestId: 'R', resourceOwnerAccountId: '1', failedEntryCount: 2 }),
      );
    const result = await sink().publish(events(2));
    expect(result.delivered).toEqual([]);
    expect(result.rejected).toEqual([
      expect.objectContaining({ id: 'event-0', code: 'UnattributedFailure', permanent: false }),
      expect.objectContaining({ id: 'event-1', code: 'UnattributedFailure', permanent: false }),
    ]);
  });

  it('takes a call failure for an answer with neither an entry list nor a failed-entry count', async () => {
    bus.on('putEvents').resolves(new EventBridgeSdk.PutEventsResponse({ requestId: 'R' }));
    const result = await sink().publish(events(3));
    expect(result.delivered).toEqual([]);
    expect(result.callFailure).toMatchObject({
      code: 'MalformedResponse',
      notDelivered: ['event-0', 'event-1', 'event-2'],
    });
  });
});

describe('matchEntries', () => {
  it('accepts events without an entry of their id when the answer counts no failure (the peer answers its own ids)', () => {
    const answer = { failedEntryCount: 0, entryList: [{ eventId: 'msg-1', errorCode: 'Success' }] };
    expect(matchEntries(['a'], answer)).toMatchObject({ delivered: ['a'], rejected: [] });
  });

  it('accepts an unnamed event when the failures the answer counts are all named', () => {
    const answer = { failedEntryCount: 1, entryList: [{ eventId: 'b', errorCode: 'EventSizeExceed' }] };
    expect(matchEntries(['a', 'b'], answer)).toMatchObject({
      delivered: ['a'],
      rejected: [{ id: 'b', code: 'EventSizeExceed', permanent: true }],
    });
  });

  it('takes an unknown code as one that may pass, so it is tried again a bounded number of times', () => {
    const answer = { failedEntryCount: 1, entryList: [{ eventId: 'a', errorCode: 'SomethingNew', errorMessage: 'm' }] };
    expect(matchEntries(['a'], answer).rejected).toEqual([
      { id: 'a', code: 'SomethingNew', message: 'm', permanent: false },
    ]);
  });
});

describe('EventBridgeAuditSink without keys', () => {
  it('takes keys it cannot get as a failure of the call, keeping every event', async () => {
    const noKeys = new EventBridgeAuditSink({
      endpoint: '127.0.0.1:9',
      protocol: 'http',
      eventBus: 'dts-trust-audit',
      keys: async () => {
        throw Object.assign(new Error('no credentials in the environment'), { code: 'CredentialsMissing' });
      },
    });
    const result = await noKeys.publish(events(2));
    expect(result.callFailure).toMatchObject({ code: 'CredentialsMissing', notDelivered: ['event-0', 'event-1'] });
    expect(bus.calls('putEvents')).toEqual([]);
  });
});
