import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/domain/errors.js';
import {
  DEFAULT_ROLE_NAME,
  expandRelationship,
  type Relationship,
  RelationshipSchema,
  relationshipRoles,
  taskAccountOf,
  taskKindOf,
  taskKindsOf,
} from '../../../shared/domain/relationship.js';
import { validateRelationship } from '../../../shared/domain/validation.js';
import { A, B, C, relationship, ticket } from './fixtures.js';

/** The (owner, role, trusted) triples of the grants a relationship expands to. */
function triples(rel: Relationship): string[] {
  return expandRelationship(rel, ticket).map((g) => `${g.ownerAccountId}/${g.roleName}/${g.trustedAccountId}`);
}

describe('expandRelationship', () => {
  it.each([
    {
      title: 'a cross-account source is one role in the source owner trusting the destination owner',
      over: { scenario: 'source' as const },
      expected: [`${A}/src-role/${B}`],
    },
    {
      title: 'a cross-account destination is one role in the destination owner trusting the source owner',
      over: { scenario: 'destination' as const },
      expected: [`${B}/dst-role/${A}`],
    },
    {
      title: 'both cross-account is a role in each owner trusting the task account',
      over: { scenario: 'both' as const, taskAccountId: C },
      expected: [`${A}/src-role/${C}`, `${B}/dst-role/${C}`],
    },
    {
      title: 'two-way synchronization counts as both, whatever scenario is named',
      over: { scenario: 'source' as const, direction: 'two-way' as const, taskAccountId: C },
      expected: [`${A}/src-role/${C}`, `${B}/dst-role/${C}`],
    },
    {
      title: 'two-way with scenario both gives the same two roles',
      over: { scenario: 'both' as const, direction: 'two-way' as const, taskAccountId: C },
      expected: [`${A}/src-role/${C}`, `${B}/dst-role/${C}`],
    },
  ])('$title', ({ over, expected }) => {
    expect(triples(relationship(over))).toEqual(expected);
  });

  it('uses the role name of the endpoint whose owner holds the role', () => {
    const rel = relationship({
      scenario: 'destination',
      source: { accountId: A, databaseType: 'mysql', accessMethod: 'instance', roleName: 'not-this-one' },
      destination: { accountId: B, databaseType: 'mysql', accessMethod: 'instance', roleName: 'this-one' },
    });
    expect(expandRelationship(rel, ticket).map((g) => g.roleName)).toEqual(['this-one']);
  });

  it('defaults the role name to ram-for-dts', () => {
    const rel = relationship({ source: { accountId: A, databaseType: 'mysql', accessMethod: 'instance' } });
    expect(expandRelationship(rel, ticket)[0]?.roleName).toBe(DEFAULT_ROLE_NAME);
  });

  it('carries the relationship settings and the ticket into every grant', () => {
    const rel = relationship({
      scenario: 'both',
      taskAccountId: C,
      policies: ['AliyunDTSRolePolicy', 'Extra'],
      externalId: 'ext-123',
      mode: 'observe',
      expiresAt: '2031-01-01T00:00:00Z',
      adopt: true,
    });
    for (const g of expandRelationship(rel, ticket)) {
      expect(g).toMatchObject({
        cloud: 'alibaba',
        policies: ['AliyunDTSRolePolicy', 'Extra'],
        externalId: 'ext-123',
        mode: 'observe',
        expiresAt: '2031-01-01T00:00:00Z',
        adopt: true,
        ticket,
        revision: 0,
      });
    }
  });

  it('leaves out optional settings that were not given', () => {
    const [g] = expandRelationship(relationship(), ticket);
    expect(g).not.toHaveProperty('externalId');
    expect(g).not.toHaveProperty('expiresAt');
    expect(g).toMatchObject({ policies: ['AliyunDTSRolePolicy'], mode: 'enforce', adopt: false });
  });

  it('collapses two roles with the same owner and name into one grant', () => {
    const rel = relationship({
      scenario: 'both',
      taskAccountId: C,
      source: { accountId: A, databaseType: 'mysql', accessMethod: 'instance', roleName: 'ram-for-dts' },
      destination: { accountId: A, databaseType: 'mysql', accessMethod: 'instance', roleName: 'RAM-for-DTS' },
    });
    expect(expandRelationship(rel, ticket)).toHaveLength(1);
  });

  it('refuses a both relationship without a task account with a typed error', () => {
    const rel = { ...relationship({ scenario: 'both', taskAccountId: C }), taskAccountId: undefined };
    expect(() => expandRelationship(rel, ticket)).toThrow(ValidationError);
  });
});

