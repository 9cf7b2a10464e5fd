/**
 * The database types and access methods DTS supports for cross-account tasks, as data: the current Alibaba Cloud
 * guide's endpoint tables here, the older guide's pair table in guide-matrix.ts. Validation reads these tables;
 * documentation and the CLI can print them.
 */

/** How DTS reaches a database. */
export const AccessMethod = {
  /** A cloud instance (RDS, PolarDB, Tair, ...). */
  Instance: 'instance',
  /** A self-managed database behind Express Connect, VPN Gateway or Smart Access Gateway. */
  ExpressConnect: 'express-connect',
  /** A self-managed database on an ECS instance. */
  Ecs: 'ecs',
  /** A self-managed database reached through Cloud Enterprise Network. */
  Cen: 'cen',
  /** A self-managed database reached through Database Gateway. */
  DatabaseGateway: 'database-gateway',
  /** A self-managed database with a public IP address (older guide only). */
  PublicIp: 'public-ip',
} as const;
/** One of {@link AccessMethod}. */
export type AccessMethod = (typeof AccessMethod)[keyof typeof AccessMethod];

/** Human labels of the access methods, as the DTS console names them. */
export const AccessMethodLabel: Readonly<Record<AccessMethod, string>> = {
  instance: 'Alibaba Cloud Instance',
  'express-connect': 'Express Connect, VPN Gateway, or Smart Access Gateway',
  ecs: 'Self-managed Database on ECS',
  cen: 'Cloud Enterprise Network (CEN)',
  'database-gateway': 'Database Gateway',
  'public-ip': 'User-created database with a public IP address',
};

/** Database types that appear in the cross-account guides (the last three in the older guide only). */
export const DatabaseType = {
  Mysql: 'mysql',
  PolardbMysql: 'polardb-mysql',
  Redis: 'redis',
  SqlServer: 'sqlserver',
  Postgresql: 'postgresql',
  Mongodb: 'mongodb',
  Oracle: 'oracle',
  PolardbOracle: 'polardb-oracle',
  PolardbPostgresql: 'polardb-postgresql',
  PolardbX1: 'polardb-x-1',
  PolardbX2: 'polardb-x-2',
  Db2Iseries: 'db2-iseries',
  Db2Luw: 'db2-luw',
  Mariadb: 'mariadb',
  OceanbaseMysql: 'oceanbase-mysql',
  Sls: 'sls',
  AnalyticdbMysql: 'adb-mysql-3',
  Kafka: 'kafka',
  Clickhouse: 'clickhouse',
  Selectdb: 'selectdb',
  HybriddbMysql: 'hybriddb-mysql',
  Maxcompute: 'maxcompute',
  Elasticsearch: 'elasticsearch',
} as const;
/** One of {@link DatabaseType}. */
export type DatabaseType = (typeof DatabaseType)[keyof typeof DatabaseType];

/** Human labels of the database types. */
export const DatabaseTypeLabel: Readonly<Record<DatabaseType, string>> = {
  mysql: 'MySQL',
  'polardb-mysql': 'PolarDB for MySQL',
  redis: 'Tair (Redis OSS-compatible)',
  sqlserver: 'SQL Server',
  postgresql: 'PostgreSQL',
  mongodb: 'MongoDB',
  oracle: 'Oracle',
  'polardb-oracle': 'PolarDB (Oracle-compatible)',
  'polardb-postgresql': 'PolarDB for PostgreSQL',
  'polardb-x-1': 'PolarDB-X 1.0 (formerly DRDS)',
  'polardb-x-2': 'PolarDB-X 2.0',
  'db2-iseries': 'Db2 for iSeries (AS/400)',
  'db2-luw': 'Db2 for LUW',
  mariadb: 'MariaDB',
  'oceanbase-mysql': 'OceanBase (MySQL mode)',
  sls: 'Simple Log Service (SLS)',
  'adb-mysql-3': 'AnalyticDB for MySQL 3.0',
  kafka: 'Kafka',
  clickhouse: 'ClickHouse',
  selectdb: 'SelectDB',
  'hybriddb-mysql': 'HybridDB for MySQL',
  maxcompute: 'MaxCompute (formerly ODPS)',
  elasticsearch: 'Elasticsearch',
};

const { Instance, ExpressConnect, Ecs, Cen, DatabaseGateway } = AccessMethod;

/**
 * Source database types and the access methods each supports across accounts. Kafka is listed in one version
 * of the guide only; it is kept because DTS accepts it as a source.
 */
export const SourceEndpoints: Readonly<Partial<Record<DatabaseType, readonly AccessMethod[]>>> = {
  mysql: [Instance, ExpressConnect, Ecs],
  'polardb-mysql': [Instance],
  redis: [Instance, ExpressConnect, Ecs, Cen, DatabaseGateway],
  sqlserver: [Instance, ExpressConnect],
  postgresql: [Instance, ExpressConnect],
  mongodb: [Instance, ExpressConnect, Ecs, Cen],
  oracle: [ExpressConnect],
  'polardb-oracle': [Instance, ExpressConnect],
  'polardb-postgresql': [Instance],
  'polardb-x-1': [Instance],
  'polardb-x-2': [Instance],
  'db2-iseries': [ExpressConnect],
  'db2-luw': [ExpressConnect, Ecs],
  mariadb: [Instance, ExpressConnect, Ecs],
  'oceanbase-mysql': [Instance, ExpressConnect, Ecs],
  sls: [Instance],
  'adb-mysql-3': [Instance],
  kafka: [Instance, ExpressConnect, Ecs],
};

