import { Readable } from 'node:stream';
import FcSdk from '@alicloud/fc20230330';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { handler as driftReconciler } from '../../functions/drift-reconciler/index.js';
import { handler as reconcileShard } from '../../functions/reconcile-shard/index.js';
import { handler as ticketIntake } from '../../functions/ticket-intake/index.js';
import type { LocalCloud } from '../cloud/server.js';
import { drainFcInvocations, registerFcFunction } from '../cloud/services/fc-functions.js';
import { LOCAL_AUTOMATION, localCloudEnvironment } from './local-environment.js';

/** The function names, as s.yaml deploys them. */
export const FunctionName = {
  TicketIntake: 'dts-trust-ticket-intake',
  DriftReconciler: 'dts-trust-drift-reconciler',
  ReconcileShard: 'dts-trust-reconcile-shard',
} as const;

/**
 * "Deploy" the three functions to the local cloud as s.yaml does to FC: same handlers, the function role
 * `dts-trust-function` in the automation account, the environment pointing at the local cloud.
 */
export function deployLocally(cloud: LocalCloud, extraEnv: Readonly<Record<string, string>> = {}): void {
  const env = localCloudEnvironment(cloud, extraEnv);
  const common = { env, role: 'dts-trust-function', accountId: LOCAL_AUTOMATION.accountId, timeout: 900 };
  registerFcFunction(cloud.core, FunctionName.TicketIntake, { ...common, handler: ticketIntake, timeout: 120 });
  registerFcFunction(cloud.core, FunctionName.DriftReconciler, { ...common, handler: driftReconciler });
  registerFcFunction(cloud.core, FunctionName.ReconcileShard, { ...common, handler: reconcileShard });
}

/** What an invocation answered. */
export interface InvocationAnswer {
  readonly statusCode: number;
  /** `UnhandledInvocationError` when the handler threw. */
  readonly errorType?: string;
  readonly body: unknown;
}

/** Invoke a function through the real FC 3.0 SDK, as a trigger or a person with the CLI would. */
export async function invokeLocally(
  cloud: LocalCloud,
  functionName: string,
  event: unknown,
): Promise<InvocationAnswer> {
  const client = new FcSdk.default(
    new $OpenApiUtil.Config({
      ...LOCAL_AUTOMATION.runner,
      endpoint: cloud.endpoint,
      protocol: 'http',
      regionId: 'cn-hangzhou',
    }),
  );
  const res = await client.invokeFunctionWithOptions(
    functionName,
    new FcSdk.InvokeFunctionRequest({ body: Readable.from([Buffer.from(JSON.stringify(event))]) }),
    new FcSdk.InvokeFunctionHeaders({}),
    new $dara.RuntimeOptions({ autoretry: false, readTimeout: 600_000 }),
  );
  const chunks: Buffer[] = [];
  for await (const chunk of res.body ?? []) chunks.push(Buffer.from(chunk as Buffer));
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  const errorType = res.headers?.['x-fc-error-type'];
  return { statusCode: res.statusCode ?? 0, ...(errorType ? { errorType } : {}), body };
}

/** Wait until every asynchronous invocation (shards) has finished. */
export async function settleLocally(cloud: LocalCloud): Promise<void> {
  await drainFcInvocations(cloud.core);
}
