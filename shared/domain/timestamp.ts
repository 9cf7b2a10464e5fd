import { datetimeRegex, z } from 'zod';
import * as zm from 'zod/v4-mini';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * The instant an RFC 3339 timestamp with an offset names, in epoch milliseconds, or `undefined` when the text
 * is not one or names a time that does not exist: month 1-12, a day the month has (leap years included), hour
 * 0-23, minute and second 0-59 (a leap second `:60` is refused: JavaScript time cannot hold it), an offset of at
 * most ±23:59. Unlike `Date.parse`, it never yields NaN and never guesses.
 */
export function parseTimestamp(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[8] !== 'Z') {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear puts them back.
  const date = new Date(utc);
  date.setUTCFullYear(year);
  return date.getTime() - offsetMinutes * 60_000;
}

/** An RFC 3339 timestamp with an offset that names a real instant (see {@link parseTimestamp}). */
export const TimestampSchema = z.string().refine((v) => parseTimestamp(v) !== undefined, {
  message: 'must be an RFC 3339 timestamp that exists, e.g. 2026-12-01T09:30:00Z or 2026-12-01T17:30:00+08:00',
});

/** The pattern of zod's `z.string().datetime({ offset: true })`, compiled once. */
const DATETIME_WITH_OFFSET = datetimeRegex({ precision: null, offset: true, local: false });

/**
 * `z.string().datetime({ offset: true })` with its pattern compiled once: zod 3 compiles that pattern anew on every
 * parse, which made it the costliest part of reading a stored grant or status row. The same strings pass, and a
 * string that fails gets the same issue (`invalid_string`, validation `datetime`).
 */
export const DateTimeWithOffsetSchema = z.string().superRefine((value, ctx) => {
  if (!DATETIME_WITH_OFFSET.test(value)) {
    ctx.addIssue({ code: z.ZodIssueCode.invalid_string, validation: 'datetime', message: 'Invalid datetime' });
  }
});

/**
 * {@link DateTimeWithOffsetSchema} as a zod v4 mini schema, for the stored rows read once per role (the grant and
 * status rows): the same pattern, so exactly the same strings pass.
 */
export const DateTimeWithOffsetMini = zm.string().check(zm.regex(DATETIME_WITH_OFFSET, 'Invalid datetime'));
