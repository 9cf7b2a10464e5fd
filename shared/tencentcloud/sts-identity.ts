import { z } from 'zod';
import { malformedTencentResponse, toTencentCloudError } from './cloud-error.js';
import type { TencentEndpoints } from './endpoint.js';
import { loadTencentStsSdk } from './sdk.js';

/** API keys to ask Tencent STS who they belong to (permanent keys, or temporary ones with their token). */
export interface TencentKeys {
  readonly secretId: string;
  readonly secretKey: string;
  readonly token?: string | undefined;
}

/** Who a pair of keys belongs to. */
export type TencentCaller =
  /** The root account itself, or one of its sub-users (`userUin` is then the sub-user's UIN). */
  | { readonly kind: 'user'; readonly accountId: string; readonly userUin: string; readonly arn: string }
  /** Temporary credentials of an assumed role. */
  | { readonly kind: 'role'; readonly accountId: string; readonly arn: string };

const IdentitySchema = z.object({ Arn: z.string().min(1), AccountId: z.string().regex(/^\d+$/) });
const USER_ARN = /^qcs::cam::uin\/(\d+):uin\/(\d+)$/;

/**
 * Who `keys` belong to, by Tencent STS GetCallerIdentity over `tencentcloud-sdk-nodejs-sts` (no permission needed):
 * the root account's UIN and, for a user, the user's own UIN from its ARN `qcs::cam::uin/<root>:uin/<user>`.
 */
export async function tencentCallerIdentity(endpoints: TencentEndpoints, keys: TencentKeys): Promise<TencentCaller> {
  const { sts } = await loadTencentStsSdk();
  const client = new sts.v20180813.Client({
    credential: {
      secretId: keys.secretId,
      secretKey: keys.secretKey,
      ...(keys.token === undefined ? {} : { token: keys.token }),
    },
    region: endpoints.region,
    profile: { httpProfile: { protocol: endpoints.protocol, endpoint: endpoints.sts, reqTimeout: 10 } },
  });
  let answer: unknown;
  try {
    answer = await client.GetCallerIdentity(null);
  } catch (error) {
    throw toTencentCloudError('sts:GetCallerIdentity', error);
  }
  const parsed = IdentitySchema.safeParse(answer);
  if (!parsed.success) {
    throw malformedTencentResponse(
      'sts:GetCallerIdentity',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  }
  const { Arn: arn, AccountId: accountId } = parsed.data;
  const user = USER_ARN.exec(arn);
  if (user && user[1] === accountId) return { kind: 'user', accountId, userUin: user[2] ?? accountId, arn };
  return { kind: 'role', accountId, arn };
}
