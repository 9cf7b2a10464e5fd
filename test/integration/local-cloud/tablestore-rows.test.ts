import TableStore from 'tablestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../../local/cloud/server.js';
import { INSTANT_TABLES } from '../../support/local-cloud.js';
import { exampleAccounts, sdkError, TestKeys, tablestoreClient } from './tablestore-helpers.js';

const { Long, Condition, SingleColumnCondition, CompositeCondition, ComparatorType, LogicalOperator } = TableStore;
const IGNORE = TableStore.RowExistenceExpectation.IGNORE;
const EXPECT_EXIST = TableStore.RowExistenceExpectation.EXPECT_EXIST;
const EXPECT_NOT_EXIST = TableStore.RowExistenceExpectation.EXPECT_NOT_EXIST;

/** SDK calls and parameters the project's typings leave out. */
type LooseClient = {
  [K in 'updateTable' | 'putRow' | 'updateRow' | 'getRow' | 'getRange' | 'batchWriteRow']: (
    params: object,
  ) => Promise<Record<string, unknown> & { row: TableStore.Row; rows: TableStore.Row[] }>;
};

let cloud: LocalCloud;
let client: TableStore.Client;
let loose: LooseClient;

async function createTable(
  name: string,
  primaryKey: Array<{ name: string; type: 'STRING' | 'INTEGER' | 'BINARY' }>,
  options = { timeToLive: -1, maxVersions: 1 },
): Promise<void> {
  await client.createTable({
    tableMeta: { tableName: name, primaryKey },
    reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
    tableOptions: options,
  });
}

function attrs(row: TableStore.Row | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of row?.attributes ?? []) {
    const v = a.columnValue;
    out[a.columnName] = typeof v === 'object' && v !== null && !Buffer.isBuffer(v) ? v.toString() : v;
  }
  return out;
}

const key = (id: string) => [{ id }];

async function put(
  table: string,
  id: string,
  columns: TableStore.AttributeInput,
  condition = new Condition(IGNORE, null),
) {
  return client.putRow({ tableName: table, condition, primaryKey: key(id), attributeColumns: columns });
}

beforeAll(async () => {
  cloud = await startLocalCloud({ accounts: exampleAccounts, services: INSTANT_TABLES });
  client = tablestoreClient(cloud.url, TestKeys.runner);
  loose = client as unknown as LooseClient;
  await createTable('items', [{ name: 'id', type: 'STRING' }]);
  await createTable('versions', [{ name: 'id', type: 'STRING' }], { timeToLive: -1, maxVersions: 3 });
});

afterAll(async () => {
  await cloud.stop();
});

describe('Tablestore tables', () => {
  it('creates, lists, describes, updates and deletes a table', async () => {
    await createTable('lifecycle', [
      { name: 'shard', type: 'INTEGER' },
      { name: 'name', type: 'STRING' },
      { name: 'blob', type: 'BINARY' },
    ]);
    expect((await client.listTable({})).tableNames).toContain('lifecycle');
    const described = await client.describeTable({ tableName: 'lifecycle' });
    expect(described.tableMeta.primaryKey.map((k) => [k.name, k.type])).toEqual([
      ['shard', 1],
      ['name', 2],
      ['blob', 3],
    ]);
    expect(described.tableOptions?.timeToLive).toBe(-1);
    const updated = await loose.updateTable({ tableName: 'lifecycle', tableOptions: { timeToLive: 172800 } });
    expect((updated.tableOptions as { timeToLive: number }).timeToLive).toBe(172800);
    expect((await client.describeTable({ tableName: 'lifecycle' })).tableOptions?.timeToLive).toBe(172800);
    await client.deleteTable({ tableName: 'lifecycle' });
    expect((await client.listTable({})).tableNames).not.toContain('lifecycle');
  });

  it.each([
    [
      'creating a table twice',
      () => createTable('items', [{ name: 'id', type: 'STRING' }]),
      409,
      'OTSObjectAlreadyExist',
    ],
    ['describing a missing table', () => client.describeTable({ tableName: 'nope' }), 404, 'OTSObjectNotExist'],
    ['deleting a missing table', () => client.deleteTable({ tableName: 'nope' }), 404, 'OTSObjectNotExist'],
    ['an invalid table name', () => createTable('9-bad', [{ name: 'id', type: 'STRING' }]), 400, 'OTSParameterInvalid'],
    [
      'a TTL shorter than a day',
      () => createTable('short', [{ name: 'id', type: 'STRING' }], { timeToLive: 60, maxVersions: 1 }),
      400,
      'OTSParameterInvalid',
    ],
    ['writing to a missing table', () => put('nope', 'a', [{ s: 'x' }]), 404, 'OTSObjectNotExist'],
  ])('answers %s with the HTTP status and code the SDK surfaces', async (_what, call, status, code) => {
    const error = await sdkError(call());
    expect(error.code).toBe(status);
    expect(error.message).toContain(code);
  });
});

