import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/domain/errors.js';
import { decodeMessageBody, parseMnsEvent, parseTimerEvent } from '../../../shared/fc/envelopes.js';

const cloudEvent = (messageBody: string, id = 'evt-1') => ({
  id,
  source: 'MNS-Function-mnstrigger',
  specversion: '1.0',
  type: 'mns:Queue:SendMessage',
  data: { requestId: 'req', messageId: `msg-${id}`, messageBody },
});

describe('parseMnsEvent', () => {
  it('reads a CloudEvents array delivered as a Buffer', () => {
    const event = Buffer.from(JSON.stringify([cloudEvent('{"a":1}', 'e1'), cloudEvent('{"b":2}', 'e2')]));
    expect(parseMnsEvent(event)).toEqual([
      { index: 0, messageId: 'msg-e1', body: '{"a":1}' },
      { index: 1, messageId: 'msg-e2', body: '{"b":2}' },
    ]);
  });

  it('accepts a single CloudEvent object', () => {
    expect(parseMnsEvent(Buffer.from(JSON.stringify(cloudEvent('{"a":1}'))))).toHaveLength(1);
  });

  it('decodes a base64 message body', () => {
    const body = Buffer.from('{"schema":"dts-trust/v1"}').toString('base64');
    expect(parseMnsEvent(Buffer.from(JSON.stringify([cloudEvent(body)])))[0]?.body).toBe('{"schema":"dts-trust/v1"}');
  });

  it('rejects an event that is not JSON with a field and a fix', () => {
    expect(() => parseMnsEvent(Buffer.from('not json'))).toThrow(ValidationError);
  });

  it('names the CloudEvent that lacks a message body', () => {
    try {
      parseMnsEvent(Buffer.from(JSON.stringify([cloudEvent('{}'), { id: 'x', data: {} }])));
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).problems[0]?.field).toBe('event[1].data.messageBody');
    }
  });
});

describe('decodeMessageBody', () => {
  it.each([
    ['plain JSON stays as it is', '{"x":1}', '{"x":1}'],
    ['base64 of JSON is decoded', Buffer.from('[1]').toString('base64'), '[1]'],
    [
      'base64 of non-JSON stays encoded',
      Buffer.from('hello world').toString('base64'),
      Buffer.from('hello world').toString('base64'),
    ],
    ['free text stays as it is', 'TEST', 'TEST'],
  ])('%s', (_name, input, expected) => {
    expect(decodeMessageBody(input)).toBe(expected);
  });
});

describe('parseTimerEvent', () => {
  it('reads the timer trigger event', () => {
    const event = { triggerTime: '2026-11-23T07:49:00Z', triggerName: 'drift-timer', payload: '' };
    expect(parseTimerEvent(Buffer.from(JSON.stringify(event)))).toEqual(event);
  });

  it('names the missing field', () => {
    expect(() => parseTimerEvent(Buffer.from('{"triggerName":"t"}'))).toThrow(/event.triggerTime/);
  });
});
