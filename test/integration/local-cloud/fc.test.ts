import { Readable } from 'node:stream';
import * as FcModule from '@alicloud/fc20230330';
import { InvokeFunctionHeaders, InvokeFunctionRequest } from '@alicloud/fc20230330';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  drainFcInvocations,
  type FcContext,
  type FcOptions,
  fcInvocations,
  registerFcFunction,
} from '../../../local/cloud/services/fc/functions.js';
import { UNHANDLED_INVOCATION_ERROR } from '../../../local/cloud/services/fc/service.js';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  DENIED_USER,
  FUNCTION_ROLE,
  type Harness,
  startHarness,
} from './eventbridge-fc-harness.js';

/** The client class: Node gives `module.exports` as the default import, vitest gives its `default`. */
const FcClient = (
  typeof FcModule.default === 'function' ? FcModule.default : FcModule.default.default
) as typeof FcModule.default.default;
type FcClient = InstanceType<typeof FcClient>;

const seen: { event: string; context: FcContext }[] = [];
/** Lets a test hold an async invocation open until it says so. */
let releaseSlow: () => void = () => {};

const options: FcOptions = {
  region: 'cn-shanghai',
  functions: {
    echo: {
      handler: (event: Buffer, context: FcContext) => {
        seen.push({ event: event.toString('utf8'), context });
        context.logger.info('echoing %d bytes', event.length);
        return { got: JSON.parse(event.toString('utf8')) as unknown, requestId: context.requestId };
      },
      env: { DTS_TRUST_TABLE: 'grants' },
      handlerName: 'index.echo',
      memorySize: 256,
      timeout: 30,
      asyncInvokeConfig: { asyncTask: true },
    },
    bytes: { handler: async () => Buffer.from([0, 1, 2, 250]) },
    text: { handler: async () => 'plain words' },
    boom: {
      handler: async () => {
        throw new TypeError('the grant is malformed');
      },
    },
    slow: {
      handler: async (event: Buffer, context: FcContext) => {
        await new Promise<void>((resolve) => {
          releaseSlow = resolve;
        });
        seen.push({ event: event.toString('utf8'), context });
      },
    },
    'with-role': {
      role: `acs:ram::${ACCOUNT_A.id}:role/${FUNCTION_ROLE}`,
      accountId: ACCOUNT_A.id,
      handler: (_event: Buffer, context: FcContext) => context.credentials,
    },
  },
};

let cloud: Harness;

beforeAll(async () => {
  cloud = await startHarness({ fc: options });
});

afterAll(async () => {
  await cloud.stop();
});

function client(keys: { keyId: string; secret: string }): FcClient {
  return new FcClient(
    new $OpenApiUtil.Config({
      accessKeyId: keys.keyId,
      accessKeySecret: keys.secret,
      endpoint: cloud.endpoint,
      protocol: 'http',
      regionId: 'cn-shanghai',
    }),
  );
}

async function invoke(
  name: string,
  payload: unknown,
  init: {
    keys?: { keyId: string; secret: string };
    async?: boolean;
    tail?: boolean;
    taskId?: string;
    qualifier?: string;
  } = {},
): Promise<{ statusCode?: number | undefined; headers: Record<string, string>; body: Buffer }> {
  const res = await client(init.keys ?? ACCOUNT_A).invokeFunctionWithOptions(
    name,
    new InvokeFunctionRequest({
      body: Readable.from([Buffer.from(JSON.stringify(payload))]),
      ...(init.qualifier ? { qualifier: init.qualifier } : {}),
    }),
    new InvokeFunctionHeaders({
      ...(init.async ? { xFcInvocationType: 'Async' } : {}),
      ...(init.tail ? { xFcLogType: 'Tail' } : {}),
      ...(init.taskId ? { xFcAsyncTaskId: init.taskId } : {}),
    }),
    new $dara.RuntimeOptions({ autoretry: false }),
  );
  const chunks: Buffer[] = [];
  for await (const chunk of res.body ?? []) chunks.push(Buffer.from(chunk as Uint8Array));
  return { statusCode: res.statusCode, headers: res.headers ?? {}, body: Buffer.concat(chunks) };
}

async function rejection(promise: Promise<unknown>): Promise<{ code?: string; statusCode?: number; message?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; statusCode?: number; message?: string };
  }
  throw new Error('expected the call to fail');
}

