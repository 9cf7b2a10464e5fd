import { z } from 'zod';
import { builtOnFirstUse } from '../domain/built-on-first-use.js';
import { CloudApiError, CloudErrorKind } from '../domain/errors.js';
import {
  type AccountCredentials,
  type Clock,
  type ListedSubAccountPolicy,
  type PolicyEntity,
  PolicyEntityKind,
  type SubAccountPolicyDirectory,
  type SubAccountPolicyListing,
  type SubAccountPolicyRecord,
} from '../ports.js';
import { CAM_READ_LAG_MS } from './cam.js';
import { CamCaller } from './cam-client.js';
import { malformedTencentResponse } from './cloud-error.js';
import type { TencentEndpoints } from './endpoint.js';

const PAGE = 200;
/** ListPolicies serves pages 1 to 200 (its `Page` "cannot be greater than 200"). */
const LAST_PAGE = 200;
/** ListEntitiesForPolicy's RelatedType: 1 a sub-user, 2 a user group, 3 a role; any other type fails the read. */
const RelatedType = { User: 1, Group: 2, Role: 3 } as const;
/** The read that lists a policy's entities, as its errors name it. */
const API = 'cam:ListEntitiesForPolicy';
/** What CAM answers for a policy id it does not know (or does not show yet: its read-after-write lag). */
const POLICY_NOT_FOUND = 'ResourceNotFound.PolicyIdNotFound';
/** CAM's answers on policies, checked with zod, built on first use: an Alibaba-only deployment never calls CAM. */
const schemas = builtOnFirstUse(() => {
  const Id = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String);
  const ListPoliciesSchema = z.object({
    List: z.array(z.object({ PolicyId: Id, PolicyName: z.string() })).nullish(),
    TotalNum: z.number().int(),
  });
  const GetPolicySchema = z.object({
    PolicyName: z.string(),
    PolicyDocument: z.string(),
    Description: z
      .string()
      .nullish()
      .transform((d) => d ?? ''),
  });
  const EntitiesSchema = z.object({
    List: z
      .array(
        z.object({
          Id: z.union([z.number(), z.string()]).nullish(),
          Name: z.string().nullish(),
          Uin: z.union([z.number(), z.string()]).nullish(),
          RelatedType: z.union([
            z.literal(RelatedType.User),
            z.literal(RelatedType.Group),
            z.literal(RelatedType.Role),
          ]),
        }),
      )
      .nullish(),
    TotalNum: z.number().int(),
  });
  const CreatedSchema = z.object({ PolicyId: Id });
  const Empty = z.object({}).passthrough();
  return { ListPoliciesSchema, GetPolicySchema, EntitiesSchema, CreatedSchema, Empty } as const;
});

/**
 * Every CAM action {@link CamSubAccountPolicies} calls (the adapter's calls are typed by this list): what the
 * management role of a Tencent trusted account whose sub-users get the AssumeRole policy must allow, nothing more.
 */
export const CAM_SUB_ACCOUNT_POLICY_ACTIONS = [
  'ListPolicies',
  'GetPolicy',
  'ListEntitiesForPolicy',
  'CreatePolicy',
  'UpdatePolicy',
  'AttachUserPolicy',
  'DetachUserPolicy',
  'DetachGroupPolicy',
  'DetachRolePolicy',
  'DeletePolicy',
] as const;
/** One of {@link CAM_SUB_ACCOUNT_POLICY_ACTIONS}. */
export type CamSubAccountPolicyAction = (typeof CAM_SUB_ACCOUNT_POLICY_ACTIONS)[number];

/**
 * The sub-users' AssumeRole policies of a Tencent root account over `tencentcloud-sdk-nodejs-common` (CommonClient
 * for CAM), as the {@link SubAccountPolicyDirectory} and {@link SubAccountPolicyListing} ports: found by exact name
 * among the account's custom policies (or listed by the name prefix), read with GetPolicy (document, description)
 * and ListEntitiesForPolicy (every entity type: sub-users, groups, roles), attached to users by UIN (CAM has no name
 * form for users), detached from groups and roles by id; a write naming a policy it created moments ago is retried
 * while CAM does not show the policy yet (its read-after-write lag).
 */
