import { describe, expect, it } from 'vitest';
import type { TaskKind } from '../../../shared/domain/endpoints.js';
import { GUIDE_CELLS, type GuideCell, guidesAccepting, RDS_ENGINES } from '../../../shared/domain/guide-matrix.js';
import { matrixTask } from '../../../shared/domain/matrix-check.js';
import type { RelationshipInput } from '../../../shared/domain/relationship.js';
import { validateRelationship } from '../../../shared/domain/validation.js';
import { A, B, NOW, relationship } from './fixtures.js';

const options = { now: NOW };

/** `code@field` of each problem a relationship breaks. */
function codes(over: Partial<RelationshipInput>): string[] {
  return validateRelationship(relationship(over), options).map((p) => `${p.code}@${p.field}`);
}

/** A relationship that exercises one endpoint or pair cell, with each source type the cell allows. */
function relationshipsOf(cell: GuideCell): Partial<RelationshipInput>[] {
  const destinationType = cell.destination?.databaseTypes?.[0] ?? 'mysql';
  if (cell.table === 'source') {
    return (cell.source?.databaseTypes ?? []).map((databaseType) => ({
      scenario: 'source',
      source: { accountId: A, databaseType, accessMethod: cell.source?.accessMethod ?? 'instance' },
    }));
  }
  if (cell.table === 'destination') {
    return (cell.destination?.databaseTypes ?? []).map((databaseType) => ({
      scenario: 'destination',
      destination: { accountId: B, databaseType, accessMethod: cell.destination?.accessMethod ?? 'instance' },
    }));
  }
  return RDS_ENGINES.flatMap((sourceType) =>
    (cell.destination?.databaseTypes ?? [destinationType]).map((databaseType) => ({
      scenario: 'source' as const,
      source: { accountId: A, databaseType: sourceType, accessMethod: 'instance' },
      destination: { accountId: B, databaseType, accessMethod: cell.destination?.accessMethod ?? 'instance' },
    })),
  );
}

describe('GUIDE_CELLS', () => {
  it('holds every row of both guides: 37 cross-account sources and 7 destinations of the current guide, 6 migration and 3 synchronization pairs of the older one', () => {
    const count = (guide: string, table: string) =>
      GUIDE_CELLS.filter((c) => c.guide === guide && c.table === table).length;
    expect([
      count('current', 'source'),
      count('current', 'destination'),
      count('older', 'migration'),
      count('older', 'synchronization'),
    ]).toEqual([37, 7, 6, 3]);
  });

  it('holds the older guide table as the guide writes it: destination types and access method per task kind', () => {
    const older = GUIDE_CELLS.filter((c) => c.guide === 'older').map(
      (c) => `${c.table}: ${c.destination?.databaseTypes?.join('|') ?? '*'} via ${c.destination?.accessMethod}`,
    );
    expect(older).toEqual([
      'migration: mysql|sqlserver|postgresql|mariadb via instance',
      'migration: polardb-x-1 via instance',
      'migration: hybriddb-mysql via instance',
      'migration: oceanbase-mysql via instance',
      'migration: * via ecs',
      'migration: * via public-ip',
      'synchronization: mysql|sqlserver|postgresql|mariadb via instance',
      'synchronization: maxcompute via instance',
      'synchronization: elasticsearch via instance',
    ]);
    expect(GUIDE_CELLS.filter((c) => c.guide === 'older').every((c) => c.source?.databaseTypes === RDS_ENGINES)).toBe(
      true,
    );
  });

  describe.each(GUIDE_CELLS.map((cell) => ({ cell, name: `${cell.guide} guide, ${cell.table}: ${cell.row}` })))(
    '$name',
    ({ cell }) => {
      it.each(cell.taskKinds.map((kind) => ({ kind })))('is accepted by its guide as a $kind', ({ kind }) => {
        for (const over of relationshipsOf(cell)) {
          const rel = relationship({ ...over, taskKind: kind });
          expect(guidesAccepting(matrixTask(rel), kind)).toContain(cell.guide);
          expect(validateRelationship(rel, options)).toEqual([]);
        }
      });
    },
  );
});

describe('guidesAccepting', () => {
  it.each<{ title: string; over: Partial<RelationshipInput>; kind: TaskKind; expected: string[] }>([
    {
      title: 'RDS MySQL to RDS MySQL with the source cross-account, by both guides, for either kind',
      over: {},
      kind: 'synchronization',
      expected: ['current', 'older'],
    },
    {
      title: 'RDS MySQL to a self-managed database on ECS as a synchronization: the current guide only',
      over: { destination: { accountId: B, databaseType: 'mysql', accessMethod: 'ecs' } },
      kind: 'synchronization',
      expected: ['current'],
    },
    {
      title: 'RDS MySQL to MaxCompute as a migration: neither (the older guide lists MaxCompute under synchronization)',
      over: { destination: { accountId: B, databaseType: 'maxcompute', accessMethod: 'instance' } },
      kind: 'migration',
      expected: [],
    },
    {
      title: 'PolarDB for MySQL to Elasticsearch: neither (the older guide starts from an RDS instance)',
      over: {
        source: { accountId: A, databaseType: 'polardb-mysql', accessMethod: 'instance' },
        destination: { accountId: B, databaseType: 'elasticsearch', accessMethod: 'instance' },
      },
      kind: 'synchronization',
      expected: [],
    },
    {
      title: 'a PolarDB-X 2.0 source cross-account (current guide only; the older guide starts from RDS)',
      over: { source: { accountId: A, databaseType: 'polardb-x-2', accessMethod: 'instance' } },
      kind: 'migration',
      expected: ['current'],
    },
  ])('$title', ({ over, kind, expected }) => {
    expect(guidesAccepting(matrixTask(relationship(over)), kind)).toEqual(expected);
  });
});

