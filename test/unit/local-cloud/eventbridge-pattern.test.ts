import { describe, expect, it } from 'vitest';
import { EventPatternError, matchesEventPattern } from '../../../local/cloud/services/eventbridge/pattern.js';

const event = {
  source: 'dts-trust',
  type: 'dts-trust.finding.tug-of-war',
  subject: 'acs:ram::1111111111111111:role/ram-for-dts',
  data: { severity: 'high', count: 4, tags: ['a', 'b'], empty: '', none: null, ip: '10.0.0.7' },
};

describe('matchesEventPattern', () => {
  it('matches exact values with AND across keys and OR within a key, nested as the event is', () => {
    expect(matchesEventPattern({ source: ['dts-trust'], data: { severity: ['low', 'high'] } }, event)).toBe(true);
    expect(matchesEventPattern({ source: ['dts-trust'], data: { severity: ['low'] } }, event)).toBe(false);
    expect(matchesEventPattern({ data: { missing: { deeper: ['x'] } } }, event)).toBe(false);
  });

  it('matches prefix, suffix, contains, numeric and cidr operators', () => {
    expect(matchesEventPattern({ type: [{ prefix: 'dts-trust.finding.' }] }, event)).toBe(true);
    expect(matchesEventPattern({ subject: [{ suffix: '/ram-for-dts' }] }, event)).toBe(true);
    expect(matchesEventPattern({ type: [{ contains: 'tug' }] }, event)).toBe(true);
    expect(matchesEventPattern({ data: { count: [{ numeric: ['>', 3, '<=', 4] }] } }, event)).toBe(true);
    expect(matchesEventPattern({ data: { count: [{ numeric: ['>', 4] }] } }, event)).toBe(false);
    expect(matchesEventPattern({ data: { ip: [{ cidr: '10.0.0.0/24' }] } }, event)).toBe(true);
    expect(matchesEventPattern({ data: { ip: [{ cidr: '10.0.1.0/24' }] } }, event)).toBe(false);
  });

  it('matches anything-but a value, a list or a prefix, and exists on presence only', () => {
    expect(matchesEventPattern({ data: { severity: [{ 'anything-but': 'low' }] } }, event)).toBe(true);
    expect(matchesEventPattern({ data: { severity: [{ 'anything-but': ['low', 'high'] }] } }, event)).toBe(false);
    expect(matchesEventPattern({ type: [{ 'anything-but': { prefix: 'dts-trust.role.' } }] }, event)).toBe(true);
    expect(matchesEventPattern({ data: { none: [{ exists: true }], gone: [{ exists: false }] } }, event)).toBe(true);
  });

  it('tells an empty string from null, and matches an array field when any element matches', () => {
    expect(matchesEventPattern({ data: { empty: [''] } }, event)).toBe(true);
    expect(matchesEventPattern({ data: { empty: [null] } }, event)).toBe(false);
    expect(matchesEventPattern({ data: { none: [null] } }, event)).toBe(true);
    expect(matchesEventPattern({ data: { tags: ['b'] } }, event)).toBe(true);
  });

  it('refuses patterns outside the grammar, naming the key', () => {
    expect(() => matchesEventPattern({ type: 'dts-trust.finding.x' }, event)).toThrow(EventPatternError);
    expect(() => matchesEventPattern({ type: [{ glob: 'x' }] }, event)).toThrow(
      /pattern.type: unknown operator "glob"/,
    );
    expect(() => matchesEventPattern({ type: ['a', 'b', 'c', 'd', 'e', 'f'] }, event)).toThrow(/at most 5 values/);
    expect(() => matchesEventPattern({ data: { count: [{ numeric: ['>'] }] } }, event)).toThrow(/pattern.data.count/);
  });
});
