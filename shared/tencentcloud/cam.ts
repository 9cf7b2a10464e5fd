import { z } from 'zod';
import { builtOnFirstUse } from '../domain/built-on-first-use.js';
import { CloudApiError, CloudErrorKind } from '../domain/errors.js';
import { Ownership } from '../domain/ownership.js';
import type {
  AccountCredentials,
  AttachedPolicy,
  Clock,
  NewRole,
  ObservedRoleRecord,
  OwnedRoleListing,
  RoleDirectory,
} from '../ports.js';
import { CamCaller } from './cam-client.js';
import type { TencentEndpoints } from './endpoint.js';

/** The longest CAM keeps a new role from its readers (the Terraform provider waits 5 s); writes retry within it. */
export const CAM_READ_LAG_MS = 10_000;

/** CAM's answers, checked with zod, built on first use: an Alibaba-only deployment never calls CAM. */
const schemas = builtOnFirstUse(() => {
  const RoleInfoSchema = z.object({
    RoleId: z.string(),
    RoleName: z.string(),
    PolicyDocument: z.string(),
    Description: z.string().nullish(),
    RoleArn: z.string().nullish(),
    Tags: z.array(z.object({ Key: z.string(), Value: z.string().nullish() })).nullish(),
  });
  const GetRoleSchema = z.object({ RoleInfo: RoleInfoSchema });
  const RoleListSchema = z.object({ List: z.array(RoleInfoSchema).nullish(), TotalNum: z.number().int() });
  const AttachedSchema = z.object({
    List: z.array(z.object({ PolicyName: z.string(), PolicyType: z.enum(['QCS', 'User']).nullish() })).nullish(),
    TotalNum: z.number().int(),
  });
  const CreateRoleSchema = z.object({ RoleId: z.union([z.string(), z.number()]) });
  const Empty = z.object({}).passthrough();
  return { RoleInfoSchema, GetRoleSchema, RoleListSchema, AttachedSchema, CreateRoleSchema, Empty } as const;
});

/**
 * Every CAM action {@link CamRoleDirectory} calls (the adapter's calls are typed by this list): what the management
 * role of a Tencent owner account must allow, nothing more.
 */
export const CAM_ROLE_DIRECTORY_ACTIONS = [
  'GetRole',
  'DescribeRoleList',
  'ListAttachedRolePolicies',
  'CreateRole',
  'UpdateAssumeRolePolicy',
  'UpdateRoleDescription',
  'AttachRolePolicy',
  'DetachRolePolicy',
  'DeleteRole',
] as const;
/** One of {@link CAM_ROLE_DIRECTORY_ACTIONS}. */
export type CamRoleDirectoryAction = (typeof CAM_ROLE_DIRECTORY_ACTIONS)[number];

/** A CAM role as DescribeRoleList returns it: enough to plan without another read. */
export interface ListedCamRole extends ObservedRoleRecord {
  readonly roleId: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The CAM page size (its maximum). */
const PAGE = 200;

/**
 * CAM roles of one Tencent root account over `tencentcloud-sdk-nodejs-common` (CommonClient), as the
 * {@link RoleDirectory} and {@link OwnedRoleListing} ports: answers validated with zod, errors classified by code
 * (HTTP 200 with `Response.Error`), per-action rate limits (CreateRole 2/s, other writes 3/s), policies attached by name (QCS
 * presets are `System`, custom `User` policies `Custom`), and CAM's read-after-write lag tolerated: a write that
 * names a role this adapter created moments ago is retried while CAM still answers that it does not exist.
 */
export class CamRoleDirectory implements RoleDirectory, OwnedRoleListing {
  readonly #cam: CamCaller<CamRoleDirectoryAction>;
  readonly #clock: Clock;
  readonly #created = new Map<string, number>();

  constructor(endpoints: TencentEndpoints, clock: Clock) {
    this.#cam = new CamCaller<CamRoleDirectoryAction>(endpoints, clock);
    this.#clock = clock;
  }

  async getRole(account: AccountCredentials, roleName: string): Promise<ObservedRoleRecord | undefined> {
    const answer = await this.#readOrAbsent(account, 'GetRole', { RoleName: roleName }, schemas().GetRoleSchema);
    return answer === undefined ? undefined : observed(account, answer.RoleInfo);
  }

  async listAttachedPolicies(account: AccountCredentials, roleName: string): Promise<AttachedPolicy[]> {
    const policies: AttachedPolicy[] = [];
    for (let page = 1; ; page += 1) {
      const answer = await this.#readOrAbsent(
        account,
        'ListAttachedRolePolicies',
        { RoleName: roleName, Page: page, Rp: PAGE },
        schemas().AttachedSchema,
      );
      if (answer === undefined) return [];
      const list = answer.List ?? [];
      for (const p of list)
        policies.push({ policyName: p.PolicyName, policyType: p.PolicyType === 'User' ? 'Custom' : 'System' });
      if (list.length < PAGE || policies.length >= answer.TotalNum) return policies;
    }
  }

