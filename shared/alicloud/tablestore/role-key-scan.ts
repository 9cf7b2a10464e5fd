import TableStore from 'tablestore';
import { compareRoleKeys, type RoleKey } from '../../domain/grant.js';
import type { RoleKeyFilter } from '../../ports.js';
import { PageSize, primaryKeyOf, rangePages } from './rows.js';

/** A table whose primary key starts (ownerUid, roleName): the grants and the role status rows. */
export interface RoleKeyTable {
  readonly client: TableStore.Client;
  readonly name: string;
  /** The primary-key columns after `roleName` (the grants' `trustedUid`; none for status rows). */
  readonly restOfKey: readonly string[];
  /** An attribute column every row has: asked for alone, so a page carries the keys and one small cell per row. */
  readonly presentColumn: string;
}

/**
 * The roles of a table, their keys alone, each once, in key order: the rows the filter keeps, read in pages of
 * {@link PageSize.keys}. With `after`, the scan starts at that role's first row and passes over it.
 */
export async function* scanRoleKeys(table: RoleKeyTable, filter?: RoleKeyFilter): AsyncIterable<RoleKey> {
  const range = keyRange(table.restOfKey, filter);
  if (range === undefined) return;
  const after = filter?.after;
  let last: RoleKey | undefined;
  for await (const rows of rangePages(
    table.client,
    table.name,
    range.start,
    range.end,
    [table.presentColumn],
    PageSize.keys,
  )) {
    for (const row of rows) {
      const pk = primaryKeyOf(row);
      const key = { ownerAccountId: String(pk.ownerUid), roleName: String(pk.roleName) };
      if (after !== undefined && compareRoleKeys(key, after) <= 0) continue;
      if (last !== undefined && compareRoleKeys(key, last) === 0) continue;
      last = key;
      yield key;
    }
  }
}

/** The key range of every row of the table, or of one owner account's rows. */
export function ownerKeyRange(
  restOfKey: readonly string[],
  owner: string | undefined,
): { start: TableStore.PrimaryKeyInput; end: TableStore.PrimaryKeyInput } {
  return {
    start: rowKey(restOfKey, owner ?? TableStore.INF_MIN, TableStore.INF_MIN, TableStore.INF_MIN),
    end: rowKey(restOfKey, owner ?? TableStore.INF_MAX, TableStore.INF_MAX, TableStore.INF_MAX),
  };
}

/** The key range a filter reads, or undefined when it keeps no role (`after` past the owner it names). */
function keyRange(
  restOfKey: readonly string[],
  filter: RoleKeyFilter | undefined,
): { start: TableStore.PrimaryKeyInput; end: TableStore.PrimaryKeyInput } | undefined {
  const owner = filter?.ownerAccountId;
  const after = filter?.after;
  const whole = ownerKeyRange(restOfKey, owner);
  if (after === undefined || (owner !== undefined && after.ownerAccountId < owner)) return whole;
  if (owner !== undefined && after.ownerAccountId > owner) return undefined;
  return { start: rowKey(restOfKey, after.ownerAccountId, after.roleName, TableStore.INF_MIN), end: whole.end };
}

/** A primary key (ownerUid, roleName, then `restOfKey` each set to `rest`). */
function rowKey(
  restOfKey: readonly string[],
  ownerUid: TableStore.PrimaryKeyValue,
  roleName: TableStore.PrimaryKeyValue,
  rest: TableStore.PrimaryKeyValue,
): TableStore.PrimaryKeyInput {
  return [{ ownerUid }, { roleName }, ...restOfKey.map((name) => ({ [name]: rest }))];
}
