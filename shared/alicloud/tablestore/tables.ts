import type TableStore from 'tablestore';
import { CloudErrorKind, ConfigError } from '../../domain/errors.js';
import { callStore, toStoreError } from './errors.js';

/** Tablestore actions dts-trust needs on its instance. */
export const TABLESTORE_ACTIONS = [
  'ots:CreateTable',
  'ots:DescribeTable',
  'ots:ListTable',
  'ots:GetRow',
  'ots:PutRow',
  'ots:UpdateRow',
  'ots:DeleteRow',
  'ots:GetRange',
  'ots:BatchGetRow',
  'ots:BatchWriteRow',
] as const;

/** The names of dts-trust's tables. */
export interface TableNames {
  readonly grants: string;
  readonly status: string;
  readonly messages: string;
  readonly outbox: string;
}

/** One table's definition: primary key (in order) and time to live. */
export interface TableDefinition {
  readonly name: string;
  readonly primaryKey: ReadonlyArray<{ readonly name: string; readonly type: 'STRING' | 'INTEGER' }>;
  /** Seconds; -1 keeps rows forever. */
  readonly timeToLive: number;
}

/** Processed-message keys are kept this long (longer than any replay window). */
export const MESSAGE_TTL_SECONDS = 7 * 24 * 3600;
/** Undelivered audit events are kept this long. */
export const OUTBOX_TTL_SECONDS = 30 * 24 * 3600;
/** Outbox rows are spread over this many partitions. */
export const OUTBOX_SHARDS = 4;

/** The documented schema of every table (see docs/storage.md). */
export function tableDefinitions(names: TableNames): readonly TableDefinition[] {
  return [
    {
      name: names.grants,
      primaryKey: [
        { name: 'ownerUid', type: 'STRING' },
        { name: 'roleName', type: 'STRING' },
        { name: 'trustedUid', type: 'STRING' },
      ],
      timeToLive: -1,
    },
    {
      name: names.status,
      primaryKey: [
        { name: 'ownerUid', type: 'STRING' },
        { name: 'roleName', type: 'STRING' },
      ],
      timeToLive: -1,
    },
    { name: names.messages, primaryKey: [{ name: 'messageKey', type: 'STRING' }], timeToLive: MESSAGE_TTL_SECONDS },
    {
      name: names.outbox,
      primaryKey: [
        { name: 'shard', type: 'INTEGER' },
        { name: 'eventId', type: 'STRING' },
      ],
      timeToLive: OUTBOX_TTL_SECONDS,
    },
  ];
}

const TYPE_NAMES: Record<string | number, string> = { 1: 'INTEGER', 2: 'STRING', 3: 'BINARY' };

/**
 * Create every table that does not exist; check the primary key of those that do. Safe to run any number of
 * times, also concurrently. Returns the tables it created.
 */
export async function setupTables(client: TableStore.Client, names: TableNames): Promise<string[]> {
  const created: string[] = [];
  for (const table of tableDefinitions(names)) {
    try {
      const described = await client.describeTable({ tableName: table.name });
      const actual = described.tableMeta.primaryKey.map((k) => `${k.name}:${TYPE_NAMES[k.type] ?? k.type}`);
      const expected = table.primaryKey.map((k) => `${k.name}:${k.type}`);
      if (actual.join(',') !== expected.join(',')) {
        throw new ConfigError(
          `Table ${table.name} exists with primary key (${actual.join(', ')}), expected (${expected.join(', ')}): ` +
            'choose another DTS_TRUST_TABLE_PREFIX or drop the table',
        );
      }
      continue;
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      const e = toStoreError('DescribeTable', error);
      if (!('kind' in e) || e.kind !== CloudErrorKind.NotFound) throw e;
    }
    try {
      await callStore('CreateTable', () =>
        client.createTable({
          tableMeta: { tableName: table.name, primaryKey: table.primaryKey.map((k) => ({ ...k })) },
          reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
          tableOptions: { timeToLive: table.timeToLive, maxVersions: 1 },
        }),
      );
      created.push(table.name);
    } catch (error) {
      if (!(error instanceof Error && 'kind' in error && error.kind === CloudErrorKind.Conflict)) throw error;
    }
  }
  return created;
}
