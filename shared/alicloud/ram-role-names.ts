import RamSdk from '@alicloud/ram20150501';
import * as $dara from '@darabonba/typescript';
import { z } from 'zod';
import type { AccountCredentials } from '../ports.js';
import { callCloud, malformedResponse } from './cloud-error.js';
import { type OpenApiEndpoint, openApiConfig } from './openapi-config.js';

/** The RAM action setup calls to find the route roles of the automation account. */
export const RAM_ROLE_LIST_ACTIONS = ['ram:ListRoles'] as const;

const ListRolesBody = z.object({
  IsTruncated: z.boolean().optional().default(false),
  Marker: z.string().optional(),
  Roles: z.object({ Role: z.array(z.object({ RoleName: z.string() })).default([]) }).default({ Role: [] }),
});

/** The most pages {@link RamRoleNames.list} reads: RAM allows 1,000 roles per account by default, 1,000 a page. */
const MAX_PAGES = 100;

/** The names of an account's RAM roles, over `@alicloud/ram20150501` (ListRoles, 1,000 a page). */
export class RamRoleNames {
  readonly #where: OpenApiEndpoint;
  readonly #runtime = new $dara.RuntimeOptions({ connectTimeout: 5_000, readTimeout: 10_000, autoretry: false });

  constructor(where: OpenApiEndpoint) {
    this.#where = where;
  }

  /** Every role name of the account, page by page (ListRoles carries no trust policy). */
  async list(account: AccountCredentials): Promise<string[]> {
    const client = new RamSdk.default(openApiConfig(account, this.#where));
    const names: string[] = [];
    let marker: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const res = await callCloud('ram:ListRoles', () =>
        client.listRolesWithOptions(new RamSdk.ListRolesRequest({ maxItems: 1000, marker }), this.#runtime),
      );
      const body = ListRolesBody.safeParse(res.body?.toMap());
      if (!body.success) throw malformedResponse('ram:ListRoles', body.error.message);
      names.push(...body.data.Roles.Role.map((r) => r.RoleName));
      if (!body.data.IsTruncated) return names;
      if (!body.data.Marker) throw malformedResponse('ram:ListRoles', 'IsTruncated without a Marker');
      marker = body.data.Marker;
    }
    throw malformedResponse('ram:ListRoles', `more than ${MAX_PAGES} pages of roles`);
  }
}
