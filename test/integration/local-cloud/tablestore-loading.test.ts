import TableStore from 'tablestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../../local/cloud/server.js';
import { DEFAULT_TABLE_LOAD_SECONDS } from '../../../local/cloud/services/tablestore/service.js';
import { exampleAccounts, sdkError, TestKeys, tablestoreClient } from './tablestore-helpers.js';

const LOAD_SECONDS = 60;
let nowMs = Date.parse('2026-12-01T08:00:00Z');
let cloud: LocalCloud;
let client: TableStore.Client;

const key = (id: string): TableStore.PrimaryKeyInput => [{ id }];
const ignore = () => new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null);

async function createTable(name: string): Promise<void> {
  await client.createTable({
    tableMeta: { tableName: name, primaryKey: [{ name: 'id', type: 'STRING' }] },
    reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
    tableOptions: { timeToLive: -1, maxVersions: 1 },
  });
}

beforeAll(async () => {
  cloud = await startLocalCloud({
    accounts: exampleAccounts,
    clock: { now: () => new Date(nowMs) },
    services: { tablestore: { tableLoadSeconds: LOAD_SECONDS } },
  });
  client = tablestoreClient(cloud.url, TestKeys.runner);
});

afterAll(async () => {
  await cloud?.stop();
});

describe('the local Tablestore while a new table loads', () => {
  it('answers row operations with OTSTableNotReady until the load time has passed, then serves them', async () => {
    await createTable('loading');
    const write = await sdkError(
      client.putRow({ tableName: 'loading', condition: ignore(), primaryKey: key('a'), attributeColumns: [] }),
    );
    expect(write.message).toContain('OTSTableNotReady');
    const read = await sdkError(client.getRow({ tableName: 'loading', primaryKey: key('a') }));
    expect(read.message).toContain('OTSTableNotReady');

    nowMs += (LOAD_SECONDS - 1) * 1000;
    expect((await sdkError(client.getRow({ tableName: 'loading', primaryKey: key('a') }))).message).toContain(
      'OTSTableNotReady',
    );
    nowMs += 1000;
    await client.putRow({ tableName: 'loading', condition: ignore(), primaryKey: key('a'), attributeColumns: [] });
    const got = await client.getRow({ tableName: 'loading', primaryKey: key('a') });
    expect(got.row.primaryKey?.[0]?.value).toBe('a');
  });

  it('describes and lists a loading table, so only row operations show the load', async () => {
    await createTable('described');
    const described = await client.describeTable({ tableName: 'described' });
    expect(described.tableMeta.tableName).toBe('described');
    expect((await client.listTable({})).tableNames).toContain('described');
  });

  it('fails each row of a batch that touches a loading table, and serves the rows of loaded tables', async () => {
    nowMs += LOAD_SECONDS * 1000;
    await createTable('fresh');
    const result = await client.batchWriteRow({
      tables: [
        {
          tableName: 'loading',
          rows: [{ type: 'PUT', condition: ignore(), primaryKey: key('b'), attributeColumns: [] }],
        },
        {
          tableName: 'fresh',
          rows: [{ type: 'PUT', condition: ignore(), primaryKey: key('b'), attributeColumns: [] }],
        },
      ],
    });
    const byTable = Object.fromEntries(result.tables.map((t) => [t.tableName, t]));
    expect(byTable['loading']).toMatchObject({ isOk: true });
    expect(byTable['fresh']).toMatchObject({ isOk: false, errorCode: 'OTSTableNotReady' });
  });

  it('makes tables ready at once with tableLoadSeconds 0, and loads them for a moment by default', async () => {
    expect(DEFAULT_TABLE_LOAD_SECONDS).toBeGreaterThan(0);
    const instant = await startLocalCloud({
      accounts: exampleAccounts,
      clock: { now: () => new Date(nowMs) },
      services: { tablestore: { tableLoadSeconds: 0 } },
    });
    try {
      const c = tablestoreClient(instant.url, TestKeys.runner);
      await c.createTable({
        tableMeta: { tableName: 'instant', primaryKey: [{ name: 'id', type: 'STRING' }] },
        reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
        tableOptions: { timeToLive: -1, maxVersions: 1 },
      });
      await c.putRow({ tableName: 'instant', condition: ignore(), primaryKey: key('a'), attributeColumns: [] });
    } finally {
      await instant.stop();
    }
  });
});
