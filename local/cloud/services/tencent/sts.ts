/**
 * Tencent STS 2018-08-13 AssumeRole as the local cloud answers it: the caller's own permission (a sub-user needs
 * `sts:AssumeRole` on the role), the role's existence and trust (root account or that sub-user, external ID),
 * and credentials that act as the role until `ExpiredTime`.
 */
import type { CloudCore } from '../../contract.js';
import type { CamAction } from './cam.js';
import { trustAdmits } from './documents.js';
import { optionalInteger, optionalString, requiredString } from './params.js';
import { tencentError } from './replies.js';
import { newTemporarySecrets, type TencentPrincipal, type TencentWorld, tencentAllows } from './world.js';

/** The API version STS answers. */
export const TENCENT_STS_VERSION = '2018-08-13';

const ROLE_ARN = /^qcs::cam::uin\/(\d+):(roleName|role)\/(.+)$/;

/** The message STS (and DTS, passing it on) gives a caller without `sts:AssumeRole` on the role. */
export function notAuthorizedToAssume(roleArn: string): string {
  return `you are not authorized to perform operation (sts:AssumeRole), resource (${roleArn}) has no permission`;
}

function assumeRole(
  world: TencentWorld,
  principal: TencentPrincipal,
  params: Readonly<Record<string, unknown>>,
  core: CloudCore,
) {
  const roleArn = requiredString(params, 'RoleArn');
  const sessionName = requiredString(params, 'RoleSessionName');
  if (!/^[\w+=,.@-]{2,128}$/.test(sessionName))
    throw tencentError('InvalidParameter.ParamError', 'RoleSessionName is 2-128 letters, digits or + = , . @ - _.');
  const duration = optionalInteger(params, 'DurationSeconds') ?? 7200;
  if (duration < 1 || duration > 43200)
    throw tencentError('InvalidParameter.OverTimeError', 'DurationSeconds is at most 43200.');
  const externalId = optionalString(params, 'ExternalId');
  const match = ROLE_ARN.exec(roleArn);
  if (!match) throw tencentError('InvalidParameter.ParamError', `RoleArn ${roleArn} is malformed.`);
  const [, ownerUin = '', form = '', ref = ''] = match;
  if (principal.kind !== 'root' && !tencentAllows(world, principal, 'sts:AssumeRole', roleArn)) {
    throw tencentError('UnauthorizedOperation', notAuthorizedToAssume(roleArn));
  }
  const owner = world.accounts.get(ownerUin);
  const role =
    owner === undefined
      ? undefined
      : form === 'roleName'
        ? owner.roles.get(ref.toLowerCase())
        : [...owner.roles.values()].find((r) => r.roleId === ref);
  if (!role || role.visibleFrom > core.now().getTime())
    throw tencentError('InternalError.GetRoleError', 'role not exist');
  const caller = { rootUin: principal.uin, subUin: principal.kind === 'sub-user' ? principal.subUin : undefined };
  if (principal.kind === 'assumed-role' || !trustAdmits(role.policyDocument, caller, externalId)) {
    throw tencentError('InternalError.GetRoleError', 'role not exist');
  }
  const secrets = newTemporarySecrets();
  const expiresAt = core.now().getTime() + duration * 1000;
  world.temporary.set(secrets.secretId, {
    ...secrets,
    ownerUin,
    roleName: role.roleName,
    sessionName,
    expiresAt,
  });
  return {
    Credentials: { Token: secrets.token, TmpSecretId: secrets.secretId, TmpSecretKey: secrets.secretKey },
    ExpiredTime: Math.floor(expiresAt / 1000),
    Expiration: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

/** The STS actions. */
export const tencentStsActions: Readonly<Record<string, CamAction>> = {
  AssumeRole: assumeRole,
  GetCallerIdentity(_world, principal) {
    const arn =
      principal.kind === 'root'
        ? `qcs::cam::uin/${principal.uin}:uin/${principal.uin}`
        : principal.kind === 'sub-user'
          ? `qcs::cam::uin/${principal.uin}:uin/${principal.subUin}`
          : `qcs::sts:${principal.uin}:assumed-role/${principal.roleName}`;
    return {
      Arn: arn,
      AccountId: principal.uin,
      UserId: principal.kind === 'sub-user' ? principal.subUin : principal.uin,
      PrincipalId: principal.uin,
      Type: principal.kind === 'assumed-role' ? 'AssumedRole' : principal.kind === 'root' ? 'Root' : 'CAMUser',
    };
  },
};