describe('RelationshipSchema', () => {
  it('requires the task account for scenario both', () => {
    const result = RelationshipSchema.safeParse({ ...relationship(), scenario: 'both' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['taskAccountId']);
  });

  it('requires the task account for two-way synchronization', () => {
    const result = RelationshipSchema.safeParse({ ...relationship(), direction: 'two-way' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/two-way/);
  });

  it('rejects unknown fields', () => {
    expect(RelationshipSchema.safeParse({ ...relationship(), taskAccount: C }).success).toBe(false);
  });
});

describe('relationshipRoles', () => {
  it('says where each trusted account comes from', () => {
    expect(relationshipRoles(relationship()).map((r) => r.trustedField)).toEqual(['destination.accountId']);
    expect(relationshipRoles(relationship({ scenario: 'destination' })).map((r) => r.trustedField)).toEqual([
      'source.accountId',
    ]);
    expect(relationshipRoles(relationship({ scenario: 'both', taskAccountId: C })).map((r) => r.side)).toEqual([
      'source',
      'destination',
    ]);
  });
});

describe('taskAccountOf', () => {
  it.each([
    { scenario: 'source' as const, expected: B },
    { scenario: 'destination' as const, expected: A },
  ])('is implied by scenario $scenario', ({ scenario, expected }) => {
    expect(taskAccountOf(relationship({ scenario }))).toBe(expected);
  });

  it('is the given task account for scenario both', () => {
    expect(taskAccountOf(relationship({ scenario: 'both', taskAccountId: C }))).toBe(C);
  });
});

describe('taskKindsOf', () => {
  it.each([
    { title: 'the kind a relationship names', over: { taskKind: 'migration' as const }, expected: ['migration'] },
    {
      title: 'synchronization for two-way',
      over: { direction: 'two-way' as const, taskAccountId: C },
      expected: ['synchronization'],
    },
    { title: 'every kind when none is named', over: {}, expected: ['migration', 'synchronization'] },
  ])('gives $title', ({ over, expected }) => {
    expect(taskKindsOf(relationship(over))).toEqual(expected);
  });

  it('knows the kind only when one kind is possible', () => {
    expect(taskKindOf(relationship({ direction: 'two-way', taskAccountId: C }))).toBe('synchronization');
    expect(taskKindOf(relationship())).toBeUndefined();
  });
});

describe('a relationship that names its DTS jobs', () => {
  it('gives every grant it expands to the jobs, sorted and unique', () => {
    const rel = relationship({
      scenario: 'both',
      taskAccountId: C,
      dtsJobIds: ['dtsjob00002', 'dtsjob00001', 'dtsjob00002'],
    });
    expect(expandRelationship(rel, ticket).map((g) => g.dtsJobIds)).toEqual([
      ['dtsjob00001', 'dtsjob00002'],
      ['dtsjob00001', 'dtsjob00002'],
    ]);
    expect(expandRelationship(relationship(), ticket)[0]).not.toHaveProperty('dtsJobIds');
  });

  it('is refused for Tencent Cloud, whose DTS tasks the product does not read', () => {
    const rel = RelationshipSchema.parse({
      cloud: 'tencent',
      scenario: 'source',
      source: { accountId: '100000000001', databaseType: 'mysql', accessMethod: 'instance', roleName: 'DTS-role' },
      destination: { accountId: '100000000002', databaseType: 'mysql', accessMethod: 'instance', roleName: 'DTS-role' },
      dtsJobIds: ['dtsjob00001'],
    });
    const problems = validateRelationship(rel, { now: new Date('2026-12-01T12:00:00Z') });
    expect(problems.map((p) => `${p.code}@${p.field}`)).toEqual(['DtsJobsNotAlibaba@relationship.dtsJobIds']);
    expect(problems[0]?.fix).toContain('expiresAt');
  });
});
