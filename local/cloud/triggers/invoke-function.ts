/**
 * One synchronous InvokeFunction of a trigger's batch through the local FC, with `@alicloud/fc20230330`, signed with
 * the function account's root key (standing in for EventBridge's service-linked role). Never throws for a failed
 * invocation: the answer says what happened, and the trigger retries by its strategy.
 */
import { Readable } from 'node:stream';
import FcSdk from '@alicloud/fc20230330';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import type { CloudCore } from '../contract.js';
import { CloudSetupError } from '../errors.js';
import { readInvocationAnswer } from './invocation-answer.js';

/** What one invocation of the function answered. */
export interface FunctionInvocation {
  /** 0 for the first push, then 1, 2, ... for retries. */
  readonly retry: number;
  readonly ok: boolean;
  readonly statusCode: number;
  /** `UnhandledInvocationError` when the function threw; the FC error code when FC refused. */
  readonly errorType?: string;
  /** The function's answer (JSON parsed when it is JSON). */
  readonly body: unknown;
}

/** Where and what to invoke. */
export interface InvocationTarget {
  readonly core: CloudCore;
  /** `127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly accountId: string;
  readonly functionName: string;
  readonly qualifier?: string | undefined;
  readonly region: string;
}

/** Invoke the function synchronously with `payload` as its event (JSON). */
export async function invokeFunctionOnce(
  target: InvocationTarget,
  payload: unknown,
  retry: number,
): Promise<FunctionInvocation> {
  const key = target.core.accounts.get(target.accountId)?.accessKeys[0];
  if (!key) {
    throw new CloudSetupError(
      `the trigger's account ${target.accountId} has no root key in the local cloud's accounts`,
    );
  }
  const client = new FcSdk.default(
    new $OpenApiUtil.Config({
      accessKeyId: key.id,
      accessKeySecret: key.secret,
      endpoint: target.endpoint,
      protocol: 'http',
      regionId: target.region,
    }),
  );
  try {
    const res = await client.invokeFunctionWithOptions(
      target.functionName,
      new FcSdk.InvokeFunctionRequest({
        body: Readable.from([Buffer.from(JSON.stringify(payload))]),
        ...(target.qualifier ? { qualifier: target.qualifier } : {}),
      }),
      new FcSdk.InvokeFunctionHeaders({}),
      // EventBridge waits for a synchronous push as long as the function may run.
      new $dara.RuntimeOptions({ autoretry: false, connectTimeout: 60_000, readTimeout: 900_000 }),
    );
    const answer = await readInvocationAnswer(res);
    const { statusCode, errorType } = answer;
    return { retry, ok: statusCode >= 200 && statusCode < 300 && !errorType, ...answer };
  } catch (error) {
    const e = error as { code?: unknown; statusCode?: unknown; message?: unknown };
    return {
      retry,
      ok: false,
      statusCode: typeof e.statusCode === 'number' ? e.statusCode : 0,
      errorType: typeof e.code === 'string' ? e.code : 'TransportError',
      body: String(e.message ?? error),
    };
  }
}
