/**
 * Table operations: CreateTable, ListTable, DescribeTable, UpdateTable (TTL, max versions), DeleteTable.
 */
import { invalidParameter, OtsError, OtsMessage } from './errors.js';
import { type Operation, requireTable } from './operation.js';
import {
  decodeMessage,
  encodeMessage,
  hasField,
  int64ToNumber,
  Wire,
  type WireCreateTableRequest,
  type WireTableNameRequest,
  type WireTableOptions,
  type WireUpdateTableRequest,
} from './protocol.js';
import { DEFAULT_MAX_TIME_DEVIATION_SECONDS, type KeyColumn, type TableState } from './store.js';
import { PrimaryKeyType, type PrimaryKeyTypeName } from './values.js';

/** Limits of table definitions the service enforces. */
export const TableLimits = {
  maxPrimaryKeyColumns: 4,
  /** A TTL is -1 (forever) or at least this many seconds. */
  minTimeToLive: 86_400,
  maxVersions: 100,
} as const;

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;

function checkTableName(name: string): void {
  if (!TABLE_NAME.test(name)) {
    throw invalidParameter(
      `Invalid table name: '${name}'. Use 1 to 255 letters, digits or underscores, not starting with a digit.`,
    );
  }
}

function applyOptions(table: Pick<TableState, 'timeToLive' | 'maxVersions' | 'maxTimeDeviation'>, o: WireTableOptions) {
  if (hasField(o, 'timeToLive') && o.timeToLive !== undefined) {
    if (o.timeToLive !== -1 && (o.timeToLive <= 0 || o.timeToLive < TableLimits.minTimeToLive)) {
      throw invalidParameter(
        `time_to_live must be -1 or at least ${TableLimits.minTimeToLive} seconds, got ${o.timeToLive}.`,
      );
    }
    table.timeToLive = o.timeToLive;
  }
  if (hasField(o, 'maxVersions') && o.maxVersions !== undefined) {
    if (o.maxVersions < 1 || o.maxVersions > TableLimits.maxVersions) {
      throw invalidParameter(`max_versions must be between 1 and ${TableLimits.maxVersions}, got ${o.maxVersions}.`);
    }
    table.maxVersions = o.maxVersions;
  }
  if (hasField(o, 'deviationCellVersionInSec')) {
    const d = int64ToNumber(o.deviationCellVersionInSec);
    if (d <= 0) throw invalidParameter(`deviation_cell_version_in_sec must be positive, got ${d}.`);
    table.maxTimeDeviation = d;
  }
}

function tableOptionsOf(table: TableState): object {
  return {
    timeToLive: table.timeToLive,
    maxVersions: table.maxVersions,
    deviationCellVersionInSec: table.maxTimeDeviation,
    allowUpdate: true,
  };
}

function throughputOf(table: TableState): object {
  return {
    capacityUnit: { read: table.reservedRead, write: table.reservedWrite },
    lastIncreaseTime: Math.floor(table.createdAt / 1000),
  };
}

const TYPE_NAMES = Object.fromEntries(Object.entries(PrimaryKeyType).map(([k, v]) => [v, k])) as Record<
  number,
  PrimaryKeyTypeName | undefined
>;

/**
 * CreateTable: a new table with its primary key, TTL and max versions; `OTSObjectAlreadyExist` when taken. The
 * table answers row operations with `OTSTableNotReady` for the configured load time.
 */
