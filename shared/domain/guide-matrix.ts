/**
 * Both guides' support matrices as one table of cells, and the rule that reads it.
 *
 * - The current guide lists, per endpoint, which database types and access methods can be cross-account (a
 *   source table and a destination table), for every task kind.
 * - The older guide lists pairs, per task kind: from an RDS instance whose owner authorizes the task account
 *   (a cross-account source, scenario `source`) to the destinations it names.
 *
 * A relationship passes when, for a task kind it may be (see `taskKindsOf`), some guide accepts it. The current
 * guide accepts when each cross-account endpoint is in its tables, and says nothing about an endpoint in the task
 * account ("does not affect the destination's options"), except one of a type or access method only the older
 * guide names (MaxCompute, Elasticsearch, HybridDB for MySQL, a public IP): there the older guide is the only
 * word, so its pair table decides, task kind included.
 */
import {
  AccessMethod,
  AccessMethodLabel,
  DatabaseType,
  DatabaseTypeLabel,
  DESTINATION_ACCESS_METHOD,
  DestinationDatabaseTypes,
  isDatabaseType,
  SourceEndpoints,
  TaskKind,
} from './endpoints.js';
import { Guide } from './guides.js';

const { Instance, Ecs, PublicIp } = AccessMethod;
const { Migration, Synchronization } = TaskKind;
const BOTH_KINDS = [Migration, Synchronization] as const;

/** One cell: the guide, the table it is in, and the endpoint or pair it allows for which task kinds. */
export interface GuideCell {
  readonly guide: Guide;
  /** The guide's table: current `source` / `destination`, older `migration` / `synchronization`. */
  readonly table: 'source' | 'destination' | 'migration' | 'synchronization';
  readonly taskKinds: readonly TaskKind[];
  /** The cross-account source it allows (any of these types, through this access method); absent: any source. */
  readonly source?: { readonly databaseTypes: readonly DatabaseType[]; readonly accessMethod: AccessMethod };
  /** The destination it allows; `databaseTypes` absent means any type through the access method. */
  readonly destination?: { readonly databaseTypes?: readonly DatabaseType[]; readonly accessMethod: AccessMethod };
  /** The row as the guide writes it, for messages. */
  readonly row: string;
}

/** The RDS engines: what the older guide means by "RDS instance". */
export const RDS_ENGINES: readonly DatabaseType[] = [
  DatabaseType.Mysql,
  DatabaseType.SqlServer,
  DatabaseType.Postgresql,
  DatabaseType.Mariadb,
];

const currentSource = (databaseType: DatabaseType, accessMethod: AccessMethod): GuideCell => ({
  guide: Guide.Current,
  table: 'source',
  taskKinds: BOTH_KINDS,
  source: { databaseTypes: [databaseType], accessMethod },
  row: `${DatabaseTypeLabel[databaseType]}, ${AccessMethodLabel[accessMethod]}`,
});

const currentDestination = (databaseType: DatabaseType): GuideCell => ({
  guide: Guide.Current,
  table: 'destination',
  taskKinds: BOTH_KINDS,
  destination: { databaseTypes: [databaseType], accessMethod: DESTINATION_ACCESS_METHOD },
  row: `${DatabaseTypeLabel[databaseType]}, ${AccessMethodLabel[DESTINATION_ACCESS_METHOD]}`,
});

const rds = { databaseTypes: RDS_ENGINES, accessMethod: Instance } as const;

const older = (
  kind: TaskKind,
  destination: { databaseTypes?: readonly DatabaseType[]; accessMethod: AccessMethod },
  row: string,
): GuideCell => ({
  guide: Guide.Older,
  table: kind,
  taskKinds: [kind],
  source: rds,
  destination,
  row,
});

