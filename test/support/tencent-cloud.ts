/**
 * Test helper for the Tencent side of the local cloud: the example Tencent accounts and real SDK clients
 * (`tencentcloud-sdk-nodejs-common` CommonClient for CAM and DTS, `tencentcloud-sdk-nodejs-sts` for STS) pointed at
 * it over loopback.
 */
import { CommonClient } from 'tencentcloud-sdk-nodejs-common';
import { sts } from 'tencentcloud-sdk-nodejs-sts';
import { exampleAccountsDocument } from './local-cloud.js';

/** API keys a Tencent client signs with. */
export interface TencentKeys {
  readonly secretId: string;
  readonly secretKey: string;
  readonly token?: string;
}

interface TencentSection {
  accounts: {
    uin: string;
    name: string;
    keys: { id: string; secret: string }[];
    subUsers?: { uin: string; name: string; keys: { id: string; secret: string }[] }[];
  }[];
}

const section = (exampleAccountsDocument as unknown as { tencent: TencentSection }).tencent;

function account(name: string): TencentSection['accounts'][number] {
  const found = section.accounts.find((a) => a.name === name);
  if (!found) throw new Error(`local/accounts.example.json has no Tencent account named ${name}`);
  return found;
}

function rootKeys(name: string): TencentKeys {
  const key = account(name).keys[0];
  if (!key) throw new Error(`Tencent account ${name} has no root key`);
  return { secretId: key.id, secretKey: key.secret };
}

function subUser(name: string, user: string): { uin: string; keys: TencentKeys } {
  const found = account(name).subUsers?.find((u) => u.name === user);
  const key = found?.keys[0];
  if (!found || !key) throw new Error(`Tencent account ${name} has no sub-user ${user} with keys`);
  return { uin: found.uin, keys: { secretId: key.id, secretKey: key.secret } };
}

/** UINs and keys of the example Tencent accounts. */
export const TENCENT = {
  managementRole: 'dts-trust-manager',
  managementExternalId: 'dts-trust-local',
  hub: {
    uin: account('tencent-hub').uin,
    root: rootKeys('tencent-hub'),
    user: subUser('tencent-hub', 'dts-trust-hub'),
  },
  sourceOwner: { uin: account('tencent-source-owner').uin, root: rootKeys('tencent-source-owner') },
  task: {
    uin: account('tencent-task').uin,
    root: rootKeys('tencent-task'),
    operator: subUser('tencent-task', 'dts-operator'),
  },
  stranger: { uin: account('tencent-stranger').uin, root: rootKeys('tencent-stranger') },
} as const;

/** The API versions the local cloud answers. */
export const TencentApi = { cam: '2019-01-16', dts: '2021-12-06' } as const;

/** A CommonClient for `version` (CAM or DTS) signing with `keys`, pointed at the local cloud. */
export function tencentClient(endpoint: string, version: string, keys: TencentKeys): CommonClient {
  return new CommonClient(endpoint, version, {
    credential: { secretId: keys.secretId, secretKey: keys.secretKey, ...(keys.token ? { token: keys.token } : {}) },
    region: 'ap-guangzhou',
    profile: { httpProfile: { protocol: 'http://', endpoint, reqTimeout: 10 } },
  });
}

/** A typed STS client signing with `keys`, pointed at the local cloud. */
export function tencentStsClient(endpoint: string, keys: TencentKeys): InstanceType<typeof sts.v20180813.Client> {
  return new sts.v20180813.Client({
    credential: { secretId: keys.secretId, secretKey: keys.secretKey, ...(keys.token ? { token: keys.token } : {}) },
    region: 'ap-guangzhou',
    profile: { httpProfile: { protocol: 'http://', endpoint, reqTimeout: 10 } },
  });
}

/** Assume `roleName` in `ownerUin` with `keys` (default: the hub sub-user into the management role). */
export async function assumeTencentRole(
  endpoint: string,
  ownerUin: string,
  roleName: string = TENCENT.managementRole,
  options: { keys?: TencentKeys; externalId?: string } = {},
): Promise<TencentKeys> {
  const client = tencentStsClient(endpoint, options.keys ?? TENCENT.hub.user.keys);
  const answer = await client.AssumeRole({
    RoleArn: `qcs::cam::uin/${ownerUin}:roleName/${roleName}`,
    RoleSessionName: 'dts-trust-test',
    ...(options.externalId !== undefined ? { ExternalId: options.externalId } : {}),
  });
  const c = answer.Credentials;
  if (!c?.TmpSecretId || !c.TmpSecretKey || !c.Token) throw new Error('AssumeRole returned no credentials');
  return { secretId: c.TmpSecretId, secretKey: c.TmpSecretKey, token: c.Token };
}

/** The error code a Tencent SDK call failed with (`undefined` when it did not fail). */
export async function tencentCodeOf(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code ?? `http ${(error as { httpCode?: number }).httpCode}`;
  }
}
