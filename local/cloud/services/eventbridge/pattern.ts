/**
 * EventBridge event patterns, as the EventBridge "Event patterns" page describes them: a JSON object of the same
 * nesting as the events it matches; every key must match (AND), and a key's array matches when any of its values
 * does (OR). A value is an exact string, number, boolean or `null` (`""` and `null` are different), or an operator
 * object: `prefix`, `suffix`, `contains`, `anything-but` (a value, a list, or `{prefix}` / `{suffix}`), `numeric`
 * (`[">", 0, "<=", 5]`), `cidr` (IPv4) and `exists`. When the event's field is an array, the pattern matches when
 * any element does. A pattern that breaks these rules is refused ({@link EventPatternError}), as the service
 * refuses a rule with an invalid pattern.
 */

/** A pattern the grammar does not allow; the message names the key and what is wrong. */
export class EventPatternError extends Error {
  override readonly name = 'EventPatternError';
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const NUMERIC_OPERATORS = new Set(['<', '<=', '=', '>', '>=']);

/** A field of a pattern holds at most this many values (the EventBridge rule limits). */
export const MAX_VALUES_PER_FIELD = 5;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is null | boolean | number | string {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function ipv4ToNumber(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function cidrContains(cidr: string, ip: string): boolean {
  const [base, bits] = cidr.split('/');
  const network = ipv4ToNumber(base ?? '');
  const address = ipv4ToNumber(ip);
  const size = Number(bits);
  if (network === undefined || address === undefined || !Number.isInteger(size) || size < 0 || size > 32) {
    return false;
  }
  const block = 2 ** (32 - size);
  return Math.floor(network / block) === Math.floor(address / block);
}

function numericMatches(conditions: readonly unknown[], value: unknown): boolean {
  if (typeof value !== 'number') return false;
  for (let i = 0; i < conditions.length; i += 2) {
    const op = conditions[i] as string;
    const bound = conditions[i + 1] as number;
    const ok =
      op === '<'
        ? value < bound
        : op === '<='
          ? value <= bound
          : op === '='
            ? value === bound
            : op === '>'
              ? value > bound
              : value >= bound;
    if (!ok) return false;
  }
  return true;
}

/** Check one operator object of the pattern at `path`; throws on anything the grammar does not allow. */
function checkOperator(operator: Record<string, unknown>, path: string): void {
  const keys = Object.keys(operator);
  if (keys.length !== 1) throw new EventPatternError(`${path}: an operator object has exactly one key`);
  const [key] = keys as [string];
  const arg = operator[key];
  switch (key) {
    case 'prefix':
    case 'suffix':
    case 'contains':
    case 'cidr':
      if (typeof arg !== 'string') throw new EventPatternError(`${path}: "${key}" takes a string`);
      return;
    case 'exists':
      if (typeof arg !== 'boolean') throw new EventPatternError(`${path}: "exists" takes true or false`);
      return;
    case 'numeric': {
      const ok =
        Array.isArray(arg) &&
        arg.length >= 2 &&
        arg.length % 2 === 0 &&
        arg.every((x, i) => (i % 2 === 0 ? NUMERIC_OPERATORS.has(x as string) : typeof x === 'number'));
      if (!ok)
        throw new EventPatternError(`${path}: "numeric" takes pairs of an operator (<, <=, =, >, >=) and a number`);
      return;
    }
    case 'anything-but': {
      if (isScalar(arg) || (Array.isArray(arg) && arg.every(isScalar))) return;
      if (isObject(arg) && Object.keys(arg).length === 1 && ['prefix', 'suffix'].includes(Object.keys(arg)[0]!)) {
        if (typeof Object.values(arg)[0] === 'string') return;
      }
      throw new EventPatternError(
        `${path}: "anything-but" takes a value, a list of values, or {"prefix"} / {"suffix"}`,
      );
    }
    default:
      throw new EventPatternError(`${path}: unknown operator "${key}"`);
  }
}

/** Check a whole pattern; throws {@link EventPatternError} naming the first problem. */
export function checkEventPattern(pattern: unknown, path = 'pattern'): asserts pattern is Record<string, Json> {
  if (!isObject(pattern)) throw new EventPatternError(`${path}: a pattern is a JSON object`);
  for (const [key, value] of Object.entries(pattern)) {
    const at = `${path}.${key}`;
    if (isObject(value)) {
      checkEventPattern(value, at);
      continue;
    }
    if (!Array.isArray(value) || value.length === 0) {
      throw new EventPatternError(`${at}: a field's value is a non-empty array of values or operators`);
    }
    if (value.length > MAX_VALUES_PER_FIELD) {
      throw new EventPatternError(`${at}: a field holds at most ${MAX_VALUES_PER_FIELD} values`);
    }
    for (const item of value) {
      if (isObject(item)) checkOperator(item, at);
      else if (!isScalar(item)) throw new EventPatternError(`${at}: an array holds values or operator objects only`);
    }
  }
}

function scalarMatches(item: Json, value: unknown): boolean {
  if (!isObject(item)) return item === value;
  const [key, arg] = Object.entries(item)[0] as [string, Json];
  const text = typeof value === 'string' ? value : undefined;
  switch (key) {
    case 'prefix':
      return text?.startsWith(arg as string) === true;
    case 'suffix':
      return text?.endsWith(arg as string) === true;
    case 'contains':
      return text?.includes(arg as string) === true;
    case 'cidr':
      return text !== undefined && cidrContains(arg as string, text);
    case 'numeric':
      return numericMatches(arg as Json[], value);
    case 'anything-but': {
      if (value === undefined) return false;
      if (isObject(arg)) {
        const [op, affix] = Object.entries(arg)[0] as [string, string];
        if (text === undefined) return true;
        return op === 'prefix' ? !text.startsWith(affix) : !text.endsWith(affix);
      }
      const excluded = Array.isArray(arg) ? arg : [arg];
      return !excluded.includes(value as Json);
    }
    default:
      return false;
  }
}

/** True when one field's value (or any element of it, for an array) matches any item of the pattern's array. */
function fieldMatches(items: readonly Json[], value: unknown, present: boolean): boolean {
  return items.some((item) => {
    if (isObject(item) && 'exists' in item) return item['exists'] === present;
    if (!present) return false;
    if (Array.isArray(value)) return value.some((element) => scalarMatches(item, element));
    return scalarMatches(item, value);
  });
}

/** True when `event` matches `pattern` (checked with {@link checkEventPattern} first). */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  checkEventPattern(pattern);
  return matchObject(pattern, event);
}

function matchObject(pattern: Record<string, Json>, event: unknown): boolean {
  const fields = isObject(event) ? event : {};
  return Object.entries(pattern).every(([key, expected]) => {
    const present = Object.hasOwn(fields, key);
    const value = fields[key];
    if (isObject(expected)) return present && matchObject(expected as Record<string, Json>, value);
    return fieldMatches(expected as Json[], value, present);
  });
}
