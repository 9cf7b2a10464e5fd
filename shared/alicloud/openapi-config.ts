import { $OpenApiUtil } from '@alicloud/openapi-core';
import { modelWithFields, StaticSigningCredential } from './signing-credential.js';

/** Where an Alibaba Cloud OpenAPI service answers. */
export interface OpenApiEndpoint {
  /** `ram.aliyuncs.com`, `<account>.<region>.fc.aliyuncs.com`, or `127.0.0.1:<port>` for the local cloud. */
  readonly endpoint: string;
  readonly protocol: 'https' | 'http';
  readonly regionId?: string;
}

/** Keys a client signs with (long-term, or STS with a token). */
export interface SigningKeys {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

/**
 * The `callApi` parameters of an RPC-style action (form body, JSON answer), as the generated SDKs send them:
 * `protocol` defaults to `HTTPS`, which the client's configured protocol overrides.
 */
export function rpcParams(action: string, version: string, protocol = 'HTTPS'): $OpenApiUtil.Params {
  return new $OpenApiUtil.Params({
    action,
    version,
    protocol,
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
}

/**
 * The configuration of an `@alicloud/openapi-core` based client signing with `keys` at `where`. The keys go in as
 * the client's `credential` and the config is built without its constructor, so the client loads nothing of
 * `@alicloud/credentials` (see shared/alicloud/signing-credential.ts).
 */
export function openApiConfig(keys: SigningKeys, where: OpenApiEndpoint): $OpenApiUtil.Config {
  return modelWithFields($OpenApiUtil.Config, {
    // The SDK types `credential` as `@alicloud/credentials`' client class (it has a private member); the client
    // only calls the accessors StaticSigningCredential has.
    credential: new StaticSigningCredential(keys) as unknown as NonNullable<$OpenApiUtil.Config['credential']>,
    endpoint: where.endpoint,
    protocol: where.protocol,
    regionId: where.regionId ?? 'cn-hangzhou',
  });
}
