import StsSdk from '@alicloud/sts20150401';
import * as $dara from '@darabonba/typescript';
import { z } from 'zod';
import { alibabaAccountIdSchema } from '../domain/account-id.js';
import { callCloud, malformedResponse } from './cloud-error.js';
import { type OpenApiEndpoint, openApiConfig, type SigningKeys } from './openapi-config.js';

const CallerIdentityBody = z.object({ AccountId: alibabaAccountIdSchema('AccountId') });

/** The account `keys` belong to (STS GetCallerIdentity, which needs no permission). */
export async function callerAccountId(keys: SigningKeys, where: OpenApiEndpoint): Promise<string> {
  const res = await callCloud('sts:GetCallerIdentity', () =>
    new StsSdk.default(openApiConfig(keys, where)).getCallerIdentityWithOptions(
      new $dara.RuntimeOptions({ connectTimeout: 5_000, readTimeout: 10_000, autoretry: false }),
    ),
  );
  const body = CallerIdentityBody.safeParse(res.body?.toMap());
  if (!body.success) throw malformedResponse('sts:GetCallerIdentity', body.error.message);
  return body.data.AccountId;
}
