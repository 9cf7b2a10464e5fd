import { z } from 'zod';
import type { AccountCredentials, Clock, SubAccountPolicyDirectory, SubAccountPolicyRecord } from '../ports.js';
import { CamCaller } from './cam-client.js';
import type { TencentEndpoints } from './endpoint.js';

const PAGE = 200;
const Id = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String);
const ListPoliciesSchema = z.object({
  List: z.array(z.object({ PolicyId: Id, PolicyName: z.string() })).nullish(),
  TotalNum: z.number().int(),
});
const GetPolicySchema = z.object({ PolicyName: z.string(), PolicyDocument: z.string() });
const EntitiesSchema = z.object({
  List: z
    .array(z.object({ Uin: z.union([z.number(), z.string()]).nullish(), RelatedType: z.number().nullish() }))
    .nullish(),
  TotalNum: z.number().int(),
});
const CreatedSchema = z.object({ PolicyId: Id });
const Empty = z.object({}).passthrough();

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
  'DeletePolicy',
] as const;
/** One of {@link CAM_SUB_ACCOUNT_POLICY_ACTIONS}. */
export type CamSubAccountPolicyAction = (typeof CAM_SUB_ACCOUNT_POLICY_ACTIONS)[number];

/**
 * The sub-users' AssumeRole policies of a Tencent root account over `tencentcloud-sdk-nodejs-common` (CommonClient
 * for CAM), as the {@link SubAccountPolicyDirectory} port: found by exact name among the account's custom policies,
 * read with GetPolicy and ListEntitiesForPolicy, attached to users by UIN (CAM has no name form for users).
 */
export class CamSubAccountPolicies implements SubAccountPolicyDirectory {
  readonly #cam: CamCaller<CamSubAccountPolicyAction>;

  constructor(endpoints: TencentEndpoints, clock: Clock) {
    this.#cam = new CamCaller<CamSubAccountPolicyAction>(endpoints, clock);
  }

  async findPolicy(account: AccountCredentials, policyName: string): Promise<SubAccountPolicyRecord | undefined> {
    let policyId: string | undefined;
    for (let page = 1; policyId === undefined; page += 1) {
      const answer = await this.#cam.call(
        account,
        'ListPolicies',
        { Scope: 'Local', Keyword: policyName, Page: page, Rp: PAGE },
        ListPoliciesSchema,
      );
      const list = answer.List ?? [];
      policyId = list.find((p) => p.PolicyName === policyName)?.PolicyId;
      if (policyId === undefined && (list.length < PAGE || page * PAGE >= answer.TotalNum)) return undefined;
    }
    const policy = await this.#cam.call(account, 'GetPolicy', { PolicyId: Number(policyId) }, GetPolicySchema);
    const userUins: string[] = [];
    for (let page = 1; ; page += 1) {
      const answer = await this.#cam.call(
        account,
        'ListEntitiesForPolicy',
        { PolicyId: Number(policyId), Page: page, Rp: PAGE, EntityFilter: 'User' },
        EntitiesSchema,
      );
      const list = answer.List ?? [];
      for (const entity of list) if (entity.Uin !== undefined && entity.Uin !== null) userUins.push(String(entity.Uin));
      if (list.length < PAGE || page * PAGE >= answer.TotalNum) break;
    }
    return { policyId, policyName, document: policy.PolicyDocument, userUins: userUins.sort() };
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
      CreatedSchema,
    );
    return answer.PolicyId;
  }

  async updatePolicy(account: AccountCredentials, policyId: string, document: string): Promise<void> {
    await this.#cam.call(account, 'UpdatePolicy', { PolicyId: Number(policyId), PolicyDocument: document }, Empty);
  }

  async attachUser(account: AccountCredentials, policyId: string, uin: string): Promise<void> {
    await this.#cam.call(account, 'AttachUserPolicy', { PolicyId: Number(policyId), AttachUin: Number(uin) }, Empty);
  }

  async detachUser(account: AccountCredentials, policyId: string, uin: string): Promise<void> {
    await this.#cam.call(account, 'DetachUserPolicy', { PolicyId: Number(policyId), DetachUin: Number(uin) }, Empty);
  }

  async deletePolicy(account: AccountCredentials, policyId: string): Promise<void> {
    await this.#cam.call(account, 'DeletePolicy', { PolicyId: [Number(policyId)] }, Empty);
  }
}
