import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AUTOMATION, localCloudEnvironment } from '../../../local/harness/local-environment.js';
import { HTTPX_READ_TIMER } from '../../../shared/alicloud/read-timers.js';
import { createServices, type Services } from '../../../shared/composition/services.js';
import { loadConfig } from '../../../shared/config/config.js';
import { EXAMPLE, startTestCloud, type TestCloud } from '../../support/local-cloud.js';

let cloud: TestCloud;
let services: Services;

beforeAll(async () => {
  cloud = await startTestCloud();
  services = createServices(loadConfig(localCloudEnvironment(cloud.cloud)), {
    tablestoreKeys: LOCAL_AUTOMATION.runner,
    ownKeys: async () => LOCAL_AUTOMATION.runner,
  });
});

afterAll(async () => {
  await cloud?.stop();
});

/** The read timers httpx armed for the requests answered while `work` ran (Node's timers, `_destroyed` once cleared). */
async function readTimersOf(work: () => Promise<unknown>): Promise<{ _destroyed: boolean }[]> {
  const timers: { _destroyed: boolean }[] = [];
  const onResponse = (message: unknown) => {
    const socket = (message as { request: ClientRequest }).request.socket as unknown as Record<symbol, unknown>;
    const symbol = Object.getOwnPropertySymbols(socket).find((s) => s.description === HTTPX_READ_TIMER);
    if (symbol && socket[symbol]) timers.push(socket[symbol] as { _destroyed: boolean });
  };
  subscribe('http.client.response.finish', onResponse);
  try {
    await work();
  } finally {
    unsubscribe('http.client.response.finish', onResponse);
  }
  return timers;
}

describe("the functions' HTTP clients", () => {
  it('clear the read timer of each RAM and STS call once its answer has been read, not 10 s later', async () => {
    const timers = await readTimersOf(async () => {
      const owner = await services.broker.credentialsFor(EXAMPLE.sourceOwner.id);
      await services.directory.getRole(owner, 'no-such-role');
      await services.directory.listAttachedPolicies(owner, 'no-such-role');
    });
    expect(timers.length).toBeGreaterThanOrEqual(3);
    expect(timers.map((t) => t._destroyed)).toEqual(timers.map(() => true));
  });
});
