import TableStore from 'tablestore';
import { callStore } from './errors.js';

/**
 * How many rows one GetRange page asks for: whole rows, or rows read for their keys alone (a few dozen bytes each,
 * so Tablestore's own cap per page, 5,000 rows or 4 MB, is what bounds them).
 */
export const PageSize = { rows: 1000, keys: 5000 } as const;

/** Attribute columns of a row as a plain record (latest version of each column). */
export function attributesOf(row: TableStore.Row | undefined): Record<string, TableStore.ColumnValue> {
  const out: Record<string, TableStore.ColumnValue> = {};
  for (const column of row?.attributes ?? []) {
    if (!(column.columnName in out)) out[column.columnName] = column.columnValue;
  }
  return out;
}

/** Primary-key columns of a row as a plain record. */
export function primaryKeyOf(row: TableStore.Row | undefined): Record<string, string | TableStore.Long | Buffer> {
  const out: Record<string, string | TableStore.Long | Buffer> = {};
  for (const column of row?.primaryKey ?? []) out[column.name] = column.value;
  return out;
}

/** True when GetRow found a row. */
export function rowExists(row: TableStore.Row | undefined): boolean {
  return (row?.primaryKey?.length ?? 0) > 0;
}

/** A Tablestore integer attribute as a JS number (`0` when absent). */
export function longToNumber(value: TableStore.ColumnValue | undefined): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && 'toNumber' in value) return (value as TableStore.Long).toNumber();
  return Number(value);
}

/** A JS integer as a Tablestore Long (plain numbers would be written as DOUBLE). */
export function long(n: number): TableStore.Long {
  return TableStore.Long.fromNumber(n);
}

/** A string attribute, or undefined. */
export function stringAttr(value: TableStore.ColumnValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Condition: the row must not exist yet. */
export function mustNotExist(): TableStore.Condition {
  return new TableStore.Condition(TableStore.RowExistenceExpectation.EXPECT_NOT_EXIST, null);
}

/** Condition: the row exists and its integer `column` equals `expected`. */
export function mustHaveVersion(column: string, expected: number): TableStore.Condition {
  return new TableStore.Condition(
    TableStore.RowExistenceExpectation.EXPECT_EXIST,
    new TableStore.SingleColumnCondition(column, long(expected), TableStore.ComparatorType.EQUAL, false),
  );
}

/** Condition: none. */
export function ignoreExistence(): TableStore.Condition {
  return new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null);
}

/**
 * The rows of `table` from `start` (inclusive) to `end` (exclusive), forward, one page (one GetRange) at a time: a
 * scan of every role reads its rows page by page, without a step of an async generator per row.
 */
export async function* rangePages(
  client: TableStore.Client,
  table: string,
  start: TableStore.PrimaryKeyInput,
  end: TableStore.PrimaryKeyInput,
  columnsToGet?: string[],
  pageSize: number = PageSize.rows,
): AsyncIterable<readonly TableStore.Row[]> {
  let next: TableStore.PrimaryKeyInput | undefined = start;
  while (next) {
    const page = await rangePage(client, table, next, end, columnsToGet, pageSize);
    yield page.rows;
    next = page.next;
  }
}

/** One GetRange, forward, from `from` (inclusive) to `end` (exclusive): its rows and where the next page starts. */
async function rangePage(
  client: TableStore.Client,
  table: string,
  from: TableStore.PrimaryKeyInput,
  end: TableStore.PrimaryKeyInput,
  columnsToGet: string[] | undefined,
  pageSize: number,
): Promise<{ rows: TableStore.Row[]; next: TableStore.PrimaryKeyInput | undefined }> {
  const page = await callStore('GetRange', () =>
    client.getRange({
      tableName: table,
      direction: TableStore.Direction.FORWARD,
      inclusiveStartPrimaryKey: from,
      exclusiveEndPrimaryKey: end,
      limit: pageSize,
      maxVersions: 1,
      ...(columnsToGet ? { columnsToGet } : {}),
    }),
  );
  return {
    rows: page.rows,
    next: page.nextStartPrimaryKey?.length ? page.nextStartPrimaryKey.map((c) => ({ [c.name]: c.value })) : undefined,
  };
}

/**
 * The rows of `table` from `start` (inclusive) to `end` (exclusive), forward, each page decoded with `decode` as it
 * arrives: the SDK's rows (their `Int64`s, `Buffer`s and the answer they slice, several times the decoded size) are
 * garbage before the first item is handed out, not held while a long run works through the page. Not a generator:
 * V8 keeps a suspended generator's locals, dead or not, so a generator that had the page in a local would hold it
 * until its next step (docs/benchmarks.md, "Memory, next pass").
 */
export function decodedPages<T>(
  client: TableStore.Client,
  table: string,
  start: TableStore.PrimaryKeyInput,
  end: TableStore.PrimaryKeyInput,
  decode: (row: TableStore.Row) => T,
  columnsToGet?: string[],
): AsyncIterable<T[]> {
  return {
    [Symbol.asyncIterator]: () => {
      let next: TableStore.PrimaryKeyInput | undefined = start;
      return {
        next: async (): Promise<IteratorResult<T[], undefined>> => {
          if (next === undefined) return { done: true, value: undefined };
          const page = await rangePage(client, table, next, end, columnsToGet, PageSize.rows);
          next = page.next;
          return { done: false, value: page.rows.map(decode) };
        },
      };
    },
  };
}

/** Rows of `table` from `start` (inclusive) to `end` (exclusive), forward, one page in memory at a time. */
export async function* rangeRows(
  client: TableStore.Client,
  table: string,
  start: TableStore.PrimaryKeyInput,
  end: TableStore.PrimaryKeyInput,
  columnsToGet?: string[],
): AsyncIterable<TableStore.Row> {
  for await (const rows of rangePages(client, table, start, end, columnsToGet)) yield* rows;
}
