import { Readable } from 'node:stream';
import OpenApi, { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
// A default import: Node's CommonJS named-export detection does not see `URL` in the package's index.
import dara, * as $dara from '@darabonba/typescript';
import { z } from 'zod';
import { CloudApiError, CloudErrorKind } from '../domain/errors.js';
import { callCloud, malformedResponse } from './cloud-error.js';
import { openApiConfig } from './openapi-config.js';

/** FC actions the shard fan-out calls (GetAsyncTask only to tell a repeated task id from a bad request). */
export const FC_INVOKER_ACTIONS = ['fc:InvokeFunction', 'fc:GetAsyncTask'] as const;

/** FC 3.0's API version. */
const FC_VERSION = '2023-03-30';

/** The two FC 3.0 actions the invoker calls, with what `@alicloud/fc20230330` 4.x hands `callApi` for each. */
const FcAction = {
  InvokeFunction: { method: 'POST', bodyType: 'binary' },
  GetAsyncTask: { method: 'GET', bodyType: 'json' },
} as const;
type FcAction = keyof typeof FcAction;

/**
 * The `callApi` parameters of an FC 3.0 action, exactly as `@alicloud/fc20230330` sends it (ROA style, JSON
 * request body type, the path built from percent-encoded names; the configured protocol wins over `HTTPS`).
 */
export function fcRoaParams(action: FcAction, pathname: string): $OpenApiUtil.Params {
  return new $OpenApiUtil.Params({
    action,
    version: FC_VERSION,
    protocol: 'HTTPS',
    pathname,
    method: FcAction[action].method,
    authType: 'AK',
    style: 'ROA',
    reqBodyType: 'json',
    bodyType: FcAction[action].bodyType,
  });
}

/** `/2023-03-30/functions/<name>/invocations`, the function name percent-encoded as the SDK encodes it. */
export function invocationsPath(functionName: string): string {
  return `/${FC_VERSION}/functions/${dara.URL.percentEncode(functionName)}/invocations`;
}

/** `/2023-03-30/functions/<name>/async-tasks/<id>`. */
export function asyncTaskPath(functionName: string, taskId: string): string {
  return `/${FC_VERSION}/functions/${dara.URL.percentEncode(functionName)}/async-tasks/${dara.URL.percentEncode(taskId)}`;
}

/** What `callApi` answers: the status, the headers, and the body (a stream for a binary answer, JSON otherwise). */
const CallApiAnswer = z.object({
  statusCode: z.coerce.number().int().optional(),
  headers: z.record(z.unknown()).optional(),
  body: z.unknown().optional(),
});

/** `callApi`'s answer, validated; a shape it never has is a malformed response. */
function answerOf(api: string, raw: unknown): z.output<typeof CallApiAnswer> {
  const parsed = CallApiAnswer.safeParse(raw);
  if (!parsed.success) {
    throw malformedResponse(api, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

/** The part of GetAsyncTask's answer the invoker reads. */
const AsyncTaskBody = z.object({ taskId: z.string() }).passthrough();

/** Settings of the function invoker. */
export interface FunctionInvokerOptions {
  /** `<account>.<region>.fc.aliyuncs.com` (FC 3.0 has no usable default), or `127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly protocol: 'https' | 'http';
  readonly regionId: string;
  readonly keys: () => Promise<{ accessKeyId: string; accessKeySecret: string; securityToken?: string | undefined }>;
}

/** The part of the function settings that says where FC answers (`Config` of shared/config has this shape). */
export interface FunctionInvokerSettings {
  readonly region: string;
  readonly protocol: 'https' | 'http';
  /** `fc` is undefined when no FC endpoint is configured. */
  readonly endpoints: { readonly fc: string | undefined };
}

/** The invoker for the configured FC endpoint, or undefined when none is configured (no fan-out: runs stay inline). */
export function functionInvokerFor(
  config: FunctionInvokerSettings,
  keys: FunctionInvokerOptions['keys'],
): FunctionInvoker | undefined {
  const endpoint = config.endpoints.fc;
  return endpoint
    ? new FunctionInvoker({ endpoint, protocol: config.protocol, regionId: config.region, keys })
    : undefined;
}

type OpenApiClient = InstanceType<typeof OpenApi.default>;

/** The runtime options of every FC call: no SDK retries (the caller decides), a 10 s read timeout. */
const fcRuntime = (): $dara.RuntimeOptions => new $dara.RuntimeOptions({ autoretry: false, readTimeout: 10_000 });

/**
 * Invokes Function Compute 3.0 functions asynchronously through `@alicloud/openapi-core`'s `callApi`, with the
 * parameters `@alicloud/fc20230330` sends (so signing, transport and errors are the SDK's own), without that SDK's
 * 470 KiB of generated models in the drift reconciler's bundle (docs/architecture.md, "FC through openapi-core").
 */
export class FunctionInvoker {
  readonly #options: FunctionInvokerOptions;

  constructor(options: FunctionInvokerOptions) {
    this.#options = options;
  }

  /** Queue one asynchronous invocation (FC answers 202); `taskId` makes a retried fan-out idempotent. */
  async invokeAsync(
    functionName: string,
    payload: unknown,
    taskId?: string,
  ): Promise<{ requestId?: string | undefined; alreadyQueued?: true }> {
    const keys = await this.#options.keys();
    const client = new OpenApi.default(openApiConfig(keys, this.#options));
    const body = Readable.from([Buffer.from(JSON.stringify(payload))]);
    const request = new $OpenApiUtil.OpenApiRequest({
      headers: { ...(taskId ? { 'x-fc-async-task-id': taskId } : {}), 'x-fc-invocation-type': 'Async' },
      query: OpenApiUtil.query({}),
      body,
      stream: body,
    });
    let raw: unknown;
    try {
      raw = await callCloud('fc:InvokeFunction', () =>
        client.callApi(fcRoaParams('InvokeFunction', invocationsPath(functionName)), request, fcRuntime()),
      );
    } catch (error) {
      // A task id FC already accepted means an earlier attempt queued it: the fan-out is idempotent. FC's current
      // dedup page answers 409; an older one says 400, which also means a bad request, so a 400 counts as a
      // repeat only when GetAsyncTask finds the task.
      if (taskId && error instanceof CloudApiError) {
        if (error.statusCode === 409) return { alreadyQueued: true };
        if (error.statusCode === 400 && (await this.#taskExists(client, functionName, taskId))) {
          return { alreadyQueued: true };
        }
      }
      throw error;
    }
    const answer = answerOf('fc:InvokeFunction', raw);
    if (answer.body instanceof Readable) answer.body.resume();
    if (answer.statusCode !== 202) {
      throw new CloudApiError({
        api: 'fc:InvokeFunction',
        code: `Http${answer.statusCode ?? 0}`,
        kind: CloudErrorKind.Unavailable,
        message: `asynchronous invocation of ${functionName} was answered ${answer.statusCode}, not 202`,
        statusCode: answer.statusCode,
      });
    }
    const requestId = answer.headers?.['x-fc-request-id'];
    return { requestId: requestId === undefined || requestId === null ? undefined : String(requestId) };
  }

  /** True when FC knows the async task (any status); false when it answers otherwise. */
  async #taskExists(client: OpenApiClient, functionName: string, taskId: string): Promise<boolean> {
    try {
      const request = new $OpenApiUtil.OpenApiRequest({ headers: {}, query: OpenApiUtil.query({}) });
      const answer = answerOf(
        'fc:GetAsyncTask',
        await callCloud('fc:GetAsyncTask', () =>
          client.callApi(fcRoaParams('GetAsyncTask', asyncTaskPath(functionName, taskId)), request, fcRuntime()),
        ),
      );
      return answer.statusCode === 200 && AsyncTaskBody.safeParse(answer.body).data?.taskId === taskId;
    } catch {
      return false;
    }
  }
}
