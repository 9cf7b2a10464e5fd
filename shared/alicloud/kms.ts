import OpenApi, { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { z } from 'zod';
import { callCloud, malformedResponse } from './cloud-error.js';
import type { OwnKeysSource } from './credentials.js';
import { openApiConfig, rpcParams } from './openapi-config.js';

/** KMS actions the settings reader calls with the function's own identity. */
export const KMS_SETTINGS_ACTIONS = ['kms:GetSecretValue'] as const;

/** KMS's API version. */
const KMS_VERSION = '2016-01-20';

/** The `callApi` parameters of a KMS 2016-01-20 action (RPC style, form body, JSON answer). */
export function kmsRpcParams(action: string): $OpenApiUtil.Params {
  return rpcParams(action, KMS_VERSION);
}

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

/** The part of GetSecretValue's answer the reader uses (KMS answers PascalCase JSON). */
const GetSecretValueBody = z.object({
  SecretName: z.string().min(1),
  VersionId: z.string().min(1),
  SecretData: z.string(),
});

/**
 * Reads KMS Secrets Manager secrets through `@alicloud/openapi-core`'s `callApi` (as RAM, STS and DTS are read),
 * signing with the function's own keys, which are fetched for each call since FC rotates them. Not through
 * `@alicloud/kms20160120` 1.x: that SDK is of the older RPC client generation, whose XML support (xml2js,
 * xmlbuilder, sax) was about 170 KiB compiled and evaluated on every cold start, for one action with a JSON
 * answer (docs/architecture.md, "KMS through openapi-core"). SDK errors are classified like every openapi-core
 * call's (`Forbidden.ResourceNotFound` is not found, `Forbidden.NoPermission` a refusal).
 */
export class KmsSecretReader {
  readonly #options: KmsClientOptions;
  /** No retries (the caller decides). */
  readonly #runtime = new $dara.RuntimeOptions({ connectTimeout: 5_000, readTimeout: 10_000, autoretry: false });

  constructor(options: KmsClientOptions) {
    this.#options = options;
  }

  /** The `ACSCurrent` version of `secretName`. Errors are classified {@link CloudApiError}s (`kms:GetSecretValue`). */
  async getSecretValue(secretName: string): Promise<SecretValue> {
    const api = 'kms:GetSecretValue';
    const answer = await callCloud(api, async () => {
      const client = new OpenApi.default(openApiConfig(await this.#options.ownKeys(), this.#options));
      const request = new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query({ SecretName: secretName }) });
      return client.callApi(kmsRpcParams('GetSecretValue'), request, this.#runtime);
    });
    const body = GetSecretValueBody.safeParse((answer as { body?: unknown }).body);
    if (!body.success) throw malformedResponse(api, body.error.message);
    return { secretName: body.data.SecretName, versionId: body.data.VersionId, data: body.data.SecretData };
  }
}
