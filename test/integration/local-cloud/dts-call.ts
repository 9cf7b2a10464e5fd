/**
 * DTS 2020-01-01 and RAM 2015-05-01 through the real SDKs against a local cloud, for the DTS and scenario tests.
 * DTS has no SDK package on the registry, so it is called as the product calls it: `@alicloud/openapi-core`
 * `callApi` with RPC params.
 */
import OpenApi, { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import Ram, * as $Ram from '@alicloud/ram20150501';
import * as $dara from '@darabonba/typescript';
import { dtsRpcParams } from '../../../shared/alicloud/dts.js';

/** The client classes: Node gives `module.exports` as the default import, vitest gives its `default`. */
const OpenApiClient = (typeof OpenApi.default === 'function'
  ? OpenApi.default
  : OpenApi) as unknown as typeof OpenApi.default;
const RamClient = (typeof Ram.default === 'function' ? Ram.default : Ram) as unknown as typeof Ram.default;

/** A RAM 2015-05-01 client. */
export type RamClient = InstanceType<typeof RamClient>;

/** An access key pair. */
export interface Keys {
  readonly id: string;
  readonly secret: string;
}

/** What a DTS call ended in: the body of a 2xx answer, or the SDK error of a 4xx/5xx one. */
export type DtsOutcome =
  | { readonly kind: 'body'; readonly statusCode: number; readonly body: Record<string, unknown> }
  | {
      readonly kind: 'error';
      readonly code: string;
      readonly statusCode: number | undefined;
      readonly message: string;
    };

/** Call one DTS action at `endpoint` (`127.0.0.1:<port>`) signed with `keys`; never throws for service errors. */
export async function callDts(
  endpoint: string,
  keys: Keys,
  action: string,
  query: Record<string, unknown>,
  body?: Record<string, unknown>,
): Promise<DtsOutcome> {
  const client = new OpenApiClient(
    new $OpenApiUtil.Config({ accessKeyId: keys.id, accessKeySecret: keys.secret, endpoint, protocol: 'http' }),
  );
  const params = dtsRpcParams(action, 'http');
  const request = new $OpenApiUtil.OpenApiRequest({
    query: OpenApiUtil.query(query),
    ...(body ? { body: OpenApiUtil.query(body) } : {}),
  });
  try {
    const res = await client.callApi(params, request, new $dara.RuntimeOptions({ autoretry: false }));
    return { kind: 'body', statusCode: res.statusCode as number, body: res.body as Record<string, unknown> };
  } catch (error) {
    const e = error as { code?: unknown; statusCode?: unknown; message?: unknown };
    return {
      kind: 'error',
      code: String(e.code),
      statusCode: typeof e.statusCode === 'number' ? e.statusCode : undefined,
      message: String(e.message),
    };
  }
}

/** The DTS verdict on a call: `ok`, the `ErrCode` of a `Success: false` body, or the `Code` of an HTTP error. */
export function verdict(outcome: DtsOutcome): string {
  if (outcome.kind === 'error') return outcome.code;
  return outcome.body['Success'] === true ? 'ok' : String(outcome.body['ErrCode']);
}

/** The fields of a minimal MySQL-to-MySQL migration task; cross-account fields are added by the caller. */
export function migrationTask(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DtsJobName: name,
    JobType: 'MIGRATION',
    SourceEndpointInstanceType: 'RDS',
    SourceEndpointEngineName: 'MySQL',
    SourceEndpointRegion: 'cn-hangzhou',
    SourceEndpointInstanceID: 'rm-source0000000001',
    DestinationEndpointInstanceType: 'RDS',
    DestinationEndpointEngineName: 'MySQL',
    DestinationEndpointRegion: 'cn-hangzhou',
    DestinationEndpointInstanceID: 'rm-destination00001',
    StructureInitialization: 'true',
    DataInitialization: 'true',
    DataSynchronization: 'false',
    DbList: JSON.stringify({ shop: { name: 'shop', all: true } }),
    ...extra,
  };
}

/** The trust policy the DTS guide documents for a role trusted by `trustedUid`. */
export function dtsTrustPolicy(trustedUid: string): string {
  return JSON.stringify({
    Statement: [
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { RAM: [`acs:ram::${trustedUid}:root`], Service: [`${trustedUid}@dts.aliyuncs.com`] },
      },
    ],
    Version: '1',
  });
}

/** A real RAM 2015-05-01 client for `endpoint`. */
export function ramClient(endpoint: string, keys: Keys): RamClient {
  return new RamClient(
    new $OpenApiUtil.Config({ accessKeyId: keys.id, accessKeySecret: keys.secret, endpoint, protocol: 'http' }),
  );
}

/** Create a role with `trustPolicy` and attach `AliyunDTSRolePolicy` to it, as the owner does in the console. */
export async function createDtsRole(
  ram: RamClient,
  roleName: string,
  trustPolicy: string,
  options: { attachPolicy?: boolean } = {},
): Promise<void> {
  await ram.createRole(
    new $Ram.CreateRoleRequest({ roleName, assumeRolePolicyDocument: trustPolicy, description: 'DTS cross-account' }),
  );
  if (options.attachPolicy ?? true) {
    await ram.attachPolicyToRole(
      new $Ram.AttachPolicyToRoleRequest({ roleName, policyName: 'AliyunDTSRolePolicy', policyType: 'System' }),
    );
  }
}
