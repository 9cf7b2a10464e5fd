import { CommonClient } from 'tencentcloud-sdk-nodejs-common';
import { sts } from 'tencentcloud-sdk-nodejs-sts';
import type { OracleVerdict } from './dts-oracle.js';

/** API keys of a Tencent caller (root account or sub-user), or temporary ones with their token. */
export interface TencentCallerKeys {
  readonly secretId: string;
  readonly secretKey: string;
  readonly token?: string;
}

const profile = (endpoint: string) => ({ httpProfile: { protocol: 'http://', endpoint, reqTimeout: 10 } });
const credential = (keys: TencentCallerKeys) => ({
  secretId: keys.secretId,
  secretKey: keys.secretKey,
  ...(keys.token ? { token: keys.token } : {}),
});

/**
 * Ask the (local) Tencent DTS what its console would say when `caller` (the task root account or one of its
 * sub-users) lists the instances of `ownerUin` across accounts with role `roleName`: the console assumes the role
 * with the caller's own identity (STS answers `InternalError.GetRoleError` or the sub-user's "not authorized to
 * perform operation (sts:AssumeRole)"), then calls DescribeMigrateDBInstances with AccountMode `other` and the
 * temporary credentials (DTS answers `InternalError.InternalInnerCommonError` while a policy is missing).
 */
export async function tencentInstanceListing(
  endpoint: string,
  caller: TencentCallerKeys,
  target: { ownerUin: string; roleName: string; externalId?: string; databaseType?: string },
): Promise<OracleVerdict> {
  try {
    const assumed = await new sts.v20180813.Client({
      credential: credential(caller),
      region: 'ap-guangzhou',
      profile: profile(endpoint),
    }).AssumeRole({
      RoleArn: `qcs::cam::uin/${target.ownerUin}:roleName/${target.roleName}`,
      RoleSessionName: 'dts-console',
      ...(target.externalId !== undefined ? { ExternalId: target.externalId } : {}),
    });
    const tmp = assumed.Credentials;
    await new CommonClient(endpoint, '2021-12-06', {
      credential: credential(caller),
      region: 'ap-guangzhou',
      profile: profile(endpoint),
    }).request('DescribeMigrateDBInstances', {
      DatabaseType: target.databaseType ?? 'mysql',
      MigrateRole: 'src',
      AccountMode: 'other',
      TmpSecretId: tmp?.TmpSecretId,
      TmpSecretKey: tmp?.TmpSecretKey,
      TmpToken: tmp?.Token,
    });
    return { accepted: true };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { accepted: false, code: e.code ?? 'TransportError', message: e.message ?? String(error) };
  }
}
