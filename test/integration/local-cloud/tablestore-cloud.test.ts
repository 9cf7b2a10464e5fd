import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import TableStore from 'tablestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../../local/cloud/server.js';
import { tablestoreService } from '../../../local/cloud/services/tablestore/service.js';
import { INSTANT_TABLES } from '../../support/local-cloud.js';
import {
  AUTOMATION_ACCOUNT,
  exampleAccounts as accounts,
  sdkError,
  TestKeys,
  tablestoreClient,
} from './tablestore-helpers.js';

const { Long, Condition, SingleColumnCondition, ComparatorType } = TableStore;
const IGNORE = TableStore.RowExistenceExpectation.IGNORE;
const EXPECT_NOT_EXIST = TableStore.RowExistenceExpectation.EXPECT_NOT_EXIST;

const RUNNER = TestKeys.runner;
const AUDITOR = TestKeys.auditor;
const DAY_MS = 86_400_000;

let cloud: LocalCloud;
let nowMs = Date.parse('2026-03-01T00:00:00Z');

function client(keys: { id: string; secret: string }, stsToken?: string): TableStore.Client {
  return tablestoreClient(cloud.url, keys, stsToken);
}

async function createTable(
  c: TableStore.Client,
  name: string,
  primaryKey: Array<{ name: string; type: 'STRING' | 'INTEGER' }>,
  timeToLive = -1,
): Promise<void> {
  await c.createTable({
    tableMeta: { tableName: name, primaryKey },
    reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
    tableOptions: { timeToLive, maxVersions: 1 },
  });
}

const pk = (shard: number, id: string): TableStore.PrimaryKeyInput => [{ shard: Long.fromNumber(shard) }, { id }];
const idsOf = (rows: TableStore.Row[]) =>
  rows.map((r) => `${r.primaryKey?.[0]?.value.toString()}/${r.primaryKey?.[1]?.value}`);

let runner: TableStore.Client;

beforeAll(async () => {
  cloud = await startLocalCloud({ accounts, clock: { now: () => new Date(nowMs) }, services: INSTANT_TABLES });
  runner = client(RUNNER);
  await createTable(runner, 'events', [
    { name: 'shard', type: 'INTEGER' },
    { name: 'id', type: 'STRING' },
  ]);
  const rows = [];
  for (let shard = 0; shard < 3; shard += 1) {
    for (let i = 0; i < 25; i += 1) {
      const id = `e${String(i).padStart(3, '0')}`;
      rows.push({
        type: 'PUT',
        condition: new Condition(IGNORE, null),
        primaryKey: pk(shard, id),
        attributeColumns: i % 5 === 0 ? [{ n: Long.fromNumber(i) }, { tag: 'five' }] : [{ n: Long.fromNumber(i) }],
      });
    }
  }
  await runner.batchWriteRow({ tables: [{ tableName: 'events', rows }] });
});

afterAll(async () => {
  await cloud.stop();
});

async function allPages(
  direction: 'FORWARD' | 'BACKWARD',
  limit: number,
  start: TableStore.PrimaryKeyInput,
  end: TableStore.PrimaryKeyInput,
) {
  const pages: string[][] = [];
  let from: TableStore.PrimaryKeyInput | undefined = start;
  while (from) {
    const res = await runner.getRange({
      tableName: 'events',
      direction,
      inclusiveStartPrimaryKey: from,
      exclusiveEndPrimaryKey: end,
      limit,
      maxVersions: 1,
    });
    pages.push(idsOf(res.rows));
    from = res.nextStartPrimaryKey?.length ? res.nextStartPrimaryKey.map((c) => ({ [c.name]: c.value })) : undefined;
  }
  return pages;
}

