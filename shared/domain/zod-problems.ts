import type { ZodError, ZodIssue } from 'zod';
import type { ValidationProblem } from './errors.js';

/** The code of every problem that comes from the shape of the input (zod), not from a DTS rule. */
export const INVALID_FIELD = 'InvalidField';

/** Join a prefix and a path into a field name: `messages[2].relationship` + `source.accountId`. */
export function fieldPath(prefix: string, path: readonly (string | number)[]): string {
  let out = prefix;
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

function describeExpected(expected: string): string {
  return expected === 'array' ? 'a list' : expected === 'object' ? 'an object' : `a ${expected}`;
}

/** One zod issue as problems (an unknown-keys issue yields one problem per key). */
function problemsOfIssue(issue: ZodIssue, prefix: string): ValidationProblem[] {
  const field = fieldPath(prefix, issue.path);
  const name = String(issue.path.at(-1) ?? (prefix || 'input'));
  const at = (message: string, fix: string): ValidationProblem[] => [
    { code: INVALID_FIELD, field: field || 'input', message, fix },
  ];
  switch (issue.code) {
    case 'invalid_type':
      if (issue.received === 'undefined') {
        return at(`${name} is required`, `add ${name} (${describeExpected(issue.expected)})`);
      }
      return at(
        `${name} must be ${describeExpected(issue.expected)}, not ${issue.received}`,
        `give ${describeExpected(issue.expected)}`,
      );
    case 'invalid_enum_value':
      return at(
        `${name} is ${JSON.stringify(issue.received)}, which is not allowed`,
        `use one of: ${issue.options.map(String).join(', ')}`,
      );
    case 'invalid_union_discriminator':
      return at(
        `${name} is missing or not one of the allowed values`,
        `use one of: ${issue.options.map(String).join(', ')}`,
      );
    case 'invalid_literal':
      return at(`${name} must be ${JSON.stringify(issue.expected)}`, `give ${JSON.stringify(issue.expected)}`);
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        code: INVALID_FIELD,
        field: fieldPath(prefix, [...issue.path, key]),
        message: `${key} is not a known field`,
        fix: `remove ${key} or correct its spelling`,
      }));
    case 'too_small':
      return at(
        `${name} is too short: ${issue.message}`,
        issue.type === 'array'
          ? `give at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`
          : `give at least ${issue.minimum} characters`,
      );
    case 'too_big':
      return at(
        `${name} is too long: ${issue.message}`,
        issue.type === 'array' ? `give at most ${issue.maximum} items` : `give at most ${issue.maximum} characters`,
      );
    case 'invalid_string':
      if (issue.validation === 'datetime') {
        return at(
          `${name} is not an ISO 8601 date-time with a time zone`,
          'write it like 2030-01-31T00:00:00Z or 2030-01-31T08:00:00+08:00',
        );
      }
      return at(`${name} is not valid: ${issue.message}`, `give a valid ${String(issue.validation)}`);
    case 'custom': {
      const fix = typeof issue.params?.['fix'] === 'string' ? issue.params['fix'] : `correct ${name}`;
      return at(issue.message, fix);
    }
    default:
      return at(`${name} is not valid: ${issue.message}`, `correct ${name}`);
  }
}

/**
 * Every issue of a zod error as a {@link ValidationProblem} with code `InvalidField`, the issue's path (under
 * `prefix`) as field, and a fix that says what to give instead.
 */
export function problemsFromZodError(error: ZodError, prefix = ''): ValidationProblem[] {
  return error.issues.flatMap((issue) => problemsOfIssue(issue, prefix));
}
