/**
 * Test helper: starts the local cloud with local/accounts.example.json and hands out real SDK clients
 * (`@alicloud/ram20150501`, `@alicloud/sts20150401`) pointed at it over loopback.
 */
import { readFileSync } from 'node:fs';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import * as RamSdk from '@alicloud/ram20150501';
import * as StsSdk from '@alicloud/sts20150401';
import * as $dara from '@darabonba/typescript';
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from '../../local/cloud/server.js';

type RamClientClass = typeof RamSdk.default.default;
type StsClientClass = typeof StsSdk.default.default;

/**
 * The SDK client classes, whatever the loader made of the CommonJS default export (tsx gives `module.default`,
 * vitest gives the class itself).
 */
export const RamClient: RamClientClass = (
  typeof RamSdk.default === 'function' ? RamSdk.default : RamSdk.default.default
) as RamClientClass;
/** See {@link RamClient}. */
export const StsClient: StsClientClass = (
  typeof StsSdk.default === 'function' ? StsSdk.default : StsSdk.default.default
) as StsClientClass;

/** Keys a client signs with. */
export interface TestKeys {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
}

interface ExampleFile {
  accounts: {
    id: string;
    name: string;
    accessKeys: { id: string; secret: string }[];
    users?: { name: string; accessKeys: { id: string; secret: string }[] }[];
  }[];
}

/** The example accounts document, as read from local/accounts.example.json. */
export const exampleAccountsDocument: ExampleFile = JSON.parse(
  readFileSync(new URL('../../local/accounts.example.json', import.meta.url), 'utf8'),
) as ExampleFile;

function account(name: string): ExampleFile['accounts'][number] {
  const found = exampleAccountsDocument.accounts.find((a) => a.name === name);
  if (!found) throw new Error(`local/accounts.example.json has no account named ${name}`);
  return found;
}

function rootKeys(name: string): TestKeys {
  const key = account(name).accessKeys[0];
  if (!key) throw new Error(`account ${name} has no root key`);
  return { accessKeyId: key.id, accessKeySecret: key.secret };
}

function userKeys(accountName: string, userName: string): TestKeys {
  const key = account(accountName).users?.find((u) => u.name === userName)?.accessKeys[0];
  if (!key) throw new Error(`account ${accountName} has no user ${userName} with keys`);
  return { accessKeyId: key.id, accessKeySecret: key.secret };
}

/** Ids and keys of the example accounts. */
export const EXAMPLE = {
  managementRole: 'dts-trust-manager',
  automation: {
    id: account('automation').id,
    root: rootKeys('automation'),
    runner: userKeys('automation', 'dts-trust-runner'),
  },
  sourceOwner: {
    id: account('source-owner').id,
    root: rootKeys('source-owner'),
    auditor: userKeys('source-owner', 'ram-auditor'),
  },
  destinationOwner: { id: account('destination-owner').id, root: rootKeys('destination-owner') },
  taskCreator: { id: account('task-creator').id, root: rootKeys('task-creator') },
} as const;

/**
 * Service options that make new Tablestore tables ready at once, for tests about something else (the local
 * default keeps a new table loading for a moment, as the real service does).
 */
export const INSTANT_TABLES = { tablestore: { tableLoadSeconds: 0 } } as const;

/** SDK runtime options for tests: no retries, short timeouts. */
export const testRuntime = (): $dara.RuntimeOptions =>
  new $dara.RuntimeOptions({ autoretry: false, connectTimeout: 2_000, readTimeout: 5_000 });

/** A running local cloud with client factories. */
export interface TestCloud {
  readonly cloud: LocalCloud;
  readonly endpoint: string;
  /** A RAM client signing with `keys`. */
  ram(keys: TestKeys): InstanceType<RamClientClass>;
  /** An STS client signing with `keys`. */
  sts(keys: TestKeys): InstanceType<StsClientClass>;
  /** Assume `role` (default the management role) in `accountId` with the automation runner's keys. */
  assume(accountId: string, role?: string, externalId?: string): Promise<TestKeys>;
  stop(): Promise<void>;
}

function config(endpoint: string, keys: TestKeys): $OpenApiUtil.Config {
  return new $OpenApiUtil.Config({
    accessKeyId: keys.accessKeyId,
    accessKeySecret: keys.accessKeySecret,
    ...(keys.securityToken ? { securityToken: keys.securityToken } : {}),
    endpoint,
    protocol: 'http',
    regionId: 'cn-hangzhou',
  });
}

/** Start the local cloud with the example accounts (override anything through `options`). */
export async function startTestCloud(options: Partial<LocalCloudOptions> = {}): Promise<TestCloud> {
  const cloud = await startLocalCloud({ accounts: exampleAccountsDocument, ...options });
  const ram = (keys: TestKeys) => new RamClient(config(cloud.endpoint, keys));
  const sts = (keys: TestKeys) => new StsClient(config(cloud.endpoint, keys));
  return {
    cloud,
    endpoint: cloud.endpoint,
    ram,
    sts,
    async assume(accountId: string, role = EXAMPLE.managementRole, externalId?: string): Promise<TestKeys> {
      const res = await sts(EXAMPLE.automation.runner).assumeRoleWithOptions(
        new StsSdk.AssumeRoleRequest({
          roleArn: `acs:ram::${accountId}:role/${role}`,
          roleSessionName: 'dts-trust-test',
          ...(externalId ? { externalId } : {}),
        }),
        testRuntime(),
      );
      const c = res.body?.credentials;
      if (!c?.accessKeyId || !c.accessKeySecret || !c.securityToken)
        throw new Error('AssumeRole returned no credentials');
      return { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken };
    },
    stop: () => cloud.stop(),
  };
}

/** What an SDK call that must fail threw: error class name, Alibaba code, HTTP status. */
export interface SdkFailure {
  readonly name: string;
  readonly code: string;
  readonly statusCode: number | undefined;
  readonly message: string;
  readonly error: unknown;
}

/** Await a call that must fail and describe the error; throws if it succeeded. */
export async function sdkFailure(call: Promise<unknown>): Promise<SdkFailure> {
  try {
    await call;
  } catch (error) {
    const e = error as { name?: unknown; code?: unknown; statusCode?: unknown; message?: unknown };
    return {
      name: String(e.name),
      code: String(e.code),
      statusCode: typeof e.statusCode === 'number' ? e.statusCode : undefined,
      message: String(e.message),
      error,
    };
  }
  throw new Error('expected the SDK call to fail, but it succeeded');
}