export const createTable: Operation = (body) => {
  const req = decodeMessage<WireCreateTableRequest>('main.proto.CreateTableRequest', body);
  const name = req.tableMeta.tableName;
  return {
    tables: [name],
    run(instance, nowMs, settings) {
      checkTableName(name);
      const keys = req.tableMeta.primaryKey;
      if (keys.length === 0 || keys.length > TableLimits.maxPrimaryKeyColumns) {
        throw invalidParameter(
          `The number of primary key columns must be in range: [1, ${TableLimits.maxPrimaryKeyColumns}], got ${keys.length}.`,
        );
      }
      const seen = new Set<string>();
      const primaryKey: KeyColumn[] = keys.map((k) => {
        const type = TYPE_NAMES[k.type];
        if (!type) throw invalidParameter(`Invalid type ${k.type} of primary key column '${k.name}'.`);
        if (!k.name || seen.has(k.name)) throw invalidParameter(`Duplicated or empty primary key name: '${k.name}'.`);
        seen.add(k.name);
        const autoIncrement = hasField(k, 'option') && k.option === 1;
        if (autoIncrement && type !== 'INTEGER') {
          throw invalidParameter(`Auto-increment primary key column '${k.name}' must be INTEGER.`);
        }
        return { name: k.name, type, autoIncrement };
      });
      if (instance.tables.has(name)) throw new OtsError('OTSObjectAlreadyExist', OtsMessage.tableAlreadyExist);
      const table: TableState = {
        name,
        primaryKey,
        timeToLive: -1,
        maxVersions: 1,
        maxTimeDeviation: DEFAULT_MAX_TIME_DEVIATION_SECONDS,
        reservedRead: req.reservedThroughput?.capacityUnit?.read ?? 0,
        reservedWrite: req.reservedThroughput?.capacityUnit?.write ?? 0,
        createdAt: nowMs,
        ...(settings.tableLoadMs > 0 ? { readyAt: nowMs + settings.tableLoadMs } : {}),
        autoIncrement: 0n,
        rows: [],
      };
      if (req.tableOptions) applyOptions(table, req.tableOptions);
      instance.tables.set(name, table);
      return encodeMessage('main.proto.CreateTableResponse', {});
    },
  };
};

/** ListTable: the instance's table names, sorted. */
export const listTable: Operation = () => ({
  tables: [],
  run(instance) {
    return encodeMessage('main.proto.ListTableResponse', { tableNames: [...instance.tables.keys()].sort() });
  },
});

/**
 * DescribeTable: schema, options, reserved throughput and status. The status stays ACTIVE while a new table loads:
 * whether the service reports loading there is not documented, so only row operations show it.
 */
export const describeTable: Operation = (body) => {
  const req = decodeMessage<WireTableNameRequest>('main.proto.DescribeTableRequest', body);
  return {
    tables: [req.tableName],
    run(instance) {
      const table = requireTable(instance, req.tableName);
      return encodeMessage('main.proto.DescribeTableResponse', {
        tableMeta: {
          tableName: table.name,
          primaryKey: table.primaryKey.map((k) => ({
            name: k.name,
            type: PrimaryKeyType[k.type],
            ...(k.autoIncrement ? { option: 1 } : {}),
          })),
          definedColumn: [],
        },
        reservedThroughputDetails: throughputOf(table),
        tableOptions: tableOptionsOf(table),
        tableStatus: Wire.TableStatus.ACTIVE,
        shardSplits: [],
        indexMetas: [],
      });
    },
  };
};

/** UpdateTable: change TTL, max versions or reserved throughput. */
export const updateTable: Operation = (body) => {
  const req = decodeMessage<WireUpdateTableRequest>('main.proto.UpdateTableRequest', body);
  return {
    tables: [req.tableName],
    run(instance) {
      const table = requireTable(instance, req.tableName);
      const next = {
        timeToLive: table.timeToLive,
        maxVersions: table.maxVersions,
        maxTimeDeviation: table.maxTimeDeviation,
      };
      if (req.tableOptions) applyOptions(next, req.tableOptions);
      Object.assign(table, next);
      const cu = req.reservedThroughput?.capacityUnit;
      if (cu && hasField(cu, 'read')) table.reservedRead = cu.read ?? 0;
      if (cu && hasField(cu, 'write')) table.reservedWrite = cu.write ?? 0;
      return encodeMessage('main.proto.UpdateTableResponse', {
        reservedThroughputDetails: throughputOf(table),
        tableOptions: tableOptionsOf(table),
      });
    },
  };
};

/** DeleteTable: drop the table and its rows. */
export const deleteTable: Operation = (body) => {
  const req = decodeMessage<WireTableNameRequest>('main.proto.DeleteTableRequest', body);
  return {
    tables: [req.tableName],
    run(instance) {
      requireTable(instance, req.tableName);
      instance.tables.delete(req.tableName);
      return encodeMessage('main.proto.DeleteTableResponse', {});
    },
  };
};