describe('Tablestore GetRange through the local cloud', () => {
  it('pages forward through one shard with limit and next start key, bounded by INF_MIN and INF_MAX', async () => {
    const pages = await allPages(
      'FORWARD',
      10,
      [{ shard: Long.fromNumber(1) }, { id: TableStore.INF_MIN }],
      [{ shard: Long.fromNumber(1) }, { id: TableStore.INF_MAX }],
    );
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    const flat = pages.flat();
    expect(flat[0]).toBe('1/e000');
    expect(flat.at(-1)).toBe('1/e024');
    expect([...flat].sort()).toEqual(flat);
  });

  it('pages backward across shards in descending key order', async () => {
    const pages = await allPages(
      'BACKWARD',
      30,
      [{ shard: TableStore.INF_MAX }, { id: TableStore.INF_MAX }],
      [{ shard: Long.fromNumber(0) }, { id: 'e019' }],
    );
    const flat = pages.flat();
    expect(pages.map((p) => p.length)).toEqual([30, 25]);
    expect(flat[0]).toBe('2/e024');
    expect(flat.at(-1)).toBe('0/e020');
    expect([...flat].sort().reverse()).toEqual(flat);
  });

  it('leaves out rows that have none of the asked columns', async () => {
    const res = await runner.getRange({
      tableName: 'events',
      direction: 'FORWARD',
      inclusiveStartPrimaryKey: [{ shard: Long.fromNumber(0) }, { id: TableStore.INF_MIN }],
      exclusiveEndPrimaryKey: [{ shard: Long.fromNumber(0) }, { id: TableStore.INF_MAX }],
      maxVersions: 1,
      columnsToGet: ['tag'],
    });
    expect(idsOf(res.rows)).toEqual(['0/e000', '0/e005', '0/e010', '0/e015', '0/e020']);
    expect(res.rows[0]?.attributes?.map((a) => a.columnName)).toEqual(['tag']);
  });

  it.each([
    ['a FORWARD range whose start is not before its end', 'FORWARD'],
    ['a BACKWARD range whose start is not after its end', 'BACKWARD'],
  ] as const)('rejects %s', async (_what, direction) => {
    const low: TableStore.PrimaryKeyInput = [{ shard: Long.fromNumber(0) }, { id: TableStore.INF_MIN }];
    const high: TableStore.PrimaryKeyInput = [{ shard: Long.fromNumber(2) }, { id: TableStore.INF_MIN }];
    const [start, end] = direction === 'FORWARD' ? [high, low] : [low, high];
    const error = await sdkError(
      runner.getRange({ tableName: 'events', direction, inclusiveStartPrimaryKey: start, exclusiveEndPrimaryKey: end }),
    );
    expect(error.code).toBe(400);
    expect(error.message).toContain('OTSParameterInvalid');
  });
});

