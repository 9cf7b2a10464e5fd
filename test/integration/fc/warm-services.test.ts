import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTemporaryKeys } from '../../../local/cloud/services/sts/credentials.js';
import { LOCAL_AUTOMATION, LOCAL_EVENT_BUS, localCloudEnvironment } from '../../../local/harness/local-environment.js';
import { fcHandler } from '../../../shared/fc/handler.js';
import { INSTANT_TABLES, startTestCloud, type TestCloud } from '../../support/local-cloud.js';

let cloud: TestCloud;
let env: Record<string, string>;

/** Keys of the function role as FC hands them out; every credential refresh gives new ones. */
function functionRoleKeys() {
  const keys = newTemporaryKeys();
  cloud.cloud.core.issueTemporaryCredentials({
    ...keys,
    expiration: new Date(Date.now() + 3_600_000),
    accountId: LOCAL_AUTOMATION.accountId,
    roleName: 'dts-trust-function',
    sessionName: 'fc-warm-test',
  });
  return keys;
}

const handler = fcHandler('warm-test', async (_event, { services }) =>
  services.grants.getGrant({ ownerAccountId: '1437508826153950', roleName: 'ram-for-dts', trustedAccountId: '1' }),
);

function invoke(
  credentials: ReturnType<typeof functionRoleKeys>,
  requestId: string,
  environment: Record<string, string> = env,
) {
  return handler(Buffer.from('{}'), {
    requestId,
    credentials,
    accountId: LOCAL_AUTOMATION.accountId,
    environment,
  });
}

beforeAll(async () => {
  cloud = await startTestCloud({ services: { eventbridge: { buses: [LOCAL_EVENT_BUS] }, ...INSTANT_TABLES } });
  env = localCloudEnvironment(cloud.cloud);
});

afterAll(async () => {
  await cloud?.stop();
});

describe('a warm container', () => {
  it('checks the tables once, and signs with the new keys after every credential refresh', async () => {
    const first = functionRoleKeys();
    await invoke(first, 'req-1');
    const described = () => cloud.cloud.log.filter((e) => e.service === 'tablestore' && e.action === 'DescribeTable');
    // One DescribeTable per table (grants, status, messages, outbox, dead letters, history, findings, heartbeats,
    // DTS inventories).
    expect(described()).toHaveLength(9);

    cloud.cloud.log.length = 0;
    const refreshed = functionRoleKeys();
    await invoke(refreshed, 'req-2');
    const again = functionRoleKeys();
    await invoke(again, 'req-3');
    expect(described()).toHaveLength(0);
    const reads = cloud.cloud.log.filter((e) => e.service === 'tablestore' && e.action === 'GetRow');
    expect(reads.map((e) => e.accessKeyId)).toEqual([refreshed.accessKeyId, again.accessKeyId]);
    expect(cloud.cloud.log.filter((e) => e.status >= 400)).toEqual([]);
  });

  it('keeps working once every key it was built with is gone', async () => {
    cloud.cloud.core.temporaryCredentials.clear();
    const fresh = functionRoleKeys();
    cloud.cloud.log.length = 0;
    await invoke(fresh, 'req-4');
    expect(cloud.cloud.log.filter((e) => e.service === 'tablestore').map((e) => [e.accessKeyId, e.status])).toEqual([
      [fresh.accessKeyId, 200],
    ]);
  });

  it('shares one set of services among the invocations it runs at once (instanceConcurrency): the tables are checked once', async () => {
    // Settings no earlier invocation of this file had: a container that has built no services for them yet.
    const unseen = { ...env, DTS_TRUST_SHARD_THRESHOLD: '777' };
    cloud.cloud.log.length = 0;
    const keys = functionRoleKeys();
    await Promise.all(['req-5', 'req-6', 'req-7'].map((id) => invoke(keys, id, unseen)));
    const described = cloud.cloud.log.filter((e) => e.service === 'tablestore' && e.action === 'DescribeTable');
    expect(described).toHaveLength(9);
    expect(cloud.cloud.log.filter((e) => e.service === 'tablestore' && e.action === 'GetRow')).toHaveLength(3);
  });
});
