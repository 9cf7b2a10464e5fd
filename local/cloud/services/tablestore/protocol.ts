/**
 * The Tablestore wire messages, read at run time from the `tablestore` SDK's own bundled `tablestore.proto` and
 * `tablestore_filter.proto` (protobuf 2), so the local service speaks exactly the SDK's format.
 */
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import { invalidParameter } from './errors.js';

const require = createRequire(import.meta.url);

let root: protobuf.Root | undefined;

function protoRoot(): protobuf.Root {
  if (!root) {
    root = new protobuf.Root().loadSync(
      [
        require.resolve('tablestore/lib/protocol/tablestore.proto'),
        require.resolve('tablestore/lib/protocol/tablestore_filter.proto'),
      ],
      { keepCase: false },
    );
  }
  return root;
}

const types = new Map<string, protobuf.Type>();

/** A message type by its full name (`main.proto.PutRowRequest`, `filter.proto.Filter`). */
export function messageType(fullName: string): protobuf.Type {
  let type = types.get(fullName);
  if (!type) {
    type = protoRoot().lookupType(fullName);
    types.set(fullName, type);
  }
  return type;
}

/**
 * Decode a message. A body that is not valid protobuf, or lacks a required field, is `OTSParameterInvalid`
 * (the real service rejects it the same way) with the decoder's explanation.
 */
export function decodeMessage<T>(fullName: string, body: Uint8Array): T {
  try {
    return messageType(fullName).decode(body) as unknown as T;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalidParameter(`Failed to parse ${fullName.replace(/^.*\./, '')}: ${reason}.`, { cause: error });
  }
}

/** Encode a message from a plain object (camelCase field names, as protobufjs names them). */
export function encodeMessage(fullName: string, value: object): Buffer {
  const type = messageType(fullName);
  const bytes = type.encode(type.fromObject(value as Record<string, unknown>)).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** True when a decoded message carried `field` on the wire (protobufjs keeps defaults on the prototype). */
export function hasField(message: object, field: string): boolean {
  return Object.hasOwn(message, field);
}

/** An int64 field of a decoded message (a `Long` or a number) as a JS number. */
export function int64ToNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object' && 'toNumber' in value) return (value as { toNumber(): number }).toNumber();
  return Number(value);
}

/** Numbers of the enums of tablestore.proto the service uses. */
export const Wire = {
  RowExistence: { IGNORE: 0, EXPECT_EXIST: 1, EXPECT_NOT_EXIST: 2 },
  ReturnType: { RT_NONE: 0, RT_PK: 1, RT_AFTER_MODIFY: 2 },
  Direction: { FORWARD: 0, BACKWARD: 1 },
  OperationType: { PUT: 1, UPDATE: 2, DELETE: 3 },
  TableStatus: { ACTIVE: 1 },
  FilterType: { SINGLE: 1, COMPOSITE: 2, PAGINATION: 3 },
  Comparator: { EQUAL: 1, NOT_EQUAL: 2, GREATER_THAN: 3, GREATER_EQUAL: 4, LESS_THAN: 5, LESS_EQUAL: 6 },
  LogicalOperator: { NOT: 1, AND: 2, OR: 3 },
} as const;

/** `Condition` as decoded. */
export interface WireCondition {
  rowExistence: number;
  columnCondition?: Uint8Array;
}

/** `ReturnContent` as decoded. */
export interface WireReturnContent {
  returnType?: number;
  returnColumnNames: string[];
}

/** `TimeRange` as decoded. */
export interface WireTimeRange {
  startTime?: unknown;
  endTime?: unknown;
  specificTime?: unknown;
}

/** `TableOptions` as decoded. */
export interface WireTableOptions {
  timeToLive?: number;
  maxVersions?: number;
  deviationCellVersionInSec?: unknown;
  allowUpdate?: boolean;
}

/** `CreateTableRequest` as decoded (the members the local service reads). */
export interface WireCreateTableRequest {
  tableMeta: {
    tableName: string;
    primaryKey: { name: string; type: number; option?: number }[];
    definedColumn: { name: string; type: number }[];
  };
  tableOptions?: WireTableOptions;
  reservedThroughput: { capacityUnit: { read?: number; write?: number } };
}

/** `UpdateTableRequest` as decoded. */
export interface WireUpdateTableRequest {
  tableName: string;
  tableOptions?: WireTableOptions;
  reservedThroughput?: { capacityUnit: { read?: number; write?: number } };
}

/** Requests naming only a table. */
export interface WireTableNameRequest {
  tableName: string;
}

/** Read parameters shared by GetRow, GetRange and BatchGetRow. */
export interface WireReadOptions {
  columnsToGet: string[];
  timeRange?: WireTimeRange;
  maxVersions?: number;
  filter?: Uint8Array;
}

/** `GetRowRequest` as decoded. */
export interface WireGetRowRequest extends WireReadOptions {
  tableName: string;
  primaryKey: Uint8Array;
}

/** `PutRowRequest` as decoded. */
export interface WirePutRowRequest {
  tableName: string;
  row: Uint8Array;
  condition: WireCondition;
  returnContent?: WireReturnContent;
}

/** `UpdateRowRequest` as decoded. */
export interface WireUpdateRowRequest {
  tableName: string;
  rowChange: Uint8Array;
  condition: WireCondition;
  returnContent?: WireReturnContent;
}

/** `DeleteRowRequest` as decoded. */
export interface WireDeleteRowRequest {
  tableName: string;
  primaryKey: Uint8Array;
  condition: WireCondition;
  returnContent?: WireReturnContent;
}

/** `GetRangeRequest` as decoded. */
export interface WireGetRangeRequest extends WireReadOptions {
  tableName: string;
  direction: number;
  limit?: number;
  inclusiveStartPrimaryKey: Uint8Array;
  exclusiveEndPrimaryKey: Uint8Array;
}

/** `BatchGetRowRequest` as decoded. */
export interface WireBatchGetRowRequest {
  tables: (WireReadOptions & { tableName: string; primaryKey: Uint8Array[] })[];
}

/** `BatchWriteRowRequest` as decoded. */
export interface WireBatchWriteRowRequest {
  tables: {
    tableName: string;
    rows: { type: number; rowChange: Uint8Array; condition: WireCondition; returnContent?: WireReturnContent }[];
  }[];
}

/** `filter.proto.Filter` as decoded. */
export interface WireFilter {
  type: number;
  filter: Uint8Array;
}

/** `filter.proto.SingleColumnValueFilter` as decoded. */
export interface WireSingleColumnValueFilter {
  comparator: number;
  columnName: string;
  columnValue: Uint8Array;
  filterIfMissing: boolean;
  latestVersionOnly: boolean;
}

/** `filter.proto.CompositeColumnValueFilter` as decoded. */
export interface WireCompositeColumnValueFilter {
  combinator: number;
  subFilters: WireFilter[];
}

/** `filter.proto.ColumnPaginationFilter` as decoded. */
export interface WireColumnPaginationFilter {
  offset: number;
  limit: number;
}