describe('Tablestore single-row operations', () => {
  it('round-trips every column type, Long values beyond 2^53 included', async () => {
    const big = '9223372036854775807';
    await put('items', 'types', [
      { s: 'h\u00e9llo' },
      { n: Long.fromString(big) },
      { neg: Long.fromNumber(-5) },
      { d: 1.25 },
      { yes: true },
      { no: false },
      { bin: Buffer.from([0, 1, 255]) },
    ]);
    const { row } = await client.getRow({ tableName: 'items', primaryKey: key('types'), maxVersions: 1 });
    expect(row.primaryKey).toEqual([{ name: 'id', value: 'types' }]);
    expect(attrs(row)).toEqual({
      s: 'h\u00e9llo',
      n: big,
      neg: '-5',
      d: 1.25,
      yes: true,
      no: false,
      bin: Buffer.from([0, 1, 255]),
    });
  });

  it('answers an empty row for a missing key and only the asked columns with columnsToGet', async () => {
    expect((await client.getRow({ tableName: 'items', primaryKey: key('absent'), maxVersions: 1 })).row).toEqual({});
    await put('items', 'cols', [{ a: 'A' }, { b: 'B' }, { c: 'C' }]);
    const { row } = await client.getRow({
      tableName: 'items',
      primaryKey: key('cols'),
      maxVersions: 1,
      columnsToGet: ['c', 'a'],
    });
    expect(attrs(row)).toEqual({ a: 'A', c: 'C' });
    const none = await client.getRow({
      tableName: 'items',
      primaryKey: key('cols'),
      maxVersions: 1,
      columnsToGet: ['z'],
    });
    expect(none.row).toEqual({});
  });

  it('applies UpdateRow PUT, DELETE_ALL and INCREMENT, creating the row when absent', async () => {
    await client.updateRow({
      tableName: 'items',
      condition: new Condition(IGNORE, null),
      primaryKey: key('upd'),
      updateOfAttributeColumns: [
        { PUT: [{ keep: 'k' }, { drop: 'd' }] },
        { INCREMENT: [{ count: Long.fromNumber(2) }] },
      ],
    });
    await client.updateRow({
      tableName: 'items',
      condition: new Condition(EXPECT_EXIST, null),
      primaryKey: key('upd'),
      updateOfAttributeColumns: [{ DELETE_ALL: ['drop'] }, { INCREMENT: [{ count: Long.fromNumber(40) }] }],
    });
    const { row } = await client.getRow({ tableName: 'items', primaryKey: key('upd'), maxVersions: 1 });
    expect(attrs(row)).toEqual({ keep: 'k', count: '42' });
  });

  it('returns the incremented value when returnContent asks for it', async () => {
    const res = await loose.updateRow({
      tableName: 'items',
      condition: new Condition(IGNORE, null),
      primaryKey: key('seq'),
      updateOfAttributeColumns: [{ INCREMENT: [{ seq: Long.fromNumber(5) }] }],
      returnContent: { returnType: TableStore.ReturnType.AfterModify, returnColumns: ['seq'] },
    });
    expect(attrs(res.row)).toEqual({ seq: '5' });
  });

  it('rejects INCREMENT of a column that holds a string', async () => {
    await put('items', 'strcount', [{ count: 'three' }]);
    const error = await sdkError(
      client.updateRow({
        tableName: 'items',
        condition: new Condition(IGNORE, null),
        primaryKey: key('strcount'),
        updateOfAttributeColumns: [{ INCREMENT: [{ count: Long.fromNumber(1) }] }],
      }),
    );
    expect(error.code).toBe(400);
    expect(error.message).toContain('OTSParameterInvalid');
  });

  it('deletes one version with UpdateRow DELETE and keeps at most maxVersions versions', async () => {
    for (const [value, timestamp] of [
      ['v1', 1000],
      ['v2', 2000],
      ['v3', 3000],
      ['v4', 4000],
    ] as const) {
      await loose.putRow({
        tableName: 'versions',
        condition: new Condition(IGNORE, null),
        primaryKey: key('multi'),
        attributeColumns: [{ c: value, timestamp }],
      });
    }
    // PutRow replaces the row, so only the last version survives a put.
    await loose.updateRow({
      tableName: 'versions',
      condition: new Condition(IGNORE, null),
      primaryKey: key('multi'),
      updateOfAttributeColumns: [
        {
          PUT: [
            { c: 'v5', timestamp: 5000 },
            { c: 'v6', timestamp: 6000 },
          ],
        },
      ],
    });
    let read = await loose.getRow({ tableName: 'versions', primaryKey: key('multi'), maxVersions: 10 });
    expect(read.row.attributes?.map((a) => a.columnValue)).toEqual(['v6', 'v5', 'v4']);
    await loose.updateRow({
      tableName: 'versions',
      condition: new Condition(IGNORE, null),
      primaryKey: key('multi'),
      updateOfAttributeColumns: [{ DELETE: [{ c: Long.fromNumber(5000) }] }],
    });
    read = await loose.getRow({ tableName: 'versions', primaryKey: key('multi'), maxVersions: 10 });
    expect(read.row.attributes?.map((a) => a.columnValue)).toEqual(['v6', 'v4']);
    read = await loose.getRow({ tableName: 'versions', primaryKey: key('multi'), maxVersions: 1 });
    expect(read.row.attributes?.map((a) => [a.columnValue, a.timestamp?.toString()])).toEqual([['v6', '6000']]);
  });

  it('deletes a row', async () => {
    await put('items', 'del', [{ a: 'x' }]);
    await client.deleteRow({
      tableName: 'items',
      condition: new Condition(EXPECT_EXIST, null),
      primaryKey: key('del'),
    });
    expect((await client.getRow({ tableName: 'items', primaryKey: key('del'), maxVersions: 1 })).row).toEqual({});
  });

  it.each([
    ['a primary key of the wrong type', [{ id: Long.fromNumber(1) }]],
    ['a missing primary key column', [] as TableStore.PrimaryKeyInput],
    ['an extra primary key column', [{ id: 'a' }, { other: 'b' }]],
    ['a misnamed primary key column', [{ key: 'a' }]],
  ])('rejects %s with OTSParameterInvalid', async (_what, primaryKey) => {
    const error = await sdkError(
      client.putRow({
        tableName: 'items',
        condition: new Condition(IGNORE, null),
        primaryKey,
        attributeColumns: [{ a: 'x' }],
      }),
    );
    expect(error.code).toBe(400);
    expect(error.message).toContain('OTSParameterInvalid');
  });
});

