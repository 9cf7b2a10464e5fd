import OpenApi, { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { z } from 'zod';
import { alibabaAccountIdSchema } from '../domain/account-id.js';
import { callCloud, malformedResponse } from './cloud-error.js';
import { type OpenApiEndpoint, openApiConfig, rpcParams, type SigningKeys } from './openapi-config.js';
import { STS_VERSION } from './sts.js';

const CallerIdentityBody = z.object({ AccountId: alibabaAccountIdSchema('AccountId') });

/** The account `keys` belong to (STS GetCallerIdentity, which needs no permission). */
export async function callerAccountId(keys: SigningKeys, where: OpenApiEndpoint): Promise<string> {
  // As `@alicloud/sts20150401` sends it: through `callApi`, with no parameters.
  const res: { body?: unknown } = await callCloud('sts:GetCallerIdentity', () =>
    new OpenApi.default(openApiConfig(keys, where)).callApi(
      rpcParams('GetCallerIdentity', STS_VERSION),
      new $OpenApiUtil.OpenApiRequest({}),
      new $dara.RuntimeOptions({ connectTimeout: 5_000, readTimeout: 10_000, autoretry: false }),
    ),
  );
  const body = CallerIdentityBody.safeParse(res.body);
  if (!body.success) throw malformedResponse('sts:GetCallerIdentity', body.error.message);
  return body.data.AccountId;
}