describe('Tablestore batches through the local cloud', () => {
  it('answers BatchGetRow row by row, with an error for a missing table', async () => {
    const res = await runner.batchGetRow({
      tables: [
        { tableName: 'events', primaryKey: [pk(0, 'e001'), pk(0, 'missing')], maxVersions: 1 },
        { tableName: 'no_such_table', primaryKey: [[{ id: 'x' }]], maxVersions: 1 },
      ],
    });
    const [events, missing] = res.tables;
    expect(events?.map((r) => [r.isOk, r.primaryKey?.[1]?.value ?? null])).toEqual([
      [true, 'e001'],
      [true, null],
    ]);
    expect(missing?.map((r) => [r.isOk, r.errorCode])).toEqual([[false, 'OTSObjectNotExist']]);
  });

  it('rejects BatchGetRow of more than 100 rows', async () => {
    const keys = Array.from({ length: 101 }, (_, i) => pk(0, `k${i}`));
    const error = await sdkError(
      runner.batchGetRow({ tables: [{ tableName: 'events', primaryKey: keys, maxVersions: 1 }] }),
    );
    expect(error.code).toBe(400);
    expect(error.message).toContain('OTSParameterInvalid');
  });

  it('answers BatchWriteRow row by row: a failed condition fails only its row', async () => {
    const res = await runner.batchWriteRow({
      tables: [
        {
          tableName: 'events',
          rows: [
            {
              type: 'PUT',
              condition: new Condition(EXPECT_NOT_EXIST, null),
              primaryKey: pk(5, 'new'),
              attributeColumns: [{ n: Long.fromNumber(1) }],
            },
            {
              type: 'PUT',
              condition: new Condition(EXPECT_NOT_EXIST, null),
              primaryKey: pk(0, 'e001'),
              attributeColumns: [{ n: Long.fromNumber(1) }],
            },
            {
              type: 'UPDATE',
              condition: new Condition(
                IGNORE,
                new SingleColumnCondition('n', Long.fromNumber(2), ComparatorType.EQUAL, false),
              ),
              primaryKey: pk(0, 'e002'),
              attributeColumns: [{ PUT: [{ seen: true }] }],
            },
            { type: 'DELETE', condition: new Condition(IGNORE, null), primaryKey: pk(0, 'e003') },
          ],
        },
      ],
    });
    expect(res.tables.map((r) => [r.isOk, r.errorCode])).toEqual([
      [true, null],
      [false, 'OTSConditionCheckFail'],
      [true, null],
      [true, null],
    ]);
    const gone = await runner.getRow({ tableName: 'events', primaryKey: pk(0, 'e003'), maxVersions: 1 });
    expect(gone.row).toEqual({});
  });

  it('accepts 200 rows in one BatchWriteRow and rejects 201', async () => {
    const rows = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        type: 'PUT',
        condition: new Condition(IGNORE, null),
        primaryKey: pk(9, `b${i}`),
        attributeColumns: [{ n: Long.fromNumber(i) }],
      }));
    const ok = await runner.batchWriteRow({ tables: [{ tableName: 'events', rows: rows(200) }] });
    expect(ok.tables.filter((r) => r.isOk)).toHaveLength(200);
    const error = await sdkError(runner.batchWriteRow({ tables: [{ tableName: 'events', rows: rows(201) }] }));
    expect(error.code).toBe(400);
    expect(error.message).toContain('OTSParameterInvalid');
  });
});

describe('Tablestore time to live', () => {
  it('hides rows older than the TTL from GetRow and GetRange, and lets them be created again', async () => {
    await createTable(
      runner,
      'ledger',
      [
        { name: 'shard', type: 'INTEGER' },
        { name: 'id', type: 'STRING' },
      ],
      86_400,
    );
    const write = () =>
      runner.putRow({
        tableName: 'ledger',
        condition: new Condition(EXPECT_NOT_EXIST, null),
        primaryKey: pk(0, 'm1'),
        attributeColumns: [{ status: 'done' }],
      });
    await write();
    nowMs += DAY_MS - 1000;
    expect(
      (await runner.getRow({ tableName: 'ledger', primaryKey: pk(0, 'm1'), maxVersions: 1 })).row.primaryKey,
    ).toHaveLength(2);
    expect((await sdkError(write())).message).toContain('OTSConditionCheckFail');
    nowMs += 2000;
    expect((await runner.getRow({ tableName: 'ledger', primaryKey: pk(0, 'm1'), maxVersions: 1 })).row).toEqual({});
    const range = await runner.getRange({
      tableName: 'ledger',
      direction: 'FORWARD',
      inclusiveStartPrimaryKey: [{ shard: TableStore.INF_MIN }, { id: TableStore.INF_MIN }],
      exclusiveEndPrimaryKey: [{ shard: TableStore.INF_MAX }, { id: TableStore.INF_MAX }],
      maxVersions: 1,
    });
    expect(range.rows).toEqual([]);
    await write();
  });
});

