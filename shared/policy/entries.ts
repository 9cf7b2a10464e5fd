import { STS_ASSUME_ROLE } from './principals.js';
import type { TrustEntry } from './types.js';

/**
 * Trust entries as a set: identity, ordering and de-duplication.
 */

/** The identity of an entry: two entries with the same key grant exactly the same thing. */
export function entryKey(entry: TrustEntry): string {
  return JSON.stringify([entry.effect, entry.action, entry.principalKind, entry.principal, entry.condition]);
}

/** The identity of an entry without its condition: who gets which effect on which action. */
export function granteeKey(entry: TrustEntry): string {
  return JSON.stringify([entry.effect, entry.action, entry.principalKind, entry.principal]);
}

const byKey = (a: TrustEntry, b: TrustEntry): number => {
  const ka = entryKey(a);
  const kb = entryKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/** The entries without duplicates, in a stable order (effect, action, kind, principal, condition). */
export function uniqueSortedEntries(entries: Iterable<TrustEntry>): TrustEntry[] {
  const unique = new Map<string, TrustEntry>();
  for (const entry of entries) unique.set(entryKey(entry), entry);
  return [...unique.values()].sort(byKey);
}

/** A canonical condition as a person reads it: `StringEquals sts:ExternalId="abc"`. */
function describeCondition(condition: string): string {
  let blocks: Record<string, Record<string, string[]>>;
  try {
    blocks = JSON.parse(condition) as Record<string, Record<string, string[]>>;
  } catch {
    return condition;
  }
  return Object.entries(blocks)
    .flatMap(([operator, keys]) =>
      Object.entries(keys).map(([key, values]) => {
        const shown = values.length === 1 ? JSON.stringify(values[0]) : JSON.stringify(values);
        return `${operator} ${key}=${shown}`;
      }),
    )
    .join(' and ');
}

/**
 * How a person reads one entry: `RAM acs:ram::1:root`, prefixed by effect and action unless Allow AssumeRole,
 * followed by `if StringEquals sts:ExternalId="abc"` when it has a condition.
 */
export function describeEntry(entry: TrustEntry): string {
  const who = `${entry.principalKind} ${entry.principal}`;
  const what =
    entry.effect === 'Allow' && entry.action === STS_ASSUME_ROLE ? who : `${entry.effect} ${entry.action} ${who}`;
  return entry.condition === '' ? what : `${what} if ${describeCondition(entry.condition)}`;
}
