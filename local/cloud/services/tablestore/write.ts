/**
 * Single-row writes (PutRow, UpdateRow, DeleteRow, and each row of BatchWriteRow): the row existence and column
 * conditions checked against what is visible now, then the change applied to the sorted rows.
 */
import { invalidParameter, OtsError, OtsMessage } from './errors.js';
import { decodeColumnFilter, matchesFilter } from './filters.js';
import { exactKey, keyForWrite, namedKey } from './keys.js';
import { encodePrimaryKey, encodeRows, PB, type RequestRow, type ResponseRow } from './plainbuffer.js';
import { Wire, type WireCondition, type WireReturnContent } from './protocol.js';
import { capacityUnits } from './read.js';
import {
  findRow,
  pruneExpired,
  type StoredCell,
  type StoredRow,
  type TableState,
  visibleColumns,
  visibleSince,
  writeCell,
} from './store.js';
import { type CellValue, type PrimaryKeyValue, valueSize } from './values.js';

/** What a write answers: consumed capacity and, when `return_content` asks, a row. */
export interface WriteOutcome {
  readonly consumed: { capacityUnit: { read: number; write: number } };
  readonly row: Buffer;
}

/** The kinds of single-row write. */
export type WriteKind = 'put' | 'update' | 'delete';

/** Check a write's condition against the row as visible now; throws `OTSConditionCheckFail` when it does not hold. */
function checkCondition(
  condition: WireCondition | undefined,
  visible: ReadonlyMap<string, readonly StoredCell[]> | undefined,
  kind: WriteKind,
): boolean {
  const existence = condition?.rowExistence ?? Wire.RowExistence.IGNORE;
  if (existence < Wire.RowExistence.IGNORE || existence > Wire.RowExistence.EXPECT_NOT_EXIST)
    throw invalidParameter(`Invalid row existence expectation ${existence}.`);
  if (kind === 'delete' && existence === Wire.RowExistence.EXPECT_NOT_EXIST) {
    throw invalidParameter('Invalid condition: EXPECT_NOT_EXIST while deleting row.');
  }
  const filterBytes = condition?.columnCondition;
  const filter = filterBytes && filterBytes.length > 0 ? decodeColumnFilter(filterBytes) : undefined;
  if (filter?.kind === 'pagination') throw invalidParameter('A column pagination filter is not a valid condition.');
  const exists = visible !== undefined;
  if (existence === Wire.RowExistence.EXPECT_EXIST && !exists) {
    throw new OtsError('OTSConditionCheckFail', OtsMessage.conditionCheckFail);
  }
  if (existence === Wire.RowExistence.EXPECT_NOT_EXIST && exists) {
    throw new OtsError('OTSConditionCheckFail', OtsMessage.conditionCheckFail);
  }
  if (filter && !matchesFilter(filter, visible)) {
    throw new OtsError('OTSConditionCheckFail', OtsMessage.conditionCheckFail);
  }
  return existence !== Wire.RowExistence.IGNORE || filter !== undefined;
}

function checkColumnName(table: TableState, name: string): void {
  if (name.length === 0 || name.length > 255) {
    throw invalidParameter(`Invalid column name: '${name}' (1 to 255 characters).`);
  }
  if (table.primaryKey.some((c) => c.name === name)) {
    throw invalidParameter(`The attribute column '${name}' has the name of a primary key column.`);
  }
}

function returnedRow(
  table: TableState,
  pk: readonly PrimaryKeyValue[],
  returnContent: WireReturnContent | undefined,
  row: StoredRow | undefined,
  since: number,
): Buffer {
  const type = returnContent?.returnType ?? Wire.ReturnType.RT_NONE;
  if (type === Wire.ReturnType.RT_PK) return encodePrimaryKey(namedKey(table, pk));
  if (type === Wire.ReturnType.RT_AFTER_MODIFY && row) {
    const visible = visibleColumns(row, since) ?? new Map<string, StoredCell[]>();
    const names = returnContent?.returnColumnNames.length ? returnContent.returnColumnNames : [...visible.keys()];
    const cells: ResponseRow['cells'][number][] = [];
    for (const name of [...names].sort()) {
      const latest = visible.get(name)?.[0];
      if (latest) cells.push({ name, value: latest.value, timestamp: latest.ts });
    }
    return encodeRows([{ primaryKey: namedKey(table, pk), cells }]);
  }
  return Buffer.alloc(0);
}

function outcome(readUnits: boolean, bytes: number, row: Buffer): WriteOutcome {
  return { consumed: { capacityUnit: { read: readUnits ? 1 : 0, write: capacityUnits(bytes) } }, row };
}

function rowBytes(pk: readonly PrimaryKeyValue[], cells: readonly { name: string; value?: CellValue }[]): number {
  let n = pk.reduce((s, v) => s + valueSize(v), 0);
  for (const c of cells) n += c.name.length + (c.value ? valueSize(c.value) : 0);
  return n;
}