/** Every cell of both guides: the current guide's endpoint tables (endpoints.ts), then the older guide's pairs. */
export const GUIDE_CELLS: readonly GuideCell[] = [
  ...Object.entries(SourceEndpoints).flatMap(([type, methods]) =>
    (methods ?? []).map((method) => currentSource(type as DatabaseType, method)),
  ),
  ...DestinationDatabaseTypes.map(currentDestination),
  older(Migration, { databaseTypes: RDS_ENGINES, accessMethod: Instance }, 'RDS instance to RDS instance'),
  older(
    Migration,
    { databaseTypes: [DatabaseType.PolardbX1], accessMethod: Instance },
    'RDS instance to DRDS instance',
  ),
  older(
    Migration,
    { databaseTypes: [DatabaseType.HybriddbMysql], accessMethod: Instance },
    'RDS instance to HybridDB for MySQL instance',
  ),
  older(
    Migration,
    { databaseTypes: [DatabaseType.OceanbaseMysql], accessMethod: Instance },
    'RDS instance to ApsaraDB for OceanBase instance',
  ),
  older(Migration, { accessMethod: Ecs }, 'RDS instance to user-created database hosted on ECS'),
  older(Migration, { accessMethod: PublicIp }, 'RDS instance to user-created database with a public IP address'),
  older(Synchronization, { databaseTypes: RDS_ENGINES, accessMethod: Instance }, 'RDS instance to RDS instance'),
  older(
    Synchronization,
    { databaseTypes: [DatabaseType.Maxcompute], accessMethod: Instance },
    'RDS instance to MaxCompute instance',
  ),
  older(
    Synchronization,
    { databaseTypes: [DatabaseType.Elasticsearch], accessMethod: Instance },
    'RDS instance to Elasticsearch instance',
  ),
];

/** One end of a task as the matrix reads it. */
export interface MatrixEndpoint {
  readonly databaseType: string;
  readonly accessMethod: string;
}

/** A task as the matrix reads it: its endpoints and which of them are cross-account. */
export interface MatrixTask {
  readonly source: MatrixEndpoint;
  readonly destination: MatrixEndpoint;
  readonly crossAccount: { readonly source: boolean; readonly destination: boolean };
}

function matches(
  pattern: { readonly databaseTypes?: readonly DatabaseType[]; readonly accessMethod: AccessMethod } | undefined,
  endpoint: MatrixEndpoint,
): boolean {
  if (!pattern) return false;
  if (pattern.accessMethod !== endpoint.accessMethod) return false;
  return (
    pattern.databaseTypes === undefined || (pattern.databaseTypes as readonly string[]).includes(endpoint.databaseType)
  );
}

/** Database types and access methods that only the older guide names. */
const OLDER_ONLY: ReadonlySet<string> = new Set<string>([
  DatabaseType.HybriddbMysql,
  DatabaseType.Maxcompute,
  DatabaseType.Elasticsearch,
  PublicIp,
]);

/** True when only the older guide names this endpoint's database type or access method. */
export function namedByOlderGuideOnly(endpoint: MatrixEndpoint): boolean {
  return OLDER_ONLY.has(endpoint.databaseType) || OLDER_ONLY.has(endpoint.accessMethod);
}

/** The current guide's cell for a cross-account endpoint, if it has one. */
export function currentGuideCell(side: 'source' | 'destination', endpoint: MatrixEndpoint): GuideCell | undefined {
  return GUIDE_CELLS.find((c) => c.guide === Guide.Current && c.table === side && matches(c[side], endpoint));
}

/** The older guide's cell for a task of `kind`, if it has one (a cross-account RDS source, the destination in the task account). */
export function olderGuideCell(task: MatrixTask, kind: TaskKind): GuideCell | undefined {
  if (!task.crossAccount.source || task.crossAccount.destination) return undefined;
  return GUIDE_CELLS.find(
    (c) =>
      c.guide === Guide.Older &&
      c.taskKinds.includes(kind) &&
      matches(c.source, task.source) &&
      matches(c.destination, task.destination),
  );
}

/** The older guide's cells whose destination is this one, whatever the source and task kind. */
export function olderGuideCellsFor(destination: MatrixEndpoint): GuideCell[] {
  return GUIDE_CELLS.filter((c) => c.guide === Guide.Older && matches(c.destination, destination));
}

/** The guides that accept `task` as a task of `kind` (empty: refused for that kind). */
export function guidesAccepting(task: MatrixTask, kind: TaskKind): Guide[] {
  const guides: Guide[] = [];
  const current =
    (!task.crossAccount.source || currentGuideCell('source', task.source) !== undefined) &&
    (!task.crossAccount.destination || currentGuideCell('destination', task.destination) !== undefined) &&
    (task.crossAccount.destination || !namedByOlderGuideOnly(task.destination));
  if (current) guides.push(Guide.Current);
  if (olderGuideCell(task, kind)) guides.push(Guide.Older);
  return guides;
}

/** A readable name of a database type (its label when it is one the guides know). */
export function databaseTypeName(databaseType: string): string {
  return isDatabaseType(databaseType) ? DatabaseTypeLabel[databaseType] : JSON.stringify(databaseType);
}
