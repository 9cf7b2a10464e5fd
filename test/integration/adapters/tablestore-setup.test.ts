import { Agent as HttpsAgent } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_AUTOMATION, localCloudEnvironment } from '../../../local/harness/local-environment.js';
import { createTablestoreClient, keepAliveAgent } from '../../../shared/alicloud/tablestore/client.js';
import { setupTables, TABLE_READY_TIMEOUT_MS } from '../../../shared/alicloud/tablestore/tables.js';
import { createServices } from '../../../shared/composition/services.js';
import { loadConfig } from '../../../shared/config/config.js';
import { CloudApiError } from '../../../shared/domain/errors.js';
import { FakeClock, SeededRandom } from '../../support/fake-clock.js';
import { startTestCloud, type TestCloud } from '../../support/local-cloud.js';

let cloud: TestCloud | undefined;

afterEach(async () => {
  await cloud?.stop();
  cloud = undefined;
});

/** The local cloud and the product on one fake clock: the product's sleeps move the cloud's time. */
async function startOnFakeClock(tableLoadSeconds: number) {
  const clock = new FakeClock('2026-12-01T08:00:00Z');
  cloud = await startTestCloud({ clock, services: { tablestore: { tableLoadSeconds } } });
  const services = createServices(loadConfig(localCloudEnvironment(cloud.cloud)), {
    tablestoreKeys: LOCAL_AUTOMATION.runner,
    ownKeys: async () => LOCAL_AUTOMATION.runner,
    clock,
    random: new SeededRandom(7),
  });
  return { clock, services, cloud };
}

describe('setupTables', () => {
  it('waits until the tables it created serve rows, probing with the product backoff', async () => {
    const { clock, services, cloud } = await startOnFakeClock(60);
    const started = clock.millis;
    const created = await setupTables(services.tablestore, services.config.tables, services);
    expect(created).toHaveLength(Object.keys(services.config.tables).length);
    expect(clock.millis - started).toBeGreaterThanOrEqual(60_000);
    expect(clock.millis - started).toBeLessThan(60_000 + 5_000);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(5_000);
    const probes = cloud.cloud.log.filter((e) => e.action === 'GetRow');
    expect(probes.length).toBeGreaterThan(4);
    // The stores work right after setup: every table is ready.
    expect(await services.outbox.pending(1)).toEqual([]);
    expect(
      await services.grants.getGrant({ ownerAccountId: '1437508826153950', roleName: 'r', trustedAccountId: '1' }),
    ).toBeUndefined();
  });

  it('gives up after the bound with an error naming the table and what to do', async () => {
    const { clock, services } = await startOnFakeClock(24 * 3600);
    const started = clock.millis;
    const error = await setupTables(services.tablestore, services.config.tables, services).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudApiError);
    expect(error).toMatchObject({ code: 'OTSTableNotReady', kind: 'unavailable', retryable: true });
    expect((error as Error).message).toContain(
      `table ${services.config.tables.grants} was created but is still not ready`,
    );
    expect((error as Error).message).toMatch(/run setup again later/);
    expect(clock.millis - started).toBeGreaterThanOrEqual(TABLE_READY_TIMEOUT_MS);
    expect(clock.millis - started).toBeLessThan(TABLE_READY_TIMEOUT_MS + 5_000);
  });

  it('also waits for a table another setup created a moment before (its CreateTable lost the race)', async () => {
    const { clock, services } = await startOnFakeClock(60);
    const started = clock.millis;
    const run = () =>
      setupTables(services.tablestore, services.config.tables, services).then((created) => ({
        created,
        waitedMs: clock.millis - started,
      }));
    const [first, second] = await Promise.all([run(), run()]);
    expect([...first.created, ...second.created].sort()).toEqual(Object.values(services.config.tables).sort());
    expect(first.waitedMs).toBeGreaterThanOrEqual(60_000);
    expect(second.waitedMs).toBeGreaterThanOrEqual(60_000);
  });

  it('does not wait for tables that already exist', async () => {
    const { clock, services } = await startOnFakeClock(60);
    await setupTables(services.tablestore, services.config.tables, services);
    const before = clock.sleeps.length;
    expect(await setupTables(services.tablestore, services.config.tables, services)).toEqual([]);
    expect(clock.sleeps.length).toBe(before);
  });

  it('describes every table at once, so a cold start waits one round trip for the check, not eight', async () => {
    const { services } = await startOnFakeClock(0);
    await setupTables(services.tablestore, services.config.tables, services);
    const client = services.tablestore;
    const describe = client.describeTable.bind(client);
    let inFlight = 0;
    let most = 0;
    client.describeTable = (async (params: Parameters<typeof describe>[0]) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      try {
        return await describe(params);
      } finally {
        inFlight -= 1;
      }
    }) as typeof client.describeTable;
    expect(await setupTables(client, services.config.tables, services)).toEqual([]);
    expect(most).toBe(Object.keys(services.config.tables).length);
  });

  it('creates nothing when a table exists with another primary key, and names it', async () => {
    const { services } = await startOnFakeClock(0);
    const names = services.config.tables;
    await setupTables(services.tablestore, names, services);
    // The first table is new, the last one is the grants table under another name: a mismatch found last.
    const mixed = { ...names, grants: `${names.grants}-new`, heartbeats: names.grants };
    const error = await setupTables(services.tablestore, mixed, services).catch((e: unknown) => e);
    expect((error as Error).message).toContain(`Table ${names.grants} exists with primary key`);
    expect((await services.tablestore.listTable({})).tableNames).not.toContain(`${names.grants}-new`);
  });
});

describe('the Tablestore client', () => {
  it('keeps its connection alive across calls (the SDK default opens one per call)', async () => {
    cloud = await startTestCloud({ services: { tablestore: { tableLoadSeconds: 0 } } });
    const client = createTablestoreClient(
      { endpoint: cloud.cloud.url, instance: 'dts-trust' },
      LOCAL_AUTOMATION.runner,
    );
    const agent = (
      client as unknown as { config: { httpOptions: { agent: { createConnection: (...args: unknown[]) => unknown } } } }
    ).config.httpOptions.agent;
    let connections = 0;
    const create = agent.createConnection.bind(agent);
    agent.createConnection = (...args: unknown[]) => {
      connections += 1;
      return create(...args);
    };
    for (let i = 0; i < 5; i++) await client.listTable({});
    expect(connections).toBe(1);
  });

  it('uses a keep-alive https agent for https endpoints', () => {
    const agent = keepAliveAgent('https://dts-trust.cn-hangzhou.ots.aliyuncs.com');
    expect(agent).toBeInstanceOf(HttpsAgent);
    expect((agent as unknown as { keepAlive: boolean }).keepAlive).toBe(true);
  });
});