/** PutRow: replace the whole row. */
export function putRow(
  table: TableState,
  change: RequestRow,
  condition: WireCondition | undefined,
  returnContent: WireReturnContent | undefined,
  nowMs: number,
): WriteOutcome {
  const pk = keyForWrite(table, change.primaryKey, true);
  for (const cell of change.cells) {
    checkColumnName(table, cell.name);
    if (cell.op !== undefined || !cell.value) {
      throw invalidParameter(`PutRow: column '${cell.name}' must have a value and no update type.`);
    }
  }
  const since = visibleSince(table, nowMs);
  const { index, found } = findRow(table.rows, pk);
  const visible = found ? visibleColumns(table.rows[index]!, since) : undefined;
  const read = checkCondition(condition, visible, 'put');
  const row: StoredRow = { pk, columns: new Map(), writtenAt: nowMs };
  for (const cell of change.cells) {
    writeCell(row, cell.name, { value: cell.value!, ts: cell.timestamp ?? nowMs }, table.maxVersions);
  }
  if (found) table.rows[index] = row;
  else table.rows.splice(index, 0, row);
  return outcome(read, rowBytes(pk, change.cells), returnedRow(table, pk, returnContent, row, since));
}

/** UpdateRow: PUT, DELETE (one version), DELETE_ALL and INCREMENT of columns; creates the row when absent. */
export function updateRow(
  table: TableState,
  change: RequestRow,
  condition: WireCondition | undefined,
  returnContent: WireReturnContent | undefined,
  nowMs: number,
): WriteOutcome {
  const pk = exactKey(table, change.primaryKey);
  if (change.cells.length === 0) throw invalidParameter('UpdateRow: no attribute column to update.');
  for (const cell of change.cells) {
    checkColumnName(table, cell.name);
    if (cell.op === undefined && !cell.value) throw invalidParameter(`UpdateRow: PUT of '${cell.name}' has no value.`);
    if (cell.op === PB.OP_DELETE_ONE_VERSION && cell.timestamp === undefined) {
      throw invalidParameter(`UpdateRow: DELETE of '${cell.name}' needs the timestamp of the version to delete.`);
    }
    if (cell.op === PB.OP_INCREMENT && cell.value?.kind !== 'INTEGER') {
      throw invalidParameter(`UpdateRow: INCREMENT of '${cell.name}' needs an INTEGER (Long) value.`);
    }
    if (
      cell.op !== undefined &&
      ![PB.OP_DELETE_ALL_VERSIONS, PB.OP_DELETE_ONE_VERSION, PB.OP_INCREMENT].includes(cell.op as 1)
    ) {
      throw invalidParameter(`UpdateRow: unknown update type ${cell.op} for '${cell.name}'.`);
    }
  }
  const since = visibleSince(table, nowMs);
  const { index, found } = findRow(table.rows, pk);
  const existing = found ? table.rows[index]! : undefined;
  const visible = existing ? visibleColumns(existing, since) : undefined;
  const read = checkCondition(condition, visible, 'update');
  const writes = change.cells.some((c) => c.op === undefined || c.op === PB.OP_INCREMENT);
  if (!visible && !writes) {
    return outcome(read, rowBytes(pk, change.cells), returnedRow(table, pk, returnContent, undefined, since));
  }
  const row: StoredRow = existing && visible ? existing : { pk, columns: new Map(), writtenAt: nowMs };
  pruneExpired(row, since);
  for (const cell of change.cells) {
    if (cell.op === undefined) {
      writeCell(row, cell.name, { value: cell.value!, ts: cell.timestamp ?? nowMs }, table.maxVersions);
    } else if (cell.op === PB.OP_DELETE_ALL_VERSIONS) {
      row.columns.delete(cell.name);
    } else if (cell.op === PB.OP_DELETE_ONE_VERSION) {
      const versions = row.columns.get(cell.name)?.filter((v) => v.ts !== cell.timestamp);
      if (versions?.length) row.columns.set(cell.name, versions);
      else row.columns.delete(cell.name);
    } else {
      const current = row.columns.get(cell.name)?.[0]?.value;
      if (current && current.kind !== 'INTEGER') {
        throw invalidParameter(
          `UpdateRow: INCREMENT of '${cell.name}', which holds a ${current.kind}, not an INTEGER.`,
        );
      }
      const delta = (cell.value as CellValue & { kind: 'INTEGER' }).value;
      const next = BigInt.asIntN(64, (current?.value ?? 0n) + delta);
      writeCell(row, cell.name, { value: { kind: 'INTEGER', value: next }, ts: nowMs }, table.maxVersions);
    }
  }
  row.writtenAt = nowMs;
  if (!existing) table.rows.splice(index, 0, row);
  else if (row !== existing) table.rows[index] = row;
  return outcome(read, rowBytes(pk, change.cells), returnedRow(table, pk, returnContent, row, since));
}

/** DeleteRow: remove the row (all columns, all versions). */
export function deleteRow(
  table: TableState,
  change: RequestRow,
  condition: WireCondition | undefined,
  returnContent: WireReturnContent | undefined,
  nowMs: number,
): WriteOutcome {
  const pk = exactKey(table, change.primaryKey);
  const since = visibleSince(table, nowMs);
  const { index, found } = findRow(table.rows, pk);
  const visible = found ? visibleColumns(table.rows[index]!, since) : undefined;
  const read = checkCondition(condition, visible, 'delete');
  if (found) table.rows.splice(index, 1);
  return outcome(read, rowBytes(pk, []), returnedRow(table, pk, returnContent, undefined, since));
}
