/**
 * The four functions as s.yaml deploys them (names, role, timeouts, memory, reconcile-shard's instance concurrency
 * and asynchronous invocation settings), invoking them through the real FC 3.0 SDK, and deploying the built bundles (dist/<name>)
 * to the local cloud's FC, where each runs in node processes of its own as on FC's nodejs20 runtime. This module
 * imports no function source, so a process that deploys the bundles loads only what dist/ holds.
 */
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import FcSdk from '@alicloud/fc20230330';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import type { LocalCloud } from '../cloud/server.js';
import {
  drainFcInvocations,
  type FcFunctionConfig,
  fcCodeUnpacked,
  registerFcFunction,
} from '../cloud/services/fc/functions.js';
import { type InvocationAnswer, readInvocationAnswer } from '../cloud/triggers/invocation-answer.js';
import { LOCAL_AUTOMATION, LOCAL_EVENT_BUS, localCloudEnvironment } from './local-environment.js';

/** The function names, as s.yaml deploys them. */
export const FunctionName = {
  TicketIntake: 'dts-trust-ticket-intake',
  DriftReconciler: 'dts-trust-drift-reconciler',
  ReconcileShard: 'dts-trust-reconcile-shard',
  DriftEvent: 'dts-trust-drift-event',
} as const;

/** The code package directory (under dist/) of each function. */
export const CodePackage = {
  [FunctionName.TicketIntake]: 'ticket-intake',
  [FunctionName.DriftReconciler]: 'drift-reconciler',
  [FunctionName.ReconcileShard]: 'reconcile-shard',
  [FunctionName.DriftEvent]: 'drift-event',
} as const;

/** The project's dist/ directory, where `npm run build` writes the code packages. */
export const DIST_DIR = fileURLToPath(new URL('../../dist/', import.meta.url));

const REGION = 'cn-hangzhou';

/**
 * reconcile-shard's `asyncInvokeConfig` as s.yaml gives it, for the local automation account and bus (a test
 * compares the two).
 */
export function shardAsyncInvokeConfig(
  region: string = REGION,
  accountId: string = LOCAL_AUTOMATION.accountId,
  bus: string = LOCAL_EVENT_BUS,
) {
  return {
    asyncTask: true,
    maxAsyncRetryAttempts: 2,
    maxAsyncEventAgeInSeconds: 3600,
    destinationConfig: { onFailure: { destination: `acs:eventbridge:${region}:${accountId}:eventbus/${bus}` } },
  } as const;
}

/** reconcile-shard's `instanceConcurrency` as s.yaml gives it (a test compares the two). */
export const SHARD_INSTANCE_CONCURRENCY = 10;

/** The settings s.yaml gives each function, apart from its code. */
export function functionSettings(
  env: Readonly<Record<string, string>>,
): Record<string, Omit<FcFunctionConfig, 'handler'>> {
  const common = { env: { ...env }, role: 'dts-trust-function', accountId: LOCAL_AUTOMATION.accountId };
  return {
    [FunctionName.TicketIntake]: { ...common, timeout: 120, memorySize: 512 },
    [FunctionName.DriftReconciler]: { ...common, timeout: 900, memorySize: 1024 },
    [FunctionName.DriftEvent]: { ...common, timeout: 120, memorySize: 512 },
    [FunctionName.ReconcileShard]: {
      ...common,
      timeout: 900,
      memorySize: 1024,
      instanceConcurrency: SHARD_INSTANCE_CONCURRENCY,
      asyncInvokeConfig: shardAsyncInvokeConfig(),
    },
  };
}

/**
 * Deploy the built code packages (`npm run build` first) to the local cloud's FC: each function runs
 * `index.handler` from `<distDir>/<name>` in node processes of its own, with its settings in `process.env`.
 * The functions are registered at once; the promise resolves when their packages are unpacked (as `s deploy`
 * returns once FC holds the code), and never rejects: a package that cannot be read fails its first invocation.
 */
export function deployBundles(
  cloud: Pick<LocalCloud, 'core' | 'url' | 'endpoint'>,
  extraEnv: Readonly<Record<string, string>> = {},
  distDir: string = DIST_DIR,
): Promise<void> {
  const settings = functionSettings(localCloudEnvironment(cloud, extraEnv));
  for (const [name, config] of Object.entries(settings)) {
    const codeDir = path.join(distDir, CodePackage[name as keyof typeof CodePackage]);
    registerFcFunction(cloud.core, name, { ...config, codeDir });
  }
  return fcCodeUnpacked(cloud.core);
}

/** What an invocation answered. */
export type { InvocationAnswer };

/** Invoke a function through the real FC 3.0 SDK, as a trigger or a person with the CLI would. */
export async function invokeLocally(
  cloud: Pick<LocalCloud, 'endpoint'>,
  functionName: string,
  event: unknown,
): Promise<InvocationAnswer> {
  const client = new FcSdk.default(
    new $OpenApiUtil.Config({
      ...LOCAL_AUTOMATION.runner,
      endpoint: cloud.endpoint,
      protocol: 'http',
      regionId: REGION,
    }),
  );
  const res = await client.invokeFunctionWithOptions(
    functionName,
    new FcSdk.InvokeFunctionRequest({ body: Readable.from([Buffer.from(JSON.stringify(event))]) }),
    new FcSdk.InvokeFunctionHeaders({}),
    new $dara.RuntimeOptions({ autoretry: false, connectTimeout: 60_000, readTimeout: 600_000 }),
  );
  return readInvocationAnswer(res);
}

/** Wait until every asynchronous invocation (shards, their retries) has finished. */
export async function settleLocally(cloud: Pick<LocalCloud, 'core'>): Promise<void> {
  await drainFcInvocations(cloud.core);
}
