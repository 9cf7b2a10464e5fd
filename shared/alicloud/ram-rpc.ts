import OpenApi, { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import type * as $dara from '@darabonba/typescript';
import type { AccountCredentials } from '../ports.js';
import { type OpenApiEndpoint, openApiConfig, rpcParams } from './openapi-config.js';

/** RAM's API version. */
const RAM_VERSION = '2015-05-01';

/** The parameters of each action, built once: `callApi` only reads them. */
const paramsByAction = new Map<string, $OpenApiUtil.Params>();

/**
 * The `callApi` parameters of a RAM action, exactly as `@alicloud/ram20150501` sends it (RPC style, form body,
 * JSON answer; the configured protocol wins over `HTTPS`, as in the SDK). One object per action, shared: read-only.
 */
export function ramRpcParams(action: string): $OpenApiUtil.Params {
  let params = paramsByAction.get(action);
  if (params === undefined) {
    params = rpcParams(action, RAM_VERSION);
    paramsByAction.set(action, params);
  }
  return params;
}

type OpenApiClient = InstanceType<typeof OpenApi.default>;

/**
 * RAM's calls through `@alicloud/openapi-core`'s `callApi`, byte for byte as `@alicloud/ram20150501` makes them,
 * without loading that SDK's 380 KiB of generated models into every function's cold start (docs/architecture.md,
 * "Bundles"); one client per credential set, reused. SDK errors propagate unchanged.
 */
export class RamRpc {
  readonly #where: OpenApiEndpoint;
  readonly #runtime: $dara.RuntimeOptions;
  readonly #clients = new Map<string, OpenApiClient>();

  constructor(where: OpenApiEndpoint, runtime: $dara.RuntimeOptions) {
    this.#where = where;
    this.#runtime = runtime;
  }

  /** One RAM call in `account`; the answer's JSON body. */
  async call(account: AccountCredentials, action: string, query: Record<string, string>): Promise<unknown> {
    const request = new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query(query) });
    const res = await this.#client(account).callApi(ramRpcParams(action), request, this.#runtime);
    return (res as { body?: unknown }).body;
  }

  #client(account: AccountCredentials): OpenApiClient {
    const key = `${account.accessKeyId}\u0000${account.securityToken ?? ''}`;
    let client = this.#clients.get(key);
    if (!client) {
      if (this.#clients.size > 256) this.#clients.clear();
      client = new OpenApi.default(openApiConfig(account, this.#where));
      this.#clients.set(key, client);
    }
    return client;
  }
}