describe('Tablestore conditions', () => {
  beforeAll(async () => {
    await put('items', 'cond', [{ version: Long.fromNumber(3) }, { name: 'm' }, { ratio: 0.5 }]);
  });

  const single = (column: string, value: TableStore.ColumnValue, comparator: number, passIfMissing = false) =>
    new SingleColumnCondition(column, value, comparator, passIfMissing);

  it.each([
    ['EQUAL holds', single('version', Long.fromNumber(3), ComparatorType.EQUAL), true],
    ['EQUAL fails', single('version', Long.fromNumber(4), ComparatorType.EQUAL), false],
    ['NOT_EQUAL holds', single('version', Long.fromNumber(4), ComparatorType.NOT_EQUAL), true],
    ['NOT_EQUAL fails', single('version', Long.fromNumber(3), ComparatorType.NOT_EQUAL), false],
    ['GREATER_THAN holds', single('version', Long.fromNumber(2), ComparatorType.GREATER_THAN), true],
    ['GREATER_THAN fails', single('version', Long.fromNumber(3), ComparatorType.GREATER_THAN), false],
    ['GREATER_EQUAL holds', single('version', Long.fromNumber(3), ComparatorType.GREATER_EQUAL), true],
    ['LESS_THAN holds on strings', single('name', 'n', ComparatorType.LESS_THAN), true],
    ['LESS_THAN fails on strings', single('name', 'a', ComparatorType.LESS_THAN), false],
    ['LESS_EQUAL holds on doubles', single('ratio', 0.5, ComparatorType.LESS_EQUAL), true],
    ['EQUAL fails on a type mismatch', single('version', 3, ComparatorType.EQUAL), false],
    ['a missing column fails without passIfMissing', single('absent', 'x', ComparatorType.EQUAL, false), false],
    ['a missing column passes with passIfMissing', single('absent', 'x', ComparatorType.EQUAL, true), true],
  ])('a single-column condition: %s', async (_what, condition, passes) => {
    const call = client.updateRow({
      tableName: 'items',
      condition: new Condition(EXPECT_EXIST, condition),
      primaryKey: key('cond'),
      updateOfAttributeColumns: [{ PUT: [{ touched: true }] }],
    });
    if (passes) {
      await call;
    } else {
      const error = await sdkError(call);
      expect(error.code).toBe(403);
      expect(error.message).toContain('OTSConditionCheckFail');
    }
  });

  function composite(operator: number, ...subs: TableStore.SingleColumnCondition[]): TableStore.CompositeCondition {
    const c = new CompositeCondition(operator);
    for (const s of subs) c.addSubCondition(s);
    return c;
  }
  const yes = () => single('version', Long.fromNumber(3), ComparatorType.EQUAL);
  const no = () => single('version', Long.fromNumber(9), ComparatorType.EQUAL);

  it.each([
    ['AND of two true', composite(LogicalOperator.AND, yes(), yes()), true],
    ['AND with one false', composite(LogicalOperator.AND, yes(), no()), false],
    ['OR with one true', composite(LogicalOperator.OR, no(), yes()), true],
    ['OR of two false', composite(LogicalOperator.OR, no(), no()), false],
    ['NOT of false', composite(LogicalOperator.NOT, no()), true],
    ['NOT of true', composite(LogicalOperator.NOT, yes()), false],
  ])('a composite condition: %s', async (_what, condition, passes) => {
    const call = client.putRow({
      tableName: 'items',
      condition: new Condition(IGNORE, condition),
      primaryKey: key('cond'),
      attributeColumns: [{ version: Long.fromNumber(3) }, { name: 'm' }, { ratio: 0.5 }],
    });
    if (passes) await call;
    else expect((await sdkError(call)).message).toContain('OTSConditionCheckFail');
  });

  it.each([
    ['EXPECT_EXIST on a missing row', 'ghost', EXPECT_EXIST, false],
    ['EXPECT_NOT_EXIST on an existing row', 'cond', EXPECT_NOT_EXIST, false],
    ['EXPECT_NOT_EXIST on a missing row', 'fresh', EXPECT_NOT_EXIST, true],
    ['IGNORE on an existing row', 'cond2', IGNORE, true],
  ])('row existence: %s', async (_what, id, existence, passes) => {
    const call = put(
      'items',
      id,
      [{ version: Long.fromNumber(3) }, { name: 'm' }, { ratio: 0.5 }],
      new Condition(existence, null),
    );
    if (passes) {
      await call;
    } else {
      const error = await sdkError(call);
      expect(error.code).toBe(403);
      expect(error.message).toContain('OTSConditionCheckFail');
      expect(error.message).toContain('Condition check failed.');
    }
  });

  it('checks only the latest version unless latestVersionOnly is off', async () => {
    await loose.updateRow({
      tableName: 'versions',
      condition: new Condition(IGNORE, null),
      primaryKey: key('lv'),
      updateOfAttributeColumns: [
        {
          PUT: [
            { state: 'old', timestamp: 1000 },
            { state: 'new', timestamp: 2000 },
          ],
        },
      ],
    });
    const latestOnly = new SingleColumnCondition('state', 'old', ComparatorType.EQUAL, false, true);
    const anyVersion = new SingleColumnCondition('state', 'old', ComparatorType.EQUAL, false, false);
    const update = (condition: TableStore.SingleColumnCondition) =>
      client.updateRow({
        tableName: 'versions',
        condition: new Condition(EXPECT_EXIST, condition),
        primaryKey: key('lv'),
        updateOfAttributeColumns: [{ PUT: [{ other: 'x' }] }],
      });
    expect((await sdkError(update(latestOnly))).message).toContain('OTSConditionCheckFail');
    await update(anyVersion);
  });

  it('rejects DeleteRow with EXPECT_NOT_EXIST as an invalid parameter', async () => {
    const error = await sdkError(
      client.deleteRow({
        tableName: 'items',
        condition: new Condition(EXPECT_NOT_EXIST, null),
        primaryKey: key('cond'),
      }),
    );
    expect(error.code).toBe(400);
    expect(error.message).toContain('OTSParameterInvalid');
  });

  it('fails a conditional delete of a changed row and keeps the row', async () => {
    const stale = new SingleColumnCondition('version', Long.fromNumber(2), ComparatorType.EQUAL, false);
    const error = await sdkError(
      client.deleteRow({ tableName: 'items', condition: new Condition(EXPECT_EXIST, stale), primaryKey: key('cond') }),
    );
    expect(error.message).toContain('OTSConditionCheckFail');
    expect(
      (await client.getRow({ tableName: 'items', primaryKey: key('cond'), maxVersions: 1 })).row.primaryKey,
    ).toEqual(key('cond').map((k) => ({ name: 'id', value: k.id })));
  });
});
