/**
 * BatchGetRow (at most 100 rows) and BatchWriteRow (at most 200 rows): limits checked for the whole request,
 * then each row answered on its own (`is_ok`, `error`, `consumed`, `row`).
 */
import { invalidParameter, OtsError, tableNotFound, tableNotReady } from './errors.js';
import { exactKey } from './keys.js';
import { isLoaded, type Operation } from './operation.js';
import { decodeRow, encodeRows, type RequestRow } from './plainbuffer.js';
import {
  decodeMessage,
  encodeMessage,
  Wire,
  type WireBatchGetRowRequest,
  type WireBatchWriteRowRequest,
} from './protocol.js';
import { capacityUnits, readOptionsFrom, shapeRow } from './read.js';
import { findRow, type InstanceState, type TableState, visibleSince } from './store.js';
import { comparePrimaryKeys, type PrimaryKeyValue } from './values.js';
import { deleteRow, putRow, updateRow } from './write.js';

/** The service's batch limits. */
export const BatchLimits = { maxGetRows: 100, maxWriteRows: 200, maxWriteBytes: 4 * 1024 * 1024 } as const;

function rowError(error: unknown): { isOk: false; error: { code: string; message: string } } {
  if (error instanceof OtsError) return { isOk: false, error: { code: error.code, message: error.message } };
  throw error;
}

function checkDistinctTables(names: readonly string[], operation: string): void {
  if (new Set(names).size !== names.length) {
    throw invalidParameter(`${operation}: a table appears more than once in the request.`);
  }
}

function tableOrError(instance: InstanceState, name: string, nowMs: number): TableState | OtsError {
  const table = instance.tables.get(name);
  if (!table) return tableNotFound();
  return isLoaded(table, nowMs) ? table : tableNotReady();
}

/** BatchGetRow. */
export const batchGetRow: Operation = (body) => {
  const req = decodeMessage<WireBatchGetRowRequest>('main.proto.BatchGetRowRequest', body);
  const total = req.tables.reduce((n, t) => n + t.primaryKey.length, 0);
  return {
    tables: req.tables.map((t) => t.tableName),
    run(instance, nowMs) {
      if (total === 0) throw invalidParameter('BatchGetRow: no row in the request.');
      if (total > BatchLimits.maxGetRows) {
        throw invalidParameter(`Rows count exceeds the upper limit: ${BatchLimits.maxGetRows}, got ${total}.`);
      }
      checkDistinctTables(
        req.tables.map((t) => t.tableName),
        'BatchGetRow',
      );
      const tables = req.tables.map((t) => {
        const table = tableOrError(instance, t.tableName, nowMs);
        const options = table instanceof OtsError ? undefined : readOptionsFrom(t);
        const rows = t.primaryKey.map((bytes) => {
          try {
            if (table instanceof OtsError) throw table;
            const pk = exactKey(table, decodeRow(bytes).primaryKey);
            const { index, found } = findRow(table.rows, pk);
            const shaped = found
              ? shapeRow(table, table.rows[index]!, visibleSince(table, nowMs), options!)
              : undefined;
            return {
              isOk: true,
              consumed: { capacityUnit: { read: capacityUnits(shaped?.bytes ?? 0), write: 0 } },
              row: shaped ? encodeRows([shaped.row]) : Buffer.alloc(0),
            };
          } catch (error) {
            return rowError(error);
          }
        });
        return { tableName: t.tableName, rows };
      });
      return encodeMessage('main.proto.BatchGetRowResponse', { tables });
    },
  };
};

/** BatchWriteRow. */
export const batchWriteRow: Operation = (body) => {
  const req = decodeMessage<WireBatchWriteRowRequest>('main.proto.BatchWriteRowRequest', body);
  const total = req.tables.reduce((n, t) => n + t.rows.length, 0);
  return {
    tables: req.tables.map((t) => t.tableName),
    run(instance, nowMs) {
      if (total === 0) throw invalidParameter('BatchWriteRow: no row in the request.');
      if (total > BatchLimits.maxWriteRows) {
        throw invalidParameter(`Rows count exceeds the upper limit: ${BatchLimits.maxWriteRows}, got ${total}.`);
      }
      const bytes = req.tables.reduce((n, t) => n + t.rows.reduce((m, r) => m + r.rowChange.length, 0), 0);
      if (bytes > BatchLimits.maxWriteBytes) {
        throw invalidParameter(`The total data size exceeds the upper limit: ${BatchLimits.maxWriteBytes} bytes.`);
      }
      checkDistinctTables(
        req.tables.map((t) => t.tableName),
        'BatchWriteRow',
      );
      const decoded = req.tables.map((t) => {
        const table = tableOrError(instance, t.tableName, nowMs);
        const changes = t.rows.map((r) => decodeRow(r.rowChange));
        if (!(table instanceof OtsError)) checkDistinctRows(table, changes);
        return { table, changes };
      });
      const tables = req.tables.map((t, ti) => {
        const { table, changes } = decoded[ti]!;
        const rows = t.rows.map((r, ri) => {
          try {
            if (table instanceof OtsError) throw table;
            const change = changes[ri]!;
            const returnContent = r.returnContent ?? undefined;
            const result =
              r.type === Wire.OperationType.PUT
                ? putRow(table, change, r.condition, returnContent, nowMs)
                : r.type === Wire.OperationType.UPDATE
                  ? updateRow(table, change, r.condition, returnContent, nowMs)
                  : r.type === Wire.OperationType.DELETE
                    ? deleteRow(table, change, r.condition, returnContent, nowMs)
                    : undefined;
            if (!result) throw invalidParameter(`Invalid operation type ${r.type} of a BatchWriteRow row.`);
            return { isOk: true, consumed: result.consumed, ...(result.row.length > 0 ? { row: result.row } : {}) };
          } catch (error) {
            return rowError(error);
          }
        });
        return { tableName: t.tableName, rows };
      });
      return encodeMessage('main.proto.BatchWriteRowResponse', { tables });
    },
  };
};

/** The service rejects a batch that writes one row twice. */
function checkDistinctRows(table: TableState, changes: readonly RequestRow[]): void {
  const keys: PrimaryKeyValue[][] = [];
  for (const change of changes) {
    try {
      keys.push(exactKey(table, change.primaryKey));
    } catch {
      // An invalid key fails its own row later.
    }
  }
  keys.sort(comparePrimaryKeys);
  for (let i = 1; i < keys.length; i += 1) {
    if (comparePrimaryKeys(keys[i - 1]!, keys[i]!) === 0) {
      throw invalidParameter(`BatchWriteRow: the same row appears more than once in table ${table.name}.`);
    }
  }
}
