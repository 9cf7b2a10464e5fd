import { Readable } from 'node:stream';
import type FcSdkModule from '@alicloud/fc20230330';
import * as $dara from '@darabonba/typescript';
import { CloudApiError, CloudErrorKind } from '../domain/errors.js';
import { callCloud } from './cloud-error.js';
import { openApiConfig } from './openapi-config.js';

/** FC actions the shard fan-out calls (GetAsyncTask only to tell a repeated task id from a bad request). */
export const FC_INVOKER_ACTIONS = ['fc:InvokeFunction', 'fc:GetAsyncTask'] as const;

/** The FC SDK's module, as a static default import gives it (`module.exports`). */
type FcSdk = typeof FcSdkModule;

let fcSdk: Promise<FcSdk> | undefined;

/**
 * The FC SDK, loaded on first use: only a run that fans out needs it, and loading it costs the drift reconciler's
 * cold start about a third of its bundle's evaluation (docs/benchmarks.md, "Cold start"). The bundle still
 * carries it (esbuild keeps a dynamic import of a bundled package in the bundle, evaluated when first imported).
 */
function loadFcSdk(): Promise<FcSdk> {
  fcSdk ??= import('@alicloud/fc20230330').then((m) => m.default);
  return fcSdk;
}

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

/** Invokes Function Compute 3.0 functions asynchronously through `@alicloud/fc20230330`. */
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
    const FcSdk = await loadFcSdk();
    const client = new FcSdk.default(openApiConfig(keys, this.#options));
    let res: Awaited<ReturnType<InstanceType<FcSdk['default']>['invokeFunctionWithOptions']>>;
    try {
      res = await callCloud('fc:InvokeFunction', () =>
        client.invokeFunctionWithOptions(
          functionName,
          new FcSdk.InvokeFunctionRequest({ body: Readable.from([Buffer.from(JSON.stringify(payload))]) }),
          new FcSdk.InvokeFunctionHeaders({
            xFcInvocationType: 'Async',
            ...(taskId ? { xFcAsyncTaskId: taskId } : {}),
          }),
          new $dara.RuntimeOptions({ autoretry: false, readTimeout: 10_000 }),
        ),
      );
    } catch (error) {
      // A task id FC already accepted means an earlier attempt queued it: the fan-out is idempotent. FC's current
      // dedup page answers 409; an older one says 400, which also means a bad request, so a 400 counts as a
      // repeat only when GetAsyncTask finds the task.
      if (taskId && error instanceof CloudApiError) {
        if (error.statusCode === 409) return { alreadyQueued: true };
        if (error.statusCode === 400 && (await this.#taskExists(FcSdk, client, functionName, taskId))) {
          return { alreadyQueued: true };
        }
      }
      throw error;
    }
    res.body?.resume();
    if (res.statusCode !== 202) {
      throw new CloudApiError({
        api: 'fc:InvokeFunction',
        code: `Http${res.statusCode ?? 0}`,
        kind: CloudErrorKind.Unavailable,
        message: `asynchronous invocation of ${functionName} was answered ${res.statusCode}, not 202`,
        statusCode: res.statusCode,
      });
    }
    return { requestId: res.headers?.['x-fc-request-id'] };
  }

  /** True when FC knows the async task (any status); false when it answers otherwise. */
  async #taskExists(
    FcSdk: FcSdk,
    client: InstanceType<FcSdk['default']>,
    functionName: string,
    taskId: string,
  ): Promise<boolean> {
    try {
      const res = await callCloud('fc:GetAsyncTask', () =>
        client.getAsyncTaskWithOptions(
          functionName,
          taskId,
          new FcSdk.GetAsyncTaskRequest({}),
          {},
          new $dara.RuntimeOptions({ autoretry: false, readTimeout: 10_000 }),
        ),
      );
      return res.statusCode === 200 && res.body?.taskId === taskId;
    } catch {
      return false;
    }
  }
}
