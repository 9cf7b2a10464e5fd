/**
 * The local Tablestore's state: instances per (account, instance name), tables with their primary-key schema and
 * options, and rows kept sorted by primary key (binary search; one splice per insert or delete, never a sort).
 * Cells keep their versions newest first; time to live is applied when reading, from the core's clock.
 */
import type { CloudCore } from '../../contract.js';
import {
  type BoundValue,
  type CellValue,
  comparePrimaryKeys,
  type PrimaryKeyTypeName,
  type PrimaryKeyValue,
} from './values.js';

/** The key of this service's state bag in the core. */
export const TABLESTORE_SERVICE = 'tablestore';

/** Seconds a cell's timestamp may deviate from now on tables with a TTL (the service's default). */
export const DEFAULT_MAX_TIME_DEVIATION_SECONDS = 86_400;

/** One version of a cell. */
export interface StoredCell {
  readonly value: CellValue;
  /** Version timestamp, milliseconds since the epoch. */
  readonly ts: number;
}

/** One row: its primary key (in schema order) and its attribute columns. */
export interface StoredRow {
  readonly pk: readonly PrimaryKeyValue[];
  /** Versions of each column, newest first. */
  readonly columns: Map<string, StoredCell[]>;
  /** When the row was last written (ms); makes a row without attribute columns exist until its TTL passes. */
  writtenAt: number;
}

/** A primary-key column of a table's schema. */
export interface KeyColumn {
  readonly name: string;
  readonly type: PrimaryKeyTypeName;
  readonly autoIncrement: boolean;
}

/** One table. */
export interface TableState {
  readonly name: string;
  readonly primaryKey: readonly KeyColumn[];
  /** Seconds; -1 keeps data forever. */
  timeToLive: number;
  maxVersions: number;
  maxTimeDeviation: number;
  reservedRead: number;
  reservedWrite: number;
  /** Creation time (ms). */
  readonly createdAt: number;
  /** When row operations stop answering `OTSTableNotReady` (ms); absent means loaded. */
  readonly readyAt?: number | undefined;
  /** Last value handed out for an auto-increment primary-key column. */
  autoIncrement: bigint;
  /** Rows sorted by primary key. */
  readonly rows: StoredRow[];
}

/** One Tablestore instance of one account. */
export interface InstanceState {
  readonly accountId: string;
  readonly name: string;
  readonly tables: Map<string, TableState>;
}

/** Everything the local Tablestore keeps. */
export interface TablestoreState {
  /** Keyed by `<accountId>/<instance name>`. */
  readonly instances: Map<string, InstanceState>;
}

/** The service's state bag in the core. */
export function tablestoreState(core: CloudCore): TablestoreState {
  return core.serviceState<TablestoreState>(TABLESTORE_SERVICE, () => ({ instances: new Map() }));
}

/** The instance of an account, created on first use (the local cloud has every instance a caller names). */
export function instanceOf(state: TablestoreState, accountId: string, name: string): InstanceState {
  const key = `${accountId}/${name}`;
  let instance = state.instances.get(key);
  if (!instance) {
    instance = { accountId, name, tables: new Map() };
    state.instances.set(key, instance);
  }
  return instance;
}

/** Position of `key` among the rows: its index when found, else where it would be inserted. */
export function findRow(rows: readonly StoredRow[], key: readonly BoundValue[]): { index: number; found: boolean } {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = comparePrimaryKeys(rows[mid]!.pk, key);
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid;
    else return { index: mid, found: true };
  }
  return { index: lo, found: false };
}

/** Index of the first row whose key is greater than `key` (rows at `key` come before it). */
export function rowsAfter(rows: readonly StoredRow[], key: readonly BoundValue[]): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePrimaryKeys(rows[mid]!.pk, key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The oldest timestamp (ms) still visible in a table at `nowMs`; everything older has expired. */
export function visibleSince(table: TableState, nowMs: number): number {
  return table.timeToLive < 0 ? Number.NEGATIVE_INFINITY : nowMs - table.timeToLive * 1000;
}

/** The row's columns that have not expired, versions newest first, or undefined when the row does not exist. */
export function visibleColumns(row: StoredRow, since: number): Map<string, StoredCell[]> | undefined {
  if (since === Number.NEGATIVE_INFINITY) return row.columns;
  if (row.columns.size === 0) return row.writtenAt > since ? row.columns : undefined;
  const out = new Map<string, StoredCell[]>();
  for (const [name, versions] of row.columns) {
    const live = versions.filter((v) => v.ts > since);
    if (live.length > 0) out.set(name, live);
  }
  return out.size > 0 ? out : undefined;
}

/** Write one version of a column, keeping at most `maxVersions` (newest first; same timestamp replaces). */
export function writeCell(row: StoredRow, name: string, cell: StoredCell, maxVersions: number): void {
  const versions = row.columns.get(name) ?? [];
  let i = 0;
  while (i < versions.length && versions[i]!.ts > cell.ts) i += 1;
  if (i < versions.length && versions[i]!.ts === cell.ts) versions[i] = cell;
  else versions.splice(i, 0, cell);
  if (versions.length > maxVersions) versions.length = maxVersions;
  row.columns.set(name, versions);
}

/** Drop versions that expired, so long-lived rows do not grow without bound. */
export function pruneExpired(row: StoredRow, since: number): void {
  if (since === Number.NEGATIVE_INFINITY) return;
  for (const [name, versions] of row.columns) {
    const live = versions.filter((v) => v.ts > since);
    if (live.length === 0) row.columns.delete(name);
    else if (live.length !== versions.length) row.columns.set(name, live);
  }
}
