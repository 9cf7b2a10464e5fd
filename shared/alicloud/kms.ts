import KmsSdk from '@alicloud/kms20160120';
import { z } from 'zod';
import { CloudApiError } from '../domain/errors.js';
import { classifyCloudError, malformedResponse, toCloudApiError } from './cloud-error.js';
import type { OwnKeysSource } from './credentials.js';

/** KMS actions the settings reader calls with the function's own identity. */
export const KMS_SETTINGS_ACTIONS = ['kms:GetSecretValue'] as const;

/** The runtime options type `getSecretValueEx` takes. */
type KmsRuntime = Parameters<InstanceType<typeof KmsSdk.default>['getSecretValueEx']>[1];

/** Settings of the KMS client. */
export interface KmsClientOptions {
  /** `kms.<region>.aliyuncs.com`, `kms-vpc.<region>.aliyuncs.com`, or `127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly protocol: 'https' | 'http';
  readonly regionId: string;
  readonly ownKeys: OwnKeysSource;
}

/** One version of a secret as GetSecretValue returns it. */
export interface SecretValue {
  readonly secretName: string;
  readonly versionId: string;
  readonly data: string;
}

/** What `@alicloud/rpc-client` throws for a 4xx/5xx: `code` is the service's code with `Error` appended. */
interface RpcClientError {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly data?: { readonly Code?: unknown; readonly Message?: unknown; readonly RequestId?: unknown };
}

/**
 * Classify what the KMS SDK threw. The RPC client generation differs from openapi-core: its error's `code` is
 * `<Code>Error` (`Forbidden.ResourceNotFoundError`), the HTTP status is only inside the message (`code: 404,
 * ...`), and the service's own fields are in `data`. Transport failures keep the node error's code (`ECONNREFUSED`).
 * KMS spells "not found" `Forbidden.ResourceNotFound`, one of the services' own codes `classifyCloudError` knows.
 */
export function toKmsError(api: string, error: unknown): CloudApiError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as RpcClientError;
  const data = typeof e.data === 'object' && e.data !== null ? e.data : undefined;
  if (typeof data?.Code !== 'string') return toCloudApiError(api, error);
  const code = data.Code;
  const message = typeof e.message === 'string' ? e.message : String(error);
  const status = /^[^:]*:?\s*code: (\d{3}),/.exec(message)?.[1];
  const statusCode = status === undefined ? undefined : Number(status);
  return new CloudApiError(
    {
      api,
      code,
      kind: classifyCloudError(code, statusCode),
      message: typeof data.Message === 'string' ? data.Message : message,
      ...(statusCode !== undefined ? { statusCode } : {}),
      ...(typeof data.RequestId === 'string' ? { requestId: data.RequestId } : {}),
    },
    { cause: error },
  );
}

const GetSecretValueBody = z.object({
  secretName: z.string().min(1),
  versionId: z.string().min(1),
  secretData: z.string(),
});

/**
 * Reads KMS Secrets Manager secrets through `@alicloud/kms20160120` (the older RPC client generation, HMAC-SHA1
 * V2 signature), signing with the function's own keys, which are fetched for each call since FC rotates them.
 */
export class KmsSecretReader {
  readonly #options: KmsClientOptions;
  /** The RPC client reads its runtime options as plain fields (no retries: the caller decides). */
  readonly #runtime = { connectTimeout: 5_000, readTimeout: 10_000, autoretry: false } as unknown as KmsRuntime;

  constructor(options: KmsClientOptions) {
    this.#options = options;
  }

  /** The `ACSCurrent` version of `secretName`. Errors are classified {@link CloudApiError}s (`kms:GetSecretValue`). */
  async getSecretValue(secretName: string): Promise<SecretValue> {
    const api = 'kms:GetSecretValue';
    let response: KmsSdk.GetSecretValueResponse;
    try {
      const keys = await this.#options.ownKeys();
      // The RPC client reads its configuration as plain fields; its Config class is not re-exported by the package.
      const config = {
        accessKeyId: keys.accessKeyId,
        accessKeySecret: keys.accessKeySecret,
        ...(keys.securityToken ? { securityToken: keys.securityToken } : {}),
        endpoint: this.#options.endpoint,
        protocol: this.#options.protocol,
        regionId: this.#options.regionId,
      } as unknown as ConstructorParameters<typeof KmsSdk.default>[0];
      const client = new KmsSdk.default(config);
      response = await client.getSecretValueEx(new KmsSdk.GetSecretValueRequest({ secretName }), this.#runtime);
    } catch (error) {
      throw toKmsError(api, error);
    }
    const body = GetSecretValueBody.safeParse(response);
    if (!body.success) throw malformedResponse(api, body.error.message);
    return { secretName: body.data.secretName, versionId: body.data.versionId, data: body.data.secretData };
  }
}
