import type { CommonClient } from 'tencentcloud-sdk-nodejs-common';
import type { z } from 'zod';
import type { AccountCredentials, Clock } from '../ports.js';
import { malformedTencentResponse, toTencentCloudError } from './cloud-error.js';
import type { TencentEndpoints } from './endpoint.js';
import { CamRateLimiter } from './rate-limits.js';
import { loadTencentCommonSdk } from './sdk.js';

/** The CAM API version this adapter speaks. */
export const CAM_API_VERSION = '2019-01-16';

/**
 * One CAM call over `tencentcloud-sdk-nodejs-common`'s CommonClient: within the action's rate limit, signed with the
 * account's credentials, the answer validated with `schema`, any failure a classified `CloudApiError`. `Action` is the
 * adapter's declared list of CAM actions, so an adapter cannot call one its management role's policy lacks
 * (shared/deploy/tencent-permissions.ts builds that policy from the lists).
 */
export class CamCaller<Action extends string = string> {
  readonly #endpoints: TencentEndpoints;
  readonly #limits: CamRateLimiter;

  constructor(endpoints: TencentEndpoints, clock: Clock) {
    this.#endpoints = endpoints;
    this.#limits = new CamRateLimiter(clock);
  }

  /** Call `action` with `params` in `account`; the answer's `Response` (RequestId aside) parsed by `schema`. */
  async call<T>(
    account: AccountCredentials,
    action: Action,
    params: Record<string, unknown>,
    schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  ): Promise<T> {
    const api = `cam:${action}`;
    await this.#limits.take(action);
    let answer: unknown;
    try {
      answer = await (await this.#client(account)).request(action, params);
    } catch (error) {
      throw toTencentCloudError(api, error);
    }
    const parsed = schema.safeParse(answer);
    if (!parsed.success) {
      throw malformedTencentResponse(
        api,
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      );
    }
    return parsed.data;
  }

  async #client(account: AccountCredentials): Promise<CommonClient> {
    const { CommonClient } = await loadTencentCommonSdk();
    return new CommonClient(this.#endpoints.cam, CAM_API_VERSION, {
      credential: {
        secretId: account.accessKeyId,
        secretKey: account.accessKeySecret,
        ...(account.securityToken !== undefined ? { token: account.securityToken } : {}),
      },
      region: this.#endpoints.region,
      profile: { httpProfile: { protocol: this.#endpoints.protocol, endpoint: this.#endpoints.cam, reqTimeout: 10 } },
    });
  }
}
