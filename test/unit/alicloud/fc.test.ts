import { Readable } from 'node:stream';
import FcSdk from '@alicloud/fc20230330';
import OpenApi, { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FunctionInvoker, functionInvokerFor } from '../../../shared/alicloud/fc.js';
import { CloudApiError, CloudErrorKind } from '../../../shared/domain/errors.js';
import { type AliClientMock, aliClientError, connectionReset, mockAliClient } from '../../support/mock-ali-client.js';

let fc: AliClientMock<InstanceType<typeof OpenApi.default>>;
let invoker: FunctionInvoker;

beforeEach(() => {
  fc = mockAliClient(OpenApi.default);
  invoker = new FunctionInvoker({
    endpoint: '127.0.0.1:9',
    protocol: 'http',
    regionId: 'cn-hangzhou',
    keys: async () => ({ accessKeyId: 'AK', accessKeySecret: 'secret' }),
  });
});

afterEach(() => fc.restore());

/** What `callApi` answers for a binary (InvokeFunction) answer: status, headers and the body as a stream. */
function answered(statusCode: number, headers: Record<string, string> = {}) {
  return { statusCode, headers, body: Readable.from([Buffer.from('')]) };
}

async function text(stream: unknown): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of (stream as Readable | undefined) ?? []) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

const invoke = { action: 'InvokeFunction', version: '2023-03-30', style: 'ROA' } as const;

describe('FunctionInvoker.invokeAsync', () => {
  it('queues an asynchronous invocation with the payload and task id, and returns the request id', async () => {
    fc.on('callApi', { ...invoke, pathname: '/2023-03-30/functions/reconcile-shard/invocations' }).resolves(
      answered(202, { 'x-fc-request-id': 'REQ-7' }),
    );
    expect(await invoker.invokeAsync('reconcile-shard', { shard: 3 }, 'run-1-shard-3')).toEqual({
      requestId: 'REQ-7',
    });
    const [call] = fc.calls('callApi', invoke);
    expect(call?.args[1].headers).toEqual({ 'x-fc-invocation-type': 'Async', 'x-fc-async-task-id': 'run-1-shard-3' });
    expect(JSON.parse(await text(call?.args[1].body))).toEqual({ shard: 3 });
  });

  it('sends no task id when none is given', async () => {
    fc.on('callApi', invoke).resolves(answered(202));
    await invoker.invokeAsync('reconcile-shard', {});
    expect(fc.calls('callApi', invoke)[0]?.args[1].headers).toEqual({ 'x-fc-invocation-type': 'Async' });
  });

  it.each([200, 204])('fails when FC answers %i instead of 202', async (statusCode) => {
    fc.on('callApi', invoke).resolves(answered(statusCode));
    const error = await invoker.invokeAsync('reconcile-shard', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudApiError);
    expect(error).toMatchObject({
      code: `Http${statusCode}`,
      statusCode,
      kind: CloudErrorKind.Unavailable,
      api: 'fc:InvokeFunction',
    });
  });

  it('fails as MalformedResponse when the answer has no status it can read', async () => {
    fc.on('callApi', invoke).resolves({ statusCode: 'accepted', headers: {} } as never);
    await expect(invoker.invokeAsync('reconcile-shard', {})).rejects.toMatchObject({
      code: 'MalformedResponse',
      api: 'fc:InvokeFunction',
    });
  });

  it('treats a task id FC already accepted (409) as queued', async () => {
    fc.on('callApi', invoke).rejects(aliClientError({ code: 'AsyncTaskAlreadyExist', statusCode: 409 }));
    expect(await invoker.invokeAsync('reconcile-shard', {}, 'run-1-shard-3')).toEqual({ alreadyQueued: true });
  });

  it('treats a 400 as a repeated task id only when GetAsyncTask finds the task', async () => {
    fc.on('callApi', invoke).rejects(aliClientError({ code: 'InvalidArgument', statusCode: 400 }));
    fc.on('callApi', {
      action: 'GetAsyncTask',
      method: 'GET',
      pathname: '/2023-03-30/functions/reconcile-shard/async-tasks/run-1-shard-3',
    }).resolves({ statusCode: 200, headers: {}, body: { taskId: 'run-1-shard-3', status: 'Succeeded' } });
    expect(await invoker.invokeAsync('reconcile-shard', {}, 'run-1-shard-3')).toEqual({ alreadyQueued: true });
  });

  it('fails on a 400 when GetAsyncTask answers another task', async () => {
    fc.on('callApi', invoke).rejects(aliClientError({ code: 'InvalidArgument', statusCode: 400 }));
    fc.on('callApi', { action: 'GetAsyncTask' }).resolves({ statusCode: 200, headers: {}, body: { taskId: 'other' } });
    await expect(invoker.invokeAsync('reconcile-shard', {}, 'run-1-shard-3')).rejects.toMatchObject({
      code: 'InvalidArgument',
    });
  });

  it('fails on a 400 for a task FC does not know (a bad id, async tasks off)', async () => {
    fc.on('callApi', invoke).rejects(aliClientError({ code: 'InvalidArgument', statusCode: 400 }));
    fc.on('callApi', { action: 'GetAsyncTask' }).rejects(
      aliClientError({ code: 'AsyncTaskNotFound', statusCode: 404 }),
    );
    await expect(invoker.invokeAsync('reconcile-shard', {}, 'run-1-shard-3')).rejects.toMatchObject({
      code: 'InvalidArgument',
      statusCode: 400,
    });
  });

  it('fails on a 409 when no task id was given', async () => {
    fc.on('callApi', invoke).rejects(aliClientError({ code: 'ResourceConflict', statusCode: 409 }));
    await expect(invoker.invokeAsync('reconcile-shard', {})).rejects.toMatchObject({
      code: 'ResourceConflict',
      statusCode: 409,
    });
  });

  it('fails retryably when the connection is reset', async () => {
    fc.on('callApi', invoke).rejects(connectionReset());
    const error = await invoker.invokeAsync('reconcile-shard', {}, 't').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudApiError);
    expect((error as CloudApiError).retryable).toBe(true);
  });
});

