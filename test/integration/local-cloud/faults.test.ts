import { ServerError, ThrottlingError } from '@alicloud/openapi-core';
import * as RamSdk from '@alicloud/ram20150501';
import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE, sdkFailure, startTestCloud, type TestCloud, testRuntime } from '../../support/local-cloud.js';

const { sourceOwner, destinationOwner, managementRole } = EXAMPLE;
const getRole = (cloud: TestCloud, keys = sourceOwner.root) =>
  cloud.ram(keys).getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: managementRole }), testRuntime());

let cloud: TestCloud | undefined;
afterEach(async () => {
  await cloud?.stop();
  cloud = undefined;
});

describe('faults', () => {
  it('throttles per account and per API with Throttling.User, which the SDK raises as ThrottlingError', async () => {
    // The gateway's clock near the SDK's (it refuses timestamps 15 minutes off), a quarter into a second.
    const frozen = new Date(Math.floor(Date.now() / 1000) * 1000 + 250);
    cloud = await startTestCloud({
      clock: { now: () => frozen },
      faults: { qpsLimits: [{ service: 'ram', action: 'GetRole', qps: 2 }] },
    });
    await getRole(cloud);
    await getRole(cloud);
    const f = await sdkFailure(getRole(cloud));
    expect(f.error).toBeInstanceOf(ThrottlingError);
    expect([f.code, f.statusCode]).toEqual(['Throttling.User', 400]);
    expect((f.error as ThrottlingError).retryAfter).toBe(750);
    expect((await getRole(cloud, destinationOwner.root)).statusCode).toBe(200);
    const list = await cloud.ram(sourceOwner.root).listRolesWithOptions(new RamSdk.ListRolesRequest({}), testRuntime());
    expect(list.statusCode).toBe(200);
    expect(cloud.cloud.log.filter((e) => e.code === 'Throttling.User')).toHaveLength(1);
  });

  it('lets calls through again in the next second', async () => {
    let now = Math.floor(Date.now() / 1000) * 1000;
    cloud = await startTestCloud({
      clock: { now: () => new Date(now) },
      faults: { qpsLimits: [{ action: 'GetRole', qps: 1 }] },
    });
    await getRole(cloud);
    expect((await sdkFailure(getRole(cloud))).code).toBe('Throttling.User');
    now += 1000;
    expect((await getRole(cloud)).statusCode).toBe(200);
  });

  it('throttles per account across APIs with one token bucket, refilled at the rate', async () => {
    let now = Math.floor(Date.now() / 1000) * 1000 + 100;
    cloud = await startTestCloud({
      clock: { now: () => new Date(now) },
      faults: { qpsLimits: [{ service: 'ram', qps: 2, per: 'account' }] },
    });
    const listRoles = () =>
      cloud!.ram(sourceOwner.root).listRolesWithOptions(new RamSdk.ListRolesRequest({}), testRuntime());
    await getRole(cloud);
    await listRoles();
    const f = await sdkFailure(getRole(cloud));
    expect(f.code).toBe('Throttling.User');
    expect((f.error as ThrottlingError).retryAfter).toBe(500);
    expect((await getRole(cloud, destinationOwner.root)).statusCode).toBe(200);
    now += 500;
    expect((await listRoles()).statusCode).toBe(200);
    expect((await sdkFailure(getRole(cloud))).code).toBe('Throttling.User');
  });

  it('lets a bucket hold a burst larger than its rate, and no more', async () => {
    const now = Math.floor(Date.now() / 1000) * 1000 + 900;
    cloud = await startTestCloud({
      clock: { now: () => new Date(now) },
      faults: { qpsLimits: [{ service: 'ram', qps: 1, per: 'account', burst: 3 }] },
    });
    for (let i = 0; i < 3; i++) expect((await getRole(cloud)).statusCode).toBe(200);
    expect((await sdkFailure(getRole(cloud))).code).toBe('Throttling.User');
  });

  it('refuses a burst on a per-API limit, naming the field', async () => {
    await expect(startTestCloud({ faults: { qpsLimits: [{ qps: 1, burst: 2 }] } })).rejects.toThrow(
      /qpsLimits\.0\.burst: burst applies to per: 'account' limits only/,
    );
  });

  it.each([
    [503, 'ServiceUnavailable'],
    [500, 'InternalError'],
  ] as const)('answers a %i error rate with %s as a ServerError', async (status, code) => {
    cloud = await startTestCloud({ faults: { errors: { rate: 1, status, services: ['ram'] } } });
    const f = await sdkFailure(getRole(cloud));
    expect(f.error).toBeInstanceOf(ServerError);
    expect([f.code, f.statusCode]).toEqual([code, status]);
    const identity = await cloud.sts(sourceOwner.root).getCallerIdentityWithOptions(testRuntime());
    expect(identity.statusCode).toBe(200);
  });

  it('fails a seeded fraction of calls, the same ones for the same seed', async () => {
    const outcomes: string[] = [];
    for (const _run of [1, 2]) {
      const c = await startTestCloud({ faults: { seed: 42, errors: { rate: 0.5 } } });
      let line = '';
      for (let i = 0; i < 20; i++)
        line += await getRole(c).then(
          () => '.',
          () => 'x',
        );
      outcomes.push(line);
      await c.stop();
    }
    expect(outcomes[0]).toBe(outcomes[1]);
    expect(outcomes[0]).toContain('x');
    expect(outcomes[0]).toContain('.');
  });

  it('adds fixed latency, per service when asked', async () => {
    // Wide apart, so a busy machine (the suite runs a file per core) cannot blur RAM's added latency into STS's.
    cloud = await startTestCloud({ faults: { latencyByService: { ram: 300 } } });
    let start = performance.now();
    await getRole(cloud);
    expect(performance.now() - start).toBeGreaterThanOrEqual(295);
    start = performance.now();
    await cloud.sts(sourceOwner.root).getCallerIdentityWithOptions(testRuntime());
    expect(performance.now() - start).toBeLessThan(200);
  });

  it('adds latency from a range', async () => {
    cloud = await startTestCloud({ faults: { seed: 7, latencyMs: [30, 40] } });
    const start = performance.now();
    await getRole(cloud);
    expect(performance.now() - start).toBeGreaterThanOrEqual(28);
  });

  it('answers every call of a service in outage with ServiceUnavailable', async () => {
    cloud = await startTestCloud({ faults: { outages: ['sts'] } });
    const f = await sdkFailure(cloud.sts(sourceOwner.root).getCallerIdentityWithOptions(testRuntime()));
    expect([f.code, f.statusCode]).toEqual(['ServiceUnavailable', 503]);
    expect((await getRole(cloud)).statusCode).toBe(200);
  });

  it('is set and cleared at runtime through the admin route, and validated', async () => {
    cloud = await startTestCloud();
    const put = (body: unknown) =>
      fetch(`${cloud?.cloud.url}/__admin/faults`, { method: 'PUT', body: JSON.stringify(body) });
    expect((await put({ outages: ['ram'] })).status).toBe(200);
    expect((await sdkFailure(getRole(cloud))).code).toBe('ServiceUnavailable');
    const bad = await put({ errors: { rate: 2 } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { Message: string }).Message).toContain('errors.rate');
    expect((await put({})).status).toBe(200);
    expect((await getRole(cloud)).statusCode).toBe(200);
    const current = await fetch(`${cloud.cloud.url}/__admin/faults`);
    expect(await current.json()).toEqual({});
  });

  it('refuses an invalid fault configuration at start, naming the field', async () => {
    await expect(startTestCloud({ faults: { latencyMs: [50, 10] } as never })).rejects.toThrow(/latencyMs/);
  });
});