describe('FC InvokeFunction, synchronous', () => {
  it('answers the handler object as JSON with a request id', async () => {
    const res = await invoke('echo', { ticket: 't-1' });
    expect(res.statusCode).toBe(200);
    const requestId = res.headers['x-fc-request-id'];
    expect(requestId).toBeTruthy();
    expect(JSON.parse(res.body.toString('utf8'))).toEqual({ got: { ticket: 't-1' }, requestId });
    expect(res.headers['x-fc-error-type']).toBeUndefined();
  });

  it('answers a Buffer result byte for byte', async () => {
    const res = await invoke('bytes', {});
    expect(res.statusCode).toBe(200);
    expect([...res.body]).toEqual([0, 1, 2, 250]);
  });

  it('answers a string result as text', async () => {
    const res = await invoke('text', {});
    expect(res.body.toString('utf8')).toBe('plain words');
  });

  it('passes the event as a Buffer and a context shaped like FC', async () => {
    seen.length = 0;
    const res = await invoke('echo', { n: 1 }, { qualifier: 'prod' });
    expect(seen).toHaveLength(1);
    const { event, context } = seen[0]!;
    expect(event).toBe('{"n":1}');
    expect(context.requestId).toBe(res.headers['x-fc-request-id']);
    expect(context.accountId).toBe(ACCOUNT_A.id);
    expect(context.region).toBe('cn-shanghai');
    expect(context.function).toEqual({
      name: 'echo',
      handler: 'index.echo',
      memory: 256,
      timeout: 30,
      initializer: '',
    });
    expect(context.service.qualifier).toBe('prod');
    expect(context.credentials).toEqual({
      accessKeyId: ACCOUNT_A.keyId,
      accessKeySecret: ACCOUNT_A.secret,
      securityToken: '',
    });
    expect(context.environment).toMatchObject({
      DTS_TRUST_TABLE: 'grants',
      FC_FUNCTION_NAME: 'echo',
      FC_ACCOUNT_ID: ACCOUNT_A.id,
      FC_REGION: 'cn-shanghai',
      ALIBABA_CLOUD_ACCESS_KEY_ID: ACCOUNT_A.keyId,
    });
    expect(typeof context.logger.info).toBe('function');
  });

  it('gives a function with a role temporary keys of that role which the cloud then accepts', async () => {
    const res = await invoke('with-role', {});
    const creds = JSON.parse(res.body.toString('utf8')) as FcContext['credentials'];
    expect(creds.accessKeyId).toMatch(/^STS\./);
    expect(creds.securityToken).not.toBe('');
    const principal = cloud.core.resolveAccessKey(creds.accessKeyId);
    expect(principal).toMatchObject({ accountId: ACCOUNT_A.id, kind: 'assumed-role', name: FUNCTION_ROLE });
  });

  it('returns the logger output base64-encoded when the log tail is asked for', async () => {
    const res = await invoke('echo', { n: 2 }, { tail: true });
    expect(Buffer.from(res.headers['x-fc-log-result'] ?? '', 'base64').toString('utf8')).toContain(
      'INFO echoing 7 bytes',
    );
  });

  it('reports a handler that throws as 200 with UnhandledInvocationError and the error body', async () => {
    const res = await invoke('boom', {});
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-fc-error-type']).toBe(UNHANDLED_INVOCATION_ERROR);
    const body = JSON.parse(res.body.toString('utf8')) as {
      errorMessage: string;
      errorType: string;
      stackTrace: unknown;
    };
    expect(body.errorMessage).toBe('the grant is malformed');
    expect(body.errorType).toBe('TypeError');
    expect(Array.isArray(body.stackTrace)).toBe(true);
  });
});

describe('FC InvokeFunction, errors', () => {
  it('answers FunctionNotFound 404 for an unknown function', async () => {
    const error = await rejection(invoke('nope', {}));
    expect(error.code).toBe('FunctionNotFound');
    expect(error.statusCode).toBe(404);
  });

  it('answers FunctionNotFound for a function of another account', async () => {
    const error = await rejection(invoke('with-role', {}, { keys: ACCOUNT_B }));
    expect(error.code).toBe('FunctionNotFound');
  });

  it('rejects a request signed with the wrong secret', async () => {
    const error = await rejection(invoke('echo', {}, { keys: { keyId: ACCOUNT_A.keyId, secret: 'wrong' } }));
    expect(error.code).toBe('SignatureNotMatch');
    expect(error.statusCode).toBe(403);
  });

  it('rejects an unknown access key', async () => {
    const error = await rejection(invoke('echo', {}, { keys: { keyId: 'LTAIunknownunknownun', secret: 'x' } }));
    expect(error.code).toBe('InvalidAccessKeyID');
  });

  it('denies a principal without fc:InvokeFunction', async () => {
    const error = await rejection(invoke('echo', {}, { keys: DENIED_USER }));
    expect(error.code).toBe('AccessDenied');
    expect(error.statusCode).toBe(403);
  });

  it('refuses an asynchronous payload over 128 KB', async () => {
    const error = await rejection(invoke('echo', { blob: 'x'.repeat(130 * 1024) }, { async: true }));
    expect(error.code).toBe('EntityTooLarge');
  });

  it('surfaces an outage as a 503 ServerError', async () => {
    cloud.setFaults({ outages: ['fc'] });
    try {
      const error = await rejection(invoke('echo', {}));
      expect(error.statusCode).toBe(503);
      expect(error.code).toBe('ServiceUnavailable');
    } finally {
      cloud.setFaults({});
    }
  });
});

