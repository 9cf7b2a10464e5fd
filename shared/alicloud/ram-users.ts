import * as $dara from '@darabonba/typescript';
import { z } from 'zod';
import { CloudErrorKind } from '../domain/errors.js';
import type { AccountCredentials, UserDirectory } from '../ports.js';
import { malformedResponse, toCloudApiError } from './cloud-error.js';
import type { OpenApiEndpoint } from './openapi-config.js';
import { RamRpc } from './ram-rpc.js';

/** RAM actions the preflight calls on users in each owner account (for the management role's policy). */
export const RAM_USER_READ_ACTIONS = ['ram:GetUser'] as const;

const UserBody = z.object({ User: z.object({ UserName: z.string() }) });

/** A {@link UserDirectory} over RAM's GetUser ({@link RamRpc}: openapi-core, as `@alicloud/ram20150501` calls). */
export class RamUserDirectory implements UserDirectory {
  readonly #rpc: RamRpc;

  constructor(where: OpenApiEndpoint) {
    this.#rpc = new RamRpc(
      where,
      new $dara.RuntimeOptions({ connectTimeout: 5_000, readTimeout: 10_000, autoretry: false }),
    );
  }

  /** GetUser: true when the user exists, false on `EntityNotExist.User`; other errors are classified `CloudApiError`s. */
  async userExists(account: AccountCredentials, userName: string): Promise<boolean> {
    let answer: unknown;
    try {
      answer = await this.#rpc.call(account, 'GetUser', { UserName: userName });
    } catch (error) {
      const e = toCloudApiError('ram:GetUser', error);
      if (e.kind === CloudErrorKind.NotFound) return false;
      throw e;
    }
    const body = UserBody.safeParse(answer);
    if (!body.success) throw malformedResponse('ram:GetUser', body.error.message);
    return true;
  }
}
