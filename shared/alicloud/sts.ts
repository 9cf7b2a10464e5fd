import StsSdk from '@alicloud/sts20150401';
import * as $dara from '@darabonba/typescript';
import { z } from 'zod';
import type { AccountCredentials, Clock, CredentialBroker } from '../ports.js';
import { callCloud, malformedResponse } from './cloud-error.js';
import type { OwnKeysSource } from './credentials.js';
import { openApiConfig } from './openapi-config.js';

/** STS actions the broker calls with the function's own identity. */
export const STS_BROKER_ACTIONS = ['sts:AssumeRole'] as const;

/** How long before expiry cached credentials are replaced. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** Settings of the credential broker. */
export interface StsBrokerOptions {
  /** `sts.<region>.aliyuncs.com`, or `127.0.0.1:<port>` for the local cloud. */
  readonly endpoint: string;
  readonly protocol: 'https' | 'http';
  readonly regionId: string;
  /** The account the functions run in; asking for it returns the own keys. */
  readonly automationAccountId: string | undefined;
  /** The management role assumed in each owner account. */
  readonly managementRole: string;
  /** The external ID AssumeRole sends for an owner account, if any (read from the trust settings). */
  readonly externalIdOf?: (accountId: string) => Promise<string | undefined>;
  readonly ownKeys: OwnKeysSource;
  readonly clock: Pick<Clock, 'now'>;
  /** Session duration asked for (900..3600 by default role limits). */
  readonly durationSeconds?: number;
  readonly sessionName?: string;
}

const AssumeRoleBody = z.object({
  Credentials: z.object({
    AccessKeyId: z.string().min(1),
    AccessKeySecret: z.string().min(1),
    SecurityToken: z.string().min(1),
    Expiration: z.string().datetime({ offset: true }),
  }),
});

/**
 * A {@link CredentialBroker} that assumes `acs:ram::<owner>:role/<managementRole>` with the function's own
 * keys through `@alicloud/sts20150401`, caching per account until five minutes before expiry. Concurrent
 * requests for one account share one AssumeRole call.
 */
export class StsCredentialBroker implements CredentialBroker {
  readonly #options: StsBrokerOptions;
  readonly #cached = new Map<string, AccountCredentials>();
  readonly #inFlight = new Map<string, Promise<AccountCredentials>>();
  readonly #runtime = new $dara.RuntimeOptions({ connectTimeout: 5_000, readTimeout: 10_000, autoretry: false });
  #assumeRoleCalls = 0;

  constructor(options: StsBrokerOptions) {
    this.#options = options;
  }

  /** How many AssumeRole calls this broker made (for run summaries). */
  get assumeRoleCalls(): number {
    return this.#assumeRoleCalls;
  }

  async credentialsFor(accountId: string): Promise<AccountCredentials> {
    if (accountId === this.#options.automationAccountId) {
      const own = await this.#options.ownKeys();
      return { accountId, ...own };
    }
    const cached = this.#cached.get(accountId);
    if (cached && this.#fresh(cached)) return cached;
    let pending = this.#inFlight.get(accountId);
    if (!pending) {
      pending = this.#assume(accountId).finally(() => this.#inFlight.delete(accountId));
      this.#inFlight.set(accountId, pending);
    }
    const creds = await pending;
    this.#cached.set(accountId, creds);
    return creds;
  }

  #fresh(creds: AccountCredentials): boolean {
    return !creds.expiration || creds.expiration.getTime() - this.#options.clock.now().getTime() > REFRESH_MARGIN_MS;
  }

  async #assume(accountId: string): Promise<AccountCredentials> {
    const own = await this.#options.ownKeys();
    const externalId = await this.#options.externalIdOf?.(accountId);
    const client = new StsSdk.default(openApiConfig(own, this.#options));
    const roleArn = `acs:ram::${accountId}:role/${this.#options.managementRole.toLowerCase()}`;
    this.#assumeRoleCalls += 1;
    const res = await callCloud('sts:AssumeRole', () =>
      client.assumeRoleWithOptions(
        new StsSdk.AssumeRoleRequest({
          roleArn,
          roleSessionName: this.#options.sessionName ?? 'dts-trust',
          durationSeconds: this.#options.durationSeconds ?? 3600,
          externalId,
        }),
        this.#runtime,
      ),
    );
    const body = AssumeRoleBody.safeParse(res.body?.toMap());
    if (!body.success) throw malformedResponse('sts:AssumeRole', body.error.message);
    const c = body.data.Credentials;
    return {
      accountId,
      accessKeyId: c.AccessKeyId,
      accessKeySecret: c.AccessKeySecret,
      securityToken: c.SecurityToken,
      expiration: new Date(c.Expiration),
    };
  }
}