/** Destination database types across accounts; every one is reachable as a cloud instance only. */
export const DestinationDatabaseTypes: readonly DatabaseType[] = [
  DatabaseType.Mysql,
  DatabaseType.PolardbMysql,
  DatabaseType.AnalyticdbMysql,
  DatabaseType.Redis,
  DatabaseType.Clickhouse,
  DatabaseType.Selectdb,
  DatabaseType.Mongodb,
];

/** The only access method a cross-account destination supports. */
export const DESTINATION_ACCESS_METHOD = AccessMethod.Instance;

/** The kind of DTS task a relationship is for; the guides support different pairs for each. */
export const TaskKind = { Migration: 'migration', Synchronization: 'synchronization' } as const;
/** One of {@link TaskKind}. */
export type TaskKind = (typeof TaskKind)[keyof typeof TaskKind];

/** Every task kind, in a stable order (what a relationship without `taskKind` may be). */
export const TASK_KINDS: readonly TaskKind[] = [TaskKind.Migration, TaskKind.Synchronization];

/** The edition of a Tair (Redis OSS-compatible) instance: two-way synchronization needs Enterprise at both ends. */
export const Edition = { Enterprise: 'enterprise', Community: 'community' } as const;
/** One of {@link Edition}. */
export type Edition = (typeof Edition)[keyof typeof Edition];

/** The deployment of an instance where the rules depend on it (RDS MySQL, MongoDB). */
export const Topology = {
  /** An RDS MySQL instance (High-availability or Basic Edition). */
  Instance: 'instance',
  /** An RDS MySQL Cluster Edition instance. */
  Cluster: 'cluster',
  /** A MongoDB standalone instance. */
  Standalone: 'standalone',
  /** A MongoDB replica set instance. */
  ReplicaSet: 'replica-set',
  /** A MongoDB sharded cluster instance. */
  ShardedCluster: 'sharded-cluster',
} as const;
/** One of {@link Topology}. */
export type Topology = (typeof Topology)[keyof typeof Topology];

/** The database types an edition or topology describes, and the values each allows. */
export const EndpointDetails = {
  edition: { redis: [Edition.Enterprise, Edition.Community] },
  topology: {
    mysql: [Topology.Instance, Topology.Cluster],
    mongodb: [Topology.Standalone, Topology.ReplicaSet, Topology.ShardedCluster],
  },
} as const satisfies Readonly<{
  edition: Partial<Record<DatabaseType, readonly Edition[]>>;
  topology: Partial<Record<DatabaseType, readonly Topology[]>>;
}>;

/** What two-way synchronization across accounts needs of one engine, at both ends (current guide's usage notes). */
export interface TwoWayEngine {
  /** The instances the guide names. */
  readonly label: string;
  /** The editions allowed at both ends; absent when the edition does not matter. */
  readonly editions?: readonly Edition[];
  /** The topologies allowed; both ends must have the same one. */
  readonly topologies?: readonly Topology[];
  /** True when a ticket must say the edition or topology (the engine has kinds two-way does not support). */
  readonly detailRequired: boolean;
}

/**
 * Engines that support two-way synchronization across accounts, both ends the same engine, both cloud
 * instances: RDS MySQL instances and clusters, Tair Enterprise instances, MongoDB replica sets and sharded
 * clusters. Redis and MongoDB have kinds that do not (Tair Community, MongoDB standalone), so their tickets must
 * name the edition or topology; every RDS MySQL kind qualifies, so a MySQL ticket may leave it out.
 */
export const TwoWayEngines: Readonly<Partial<Record<DatabaseType, TwoWayEngine>>> = {
  mysql: {
    label: 'RDS MySQL instance or cluster',
    topologies: [Topology.Instance, Topology.Cluster],
    detailRequired: false,
  },
  redis: { label: 'Tair Enterprise instance', editions: [Edition.Enterprise], detailRequired: true },
  mongodb: {
    label: 'MongoDB replica set or sharded cluster',
    topologies: [Topology.ReplicaSet, Topology.ShardedCluster],
    detailRequired: true,
  },
};

/** True when `value` is one of {@link DatabaseType}. */
export function isDatabaseType(value: string): value is DatabaseType {
  return Object.hasOwn(DatabaseTypeLabel, value);
}

/** True when `value` is one of {@link AccessMethod}. */
export function isAccessMethod(value: string): value is AccessMethod {
  return Object.hasOwn(AccessMethodLabel, value);
}

/** The access methods a source database type supports across accounts (empty when it is not a source). */
export function sourceAccessMethods(databaseType: string): readonly AccessMethod[] {
  return isDatabaseType(databaseType) ? (SourceEndpoints[databaseType] ?? []) : [];
}

/** True when DTS can read `databaseType` through `accessMethod` from another account. */
export function isSupportedSource(databaseType: string, accessMethod: string): boolean {
  return (sourceAccessMethods(databaseType) as readonly string[]).includes(accessMethod);
}

/** True when DTS can write `databaseType` through `accessMethod` in another account. */
export function isSupportedDestination(databaseType: string, accessMethod: string): boolean {
  return (DestinationDatabaseTypes as readonly string[]).includes(databaseType) && accessMethod === Instance;
}

/** True when `databaseType` supports two-way synchronization across accounts. */
export function supportsTwoWay(databaseType: string): boolean {
  return isDatabaseType(databaseType) && TwoWayEngines[databaseType] !== undefined;
}
