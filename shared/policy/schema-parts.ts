import { z } from 'zod';

/**
 * Pieces both clouds' trust-policy schemas are made of (RAM's in ./schema.ts, CAM's in ./tencent/schema.ts): the
 * same reading of strings and string lists, with the same messages. Pure: no I/O, no SDK.
 */

/** True for a plain object (not null, not an array). */
export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A lone string as a one-element list; anything else as it is. */
export const asList = (value: unknown): unknown => (typeof value === 'string' ? [value] : value);

/** A string, trimmed, that must not be empty. */
export const nonEmptyString = z.string({ invalid_type_error: 'must be a string' }).trim().min(1, 'must not be empty');

/** A string or a list of non-empty strings, normalized to the list. */
export const stringList = z.preprocess(
  asList,
  z.array(nonEmptyString, {
    invalid_type_error: 'must be a string or a list of strings',
    required_error: 'is required',
  }),
);