describe('Tablestore authentication and authorization', () => {
  it('rejects a request signed with the wrong secret as OTSAuthFailed', async () => {
    const error = await sdkError(client({ id: RUNNER.id, secret: 'not-the-secret' }).listTable({}));
    expect(error.code).toBe(403);
    expect(error.message).toContain('OTSAuthFailed');
    expect(error.message).toContain('Signature mismatch.');
  });

  it('rejects an unknown access key as OTSAuthFailed', async () => {
    const error = await sdkError(client({ id: 'LTAI5tNobodyAtAll', secret: 'x' }).listTable({}));
    expect(error.code).toBe(403);
    expect(error.message).toContain('OTSAuthFailed');
  });

  it('rejects a principal without Tablestore permissions as OTSNoPermissionAccess', async () => {
    const error = await sdkError(client(AUDITOR).listTable({}));
    expect(error.code).toBe(403);
    expect(error.message).toContain('OTSNoPermissionAccess');
  });

  it('accepts STS credentials with their token and rejects them without it', async () => {
    cloud.core.issueTemporaryCredentials({
      accessKeyId: 'STS.LocalTablestoreTest',
      accessKeySecret: 'sts-secret',
      securityToken: 'sts-token-value',
      expiration: new Date(nowMs + 3_600_000),
      accountId: AUTOMATION_ACCOUNT,
      roleName: 'dts-trust-function',
      sessionName: 'tablestore-test',
    });
    const keys = { id: 'STS.LocalTablestoreTest', secret: 'sts-secret' };
    expect((await client(keys, 'sts-token-value').listTable({})).tableNames).toContain('events');
    const error = await sdkError(client(keys).listTable({}));
    expect(error.code).toBe(403);
    expect(error.message).toContain('OTSAuthFailed');
  });

  it('keeps each account in its own instance', async () => {
    const other = client(TestKeys.sourceRoot);
    expect((await other.listTable({})).tableNames).toEqual([]);
  });
});

describe('Tablestore faults and the request log', () => {
  it.each([
    [503, 'OTSServerBusy'],
    [500, 'OTSInternalServerError'],
  ] as const)('answers an injected %i as %s', async (status, code) => {
    cloud.setFaults({ errors: { rate: 1, status, services: ['tablestore'] } });
    try {
      const error = await sdkError(runner.listTable({}));
      expect(error.code).toBe(status);
      expect(error.message).toContain(code);
    } finally {
      cloud.setFaults({});
    }
  });

  it('logs each call with its service, action and account', async () => {
    cloud.log.length = 0;
    await runner.getRow({ tableName: 'events', primaryKey: pk(0, 'e001'), maxVersions: 1 });
    expect(cloud.log.map((e) => [e.service, e.action, e.accountId, e.status])).toEqual([
      ['tablestore', 'GetRow', AUTOMATION_ACCOUNT, 200],
    ]);
  });
});

describe('Tablestore admin views', () => {
  it('lists tables with row counts and shows rows as JSON', async () => {
    const tables = (await (
      await fetch(`${cloud.url}/__admin/tablestore/tables?account=${AUTOMATION_ACCOUNT}`)
    ).json()) as {
      tables: { table: string; rows: number; instance: string }[];
    };
    const events = tables.tables.find((t) => t.table === 'events');
    expect(events?.instance).toBe('dts-trust');
    expect(events?.rows).toBeGreaterThan(0);
    const res = await fetch(
      `${cloud.url}/__admin/tablestore/rows?account=${AUTOMATION_ACCOUNT}&instance=dts-trust&table=events&limit=1`,
    );
    const body = (await res.json()) as { total: number; rows: { primaryKey: unknown; columns: unknown }[] };
    expect(body.rows).toEqual([
      {
        primaryKey: { shard: { t: 'INTEGER', v: '0' }, id: { t: 'STRING', v: 'e000' } },
        columns: {
          n: { t: 'INTEGER', v: '0', ts: expect.any(Number) },
          tag: { t: 'STRING', v: 'five', ts: expect.any(Number) },
        },
      },
    ]);
    expect(body.total).toBe(events?.rows);
  });
});