export class CamSubAccountPolicies implements SubAccountPolicyDirectory, SubAccountPolicyListing {
  readonly #cam: CamCaller<CamSubAccountPolicyAction>;

  readonly #clock: Clock;
  /** When this adapter created each policy, by `<account>/<policy id>`. */
  readonly #created = new Map<string, number>();

  constructor(endpoints: TencentEndpoints, clock: Clock) {
    this.#cam = new CamCaller<CamSubAccountPolicyAction>(endpoints, clock);
    this.#clock = clock;
  }

  async findPolicy(account: AccountCredentials, policyName: string): Promise<SubAccountPolicyRecord | undefined> {
    let policyId: string | undefined;
    for (let page = 1; policyId === undefined; page += 1) {
      const answer = await this.#cam.call(
        account,
        'ListPolicies',
        { Scope: 'Local', Keyword: policyName, Page: page, Rp: PAGE },
        schemas().ListPoliciesSchema,
      );
      const list = answer.List ?? [];
      policyId = list.find((p) => p.PolicyName === policyName)?.PolicyId;
      if (policyId === undefined && (list.length < PAGE || page * PAGE >= answer.TotalNum)) return undefined;
    }
    return this.readPolicy(account, { policyId, policyName });
  }

  async listPolicies(account: AccountCredentials, prefix: string): Promise<ListedSubAccountPolicy[]> {
    const listed: ListedSubAccountPolicy[] = [];
    for (let page = 1; ; page += 1) {
      if (page > LAST_PAGE) {
        throw new CloudApiError({
          api: 'cam:ListPolicies',
          code: 'ListingIncomplete',
          kind: CloudErrorKind.Invalid,
          message: `more policies match ${JSON.stringify(prefix)} than ListPolicies serves (${LAST_PAGE} pages of ${PAGE})`,
        });
      }
      const answer = await this.#cam.call(
        account,
        'ListPolicies',
        { Scope: 'Local', Keyword: prefix, Page: page, Rp: PAGE },
        schemas().ListPoliciesSchema,
      );
      const list = answer.List ?? [];
      // The keyword matches anywhere in a name: keep the names that start with the prefix.
      for (const p of list)
        if (p.PolicyName.startsWith(prefix)) listed.push({ policyId: p.PolicyId, policyName: p.PolicyName });
      if (list.length < PAGE || page * PAGE >= answer.TotalNum) return listed;
    }
  }

  async readPolicy(
    account: AccountCredentials,
    { policyId, policyName }: ListedSubAccountPolicy,
  ): Promise<SubAccountPolicyRecord | undefined> {
    let policy: z.infer<ReturnType<typeof schemas>['GetPolicySchema']>;
    try {
      policy = await this.#cam.call(account, 'GetPolicy', { PolicyId: Number(policyId) }, schemas().GetPolicySchema);
    } catch (error) {
      if (error instanceof CloudApiError && error.kind === CloudErrorKind.NotFound) return undefined;
      throw error;
    }
    const userUins: string[] = [];
    const otherEntities: PolicyEntity[] = [];
    for (let page = 1; ; page += 1) {
      // Every entity type: a group or role holding the policy widens who may assume the role as much as a user.
      const answer = await this.#cam.call(
        account,
        'ListEntitiesForPolicy',
        { PolicyId: Number(policyId), Page: page, Rp: PAGE, EntityFilter: 'All' },
        schemas().EntitiesSchema,
      );
      const list = answer.List ?? [];
      for (const entity of list) {
        if (entity.RelatedType === RelatedType.User) {
          const uin = entity.Uin ?? entity.Id;
          if (uin === undefined || uin === null)
            throw malformedTencentResponse(API, `policy ${policyId} lists a sub-user without Uin`);
          userUins.push(String(uin));
        } else {
          if (entity.Id === undefined || entity.Id === null)
            throw malformedTencentResponse(API, `policy ${policyId} lists an entity without Id`);
          const kind = entity.RelatedType === RelatedType.Group ? PolicyEntityKind.Group : PolicyEntityKind.Role;
          otherEntities.push({ kind, id: String(entity.Id), name: entity.Name ?? '' });
        }
      }
      if (list.length < PAGE || page * PAGE >= answer.TotalNum) break;
    }
    otherEntities.sort((a, b) => a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id, 'en', { numeric: true }));
    return {
      policyId,
      policyName,
      description: policy.Description,
      document: policy.PolicyDocument,
      userUins: userUins.sort(),
      otherEntities,
    };
  }

  async createPolicy(
    account: AccountCredentials,
    policyName: string,
    document: string,
    description: string,
  ): Promise<string> {
    const answer = await this.#cam.call(
      account,
      'CreatePolicy',
      { PolicyName: policyName, PolicyDocument: document, Description: description },
      schemas().CreatedSchema,
    );
    this.#created.set(`${account.accountId}/${answer.PolicyId}`, this.#clock.now().getTime());
    return answer.PolicyId;
  }

  async updatePolicy(account: AccountCredentials, policyId: string, document: string): Promise<void> {
    await this.#write(account, policyId, 'UpdatePolicy', { PolicyId: Number(policyId), PolicyDocument: document });
  }

  async attachUser(account: AccountCredentials, policyId: string, uin: string): Promise<void> {
    await this.#write(account, policyId, 'AttachUserPolicy', { PolicyId: Number(policyId), AttachUin: Number(uin) });
  }

  async detachUser(account: AccountCredentials, policyId: string, uin: string): Promise<void> {
    await this.#write(account, policyId, 'DetachUserPolicy', { PolicyId: Number(policyId), DetachUin: Number(uin) });
  }

  async detachEntity(account: AccountCredentials, policyId: string, entity: PolicyEntity): Promise<void> {
    if (entity.kind === PolicyEntityKind.Group) {
      await this.#cam.call(
        account,
        'DetachGroupPolicy',
        { PolicyId: Number(policyId), DetachGroupId: Number(entity.id) },
        schemas().Empty,
      );
    } else {
      await this.#cam.call(
        account,
        'DetachRolePolicy',
        { PolicyId: Number(policyId), DetachRoleId: entity.id },
        schemas().Empty,
      );
    }
  }

  async deletePolicy(account: AccountCredentials, policyId: string): Promise<void> {
    await this.#write(account, policyId, 'DeletePolicy', { PolicyId: [Number(policyId)] });
    this.#created.delete(`${account.accountId}/${policyId}`);
  }

  /**
   * A write naming a policy; CAM's `PolicyIdNotFound` for a policy this adapter created less than
   * {@link CAM_READ_LAG_MS} ago is its read-after-write lag (GetPolicy failing right after CreatePolicy is a known
   * report), retried with growing waits until the policy shows or the lag is over.
   */
  async #write(
    account: AccountCredentials,
    policyId: string,
    action: CamSubAccountPolicyAction,
    params: Record<string, unknown>,
  ): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.#cam.call(account, action, params, schemas().Empty);
        return;
      } catch (error) {
        const createdAt = this.#created.get(`${account.accountId}/${policyId}`);
        const lagging =
          error instanceof CloudApiError &&
          error.code === POLICY_NOT_FOUND &&
          createdAt !== undefined &&
          this.#clock.now().getTime() - createdAt < CAM_READ_LAG_MS;
        if (!lagging) throw error;
        await this.#clock.sleep(Math.min(4_000, 500 * 2 ** attempt));
      }
    }
  }
}
