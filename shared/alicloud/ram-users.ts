import RamSdk from '@alicloud/ram20150501';
import * as $dara from '@darabonba/typescript';
import { z } from 'zod';
import { CloudErrorKind } from '../domain/errors.js';
import type { AccountCredentials, UserDirectory } from '../ports.js';
import { malformedResponse, toCloudApiError } from './cloud-error.js';
import { type OpenApiEndpoint, openApiConfig } from './openapi-config.js';

/** RAM actions the preflight calls on users in each owner account (for the management role's policy). */
export const RAM_USER_READ_ACTIONS = ['ram:GetUser'] as const;

const UserBody = z.object({ User: z.object({ UserName: z.string() }) });

/** A {@link UserDirectory} over `@alicloud/ram20150501` GetUser. */
export class RamUserDirectory implements UserDirectory {
  readonly #where: OpenApiEndpoint;
  readonly #runtime = new $dara.RuntimeOptions({ connectTimeout: 5_000, readTimeout: 10_000, autoretry: false });

  constructor(where: OpenApiEndpoint) {
    this.#where = where;
  }

  /** GetUser: true when the user exists, false on `EntityNotExist.User`; other errors are classified `CloudApiError`s. */
  async userExists(account: AccountCredentials, userName: string): Promise<boolean> {
    let res: Awaited<ReturnType<InstanceType<typeof RamSdk.default>['getUserWithOptions']>>;
    try {
      res = await new RamSdk.default(openApiConfig(account, this.#where)).getUserWithOptions(
        new RamSdk.GetUserRequest({ userName }),
        this.#runtime,
      );
    } catch (error) {
      const e = toCloudApiError('ram:GetUser', error);
      if (e.kind === CloudErrorKind.NotFound) return false;
      throw e;
    }
    const body = UserBody.safeParse(res.body?.toMap());
    if (!body.success) throw malformedResponse('ram:GetUser', body.error.message);
    return true;
  }
}