describe('Tablestore state snapshot', () => {
  it('restores tables and rows, Long values included, from its JSON snapshot', async () => {
    await runner.putRow({
      tableName: 'events',
      condition: new Condition(IGNORE, null),
      primaryKey: pk(7, 'snap'),
      attributeColumns: [
        { big: Long.fromString('-9223372036854775808') },
        { bin: Buffer.from('ff00', 'hex') },
        { d: 2.5 },
      ],
    });
    const json = JSON.parse(JSON.stringify(tablestoreService.snapshot?.(cloud.core)));
    const second = await startLocalCloud({ accounts, clock: { now: () => new Date(nowMs) }, services: INSTANT_TABLES });
    try {
      tablestoreService.restore?.(second.core, json);
      const restored = tablestoreClient(second.url, RUNNER);
      const { row } = await restored.getRow({ tableName: 'events', primaryKey: pk(7, 'snap'), maxVersions: 1 });
      const values = Object.fromEntries((row.attributes ?? []).map((a) => [a.columnName, a.columnValue]));
      expect(values.big?.toString()).toBe('-9223372036854775808');
      expect(values.bin).toEqual(Buffer.from('ff00', 'hex'));
      expect(values.d).toBe(2.5);
      expect((await restored.describeTable({ tableName: 'ledger' })).tableOptions?.timeToLive).toBe(86_400);
    } finally {
      await second.stop();
    }
  });

  it('survives a restart of the local cloud with a state file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tablestore-state-'));
    try {
      const statePath = join(dir, 'state.json');
      const first = await startLocalCloud({ accounts, statePath, services: INSTANT_TABLES });
      await createTable(tablestoreClient(first.url, RUNNER), 'persisted', [
        { name: 'shard', type: 'INTEGER' },
        { name: 'id', type: 'STRING' },
      ]);
      await tablestoreClient(first.url, RUNNER).putRow({
        tableName: 'persisted',
        condition: new Condition(IGNORE, null),
        primaryKey: pk(1, 'kept'),
        attributeColumns: [{ n: Long.fromString('12345678901234567') }],
      });
      await first.stop();
      const second = await startLocalCloud({ accounts, statePath, services: INSTANT_TABLES });
      try {
        const { row } = await tablestoreClient(second.url, RUNNER).getRow({
          tableName: 'persisted',
          primaryKey: pk(1, 'kept'),
          maxVersions: 1,
        });
        expect(row.attributes?.[0]?.columnValue.toString()).toBe('12345678901234567');
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a snapshot that does not parse, naming the field', () => {
    expect(() =>
      tablestoreService.restore?.(cloud.core, { instances: [{ accountId: 'x', name: 'y', tables: 'no' }] }),
    ).toThrow(/instances\.0\.tables/);
  });
});

describe('Tablestore with many rows', () => {
  it('stores 10,000 rows in batches and reads them back in key order', async () => {
    await createTable(runner, 'bulk', [{ name: 'id', type: 'STRING' }]);
    const ids = Array.from({ length: 10_000 }, (_, i) => `row-${((i * 7919) % 10_000).toString().padStart(5, '0')}`);
    for (let i = 0; i < ids.length; i += 200) {
      await runner.batchWriteRow({
        tables: [
          {
            tableName: 'bulk',
            rows: ids.slice(i, i + 200).map((id) => ({
              type: 'PUT',
              condition: new Condition(IGNORE, null),
              primaryKey: [{ id }],
              attributeColumns: [{ v: id }],
            })),
          },
        ],
      });
    }
    const seen: string[] = [];
    let from: TableStore.PrimaryKeyInput | undefined = [{ id: TableStore.INF_MIN }];
    while (from) {
      const res = await runner.getRange({
        tableName: 'bulk',
        direction: 'FORWARD',
        inclusiveStartPrimaryKey: from,
        exclusiveEndPrimaryKey: [{ id: TableStore.INF_MAX }],
        maxVersions: 1,
      });
      for (const r of res.rows) seen.push(String(r.primaryKey?.[0]?.value));
      from = res.nextStartPrimaryKey?.length ? res.nextStartPrimaryKey.map((c) => ({ [c.name]: c.value })) : undefined;
    }
    expect(seen).toHaveLength(10_000);
    expect(seen).toEqual([...ids].sort());
  });
});
