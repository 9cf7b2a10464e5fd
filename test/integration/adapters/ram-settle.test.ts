import { afterEach, describe, expect, it } from 'vitest';
import { RamRoleDirectory, SETTLE_RETRY_POLICY } from '../../../shared/alicloud/ram.js';
import { CloudErrorKind } from '../../../shared/domain/errors.js';
import type { AccountCredentials } from '../../../shared/ports.js';
import { FakeClock, FixedRandom } from '../../support/fake-clock.js';
import { EXAMPLE, startTestCloud, type TestCloud } from '../../support/local-cloud.js';

const DTS_POLICY = { policyName: 'AliyunDTSRolePolicy', policyType: 'System' } as const;
const trust = JSON.stringify({
  Version: '1',
  Statement: [
    { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${EXAMPLE.taskCreator.id}:root`] } },
  ],
});

let cloud: TestCloud | undefined;

afterEach(async () => {
  await cloud?.stop();
  cloud = undefined;
});

/** The local cloud and the directory on one fake clock, RAM settling a detach for `settleSeconds`. */
async function world(settleSeconds: number) {
  const clock = new FakeClock(new Date());
  cloud = await startTestCloud({ clock, services: { ram: { detachSettleSeconds: settleSeconds } } });
  const keys = await cloud.assume(EXAMPLE.sourceOwner.id);
  const account: AccountCredentials = { accountId: EXAMPLE.sourceOwner.id, ...keys };
  const directory = new RamRoleDirectory({
    endpoint: cloud.endpoint,
    protocol: 'http',
    regionId: 'cn-hangzhou',
    clock,
    random: new FixedRandom(1),
  });
  await directory.createRole(account, { roleName: 'settling', trustPolicy: trust, description: 'test', tags: {} });
  await directory.attachPolicy(account, 'settling', DTS_POLICY);
  return { clock, cloud, account, directory };
}

describe('RamRoleDirectory.deleteRole', () => {
  it('retries DeleteConflict.Role.Policy while the last detach settles, then deletes the role', async () => {
    const { clock, cloud, account, directory } = await world(3);
    await directory.detachPolicy(account, 'settling', DTS_POLICY);
    cloud.cloud.log.length = 0;
    const started = clock.millis;
    await directory.deleteRole(account, 'settling');
    expect(await directory.getRole(account, 'settling')).toBeUndefined();
    const deletes = cloud.cloud.log.filter((e) => e.action === 'DeleteRole').map((e) => e.code ?? e.status);
    expect(deletes.at(-1)).toBe(200);
    expect(deletes.slice(0, -1)).toEqual(deletes.slice(0, -1).map(() => 'DeleteConflict.Role.Policy'));
    expect(deletes.length).toBeGreaterThan(1);
    // The product's backoff (random fixed at 1: each wait is its ceiling): 500, 1000, 2000 ms.
    expect(clock.sleeps).toEqual([500, 1_000, 2_000]);
    expect(clock.millis - started).toBeGreaterThanOrEqual(3_000);
  });

  it('gives up after the bounded retries with the conflict when policies really are still attached', async () => {
    const { clock, cloud, account, directory } = await world(0);
    cloud.cloud.log.length = 0;
    await expect(directory.deleteRole(account, 'settling')).rejects.toMatchObject({
      code: 'DeleteConflict.Role.Policy',
      kind: CloudErrorKind.Conflict,
    });
    expect(cloud.cloud.log.filter((e) => e.action === 'DeleteRole')).toHaveLength(SETTLE_RETRY_POLICY.maxAttempts);
    expect(Math.max(...clock.sleeps)).toBe(SETTLE_RETRY_POLICY.maxDelayMs);
  });
});
