/**
 * Keys handed to an Alibaba Cloud SDK client as its `credential`, in place of `accessKeyId`, `accessKeySecret` and
 * `securityToken` in its config.
 *
 * Facts from the SDKs (`@alicloud/openapi-core` 1.x, `@alicloud/eventbridge` 3.x, `@alicloud/credentials` 2.4):
 * - Given keys, each client's constructor wraps them in an `@alicloud/credentials` client (`new Credential(config)`);
 *   given a `credential`, it keeps that one and builds none.
 * - The `@alicloud/credentials` client module requires every provider it has on load (ECS metadata, URI, CLI
 *   and INI profiles, OIDC, RSA key pairs, external commands), and each config model names that client in its
 *   `types()`, which the model's constructor reads: about a tenth of a function's cold start, for keys the function
 *   already holds (FC hands them in the invocation's context and environment).
 * - The clients read a credential through `getCredential()` (openapi-core: `accessKeyId`, `accessKeySecret`,
 *   `securityToken`, `type`, `bearerToken`, and `providerName` into the `x-acs-credentials-provider` header) or
 *   through the older `getAccessKeyId()`, `getAccessKeySecret()` and `getSecurityToken()` (EventBridge). For the
 *   same keys, `@alicloud/credentials` answers `type` `sts` and `providerName` `static_sts` (with a token) or
 *   `access_key` and `static_ak` (without); this class answers the same, so the requests are the same.
 */

/** Keys a client signs with (long-term, or STS with a token). */
export interface CredentialKeys {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

/** What `getCredential()` answers: the fields of `@alicloud/credentials`' `CredentialModel` the clients read. */
export interface SigningCredentialModel {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken: string | undefined;
  readonly bearerToken: undefined;
  readonly type: 'sts' | 'access_key';
  readonly providerName: 'static_sts' | 'static_ak';
}

/** Fixed keys as an SDK client's `credential`, answering as `@alicloud/credentials` does for the same keys. */
export class StaticSigningCredential {
  readonly #model: SigningCredentialModel;
  /** The model, already resolved: the clients read it once per request, so no promise is made per request. */
  readonly #resolved: Promise<SigningCredentialModel>;

  constructor(keys: CredentialKeys) {
    const sts = Boolean(keys.securityToken);
    this.#model = {
      accessKeyId: keys.accessKeyId,
      accessKeySecret: keys.accessKeySecret,
      securityToken: sts ? keys.securityToken : undefined,
      bearerToken: undefined,
      type: sts ? 'sts' : 'access_key',
      providerName: sts ? 'static_sts' : 'static_ak',
    };
    this.#resolved = Promise.resolve(this.#model);
  }

  /** The keys, with their type and provider name (the same settled promise every time: read once per request). */
  getCredential(): Promise<SigningCredentialModel> {
    return this.#resolved;
  }

  /** The access key id (the clients' older accessor). */
  async getAccessKeyId(): Promise<string> {
    return this.#model.accessKeyId;
  }

  /** The access key secret (the clients' older accessor). */
  async getAccessKeySecret(): Promise<string> {
    return this.#model.accessKeySecret;
  }

  /** The STS token, if any (the clients' older accessor). */
  async getSecurityToken(): Promise<string | undefined> {
    return this.#model.securityToken;
  }

  /** None: these are keys, not a bearer token. */
  getBearerToken(): undefined {
    return undefined;
  }

  /** `sts` or `access_key`. */
  getType(): string {
    return this.#model.type;
  }
}

/**
 * A config model of an SDK (`new Model()`, then the fields set), without its constructor reading `types()`: for
 * string and number fields that constructor only copies the values it is given that are not null or undefined,
 * which is what this does.
 */
export function modelWithFields<M extends object>(
  Model: new () => M,
  fields: { [K in keyof M]?: M[K] | undefined },
): M {
  const model = new Model();
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && value !== null) (model as Record<string, unknown>)[name] = value;
  }
  return model;
}
