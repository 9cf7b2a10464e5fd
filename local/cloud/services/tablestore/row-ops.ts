/**
 * Row operations: GetRow, PutRow, UpdateRow, DeleteRow and GetRange.
 */
import { invalidParameter } from './errors.js';
import { boundKey, exactKey } from './keys.js';
import { type Operation, requireReadyTable } from './operation.js';
import { decodeRow, encodePrimaryKey, encodeRows, type ResponseRow } from './plainbuffer.js';
import {
  decodeMessage,
  encodeMessage,
  hasField,
  Wire,
  type WireDeleteRowRequest,
  type WireGetRangeRequest,
  type WireGetRowRequest,
  type WirePutRowRequest,
  type WireUpdateRowRequest,
} from './protocol.js';
import { capacityUnits, readOptionsFrom, shapeRow } from './read.js';
import { findRow, rowsAfter, visibleSince } from './store.js';
import { comparePrimaryKeys } from './values.js';
import { deleteRow as deleteOne, putRow as putOne, updateRow as updateOne } from './write.js';

/** GetRange answers at most this many rows per call. */
export const MAX_RANGE_ROWS = 5000;
/** GetRange answers at most this many bytes of rows per call. */
export const MAX_RANGE_BYTES = 4 * 1024 * 1024;

/** GetRow: the row (an empty `row` when absent or expired). */
export const getRow: Operation = (body) => {
  const req = decodeMessage<WireGetRowRequest>('main.proto.GetRowRequest', body);
  return {
    tables: [req.tableName],
    run(instance, nowMs) {
      const table = requireReadyTable(instance, req.tableName, nowMs);
      const pk = exactKey(table, decodeRow(req.primaryKey).primaryKey);
      const options = readOptionsFrom(req);
      const { index, found } = findRow(table.rows, pk);
      const shaped = found ? shapeRow(table, table.rows[index]!, visibleSince(table, nowMs), options) : undefined;
      return encodeMessage('main.proto.GetRowResponse', {
        consumed: { capacityUnit: { read: capacityUnits(shaped?.bytes ?? 0), write: 0 } },
        row: shaped ? encodeRows([shaped.row]) : Buffer.alloc(0),
      });
    },
  };
};

/** PutRow. */
export const putRow: Operation = (body) => {
  const req = decodeMessage<WirePutRowRequest>('main.proto.PutRowRequest', body);
  return {
    tables: [req.tableName],
    run(instance, nowMs) {
      const table = requireReadyTable(instance, req.tableName, nowMs);
      const result = putOne(table, decodeRow(req.row), req.condition, req.returnContent ?? undefined, nowMs);
      return encodeMessage('main.proto.PutRowResponse', result);
    },
  };
};

/** UpdateRow. */
export const updateRow: Operation = (body) => {
  const req = decodeMessage<WireUpdateRowRequest>('main.proto.UpdateRowRequest', body);
  return {
    tables: [req.tableName],
    run(instance, nowMs) {
      const table = requireReadyTable(instance, req.tableName, nowMs);
      const result = updateOne(table, decodeRow(req.rowChange), req.condition, req.returnContent ?? undefined, nowMs);
      return encodeMessage('main.proto.UpdateRowResponse', result);
    },
  };
};

/** DeleteRow. */
export const deleteRow: Operation = (body) => {
  const req = decodeMessage<WireDeleteRowRequest>('main.proto.DeleteRowRequest', body);
  return {
    tables: [req.tableName],
    run(instance, nowMs) {
      const table = requireReadyTable(instance, req.tableName, nowMs);
      const result = deleteOne(table, decodeRow(req.primaryKey), req.condition, req.returnContent ?? undefined, nowMs);
      return encodeMessage('main.proto.DeleteRowResponse', result);
    },
  };
};

/**
 * GetRange: rows from the inclusive start key towards the exclusive end key (FORWARD ascending, BACKWARD
 * descending), at most `limit` (and {@link MAX_RANGE_ROWS}) rows; `next_start_primary_key` is the key of the next
 * row in the range when the answer stopped early.
 */
export const getRange: Operation = (body) => {
  const req = decodeMessage<WireGetRangeRequest>('main.proto.GetRangeRequest', body);
  return {
    tables: [req.tableName],
    run(instance, nowMs) {
      const table = requireReadyTable(instance, req.tableName, nowMs);
      const start = boundKey(table, decodeRow(req.inclusiveStartPrimaryKey).primaryKey);
      const end = boundKey(table, decodeRow(req.exclusiveEndPrimaryKey).primaryKey);
      const options = readOptionsFrom(req);
      const forward = req.direction === Wire.Direction.FORWARD;
      if (req.direction !== Wire.Direction.FORWARD && req.direction !== Wire.Direction.BACKWARD) {
        throw invalidParameter(`Invalid direction ${req.direction}.`);
      }
      const order = comparePrimaryKeys(start, end);
      if (forward && order >= 0) throw invalidParameter('Begin key must less than end key in FORWARD.');
      if (!forward && order <= 0) throw invalidParameter('Begin key must more than end key in BACKWARD.');
      let limit = MAX_RANGE_ROWS;
      if (hasField(req, 'limit')) {
        if ((req.limit ?? 0) <= 0) throw invalidParameter(`The limit must be greater than 0, got ${req.limit}.`);
        limit = Math.min(limit, req.limit ?? limit);
      }
      const since = visibleSince(table, nowMs);
      const rows: ResponseRow[] = [];
      let bytes = 0;
      let next: ResponseRow['primaryKey'] | undefined;
      const step = forward ? 1 : -1;
      let i = forward ? findRow(table.rows, start).index : rowsAfter(table.rows, start) - 1;
      for (; i >= 0 && i < table.rows.length; i += step) {
        const stored = table.rows[i]!;
        const c = comparePrimaryKeys(stored.pk, end);
        if (forward ? c >= 0 : c <= 0) break;
        if (rows.length >= limit || bytes >= MAX_RANGE_BYTES) {
          next = table.primaryKey.map((k, j) => ({ name: k.name, value: stored.pk[j]! }));
          break;
        }
        const shaped = shapeRow(table, stored, since, options);
        if (!shaped) continue;
        rows.push(shaped.row);
        bytes += shaped.bytes;
      }
      return encodeMessage('main.proto.GetRangeResponse', {
        consumed: { capacityUnit: { read: capacityUnits(bytes), write: 0 } },
        rows: encodeRows(rows),
        ...(next ? { nextStartPrimaryKey: encodePrimaryKey(next) } : {}),
      });
    },
  };
};
