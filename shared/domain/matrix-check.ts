/**
 * The support-matrix rule of a relationship (guide-matrix.ts), as problems that name the rule and the guide.
 */
import { ErrorCatalog } from './catalog.js';
import {
  AccessMethodLabel,
  DESTINATION_ACCESS_METHOD,
  DestinationDatabaseTypes,
  SourceEndpoints,
  sourceAccessMethods,
  TASK_KINDS,
  type TaskKind,
} from './endpoints.js';
import type { ValidationProblem } from './errors.js';
import {
  currentGuideCell,
  databaseTypeName,
  GUIDE_CELLS,
  guidesAccepting,
  type MatrixTask,
  namedByOlderGuideOnly,
  olderGuideCell,
  olderGuideCellsFor,
  RDS_ENGINES,
} from './guide-matrix.js';
import { Guide, GuideTitle, guideRule } from './guides.js';
import { type EndpointSide, type Relationship, relationshipRoles, taskKindsOf } from './relationship.js';

type Problem = ValidationProblem;
type At = (name: string) => string;

const CURRENT_SOURCES = guideRule(Guide.Current, 'source databases');
const CURRENT_DESTINATIONS = guideRule(Guide.Current, 'destination databases');

/** The task the matrix reads from a relationship: its endpoints and which owners hold roles. */
export function matrixTask(rel: Relationship): MatrixTask {
  const sides = new Set(relationshipRoles(rel).map((r) => r.side));
  return {
    source: rel.source,
    destination: rel.destination,
    crossAccount: { source: sides.has('source'), destination: sides.has('destination') },
  };
}

/** The older guide's rows that name this destination, whatever the source, with their task kinds. */
function olderRowsFor(task: MatrixTask): { kind: TaskKind; row: string }[] {
  return olderGuideCellsFor(task.destination).flatMap((cell) =>
    cell.taskKinds.map((kind) => ({ kind, row: cell.row })),
  );
}

/** Why the current guide refuses one cross-account endpoint (empty when its table has it). */
function currentGuideProblems(task: MatrixTask, side: EndpointSide, at: At): Problem[] {
  const { databaseType, accessMethod } = task[side];
  if (currentGuideCell(side, task[side])) return [];
  if (side === 'source') {
    const methods = sourceAccessMethods(databaseType);
    if (methods.length === 0) {
      return [
        {
          code: 'EndpointUnsupported',
          field: at('source.databaseType'),
          message: `database type ${JSON.stringify(databaseType)} is not supported as a cross-account source (${CURRENT_SOURCES})`,
          fix: `use one of: ${Object.keys(SourceEndpoints).join(', ')}`,
        },
      ];
    }
    return [
      {
        code: 'EndpointUnsupported',
        field: at('source.accessMethod'),
        message: `access method ${JSON.stringify(accessMethod)} is not supported for a cross-account ${databaseType} source (${CURRENT_SOURCES})`,
        fix: `use one of: ${methods.map((m) => `${m} (${AccessMethodLabel[m]})`).join(', ')}`,
      },
    ];
  }
  const older = olderRowsFor(task);
  const olderHint =
    older.length > 0
      ? `; the older guide, "${GuideTitle[Guide.Older]}", supports it only in the task account (${older.map((o) => `${o.kind}: ${o.row}`).join('; ')}): use scenario "source" with the destination owner creating the task`
      : '';
  if (!(DestinationDatabaseTypes as readonly string[]).includes(databaseType)) {
    return [
      {
        code: 'EndpointUnsupported',
        field: at('destination.databaseType'),
        message: `database type ${JSON.stringify(databaseType)} is not supported as a cross-account destination (${CURRENT_DESTINATIONS})${olderHint}`,
        fix: `use one of: ${DestinationDatabaseTypes.join(', ')}`,
      },
    ];
  }
  return [
    {
      code: 'EndpointUnsupported',
      field: at('destination.accessMethod'),
      message: `a cross-account destination must be a cloud instance, not ${JSON.stringify(accessMethod)} (${CURRENT_DESTINATIONS})${olderHint}`,
      fix: `use ${DESTINATION_ACCESS_METHOD}`,
    },
  ];
}

/** Why the older guide refuses a destination in the task account that only it names, for the kinds asked. */
function olderGuideProblems(task: MatrixTask, kinds: readonly TaskKind[], at: At): Problem[] {
  const { destination } = task;
  const field = at(
    namedByOlderGuideOnly({ databaseType: destination.databaseType, accessMethod: DESTINATION_ACCESS_METHOD })
      ? 'destination.databaseType'
      : 'destination.accessMethod',
  );
  const otherKinds = TASK_KINDS.filter((k) => !kinds.includes(k) && olderGuideCell(task, k) !== undefined);
  const other = otherKinds[0];
  if (other !== undefined) {
    const cell = olderGuideCell(task, other);
    return [
      {
        code: 'TaskKindUnsupported',
        field: at('taskKind'),
        message: `${databaseTypeName(destination.databaseType)} through ${destination.accessMethod} is a destination of ${other} only, not of ${kinds.join(' or ')} (${guideRule(Guide.Older, `${other}: ${cell?.row}`)})`,
        fix: `set taskKind to ${other}, or leave it out`,
      },
    ];
  }
  const rows = olderRowsFor(task);
  const allowed = rows.length > 0 ? rows.map((r) => `${r.kind}: ${r.row}`).join('; ') : 'no row';
  return [
    {
      code: 'EndpointUnsupported',
      field,
      message: `only the older guide names ${databaseTypeName(destination.databaseType)} through ${destination.accessMethod} as a destination, and only from a cross-account RDS instance (${RDS_ENGINES.join(', ')}) for ${allowed} (${guideRule(Guide.Older, 'instance types supported by cross-account data migration and synchronization')})`,
      fix:
        rows.length > 0
          ? `make the source an RDS instance (${RDS_ENGINES.join(', ')} through instance) and the task kind ${rows.map((r) => r.kind).join(' or ')}, or choose a destination of the current guide`
          : `choose a destination of the current guide: ${DestinationDatabaseTypes.join(', ')}`,
    },
  ];
}

/**
 * Every problem of the support-matrix rule (empty when a guide accepts the relationship for a task kind it may
 * be). Each problem names the rule and the guide.
 */
export function matrixProblems(rel: Relationship, at: At): Problem[] {
  const task = matrixTask(rel);
  const kinds = taskKindsOf(rel);
  if (kinds.some((kind) => guidesAccepting(task, kind).length > 0)) return [];
  const problems: Problem[] = [];
  if (task.crossAccount.source) problems.push(...currentGuideProblems(task, 'source', at));
  if (task.crossAccount.destination) problems.push(...currentGuideProblems(task, 'destination', at));
  else if (namedByOlderGuideOnly(task.destination)) problems.push(...olderGuideProblems(task, kinds, at));
  if (problems.length === 0) {
    problems.push({
      code: 'EndpointUnsupported',
      field: at('destination.databaseType'),
      message: `no guide supports this pair for ${kinds.join(' or ')} (${GUIDE_CELLS.length} cells checked)`,
      fix: ErrorCatalog.EndpointUnsupported.fix,
    });
  }
  return problems;
}
