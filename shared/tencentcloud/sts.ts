import { z } from 'zod';
import { builtOnFirstUse } from '../domain/built-on-first-use.js';
import { CloudApiError, CloudErrorKind } from '../domain/errors.js';
import type { AccountCredentials, Clock, CredentialBroker } from '../ports.js';
import { malformedTencentResponse, toTencentCloudError } from './cloud-error.js';
import type { TencentEndpoints } from './endpoint.js';
import { loadTencentStsSdk } from './sdk.js';

/** The hub sub-user's API keys (kept in the secret store; the hub's only permission is AssumeRole). */
export interface TencentHubKeys {
  readonly secretId: string;
  readonly secretKey: string;
}

/** Where the broker's keys come from (read on each AssumeRole, so a rotated secret is picked up). */
export type TencentHubKeysSource = () => Promise<TencentHubKeys>;

/** What the broker needs. */
export interface TencentBrokerOptions {
  readonly endpoints: TencentEndpoints;
  readonly clock: Clock;
  readonly hubKeys: TencentHubKeysSource;
  /** The management role each Tencent owner account holds, trusting the hub root account. */
  readonly managementRole: string;
  /**
   * The external ID the management roles require: one for every account, or each account's own (`undefined` for an
   * account that has no management role dts-trust may enter: it is refused without a call).
   */
  readonly externalId: string | ((accountId: string) => Promise<string | undefined>);
  /** Session length asked for, seconds (default 3600). */
  readonly durationSeconds?: number;
}

/** The code of an account the broker is not configured to enter (no external ID for its management role). */
export const TENCENT_ACCOUNT_NOT_MANAGED = 'TencentAccountNotManaged';

/** Credentials are used until this long before they expire, then assumed again. */
export const TENCENT_CREDENTIALS_MARGIN_MS = 5 * 60_000;

/** STS's AssumeRole answer, checked with zod, built on first use: an Alibaba-only deployment never calls Tencent's STS. */
const schemas = builtOnFirstUse(() => {
  const AssumeRoleSchema = z.object({
    Credentials: z.object({
      Token: z.string().min(1),
      TmpSecretId: z.string().min(1),
      TmpSecretKey: z.string().min(1),
    }),
    ExpiredTime: z.number().int().positive(),
  });
  return { AssumeRoleSchema } as const;
});

/**
 * Credentials for Tencent owner accounts over `tencentcloud-sdk-nodejs-sts`: the hub sub-user assumes the owner's
 * management role (`qcs::cam::uin/<owner>:roleName/<role>`) with the external ID, and the credentials are cached
 * until shortly before `ExpiredTime` (Tencent's advice: reuse them, never call with root keys).
 */
export class TencentCredentialBroker implements CredentialBroker {
  readonly #options: TencentBrokerOptions;
  readonly #cache = new Map<string, Promise<AccountCredentials>>();

  constructor(options: TencentBrokerOptions) {
    this.#options = options;
  }

  credentialsFor(accountId: string): Promise<AccountCredentials> {
    const cached = this.#cache.get(accountId);
    if (cached) {
      return cached.then((credentials) =>
        (credentials.expiration?.getTime() ?? 0) - TENCENT_CREDENTIALS_MARGIN_MS > this.#options.clock.now().getTime()
          ? credentials
          : this.#assume(accountId),
      );
    }
    return this.#assume(accountId);
  }

  #assume(accountId: string): Promise<AccountCredentials> {
    const pending = this.#assumeNow(accountId);
    this.#cache.set(accountId, pending);
    pending.catch(() => this.#cache.delete(accountId));
    return pending;
  }

  async #assumeNow(accountId: string): Promise<AccountCredentials> {
    const { endpoints, managementRole } = this.#options;
    const externalId =
      typeof this.#options.externalId === 'string'
        ? this.#options.externalId
        : await this.#options.externalId(accountId);
    if (externalId === undefined) {
      throw new CloudApiError({
        api: 'sts:AssumeRole',
        code: TENCENT_ACCOUNT_NOT_MANAGED,
        kind: CloudErrorKind.NoPermission,
        message: `Tencent account ${accountId} has no management role external ID in tencentManagementExternalIds of the trust settings, so dts-trust does not enter it: add it (docs/deploy.md, "Tencent Cloud owners")`,
      });
    }
    const keys = await this.#options.hubKeys();
    const { sts } = await loadTencentStsSdk();
    const client = new sts.v20180813.Client({
      credential: { secretId: keys.secretId, secretKey: keys.secretKey },
      region: endpoints.region,
      profile: { httpProfile: { protocol: endpoints.protocol, endpoint: endpoints.sts, reqTimeout: 10 } },
    });
    let answer: unknown;
    try {
      answer = await client.AssumeRole({
        RoleArn: `qcs::cam::uin/${accountId}:roleName/${managementRole}`,
        RoleSessionName: 'dts-trust',
        DurationSeconds: this.#options.durationSeconds ?? 3600,
        ExternalId: externalId,
      });
    } catch (error) {
      throw toTencentCloudError('sts:AssumeRole', error);
    }
    const parsed = schemas().AssumeRoleSchema.safeParse(answer);
    if (!parsed.success)
      throw malformedTencentResponse('sts:AssumeRole', parsed.error.issues.map((i) => i.path.join('.')).join(', '));
    const { Credentials: c, ExpiredTime } = parsed.data;
    return {
      accountId,
      accessKeyId: c.TmpSecretId,
      accessKeySecret: c.TmpSecretKey,
      securityToken: c.Token,
      expiration: new Date(ExpiredTime * 1000),
    };
  }
}
