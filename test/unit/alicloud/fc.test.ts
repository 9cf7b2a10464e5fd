import { Readable } from 'node:stream';
import FcSdk from '@alicloud/fc20230330';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FunctionInvoker, functionInvokerFor } from '../../../shared/alicloud/fc.js';
import { CloudApiError, CloudErrorKind } from '../../../shared/domain/errors.js';
import { type AliClientMock, aliClientError, connectionReset, mockAliClient } from '../../support/mock-ali-client.js';

let fc: AliClientMock<InstanceType<typeof FcSdk.default>>;
let invoker: FunctionInvoker;

beforeEach(() => {
  fc = mockAliClient(FcSdk.default);
  invoker = new FunctionInvoker({
    endpoint: '127.0.0.1:9',
    protocol: 'http',
    regionId: 'cn-hangzhou',
    keys: async () => ({ accessKeyId: 'AK', accessKeySecret: 'secret' }),
  });
});

afterEach(() => fc.restore());

function answered(statusCode: number, headers: Record<string, string> = {}) {
  return new FcSdk.InvokeFunctionResponse({ statusCode, headers, body: Readable.from([Buffer.from('')]) });
}

async function text(stream: Readable | undefined): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream ?? []) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

describe('FunctionInvoker.invokeAsync', () => {
  it('queues an asynchronous invocation with the payload and task id, and returns the request id', async () => {
    fc.on('invokeFunctionWithOptions', 'reconcile-shard').resolves(answered(202, { 'x-fc-request-id': 'REQ-7' }));
    expect(await invoker.invokeAsync('reconcile-shard', { shard: 3 }, 'run-1-shard-3')).toEqual({
      requestId: 'REQ-7',
    });
    const [call] = fc.calls('invokeFunctionWithOptions', 'reconcile-shard');
    expect(call?.args[2]).toMatchObject({ xFcInvocationType: 'Async', xFcAsyncTaskId: 'run-1-shard-3' });
    expect(JSON.parse(await text(call?.args[1].body))).toEqual({ shard: 3 });
  });

  it('sends no task id when none is given', async () => {
    fc.on('invokeFunctionWithOptions').resolves(answered(202));
    await invoker.invokeAsync('reconcile-shard', {});
    expect(fc.calls('invokeFunctionWithOptions')[0]?.args[2].xFcAsyncTaskId).toBeUndefined();
  });

  it.each([200, 204])('fails when FC answers %i instead of 202', async (statusCode) => {
    fc.on('invokeFunctionWithOptions').resolves(answered(statusCode));
    const error = await invoker.invokeAsync('reconcile-shard', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudApiError);
    expect(error).toMatchObject({
      code: `Http${statusCode}`,
      statusCode,
      kind: CloudErrorKind.Unavailable,
      api: 'fc:InvokeFunction',
    });
  });

  it('treats a task id FC already accepted (409) as queued', async () => {
    fc.on('invokeFunctionWithOptions').rejects(aliClientError({ code: 'AsyncTaskAlreadyExist', statusCode: 409 }));
    expect(await invoker.invokeAsync('reconcile-shard', {}, 'run-1-shard-3')).toEqual({ alreadyQueued: true });
  });

  it('treats a 400 as a repeated task id only when GetAsyncTask finds the task', async () => {
    fc.on('invokeFunctionWithOptions').rejects(aliClientError({ code: 'InvalidArgument', statusCode: 400 }));
    fc.on('getAsyncTaskWithOptions', 'reconcile-shard').resolves(
      new FcSdk.GetAsyncTaskResponse({
        statusCode: 200,
        headers: {},
        body: new FcSdk.AsyncTask({ taskId: 'run-1-shard-3' }),
      }),
    );
    expect(await invoker.invokeAsync('reconcile-shard', {}, 'run-1-shard-3')).toEqual({ alreadyQueued: true });
  });

  it('fails on a 400 for a task FC does not know (a bad id, async tasks off)', async () => {
    fc.on('invokeFunctionWithOptions').rejects(aliClientError({ code: 'InvalidArgument', statusCode: 400 }));
    fc.on('getAsyncTaskWithOptions').rejects(aliClientError({ code: 'AsyncTaskNotFound', statusCode: 404 }));
    await expect(invoker.invokeAsync('reconcile-shard', {}, 'run-1-shard-3')).rejects.toMatchObject({
      code: 'InvalidArgument',
      statusCode: 400,
    });
  });

  it('fails on a 409 when no task id was given', async () => {
    fc.on('invokeFunctionWithOptions').rejects(aliClientError({ code: 'ResourceConflict', statusCode: 409 }));
    await expect(invoker.invokeAsync('reconcile-shard', {})).rejects.toMatchObject({
      code: 'ResourceConflict',
      statusCode: 409,
    });
  });

  it('fails retryably when the connection is reset', async () => {
    fc.on('invokeFunctionWithOptions').rejects(connectionReset());
    const error = await invoker.invokeAsync('reconcile-shard', {}, 't').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudApiError);
    expect((error as CloudApiError).retryable).toBe(true);
  });
});

describe('functionInvokerFor', () => {
  const keys = async () => ({ accessKeyId: 'AK', accessKeySecret: 'secret' });
  const config = { protocol: 'http' as const, region: 'cn-hangzhou' };

  it('builds an invoker for the configured FC endpoint', () => {
    const endpoints = { fc: '127.0.0.1:9' } as Parameters<typeof functionInvokerFor>[0]['endpoints'];
    expect(functionInvokerFor({ ...config, endpoints }, keys)).toBeInstanceOf(FunctionInvoker);
  });

  it('gives no invoker without an FC endpoint, so runs stay inline', () => {
    const endpoints = {} as Parameters<typeof functionInvokerFor>[0]['endpoints'];
    expect(functionInvokerFor({ ...config, endpoints }, keys)).toBeUndefined();
  });
});
