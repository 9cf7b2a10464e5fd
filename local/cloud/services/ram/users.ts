/**
 * RAM user reads: GetUser, shaped as `@alicloud/ram20150501` maps it (`User{UserId, UserName, ...}`), so the product
 * can tell a user name given as a role name.
 */
import { LocalCloudError } from '../../errors.js';
import { ramDate } from '../../roles.js';
import { authorize, type RamAction, required } from './context.js';

/** The resource RAM checks user actions on. */
export function userResource(accountId: string, userName: string): string {
  return `acs:ram:*:${accountId}:user/${userName}`;
}

/** GetUser: UserName -> User, or `EntityNotExist.User` 404 (names compared in any case, as RAM does). */
export const getUser: RamAction = (call) => {
  const name = required(call, 'UserName');
  authorize(call, 'GetUser', userResource(call.account.id, name));
  const user = [...call.account.users.values()].find((u) => u.name.toLowerCase() === name.toLowerCase());
  if (!user) throw new LocalCloudError(404, 'EntityNotExist.User', `The user not exists: ${name}.`);
  const date = ramDate(call.core.now());
  return {
    User: {
      UserId: user.userId,
      UserName: user.name,
      DisplayName: user.name,
      Comments: '',
      CreateDate: date,
      UpdateDate: date,
    },
  };
};
