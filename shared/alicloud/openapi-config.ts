import { $OpenApiUtil } from '@alicloud/openapi-core';

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

/** The configuration of an `@alicloud/openapi-core` based client signing with `keys` at `where`. */
export function openApiConfig(keys: SigningKeys, where: OpenApiEndpoint): $OpenApiUtil.Config {
  return new $OpenApiUtil.Config({
    accessKeyId: keys.accessKeyId,
    accessKeySecret: keys.accessKeySecret,
    securityToken: keys.securityToken,
    endpoint: where.endpoint,
    protocol: where.protocol,
    regionId: where.regionId ?? 'cn-hangzhou',
  });
}
