import { describe, expect, it } from 'vitest';
import { parseTimestamp, TimestampSchema } from '../../../shared/domain/timestamp.js';

describe('parseTimestamp', () => {
  it.each([
    ['2026-12-01T09:30:00Z', '2026-12-01T09:30:00.000Z'],
    ['2026-12-01T17:30:00+08:00', '2026-12-01T09:30:00.000Z'],
    ['2026-12-01T09:30:00.123456789-01:30', '2026-12-01T11:00:00.123Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    ['0050-01-01T00:00:00Z', '0050-01-01T00:00:00.000Z'],
    ['2026-12-01T23:59:59+23:59', '2026-12-01T00:00:59.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(new Date(parseTimestamp(text)!).toISOString()).toBe(iso);
  });

  it.each([
    ['an offset of +99:99', '2026-12-01T09:30:00+99:99'],
    ['an offset of +00:60', '2026-12-01T09:30:00+00:60'],
    ['an offset of -24:00', '2026-12-01T09:30:00-24:00'],
    ['February 30', '2026-02-30T00:00:00Z'],
    ['February 29 of a common year', '2026-02-29T00:00:00Z'],
    ['February 29 of 1900', '1900-02-29T00:00:00Z'],
    ['April 31', '2026-04-31T00:00:00Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['day 0', '2026-12-00T00:00:00Z'],
    ['hour 24', '2026-12-01T24:00:00Z'],
    ['minute 60', '2026-12-01T09:60:00Z'],
    ['a leap second', '2026-12-31T23:59:60Z'],
    ['no offset', '2026-12-01T09:30:00'],
    ['a date only', '2026-12-01'],
    ['a space for T', '2026-12-01 09:30:00Z'],
    ['a lower-case z', '2026-12-01T09:30:00z'],
    ['an offset without colon', '2026-12-01T09:30:00+0800'],
    ['text around it', ' 2026-12-01T09:30:00Z'],
  ])('refuses %s', (_name, text) => {
    expect(parseTimestamp(text)).toBeUndefined();
    expect(TimestampSchema.safeParse(text).success).toBe(false);
  });
});
