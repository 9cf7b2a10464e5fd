/**
 * The Tencent Cloud databases DTS synchronizes across root accounts, and the CAM policies a role needs for each,
 * as data (the Tencent Cloud cross-account sync guide, English and Chinese). Validation reads these tables.
 */

/** Database types the Tencent guide supports across root accounts. */
export const TencentDatabaseType = {
  Mysql: 'mysql',
  TdsqlMysql: 'tdsql-mysql',
  TdsqlC: 'tdsql-c',
  Mariadb: 'mariadb',
} as const;
/** One of {@link TencentDatabaseType}. */
export type TencentDatabaseType = (typeof TencentDatabaseType)[keyof typeof TencentDatabaseType];

/** Human labels, as the DTS console names them. */
export const TencentDatabaseTypeLabel: Readonly<Record<TencentDatabaseType, string>> = {
  mysql: 'TencentDB for MySQL',
  'tdsql-mysql': 'TDSQL for MySQL',
  'tdsql-c': 'TDSQL-C',
  mariadb: 'TencentDB for MariaDB',
};

/** The database type the guide names as unsupported across accounts (MySQL to CDWPG). */
export const TENCENT_UNSUPPORTED_CDWPG = 'cdwpg';

/** The only access method across Tencent root accounts: a TencentDB instance ("Access Type: Database"). */
export const TENCENT_ACCESS_METHOD = 'instance';

/** The preset policy every Tencent DTS cross-account role needs. */
export const TENCENT_DTS_POLICY = 'QcloudDTSReadOnlyAccess';

/**
 * The preset policy of each engine's own service, which the role also needs (without it DTS fails with
 * `InternalError.InternalInnerCommonError`). Only MySQL's is documented; an engine missing here is refused.
 */
export const TencentServicePolicy: Readonly<Partial<Record<TencentDatabaseType, string>>> = {
  mysql: 'QcloudAccessForMySQLRole',
};

/** True when `value` is one of {@link TencentDatabaseType}. */
export function isTencentDatabaseType(value: string): value is TencentDatabaseType {
  return Object.hasOwn(TencentDatabaseTypeLabel, value);
}

/** The service policy of an engine; `undefined` when none is known. */
export function tencentServicePolicyOf(databaseType: string): string | undefined {
  return isTencentDatabaseType(databaseType) ? TencentServicePolicy[databaseType] : undefined;
}

/** The policies a Tencent role for an endpoint of `databaseType` needs: the DTS policy plus the engine's own. */
export function tencentRolePolicies(databaseType: string): string[] {
  const service = tencentServicePolicyOf(databaseType);
  return service === undefined ? [TENCENT_DTS_POLICY] : [TENCENT_DTS_POLICY, service];
}