describe('the support-matrix rule in validateRelationship', () => {
  it.each<{ title: string; over: Partial<RelationshipInput>; expected: string[] }>([
    {
      title: 'MaxCompute declared as a migration destination',
      over: {
        taskKind: 'migration',
        destination: { accountId: B, databaseType: 'maxcompute', accessMethod: 'instance' },
      },
      expected: ['TaskKindUnsupported@relationship.taskKind'],
    },
    {
      title: 'Elasticsearch declared as a migration destination',
      over: {
        taskKind: 'migration',
        destination: { accountId: B, databaseType: 'elasticsearch', accessMethod: 'instance' },
      },
      expected: ['TaskKindUnsupported@relationship.taskKind'],
    },
    {
      title: 'HybridDB for MySQL declared as a synchronization destination',
      over: {
        taskKind: 'synchronization',
        destination: { accountId: B, databaseType: 'hybriddb-mysql', accessMethod: 'instance' },
      },
      expected: ['TaskKindUnsupported@relationship.taskKind'],
    },
    {
      title: 'a database with a public IP declared as a synchronization destination',
      over: {
        taskKind: 'synchronization',
        destination: { accountId: B, databaseType: 'mysql', accessMethod: 'public-ip' },
      },
      expected: ['TaskKindUnsupported@relationship.taskKind'],
    },
    {
      title: 'MaxCompute from a PolarDB for MySQL source',
      over: {
        source: { accountId: A, databaseType: 'polardb-mysql', accessMethod: 'instance' },
        destination: { accountId: B, databaseType: 'maxcompute', accessMethod: 'instance' },
      },
      expected: ['EndpointUnsupported@relationship.destination.databaseType'],
    },
    {
      title: 'MaxCompute as a cross-account destination (the older guide authorizes the source owner only)',
      over: {
        scenario: 'destination',
        destination: { accountId: B, databaseType: 'maxcompute', accessMethod: 'instance' },
      },
      expected: ['EndpointUnsupported@relationship.destination.databaseType'],
    },
    {
      title: 'DRDS (PolarDB-X 1.0) as a cross-account destination',
      over: {
        scenario: 'destination',
        destination: { accountId: B, databaseType: 'polardb-x-1', accessMethod: 'instance' },
      },
      expected: ['EndpointUnsupported@relationship.destination.databaseType'],
    },
  ])('refuses $title', ({ over, expected }) => {
    expect(codes(over)).toEqual(expected);
  });

  it.each<{ title: string; over: Partial<RelationshipInput> }>([
    {
      title: 'MaxCompute without a task kind (synchronization allows it)',
      over: { destination: { accountId: B, databaseType: 'maxcompute', accessMethod: 'instance' } },
    },
    {
      title: 'HybridDB for MySQL without a task kind (migration allows it)',
      over: { destination: { accountId: B, databaseType: 'hybriddb-mysql', accessMethod: 'instance' } },
    },
    {
      title: 'a destination in the task account that neither guide names (the current guide leaves it to DTS)',
      over: { destination: { accountId: B, databaseType: 'kafka', accessMethod: 'instance' } },
    },
  ])('accepts $title', ({ over }) => {
    expect(codes(over)).toEqual([]);
  });

  it('names the rule and the guide of a kind refused, and the row that allows the other kind', () => {
    const [problem] = validateRelationship(
      relationship({
        taskKind: 'migration',
        destination: { accountId: B, databaseType: 'elasticsearch', accessMethod: 'instance' },
      }),
      options,
    );
    expect(problem?.message).toContain(
      'rule "synchronization: RDS instance to Elasticsearch instance" of the older guide, "Configure RAM authorization for cross-account data migration and synchronization"',
    );
    expect(problem?.fix).toBe('set taskKind to synchronization, or leave it out');
  });

  it('names the current guide for a cross-account destination it lacks, and where the older guide allows it', () => {
    const [problem] = validateRelationship(
      relationship({
        scenario: 'destination',
        destination: { accountId: B, databaseType: 'maxcompute', accessMethod: 'instance' },
      }),
      options,
    );
    expect(problem?.message).toContain(
      'rule "destination databases" of the current guide, "Configure RAM authorization for cross-account DTS tasks"',
    );
    expect(problem?.message).toContain('synchronization: RDS instance to MaxCompute instance');
    expect(problem?.message).toContain('use scenario "source"');
  });
});
