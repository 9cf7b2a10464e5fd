/**
 * Canonical form of a statement's Condition block, so that equal conditions compare equal as strings.
 */

/** A Condition block as written: operator -> condition key -> one value or a list. */
export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Canonical JSON of a Condition block: operators and keys sorted, every value a sorted list without duplicates
 * (so `"x"` equals `["x"]`), empty operators dropped; `''` when no condition remains.
 */
export function canonicalCondition(condition: ConditionBlock | undefined): string {
  if (condition === undefined) return '';
  const canonical: Record<string, Record<string, string[]>> = {};
  for (const operator of Object.keys(condition).sort(byCodePoint)) {
    const keys = condition[operator] ?? {};
    const canonicalKeys: Record<string, string[]> = {};
    for (const key of Object.keys(keys).sort(byCodePoint)) {
      const value = keys[key];
      const values = typeof value === 'string' ? [value] : [...(value ?? [])];
      canonicalKeys[key] = [...new Set(values)].sort(byCodePoint);
    }
    if (Object.keys(canonicalKeys).length > 0) canonical[operator] = canonicalKeys;
  }
  return Object.keys(canonical).length === 0 ? '' : JSON.stringify(canonical);
}
