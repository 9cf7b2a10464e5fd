/** The order of measurements within a round (pure: no I/O). */

/**
 * `items` started at position `round` (modulo their count) and wrapped around: over as many rounds as items, each
 * item is measured once in every position, so no item always follows the same one or always comes first.
 */
export function rotated<T>(items: readonly T[], round: number): T[] {
  if (items.length === 0) return [];
  const start = ((Math.trunc(round) % items.length) + items.length) % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

/** The item whose `key` is the median of an odd number of items (the round a figure is reported from). */
export function medianItem<T>(items: readonly T[], key: (item: T) => number): T {
  if (items.length % 2 === 0) throw new RangeError(`the median item needs an odd number of items, not ${items.length}`);
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return sorted[(sorted.length - 1) / 2] as T;
}
