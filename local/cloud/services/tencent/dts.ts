/**
 * The Tencent DTS 2021-12-06 call the oracle needs: DescribeMigrateDBInstances, what the console calls to list the
 * instances of another root account ("Cross-account", AccountMode `other`) with the temporary credentials it got
 * by assuming the owner's role. DTS answers as the guides say: the role must hold QcloudDTSReadOnlyAccess and
 * the engine's service policy, else `InternalError.InternalInnerCommonError`.
 */
import type { CamAction } from './cam.js';
import { optionalString, requiredString } from './params.js';
import { tencentError } from './replies.js';
import { principalOf, requireAllowed, tencentAllows } from './world.js';

/** The API version DTS answers. */
export const TENCENT_DTS_VERSION = '2021-12-06';

/** The action each engine's own service needs the role to allow (the service policy's). */
const ENGINE_ACTION: Readonly<Record<string, string>> = {
  mysql: 'cdb:DescribeDBInstances',
  tdsqlmysql: 'dcdb:DescribeDCDBInstances',
  mariadb: 'mariadb:DescribeDBInstances',
  cynosdbmysql: 'cynosdb:DescribeClusters',
};

/** The DTS actions. */
export const tencentDtsActions: Readonly<Record<string, CamAction>> = {
  DescribeMigrateDBInstances(world, principal, params, core) {
    requireAllowed(world, principal, 'dts:DescribeMigrateDBInstances');
    const databaseType = requiredString(params, 'DatabaseType');
    const mode = optionalString(params, 'AccountMode') ?? 'self';
    if (mode !== 'other') return { TotalCount: 0, Instances: [] };
    const secretId = requiredString(params, 'TmpSecretId');
    requiredString(params, 'TmpSecretKey');
    const role = principalOf(world, secretId, optionalString(params, 'TmpToken'), core.now());
    if (role.kind !== 'assumed-role') {
      throw tencentError('InvalidParameter', 'TmpSecretId must be temporary credentials from AssumeRole.');
    }
    const engineAction = ENGINE_ACTION[databaseType];
    if (engineAction === undefined)
      throw tencentError('InvalidParameter', `DatabaseType ${databaseType} is not supported.`);
    if (!tencentAllows(world, role, 'dts:DescribeMigrateDBInstances') || !tencentAllows(world, role, engineAction)) {
      throw tencentError(
        'InternalError.InternalInnerCommonError',
        'internal inner common error: the role lacks the permissions DTS needs',
      );
    }
    return { TotalCount: 0, Instances: [] };
  },
};
