import { OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import * as z from 'zod/v4-mini';
import { CloudErrorKind } from '../domain/errors.js';
import type {
  AccountCredentials,
  AttachedPolicy,
  Clock,
  NewRole,
  ObservedRoleRecord,
  Random,
  RoleDirectory,
} from '../ports.js';
import { type RetryPolicy, withRetry } from '../reconcile/retry.js';
import { callCloud, isSettling, malformedResponse, toCloudApiError } from './cloud-error.js';
import { RamRpc } from './ram-rpc.js';

/** RAM actions the role directory calls in each owner account (for the management role's least-privilege policy). */
export const RAM_DIRECTORY_ACTIONS = [
  'ram:GetRole',
  'ram:ListPoliciesForRole',
  'ram:CreateRole',
  'ram:UpdateRole',
  'ram:DeleteRole',
  'ram:AttachPolicyToRole',
  'ram:DetachPolicyFromRole',
  'ram:TagResources',
] as const;

/** The one RAM read the preflight makes in a task account: GetRole of the role DTS creates there (AliyunDTSDefaultRole). */
export const RAM_ROLE_READ_ACTIONS = ['ram:GetRole'] as const;

/** Where RAM is and how to reach it. */
export interface RamDirectoryOptions {
  /** `ram.aliyuncs.com`, or `127.0.0.1:<port>` for the local cloud. */
  readonly endpoint: string;
  readonly protocol: 'https' | 'http';
  readonly regionId?: string;
  /** Per-request timeouts in ms. */
  readonly connectTimeoutMs?: number;
  readonly readTimeoutMs?: number;
  /** Waits between retries of a change RAM has not settled yet (default: real time). */
  readonly clock?: Pick<Clock, 'sleep'>;
  readonly random?: Random;
  /** Retries of `DeleteConflict.Role.Policy` right after the last detach; default {@link SETTLE_RETRY_POLICY}. */
  readonly settleRetry?: RetryPolicy;
}

/**
 * How long DeleteRole is retried while RAM still reports the policies just detached: the product's backoff from
 * 500 ms doubling to 8 s, ten attempts, so at most about 48 s (at least half that) before the role fails with
 * `DeleteConflict.Role.Policy` and the next run tries again.
 */
export const SETTLE_RETRY_POLICY = {
  maxAttempts: 10,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
} as const satisfies RetryPolicy;

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The resource ARN RAM checks AttachPolicyToRole and DetachPolicyFromRole on, besides the role's. */
export function ramPolicyResource(policy: AttachedPolicy, accountId = '*'): string {
  return `acs:ram:*:${policy.policyType === 'System' ? 'system' : accountId}:policy/${policy.policyName}`;
}

/**
 * The part of GetRole's (and CreateRole's) answer the directory reads. RAM's answers are read once per role, so
 * this and {@link PoliciesBody} are zod's v4 mini schemas (`zod/v4-mini`, shipped in the same package): they check
 * the same fields as strictly, several times cheaper per parse than zod 3's (docs/architecture.md, "Validation
 * on the hot path").
 */
const RoleBody = z.object({
  Role: z.object({
    RoleName: z.string(),
    Arn: z.string(),
    Description: z._default(z.string(), ''),
    AssumeRolePolicyDocument: z.string(),
  }),
});

/** The part of ListPoliciesForRole's answer the directory reads (no `Policies`: none attached). */
const PoliciesBody = z.object({
  Policies: z._default(
    z.object({
      Policy: z._default(z.array(z.object({ PolicyName: z.string(), PolicyType: z.enum(['System', 'Custom']) })), []),
    }),
    { Policy: [] },
  ),
});

/** A {@link RoleDirectory} over RAM's RPC calls ({@link RamRpc}: openapi-core, as `@alicloud/ram20150501` calls). */
export class RamRoleDirectory implements RoleDirectory {
  readonly #options: RamDirectoryOptions;
  readonly #rpc: RamRpc;

  constructor(options: RamDirectoryOptions) {
    this.#options = options;
    this.#rpc = new RamRpc(
      options,
      new $dara.RuntimeOptions({
        connectTimeout: options.connectTimeoutMs ?? 5_000,
        readTimeout: options.readTimeoutMs ?? 10_000,
        autoretry: false,
      }),
    );
  }

  async getRole(account: AccountCredentials, roleName: string): Promise<ObservedRoleRecord | undefined> {
    try {
      const body = RoleBody.safeParse(await this.#call(account, 'GetRole', { RoleName: roleName }));
      if (!body.success) throw malformedResponse('ram:GetRole', body.error.message);
      const role = body.data.Role;
      return {
        roleName: role.RoleName,
        arn: role.Arn,
        description: role.Description,
        trustPolicy: role.AssumeRolePolicyDocument,
      };
    } catch (error) {
      const e = toCloudApiError('ram:GetRole', error);
      if (e.kind === CloudErrorKind.NotFound) return undefined;
      throw e;
    }
  }

  async listAttachedPolicies(account: AccountCredentials, roleName: string): Promise<AttachedPolicy[]> {
    try {
      const body = PoliciesBody.safeParse(await this.#call(account, 'ListPoliciesForRole', { RoleName: roleName }));
      if (!body.success) throw malformedResponse('ram:ListPoliciesForRole', body.error.message);
      return body.data.Policies.Policy.map((p) => ({ policyName: p.PolicyName, policyType: p.PolicyType }));
    } catch (error) {
      const e = toCloudApiError('ram:ListPoliciesForRole', error);
      if (e.kind === CloudErrorKind.NotFound) return [];
      throw e;
    }
  }

  async createRole(account: AccountCredentials, role: NewRole): Promise<ObservedRoleRecord> {
    const tag = Object.entries(role.tags).map(([Key, Value]) => ({ Key, Value }));
    const created = await callCloud('ram:CreateRole', () =>
      this.#call(account, 'CreateRole', {
        RoleName: role.roleName,
        AssumeRolePolicyDocument: role.trustPolicy,
        Description: role.description,
        Tag: OpenApiUtil.arrayToStringWithSpecifiedStyle(tag, 'Tag', 'json'),
      }),
    );
    const body = RoleBody.safeParse(created);
    if (!body.success) throw malformedResponse('ram:CreateRole', body.error.message);
    return {
      roleName: body.data.Role.RoleName,
      arn: body.data.Role.Arn,
      description: body.data.Role.Description,
      trustPolicy: body.data.Role.AssumeRolePolicyDocument,
    };
  }

  async updateTrustPolicy(account: AccountCredentials, roleName: string, trustPolicy: string): Promise<void> {
    await callCloud('ram:UpdateRole', () =>
      this.#call(account, 'UpdateRole', { RoleName: roleName, NewAssumeRolePolicyDocument: trustPolicy }),
    );
  }

  /** Rewrite a role's Description (used to claim ownership of an adopted role). */
  async updateDescription(account: AccountCredentials, roleName: string, description: string): Promise<void> {
    await callCloud('ram:UpdateRole', () =>
      this.#call(account, 'UpdateRole', { RoleName: roleName, NewDescription: description }),
    );
  }

  async attachPolicy(account: AccountCredentials, roleName: string, policy: AttachedPolicy): Promise<void> {
    await callCloud('ram:AttachPolicyToRole', () =>
      this.#call(account, 'AttachPolicyToRole', {
        RoleName: roleName,
        PolicyName: policy.policyName,
        PolicyType: policy.policyType,
      }),
    );
  }

  async detachPolicy(account: AccountCredentials, roleName: string, policy: AttachedPolicy): Promise<void> {
    await callCloud('ram:DetachPolicyFromRole', () =>
      this.#call(account, 'DetachPolicyFromRole', {
        RoleName: roleName,
        PolicyName: policy.policyName,
        PolicyType: policy.policyType,
      }),
    );
  }

  /**
   * Delete the role. Right after its last policy was detached RAM may still answer `DeleteConflict.Role.Policy`
   * (eventual consistency): that is retried with the product's backoff ({@link SETTLE_RETRY_POLICY}), so a revoke
   * does not fail the role for a change RAM has already accepted.
   */
  async deleteRole(account: AccountCredentials, roleName: string): Promise<void> {
    const time = {
      clock: this.#options.clock ?? { sleep: realSleep },
      random: this.#options.random ?? { next: Math.random },
    };
    await withRetry(
      () => callCloud('ram:DeleteRole', () => this.#call(account, 'DeleteRole', { RoleName: roleName })),
      this.#options.settleRetry ?? SETTLE_RETRY_POLICY,
      time,
      isSettling,
    );
  }

  #call(account: AccountCredentials, action: string, query: Record<string, string>): Promise<unknown> {
    return this.#rpc.call(account, action, query);
  }
}
