import type { CloudCore, Principal, ServiceModule } from '../../contract.js';
import { LocalCloudError } from '../../errors.js';
import { findRole, ramDate } from '../../roles.js';
import { trustAllows } from '../../trust-policy.js';
import { rpcServiceModule } from '../rpc-service.js';
import { newTemporaryKeys } from './credentials.js';

/** The API version STS answers. */
export const STS_VERSION = '2015-04-01';

const NOT_AUTHORIZED = 'You are not authorized to do this action. You should be authorized by RAM.';
const ROLE_ARN = /^acs:ram::(\d{16}):role\/([A-Za-z0-9.-]{1,64})$/;

function invalid(name: string, message: string): LocalCloudError {
  return new LocalCloudError(400, `InvalidParameter.${name}`, message);
}

function assumeRole(
  core: CloudCore,
  principal: Principal,
  params: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const arn = params['RoleArn'];
  if (arn === undefined || arn === '')
    throw new LocalCloudError(400, 'MissingRoleArn', 'RoleArn is mandatory for this action.');
  const match = ROLE_ARN.exec(arn);
  if (!match)
    throw invalid(
      'RoleArn',
      `The parameter RoleArn is wrongly formed: ${arn}. Use acs:ram::<accountId>:role/<roleName>.`,
    );
  const session = params['RoleSessionName'];
  if (session === undefined || session === '') {
    throw new LocalCloudError(400, 'MissingRoleSessionName', 'RoleSessionName is mandatory for this action.');
  }
  if (!/^[\w.@-]{2,64}$/.test(session)) {
    throw invalid(
      'RoleSessionName',
      'The parameter RoleSessionName is wrongly formed: 2-64 letters, digits, ".", "@", "-" or "_".',
    );
  }
  const rawDuration = params['DurationSeconds'];
  const duration = rawDuration === undefined || rawDuration === '' ? 3600 : Number(rawDuration);
  if (!Number.isInteger(duration) || duration < 900) {
    throw invalid(
      'DurationSeconds',
      'The Min/Max value of DurationSeconds is 15min/1hr (up to the role MaxSessionDuration).',
    );
  }
  const externalId = params['ExternalId'];
  if (externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId)) {
    throw invalid(
      'ExternalId',
      'The parameter ExternalId is wrongly formed: 2-1224 of letters, digits and "+=,.@:/-_".',
    );
  }
  const policy = params['Policy'];
  if (policy !== undefined && policy !== '') {
    if (policy.length > 2048) throw invalid('PolicySize', 'The parameter Policy is longer than 2048 characters.');
    try {
      const doc = JSON.parse(policy) as { Version?: unknown; Statement?: unknown };
      if (doc.Version !== '1' || !Array.isArray(doc.Statement)) throw new Error('grammar');
    } catch {
      throw invalid('PolicyGrammar', 'The parameter Policy has not passed grammar check.');
    }
  }
  if (principal.kind === 'root')
    throw new LocalCloudError(403, 'NoPermission', 'Roles may not be assumed by root accounts.');
  if (!core.isAllowed(principal, 'sts:AssumeRole', arn)) throw new LocalCloudError(403, 'NoPermission', NOT_AUTHORIZED);
  const [, accountId = '', roleName = ''] = match;
  const account = core.accounts.get(accountId);
  const role = account && findRole(account, roleName);
  if (!role) throw new LocalCloudError(404, 'EntityNotExist.Role', `The role not exists: ${arn}.`);
  const caller = { kind: principal.kind, accountId: principal.accountId, name: principal.name } as const;
  if (!trustAllows(role.trustPolicy, caller, { externalId }))
    throw new LocalCloudError(403, 'NoPermission', NOT_AUTHORIZED);
  if (duration > role.maxSessionDuration) {
    throw invalid(
      'DurationSeconds',
      `The Min/Max value of DurationSeconds is 900/${role.maxSessionDuration} seconds for this role.`,
    );
  }
  const keys = newTemporaryKeys();
  const expiration = new Date(core.now().getTime() + duration * 1000);
  core.issueTemporaryCredentials({ ...keys, expiration, accountId, roleName: role.name, sessionName: session });
  return {
    AssumedRoleUser: {
      Arn: `acs:ram::${accountId}:role/${role.name.toLowerCase()}/${session}`,
      AssumedRoleId: `${role.roleId}:${session}`,
    },
    Credentials: {
      AccessKeyId: keys.accessKeyId,
      AccessKeySecret: keys.accessKeySecret,
      SecurityToken: keys.securityToken,
      Expiration: ramDate(expiration),
    },
  };
}

function callerIdentity(core: CloudCore, principal: Principal): Record<string, unknown> {
  const accountId = principal.accountId;
  const account = core.accounts.get(accountId);
  if (principal.kind === 'root') {
    return {
      AccountId: accountId,
      Arn: principal.arn,
      IdentityType: 'Account',
      PrincipalId: accountId,
      UserId: accountId,
    };
  }
  if (principal.kind === 'user') {
    const userId = account?.users.get(principal.name)?.userId ?? '';
    return { AccountId: accountId, Arn: principal.arn, IdentityType: 'RAMUser', PrincipalId: userId, UserId: userId };
  }
  const roleId = (account && findRole(account, principal.name)?.roleId) ?? '';
  return {
    AccountId: accountId,
    Arn: `acs:ram::${accountId}:assumed-role/${principal.name.toLowerCase()}/${principal.sessionName ?? ''}`,
    IdentityType: 'AssumedRoleUser',
    PrincipalId: `${roleId}:${principal.sessionName ?? ''}`,
    RoleId: roleId,
  };
}

/** The STS service module. */
export const stsModule: ServiceModule = rpcServiceModule('sts', STS_VERSION, {
  AssumeRole: assumeRole,
  GetCallerIdentity: (core, principal) => callerIdentity(core, principal),
});
