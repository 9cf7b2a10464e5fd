import RamSdk from '@alicloud/ram20150501';
import * as $dara from '@darabonba/typescript';
import { z } from 'zod';
import { CloudErrorKind } from '../domain/errors.js';
import type { AccountCredentials } from '../ports.js';
import { callCloud, malformedResponse, toCloudApiError } from './cloud-error.js';
import { type OpenApiEndpoint, openApiConfig } from './openapi-config.js';

/** RAM actions the setup calls in an owner account to install the management role's policy. */
export const RAM_POLICY_SETUP_ACTIONS = ['ram:GetPolicy', 'ram:CreatePolicy'] as const;

const GetPolicyBody = z.object({
  DefaultPolicyVersion: z.object({ PolicyDocument: z.string() }),
});

/** Custom RAM policies of an account, over `@alicloud/ram20150501` (GetPolicy, CreatePolicy). */
export class RamCustomPolicies {
  readonly #where: OpenApiEndpoint;
  readonly #runtime = new $dara.RuntimeOptions({ connectTimeout: 5_000, readTimeout: 10_000, autoretry: false });

  constructor(where: OpenApiEndpoint) {
    this.#where = where;
  }

  #client(account: AccountCredentials) {
    return new RamSdk.default(openApiConfig(account, this.#where));
  }

  /** The default version's document of custom policy `name`, or `undefined` when there is no such policy. */
  async getDocument(account: AccountCredentials, name: string): Promise<string | undefined> {
    let res: Awaited<ReturnType<InstanceType<typeof RamSdk.default>['getPolicyWithOptions']>>;
    try {
      res = await this.#client(account).getPolicyWithOptions(
        new RamSdk.GetPolicyRequest({ policyName: name, policyType: 'Custom' }),
        this.#runtime,
      );
    } catch (error) {
      const e = toCloudApiError('ram:GetPolicy', error);
      if (e.kind === CloudErrorKind.NotFound) return undefined;
      throw e;
    }
    const body = GetPolicyBody.safeParse(res.body?.toMap());
    if (!body.success) throw malformedResponse('ram:GetPolicy', body.error.message);
    return body.data.DefaultPolicyVersion.PolicyDocument;
  }

  /** Create custom policy `name` with `document`. */
  async create(account: AccountCredentials, name: string, document: string, description: string): Promise<void> {
    await callCloud('ram:CreatePolicy', () =>
      this.#client(account).createPolicyWithOptions(
        new RamSdk.CreatePolicyRequest({ policyName: name, policyDocument: document, description }),
        this.#runtime,
      ),
    );
  }
}
