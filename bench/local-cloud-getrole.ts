/**
 * Speed of the local cloud: GetRole through the real `@alicloud/ram20150501` client against an in-process local
 * cloud (faults off), with a fixed number of calls in flight, for a few seconds. Prints calls per second; the
 * local cloud must never be the bottleneck of our benchmarks (target: at least 2,000 calls/s).
 *
 * Run: `npx tsx bench/local-cloud-getrole.ts [--seconds 3] [--concurrency 32]`
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import Ram, * as $Ram from '@alicloud/ram20150501';
import { startLocalCloud } from '../local/cloud/server.js';

/** The figure the local cloud must reach. */
const TARGET_CALLS_PER_SECOND = 2_000;

const ACCOUNT = { id: '1234567812345678', keyId: 'LTAIbenchroot0000001', secret: 'bench-root-secret' } as const;
const ROLE = 'bench-role';

const RamClient = (typeof Ram.default === 'function' ? Ram.default : Ram) as unknown as typeof Ram.default;

function options(): { seconds: number; concurrency: number } {
  const { values } = parseArgs({
    options: { seconds: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '32' } },
  });
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);
  if (!(seconds > 0 && seconds <= 60)) throw new Error('--seconds must be a number from 1 to 60');
  if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 512)) {
    throw new Error('--concurrency must be a whole number from 1 to 512');
  }
  return { seconds, concurrency };
}

async function main(): Promise<void> {
  const { seconds, concurrency } = options();
  const cloud = await startLocalCloud({
    accounts: {
      accounts: [{ id: ACCOUNT.id, name: 'bench', accessKeys: [{ id: ACCOUNT.keyId, secret: ACCOUNT.secret }] }],
    },
    logLimit: 10_000,
  });
  try {
    const ram = new RamClient(
      new $OpenApiUtil.Config({
        accessKeyId: ACCOUNT.keyId,
        accessKeySecret: ACCOUNT.secret,
        endpoint: cloud.endpoint,
        protocol: 'http',
      }),
    );
    await ram.createRole(
      new $Ram.CreateRoleRequest({
        roleName: ROLE,
        assumeRolePolicyDocument: JSON.stringify({
          Version: '1',
          Statement: [
            { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ACCOUNT.id}:root`] } },
          ],
        }),
      }),
    );
    const request = new $Ram.GetRoleRequest({ roleName: ROLE });

    // Warm up (JIT, connection pool) before measuring.
    await Promise.all(Array.from({ length: concurrency }, () => ram.getRole(request)));

    let calls = 0;
    let failures = 0;
    const started = performance.now();
    const deadline = started + seconds * 1_000;
    const worker = async (): Promise<void> => {
      while (performance.now() < deadline) {
        try {
          const res = await ram.getRole(request);
          if (res.body?.role?.roleName !== ROLE) failures += 1;
          calls += 1;
        } catch {
          failures += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const elapsed = (performance.now() - started) / 1_000;
    const rate = calls / elapsed;
    console.log(
      `local cloud GetRole: ${Math.round(rate)} calls/s (${calls} calls in ${elapsed.toFixed(2)} s, ` +
        `${concurrency} in flight, ${failures} failures; target >= ${TARGET_CALLS_PER_SECOND}/s)`,
    );
    if (failures > 0 || rate < TARGET_CALLS_PER_SECOND) process.exitCode = 1;
  } finally {
    await cloud.stop();
  }
}

await main();
