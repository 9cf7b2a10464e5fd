import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEventBridgeEvents } from '../../../local/cloud/services/eventbridge/store.js';
import { FcDestinationEventType } from '../../../local/cloud/services/fc/destinations.js';
import {
  crashNextInvocations,
  drainFcInvocations,
  fcInvocations,
  registerFcFunction,
} from '../../../local/cloud/services/fc/functions.js';
import { FunctionInvoker } from '../../../shared/alicloud/fc.js';
import { ACCOUNT_A, FUNCTION_ROLE, type Harness, startHarness } from './eventbridge-fc-harness.js';
import { invokeFc } from './fc-client.js';

const BUS = 'dts-trust';
const destination = `acs:eventbridge:cn-hangzhou:${ACCOUNT_A.id}:eventbus/${BUS}`;

let cloud: Harness;
/** Runs left to fail, per function. */
const failuresLeft = new Map<string, number>();

function flaky(name: string) {
  return async (event: Buffer) => {
    const left = failuresLeft.get(name) ?? 0;
    if (left > 0) {
      failuresLeft.set(name, left - 1);
      throw new Error(`${name} failed (${left - 1} failures left)`);
    }
    return { done: JSON.parse(event.toString('utf8')) as unknown };
  };
}

function register(name: string, asyncInvokeConfig: Record<string, unknown>) {
  registerFcFunction(cloud.core, name, {
    handler: flaky(name),
    accountId: ACCOUNT_A.id,
    role: FUNCTION_ROLE,
    asyncInvokeConfig,
  });
}

async function runAsync(name: string, payload: unknown) {
  const answer = await invokeFc(cloud.endpoint, ACCOUNT_A, name, payload, { async: true });
  expect(answer.statusCode).toBe(202);
  await drainFcInvocations(cloud.core);
  return fcInvocations(cloud.core).filter((r) => r.requestId === answer.headers['x-fc-request-id']);
}

function failureRecords() {
  return readEventBridgeEvents(cloud.core, { bus: BUS }).filter((e) => e.event.type === FcDestinationEventType.Failure);
}

beforeAll(async () => {
  cloud = await startHarness({ eventbridge: { buses: [BUS] } });
});

afterAll(async () => {
  await cloud.stop();
});

describe('FC asynchronous invocation retries', () => {
  it('re-runs a failed invocation until it succeeds, within maxAsyncRetryAttempts, and sends nothing to onFailure', async () => {
    register('once', { maxAsyncRetryAttempts: 2, destinationConfig: { onFailure: { destination } } });
    failuresLeft.set('once', 1);
    const runs = await runAsync('once', { n: 1 });
    expect(runs.map((r) => [r.attempt, r.status])).toEqual([
      [1, 'failed'],
      [2, 'succeeded'],
    ]);
    expect(failureRecords()).toHaveLength(0);
  });

  it('runs maxAsyncRetryAttempts + 1 times, then delivers the record to the onFailure bus', async () => {
    register('always', { maxAsyncRetryAttempts: 2, destinationConfig: { onFailure: { destination } } });
    failuresLeft.set('always', 10);
    const runs = await runAsync('always', { n: 2 });
    expect(runs.map((r) => [r.attempt, r.status])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'failed'],
    ]);
    expect(runs[2]?.destination).toEqual({ arn: destination, status: 'delivered' });
    const [record] = failureRecords();
    expect(record?.event).toMatchObject({
      source: 'acs.fc',
      subject: `acs:fc:cn-hangzhou:${ACCOUNT_A.id}:functions/always`,
    });
    expect(record?.event.data).toMatchObject({
      requestContext: { requestId: runs[0]?.requestId, approximateInvokeCount: 3, condition: 'Error' },
      requestPayload: '{"n":2}',
      responseContext: { functionError: 'always failed (7 failures left)' },
    });
  });

  it("retries FC's default 3 times when the function sets no retries", async () => {
    register('defaults', {});
    failuresLeft.set('defaults', 10);
    expect((await runAsync('defaults', {})).map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
  });

  it('counts a crashed instance as a failed run', async () => {
    register('crashing', { maxAsyncRetryAttempts: 1 });
    crashNextInvocations(cloud.core, 'crashing', 1);
    const runs = await runAsync('crashing', {});
    expect(runs.map((r) => [r.attempt, r.status])).toEqual([
      [1, 'failed'],
      [2, 'succeeded'],
    ]);
    expect(runs[0]?.error).toMatch(/^InstanceExited/);
  });

  it('records a delivery to a bus that does not exist as failed, and puts nothing on the bus', async () => {
    failuresLeft.set('no-role', 1);
    const before = failureRecords().length;
    registerFcFunction(cloud.core, 'no-role', {
      handler: flaky('no-role'),
      accountId: ACCOUNT_A.id,
      asyncInvokeConfig: {
        maxAsyncRetryAttempts: 0,
        destinationConfig: {
          onFailure: { destination: `acs:eventbridge:cn-hangzhou:${ACCOUNT_A.id}:eventbus/missing` },
        },
      },
    });
    const runs = await runAsync('no-role', {});
    expect(runs[0]?.destination).toMatchObject({ status: 'failed', error: expect.stringMatching(/missing/) });
    expect(failureRecords()).toHaveLength(before);
  });

  it('refuses a destination the local cloud does not model, naming the field', () => {
    expect(() =>
      registerFcFunction(cloud.core, 'mns-destination', {
        handler: flaky('mns'),
        asyncInvokeConfig: {
          destinationConfig: { onFailure: { destination: `acs:mns:cn-hangzhou:${ACCOUNT_A.id}:/queues/dlq/messages` } },
        },
      }),
    ).toThrow(/asyncInvokeConfig\.destinationConfig\.onFailure\.destination/);
  });
});

describe('FunctionInvoker against the local FC, task ids', () => {
  const keys = async () => ({ accessKeyId: ACCOUNT_A.keyId, accessKeySecret: ACCOUNT_A.secret });

  for (const duplicateTaskStatus of [409, 400] as const) {
    it(`recognises a repeated task id FC refuses with ${duplicateTaskStatus}, and runs the task once`, async () => {
      const own = await startHarness({ fc: { region: 'cn-hangzhou', duplicateTaskStatus } });
      try {
        let runs = 0;
        registerFcFunction(own.core, 'shard', {
          handler: () => {
            runs += 1;
          },
          accountId: ACCOUNT_A.id,
          asyncInvokeConfig: { asyncTask: true },
        });
        const invoker = new FunctionInvoker({
          endpoint: own.endpoint,
          protocol: 'http',
          regionId: 'cn-hangzhou',
          keys,
        });
        const first = await invoker.invokeAsync('shard', { n: 1 }, 'shard_20261201T080000000Z_abc');
        expect(first.requestId).toBeDefined();
        expect(await invoker.invokeAsync('shard', { n: 1 }, 'shard_20261201T080000000Z_abc')).toEqual({
          alreadyQueued: true,
        });
        await drainFcInvocations(own.core);
        expect(runs).toBe(1);
        // A 400 for a task FC does not know is a failure, not a repeat.
        await expect(invoker.invokeAsync('shard', {}, '9-starts-with-a-digit')).rejects.toMatchObject({
          statusCode: 400,
        });
      } finally {
        await own.stop();
      }
    });
  }
});