describe('FC InvokeFunction, asynchronous', () => {
  it('answers 202 before the handler finishes and completes it on drain', async () => {
    seen.length = 0;
    const res = await invoke('slow', { job: 1 }, { async: true });
    expect(res.statusCode).toBe(202);
    const requestId = res.headers['x-fc-request-id'];
    const record = () => fcInvocations(cloud.core).find((r) => r.requestId === requestId);
    expect(record()?.status).toBe('running');
    expect(seen).toHaveLength(0);
    await new Promise<void>((resolve) => setImmediate(resolve));
    releaseSlow();
    await drainFcInvocations(cloud.core);
    expect(record()?.status).toBe('succeeded');
    expect(seen.map((s) => s.event)).toEqual(['{"job":1}']);
  });

  it('records a failing asynchronous handler as failed', async () => {
    const res = await invoke('boom', {}, { async: true });
    await drainFcInvocations(cloud.core);
    const record = fcInvocations(cloud.core).find((r) => r.requestId === res.headers['x-fc-request-id']);
    expect(record).toMatchObject({
      status: 'failed',
      error: 'TypeError: the grant is malformed',
      invocationType: 'Async',
    });
  });

  it('refuses a repeated async task id with 409', async () => {
    await invoke('echo', { n: 3 }, { async: true, taskId: 'task-1' });
    const error = await rejection(invoke('echo', { n: 3 }, { async: true, taskId: 'task-1' }));
    expect(error.statusCode).toBe(409);
    await drainFcInvocations(cloud.core);
    expect(fcInvocations(cloud.core).filter((r) => r.taskId === 'task-1')).toHaveLength(1);
  });

  it('refuses a task id for a function without async task mode', async () => {
    const error = await rejection(invoke('text', {}, { async: true, taskId: 'task-2' }));
    expect(error).toMatchObject({ statusCode: 400, code: 'InvalidArgument' });
    expect(error.message).toMatch(/asyncTask: true/);
  });

  it("refuses a task id that breaks FC's rule, such as one starting with a digit", async () => {
    for (const taskId of ['0f8e-uuid-first', 'has.dot', `a${'b'.repeat(128)}`]) {
      const error = await rejection(invoke('echo', {}, { async: true, taskId }));
      expect(error).toMatchObject({ statusCode: 400, code: 'InvalidArgument' });
    }
    expect(fcInvocations(cloud.core).filter((r) => r.taskId === '0f8e-uuid-first')).toHaveLength(0);
  });

  it('drains through the admin route', async () => {
    await invoke('echo', { n: 4 }, { async: true });
    const res = await fetch(`${cloud.url}/__admin/fc/drain`, { method: 'POST' });
    const body = (await res.json()) as { invocations: { status: string }[] };
    expect(body.invocations.every((r) => r.status !== 'running')).toBe(true);
    const listed = (await (await fetch(`${cloud.url}/__admin/fc/invocations`)).json()) as { inFlight: string[] };
    expect(listed.inFlight).toEqual([]);
  });
});

describe('FC function registration', () => {
  it('invokes a function registered at runtime', async () => {
    registerFcFunction(cloud.core, 'late', { handler: () => 'registered later' });
    const res = await invoke('late', {});
    expect(res.body.toString('utf8')).toBe('registered later');
  });

  it('refuses a registration without a handler, naming the field', () => {
    expect(() => registerFcFunction(cloud.core, 'broken', { handler: 'nope' as never })).toThrow(/broken\.handler/);
  });

  it('lists functions on the admin route', async () => {
    const res = await fetch(`${cloud.url}/__admin/fc/functions`);
    const body = (await res.json()) as { functions: { name: string }[] };
    expect(body.functions.map((f) => f.name)).toEqual(expect.arrayContaining(['echo', 'slow', 'with-role']));
  });

  it('refuses an admin registration of a module that cannot be loaded', async () => {
    const res = await fetch(`${cloud.url}/__admin/fc/functions`, {
      method: 'POST',
      body: JSON.stringify({ name: 'ghost', module: 'file:///no/such/module.mjs' }),
    });
    expect(res.status).toBe(400);
  });
});
