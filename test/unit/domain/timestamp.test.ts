import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  DateTimeWithOffsetMini,
  DateTimeWithOffsetSchema,
  parseTimestamp,
  TimestampSchema,
} from '../../../shared/domain/timestamp.js';

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

describe('DateTimeWithOffsetSchema', () => {
  const zods = z.string().datetime({ offset: true });
  const padded = (max: number, width = 2) => fc.nat({ max }).map((n) => String(n).padStart(width, '0'));
  const timestampLike = fc
    .tuple(
      padded(2100, 4),
      padded(13),
      padded(32),
      fc.constantFrom('T', 't', ' '),
      padded(24),
      padded(60),
      fc.option(padded(61)),
      fc.option(fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 10 })),
      fc.constantFrom('Z', 'z', '', '+08:00', '-01:30', '+0800', '+8', '+23:59'),
    )
    .map(([y, mo, d, t, h, mi, s, frac, zone]) =>
      [y, '-', mo, '-', d, t, h, ':', mi, s === null ? '' : `:${s}`, frac === null ? '' : `.${frac}`, zone].join(''),
    );

  it("accepts exactly what zod's datetime({ offset: true }) accepts", () => {
    fc.assert(
      fc.property(fc.oneof(timestampLike, fc.string()), (text) => {
        expect(DateTimeWithOffsetSchema.safeParse(text).success).toBe(zods.safeParse(text).success);
        expect(DateTimeWithOffsetMini.safeParse(text).success).toBe(zods.safeParse(text).success);
      }),
      { numRuns: 1000 },
    );
  });

  it("refuses a string with zod's datetime issue", () => {
    const own = DateTimeWithOffsetSchema.safeParse('2026-12-01T09:30:00');
    const zod = zods.safeParse('2026-12-01T09:30:00');
    expect(own.success || zod.success).toBe(false);
    expect(own.error?.issues).toEqual(zod.error?.issues);
  });
});