  /**
   * Every role of the account carrying the tag `key=value` (the ownership marker), with its trust policy: 200 roles
   * per DescribeRoleList call, so a steady-state sweep needs no GetRole.
   */
  async listTaggedRoles(account: AccountCredentials, key: string, value: string): Promise<ListedCamRole[]> {
    const roles: ListedCamRole[] = [];
    for (let page = 1; ; page += 1) {
      const answer = await this.#call(
        account,
        'DescribeRoleList',
        { Page: page, Rp: PAGE, Tags: [{ Key: key, Value: value }] },
        schemas().RoleListSchema,
      );
      const list = answer.List ?? [];
      for (const info of list) {
        const tags = Object.fromEntries((info.Tags ?? []).map((t) => [t.Key, t.Value ?? '']));
        if (tags[key] !== value) continue;
        roles.push({ ...observed(account, info), roleId: info.RoleId, tags });
      }
      if (list.length < PAGE || page * PAGE >= answer.TotalNum) return roles;
    }
  }

  /** Every account this directory is asked about is a CAM account. */
  covers(_accountId: string): boolean {
    return true;
  }

  /** The roles carrying dts-trust's ownership tag (`managed-by=dts-trust`), 200 per DescribeRoleList call. */
  async listOwnedRoles(account: AccountCredentials): Promise<ObservedRoleRecord[]> {
    const listed = await this.listTaggedRoles(account, Ownership.tagKey, Ownership.tagValue);
    return listed.map(({ roleName, arn, description, trustPolicy }) => ({ roleName, arn, description, trustPolicy }));
  }

  async createRole(account: AccountCredentials, role: NewRole): Promise<ObservedRoleRecord> {
    await this.#call(
      account,
      'CreateRole',
      {
        RoleName: role.roleName,
        PolicyDocument: role.trustPolicy,
        Description: role.description,
        ConsoleLogin: 0,
        Tags: Object.entries(role.tags).map(([Key, Value]) => ({ Key, Value })),
      },
      schemas().CreateRoleSchema,
    );
    this.#created.set(this.#key(account, role.roleName), this.#clock.now().getTime());
    return {
      roleName: role.roleName,
      arn: camRoleArn(account.accountId, role.roleName),
      description: role.description,
      trustPolicy: role.trustPolicy,
    };
  }

  async updateTrustPolicy(account: AccountCredentials, roleName: string, trustPolicy: string): Promise<void> {
    await this.#write(account, roleName, 'UpdateAssumeRolePolicy', { RoleName: roleName, PolicyDocument: trustPolicy });
  }

  async updateDescription(account: AccountCredentials, roleName: string, description: string): Promise<void> {
    await this.#write(account, roleName, 'UpdateRoleDescription', { RoleName: roleName, Description: description });
  }

  async attachPolicy(account: AccountCredentials, roleName: string, policy: AttachedPolicy): Promise<void> {
    await this.#write(account, roleName, 'AttachRolePolicy', {
      PolicyName: policy.policyName,
      AttachRoleName: roleName,
    });
  }

  async detachPolicy(account: AccountCredentials, roleName: string, policy: AttachedPolicy): Promise<void> {
    await this.#write(account, roleName, 'DetachRolePolicy', {
      PolicyName: policy.policyName,
      DetachRoleName: roleName,
    });
  }

  async deleteRole(account: AccountCredentials, roleName: string): Promise<void> {
    await this.#write(account, roleName, 'DeleteRole', { RoleName: roleName });
    this.#created.delete(this.#key(account, roleName));
  }

  #key(account: AccountCredentials, roleName: string): string {
    return `${account.accountId}/${roleName.toLowerCase()}`;
  }

  /** A write on a role; `notFound` right after this adapter created it is CAM's lag, retried until it settles. */
  async #write(
    account: AccountCredentials,
    roleName: string,
    action: CamRoleDirectoryAction,
    params: Record<string, unknown>,
  ): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.#call(account, action, params, schemas().Empty);
        return;
      } catch (error) {
        const createdAt = this.#created.get(this.#key(account, roleName));
        const lagging =
          error instanceof CloudApiError &&
          error.kind === CloudErrorKind.NotFound &&
          createdAt !== undefined &&
          this.#clock.now().getTime() - createdAt < CAM_READ_LAG_MS;
        if (!lagging) throw error;
        await this.#clock.sleep(Math.min(4_000, 500 * 2 ** attempt));
      }
    }
  }

  async #readOrAbsent<T>(
    account: AccountCredentials,
    action: CamRoleDirectoryAction,
    params: Record<string, unknown>,
    schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  ): Promise<T | undefined> {
    try {
      return await this.#call(account, action, params, schema);
    } catch (error) {
      if (error instanceof CloudApiError && error.kind === CloudErrorKind.NotFound) return undefined;
      throw error;
    }
  }

  #call<T>(
    account: AccountCredentials,
    action: CamRoleDirectoryAction,
    params: Record<string, unknown>,
    schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  ): Promise<T> {
    return this.#cam.call(account, action, params, schema);
  }
}

/** `qcs::cam::uin/<owner>:roleName/<role>`. */
export function camRoleArn(ownerUin: string, roleName: string): string {
  return `qcs::cam::uin/${ownerUin}:roleName/${roleName}`;
}

function observed(
  account: AccountCredentials,
  info: z.infer<ReturnType<typeof schemas>['RoleInfoSchema']>,
): ObservedRoleRecord {
  return {
    roleName: info.RoleName,
    arn: info.RoleArn ?? camRoleArn(account.accountId, info.RoleName),
    description: info.Description ?? '',
    trustPolicy: info.PolicyDocument,
  };
}
