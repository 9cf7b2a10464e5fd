import TableStore from 'tablestore';
import { CloudApiError, CloudErrorKind, ConfigError } from '../../domain/errors.js';
import type { Clock, Random } from '../../ports.js';
import { type RetryPolicy, withRetry } from '../../reconcile/retry.js';
import { TABLE_NOT_READY } from '../cloud-error.js';
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
  /** Audit events set aside because the bus refused them for good (no TTL: kept until an operator acts). */
  readonly deadLetters: string;
  /** Delivered audit events, kept for auditors ({@link HISTORY_TTL_SECONDS}). */
  readonly history: string;
  /** The state of every finding (open, resolved), folded from delivered events (no TTL). */
  readonly findings: string;
  /** When each component (the timer run) last succeeded: one row each (no TTL). */
  readonly heartbeats: string;
  /** The DTS inventories taken, one row each ({@link INVENTORY_TTL_SECONDS}). */
  readonly inventories: string;
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
/** Delivered audit events are kept this long: 400 days, a year of audits and a quarter to spare. */
export const HISTORY_TTL_SECONDS = 400 * 24 * 3600;
/** DTS inventory runs are kept this long (the unused-role finding reads only the last few). */
export const INVENTORY_TTL_SECONDS = 400 * 24 * 3600;
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
    { name: names.deadLetters, primaryKey: [{ name: 'eventId', type: 'STRING' }], timeToLive: -1 },
    {
      name: names.history,
      primaryKey: [
        { name: 'subject', type: 'STRING' },
        { name: 'eventKey', type: 'STRING' },
      ],
      timeToLive: HISTORY_TTL_SECONDS,
    },
    { name: names.findings, primaryKey: [{ name: 'findingId', type: 'STRING' }], timeToLive: -1 },
    { name: names.heartbeats, primaryKey: [{ name: 'component', type: 'STRING' }], timeToLive: -1 },
    {
      name: names.inventories,
      primaryKey: [{ name: 'takenAt', type: 'INTEGER' }],
      timeToLive: INVENTORY_TTL_SECONDS,
    },
  ];
}

const TYPE_NAMES: Record<string | number, string> = { 1: 'INTEGER', 2: 'STRING', 3: 'BINARY' };

/** How setup waits for tables it created to load. */
export interface TableReadiness {
  readonly clock: Pick<Clock, 'now' | 'sleep'>;
  readonly random: Random;
  /** Give up after this long (ms); default {@link TABLE_READY_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
}

/** Tablestore documents that a new table loads "in most cases" within a minute: wait twice that. */
export const TABLE_READY_TIMEOUT_MS = 120_000;

/** How readiness is polled: the product's backoff formula, from 250 ms up to 5 s between probes. */
export const TABLE_READY_POLL = { maxAttempts: 60, baseDelayMs: 250, maxDelayMs: 5_000 } as const satisfies RetryPolicy;

/** A key no row of ours has: a probe GetRow answers an empty row once the table serves reads. */
function probeKey(table: TableDefinition): TableStore.PrimaryKeyInput {
  return table.primaryKey.map((k) => ({
    [k.name]: k.type === 'INTEGER' ? TableStore.Long.fromNumber(-1) : '~dts-trust-readiness-probe',
  }));
}

function notReadyError(table: TableDefinition, waitedMs: number, cause: unknown): CloudApiError {
  return new CloudApiError(
    {
      api: 'ots:GetRow',
      code: TABLE_NOT_READY,
      kind: CloudErrorKind.Unavailable,
      message:
        `table ${table.name} was created but is still not ready after ${Math.round(waitedMs / 1000)} s ` +
        '(Tablestore usually loads a new table within a minute): run setup again later ' +
        '(npm run cli -- setup, or the next invocation); if it persists, check the table in the Tablestore console',
    },
    { cause },
  );
}

/**
 * Wait until a table just created serves row operations: probe it with a GetRow of a key no row has, retrying
 * `OTSTableNotReady` with the product's backoff until {@link TableReadiness.timeoutMs}. Any other error is thrown.
 */
export async function waitUntilTableReady(
  client: TableStore.Client,
  table: TableDefinition,
  readiness: TableReadiness,
): Promise<void> {
  const started = readiness.clock.now().getTime();
  const timeoutMs = readiness.timeoutMs ?? TABLE_READY_TIMEOUT_MS;
  const waited = () => readiness.clock.now().getTime() - started;
  const notReady = (error: unknown) => error instanceof CloudApiError && error.code === TABLE_NOT_READY;
  try {
    await withRetry(
      () =>
        callStore('GetRow', () =>
          client.getRow({ tableName: table.name, primaryKey: probeKey(table), maxVersions: 1 }),
        ),
      TABLE_READY_POLL,
      readiness,
      (error) => notReady(error) && waited() < timeoutMs,
    );
  } catch (error) {
    throw notReady(error) ? notReadyError(table, waited(), error) : error;
  }
}

/** True when the table exists with the documented primary key; false when it does not exist. */
async function tableExists(client: TableStore.Client, table: TableDefinition): Promise<boolean> {
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
    return true;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const e = toStoreError('DescribeTable', error);
    if (!('kind' in e) || e.kind !== CloudErrorKind.NotFound) throw e;
    return false;
  }
}

/**
 * Create every table that does not exist and wait until the ones it created (or lost the race to create) serve
 * rows; check the primary key of those that exist. The tables are described all at once (one round trip on a cold
 * start, not eight); the first failure in table order is thrown. Safe to run any number of times, also concurrently. Returns the
 * tables it created. A table another process created moments before this one described it may still be loading;
 * its first row operation then fails with the retryable `OTSTableNotReady`.
 */
export async function setupTables(
  client: TableStore.Client,
  names: TableNames,
  readiness: TableReadiness,
): Promise<string[]> {
  const created: TableDefinition[] = [];
  const raced: TableDefinition[] = [];
  const tables = tableDefinitions(names);
  const described = await Promise.allSettled(tables.map((table) => tableExists(client, table)));
  const failed = described.find((d): d is PromiseRejectedResult => d.status === 'rejected');
  if (failed) throw failed.reason;
  for (const [index, table] of tables.entries()) {
    if ((described[index] as PromiseFulfilledResult<boolean>).value) continue;
    try {
      await callStore('CreateTable', () =>
        client.createTable({
          tableMeta: { tableName: table.name, primaryKey: table.primaryKey.map((k) => ({ ...k })) },
          reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
          tableOptions: { timeToLive: table.timeToLive, maxVersions: 1 },
        }),
      );
      created.push(table);
    } catch (error) {
      if (!(error instanceof Error && 'kind' in error && error.kind === CloudErrorKind.Conflict)) throw error;
      // Another container created it a moment ago: it is loading as well.
      raced.push(table);
    }
  }
  for (const table of [...created, ...raced]) await waitUntilTableReady(client, table, readiness);
  return created.map((t) => t.name);
}
