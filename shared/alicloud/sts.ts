import OpenApi, { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { z } from 'zod';
import { CloudApiError, CloudErrorKind } from '../domain/errors.js';
import type { AccountCredentials, Clock, CredentialBroker } from '../ports.js';
import { malformedResponse, toCloudApiError } from './cloud-error.js';
import type { OwnKeysSource } from './credentials.js';
import { openApiConfig, rpcParams } from './openapi-config.js';

/** STS actions the broker calls with the function's own identity. */
export const STS_BROKER_ACTIONS = ['sts:AssumeRole'] as const;

/**
 * STS's API version. STS is called through openapi-core's `callApi` with the parameters `@alicloud/sts20150401`
 * hands it (RPC style, form body, JSON answer), not through that SDK: its generated models were compiled and
 * evaluated on every cold start for two actions (docs/architecture.md, "Bundles").
 */
export const STS_VERSION = '2015-04-01';

/** Product codes of an owner account the broker cannot enter through its management role. */
export const ManagementRoleErrorCode = {
  /** STS answered `EntityNotExist.Role`: the owner account has no management role of that name. */
  NotFound: 'ManagementRoleNotFound',
  /** STS answered `NoPermission`/`AccessDenied`: the role does not trust the automation account (or its keys). */
  NotTrusted: 'ManagementRoleNotTrusted',
} as const;

/**
 * The management role of an owner account cannot be assumed: missing, or not trusting the automation account.
 * Terminal for that account in a run (`noPermission`), never about a managed role; the message names the
 * management role, the account and the fix. The STS error is the `cause`.
 */
export class ManagementRoleError extends CloudApiError {
  /** The owner account that cannot be entered. */
  readonly accountId: string;
  /** The management role's name (`DTS_TRUST_MANAGEMENT_ROLE`). */
  readonly managementRole: string;

  constructor(
    init: {
      code: string;
      accountId: string;
      managementRole: string;
      message: string;
      statusCode?: number | undefined;
      requestId?: string | undefined;
    },
    options: { cause: unknown },
  ) {
    super(
      {
        api: 'sts:AssumeRole',
        code: init.code,
        kind: CloudErrorKind.NoPermission,
        message: init.message,
        ...(init.statusCode === undefined ? {} : { statusCode: init.statusCode }),
        ...(init.requestId === undefined ? {} : { requestId: init.requestId }),
      },
      options,
    );
    this.name = 'ManagementRoleError';
    this.accountId = init.accountId;
    this.managementRole = init.managementRole;
  }
}

/**
 * The error for a failed AssumeRole into an owner account's management role: a {@link ManagementRoleError} when
 * STS says the role is missing or does not let us in, else the classified STS error.
 */
export function assumeRoleError(
  error: unknown,
  context: {
    accountId: string;
    managementRole: string;
    automationAccountId: string | undefined;
    externalId: string | undefined;
  },
): CloudApiError {
  const e = toCloudApiError('sts:AssumeRole', error);
  const role = `management role ${context.managementRole} (DTS_TRUST_MANAGEMENT_ROLE) in owner account ${context.accountId}`;
  const fix =
    `run the setup for account ${context.accountId} (docs/deploy.md, "Create first": the management role, its ` +
    'trust policy and its policy; `npm run policies` prints them)';
  const common = {
    accountId: context.accountId,
    managementRole: context.managementRole,
    statusCode: e.statusCode,
    requestId: e.requestId,
  };
  if (e.code.startsWith('EntityNotExist.Role')) {
    return new ManagementRoleError(
      { ...common, code: ManagementRoleErrorCode.NotFound, message: `the ${role} does not exist (${e.code}); ${fix}` },
      { cause: e },
    );
  }
  if (e.kind === CloudErrorKind.NoPermission) {
    const trusted = context.automationAccountId
      ? `automation account ${context.automationAccountId}`
      : 'automation account';
    const externalId =
      context.externalId === undefined
        ? ''
        : ', or its external ID condition does not match the one configured for this account';
    return new ManagementRoleError(
      {
        ...common,
        code: ManagementRoleErrorCode.NotTrusted,
        message:
          `the ${role} cannot be assumed (${e.code}): its trust policy does not trust the ${trusted}${externalId}, ` +
          `or the function role lacks sts:AssumeRole on it; ${fix}`,
      },
      { cause: e },
    );
  }
  return e;
}

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
    const client = new OpenApi.default(openApiConfig(own, this.#options));
    const roleArn = `acs:ram::${accountId}:role/${this.#options.managementRole.toLowerCase()}`;
    this.#assumeRoleCalls += 1;
    // The query `@alicloud/sts20150401` builds for AssumeRole (its fields in its order, absent ones left out).
    const query: Record<string, string | number> = {
      DurationSeconds: this.#options.durationSeconds ?? 3600,
      ...(externalId === undefined ? {} : { ExternalId: externalId }),
      RoleArn: roleArn,
      RoleSessionName: this.#options.sessionName ?? 'dts-trust',
    };
    let res: { body?: unknown };
    try {
      res = await client.callApi(
        rpcParams('AssumeRole', STS_VERSION),
        new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query(query) }),
        this.#runtime,
      );
    } catch (error) {
      throw assumeRoleError(error, {
        accountId,
        managementRole: this.#options.managementRole,
        automationAccountId: this.#options.automationAccountId,
        externalId,
      });
    }
    const body = AssumeRoleBody.safeParse(res.body);
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
