/**
 * Shaping a stored row for a read (GetRow, GetRange, BatchGetRow): expired cells hidden, the filter applied,
 * `columns_to_get`, time range and `max_versions` honoured, columns in name order, newest version first.
 */
import { invalidParameter } from './errors.js';
import { type ColumnFilter, decodeColumnFilter, matchesFilter } from './filters.js';
import { namedKey } from './keys.js';
import type { ResponseRow } from './plainbuffer.js';
import { hasField, int64ToNumber, type WireReadOptions } from './protocol.js';
import { type StoredCell, type StoredRow, type TableState, visibleColumns } from './store.js';
import { valueSize } from './values.js';

/** What a read asks for. */
export interface ReadOptions {
  readonly columnsToGet: ReadonlySet<string> | undefined;
  readonly maxVersions: number;
  readonly timeRange: { readonly start: number; readonly end: number } | undefined;
  readonly filter: ColumnFilter | undefined;
}

/** Read options from a request; either `max_versions` or `time_range` must be given (as the service requires). */
export function readOptionsFrom(wire: WireReadOptions): ReadOptions {
  const hasVersions = hasField(wire, 'maxVersions');
  const hasRange = hasField(wire, 'timeRange') && wire.timeRange !== undefined;
  if (!hasVersions && !hasRange) throw invalidParameter('Neither max_versions nor time_range is set.');
  if (hasVersions && (wire.maxVersions ?? 0) <= 0) {
    throw invalidParameter(`max_versions must be greater than 0, got ${wire.maxVersions}.`);
  }
  let timeRange: ReadOptions['timeRange'];
  if (hasRange && wire.timeRange) {
    const r = wire.timeRange;
    if (hasField(r, 'specificTime')) {
      const t = int64ToNumber(r.specificTime);
      timeRange = { start: t, end: t + 1 };
    } else {
      const start = hasField(r, 'startTime') ? int64ToNumber(r.startTime) : 0;
      const end = hasField(r, 'endTime') ? int64ToNumber(r.endTime) : Number.MAX_SAFE_INTEGER;
      if (start >= end) throw invalidParameter('time_range: start_time must be less than end_time.');
      timeRange = { start, end };
    }
  }
  return {
    columnsToGet: wire.columnsToGet.length > 0 ? new Set(wire.columnsToGet) : undefined,
    maxVersions: hasVersions ? (wire.maxVersions ?? 1) : Number.MAX_SAFE_INTEGER,
    timeRange,
    filter: wire.filter && wire.filter.length > 0 ? decodeColumnFilter(wire.filter) : undefined,
  };
}

/** A shaped row and its size in bytes (for capacity units and response limits). */
export interface ShapedRow {
  readonly row: ResponseRow;
  readonly bytes: number;
}

/**
 * The row as a read returns it, or undefined when the read returns nothing for it: the row expired, the filter
 * rejected it, or `columns_to_get` names only attribute columns the row does not have.
 */
export function shapeRow(
  table: TableState,
  stored: StoredRow,
  since: number,
  options: ReadOptions,
): ShapedRow | undefined {
  const visible = visibleColumns(stored, since);
  if (!visible) return undefined;
  let columns: Map<string, StoredCell[]> = visible;
  if (options.timeRange) {
    const { start, end } = options.timeRange;
    columns = new Map();
    for (const [name, versions] of visible) {
      const inRange = versions.filter((v) => v.ts >= start && v.ts < end);
      if (inRange.length > 0) columns.set(name, inRange);
    }
  }
  if (options.filter && options.filter.kind !== 'pagination' && !matchesFilter(options.filter, columns)) {
    return undefined;
  }
  let names = [...columns.keys()].sort();
  const wanted = options.columnsToGet;
  if (wanted) names = names.filter((n) => wanted.has(n));
  if (options.filter?.kind === 'pagination') {
    names = names.slice(options.filter.offset, options.filter.offset + options.filter.limit);
  }
  const asksForKey = wanted ? table.primaryKey.some((c) => wanted.has(c.name)) : true;
  if (wanted && names.length === 0 && !asksForKey) return undefined;
  const primaryKey = namedKey(table, stored.pk);
  let bytes = primaryKey.reduce((n, c) => n + c.name.length + valueSize(c.value), 0);
  const cells: { name: string; value: StoredCell['value']; timestamp: number }[] = [];
  for (const name of names) {
    for (const version of columns.get(name)!.slice(0, options.maxVersions)) {
      cells.push({ name, value: version.value, timestamp: version.ts });
      bytes += name.length + valueSize(version.value) + 8;
    }
  }
  return { row: { primaryKey, cells }, bytes };
}

/** Capacity units for `bytes` read or written (4 KB each, at least one). */
export function capacityUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 4096));
}