describe('FC calls on the wire', () => {
  const keys = { accessKeyId: 'AK', accessKeySecret: 'secret', securityToken: 'token' };
  const sdk = new FcSdk.default(
    new $OpenApiUtil.Config({ ...keys, endpoint: '127.0.0.1:9', protocol: 'http', regionId: 'cn-hangzhou' }),
  );
  const runtime = new $dara.RuntimeOptions({ autoretry: false, readTimeout: 10_000 });
  const name = 'dts-trust/reconcile shard';

  it('sends InvokeFunction exactly as @alicloud/fc20230330 sends it', async () => {
    fc.on('callApi', { action: 'InvokeFunction' }).resolves(answered(202));
    const adapter = new FunctionInvoker({
      endpoint: '127.0.0.1:9',
      protocol: 'http',
      regionId: 'cn-hangzhou',
      keys: async () => keys,
    });
    await sdk.invokeFunctionWithOptions(
      name,
      new FcSdk.InvokeFunctionRequest({ body: Readable.from([Buffer.from('{"shard":1}')]) }),
      new FcSdk.InvokeFunctionHeaders({ xFcInvocationType: 'Async', xFcAsyncTaskId: 'task-1' }),
      runtime,
    );
    await adapter.invokeAsync(name, { shard: 1 }, 'task-1');
    const [bySdk, byAdapter, ...more] = fc.calls('callApi', { action: 'InvokeFunction' });
    expect([bySdk?.thisValue, byAdapter?.thisValue, more]).toEqual([sdk, expect.any(OpenApi.default), []]);
    expect(byAdapter?.thisValue).not.toBeInstanceOf(FcSdk.default);
    expect(byAdapter?.args[0].toMap()).toEqual(bySdk?.args[0].toMap());
    expect(byAdapter?.args[1].headers).toEqual(bySdk?.args[1].headers);
    expect(byAdapter?.args[1].query).toEqual(bySdk?.args[1].query);
    expect(byAdapter?.args[1].stream).toBe(byAdapter?.args[1].body);
    expect(await text(byAdapter?.args[1].body)).toBe(await text(bySdk?.args[1].body));
    expect(byAdapter?.args[2].toMap()).toEqual(runtime.toMap());
    // The client the SDK builds and the adapter's are configured alike (endpoint, protocol, region).
    const client = byAdapter?.thisValue as unknown as Record<string, unknown>;
    for (const field of ['_endpoint', '_protocol', '_regionId'] as const) {
      expect(client[field]).toEqual((sdk as unknown as Record<string, unknown>)[field]);
    }
  });

  it('sends GetAsyncTask exactly as @alicloud/fc20230330 sends it', async () => {
    fc.on('callApi', { action: 'InvokeFunction' }).rejects(
      aliClientError({ code: 'InvalidArgument', statusCode: 400 }),
    );
    fc.on('callApi', { action: 'GetAsyncTask' }).resolves({ statusCode: 200, headers: {}, body: { taskId: 'task-1' } });
    await sdk.getAsyncTaskWithOptions(name, 'task-1', new FcSdk.GetAsyncTaskRequest({}), {}, runtime);
    await invoker.invokeAsync(name, {}, 'task-1');
    const [bySdk, byAdapter] = fc.calls('callApi', { action: 'GetAsyncTask' });
    expect(byAdapter?.args[0].toMap()).toEqual(bySdk?.args[0].toMap());
    expect(byAdapter?.args[1].headers).toEqual(bySdk?.args[1].headers);
    expect(byAdapter?.args[1].query).toEqual(bySdk?.args[1].query);
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
