import { describe, expect, it } from 'vitest';
import { isCatalogCode } from '../../../shared/domain/catalog.js';
import { ValidationError, type ValidationProblem } from '../../../shared/domain/errors.js';
import type { GrantInput } from '../../../shared/domain/grant.js';
import type { RelationshipInput } from '../../../shared/domain/relationship.js';
import {
  parseGrant,
  parseRelationship,
  type ValidationOptions,
  validateGrant,
  validateRelationship,
} from '../../../shared/domain/validation.js';
import { A, B, C, grant, NOW, relationship, ticket } from './fixtures.js';

const options: ValidationOptions = { now: NOW };

/** `code@field` of each problem, for compact assertions. */
function codes(problems: readonly ValidationProblem[]): string[] {
  return problems.map((p) => `${p.code}@${p.field}`);
}

/** The problems a parse throws (fails the test when it does not throw). */
function thrown(parse: () => unknown): readonly ValidationProblem[] {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).problems;
  }
  throw new Error('expected a ValidationError');
}

describe('validateGrant', () => {
  it('finds nothing wrong with a well-formed grant', () => {
    expect(validateGrant(grant(), options)).toEqual([]);
  });

  it.each<{ title: string; over: Partial<GrantInput>; expected: string; opts?: Partial<ValidationOptions> }>([
    {
      title: 'an owner ID that is not 16 digits',
      over: { ownerAccountId: '12345' },
      expected: 'AliyunUidFormat@ownerAccountId',
    },
    {
      title: 'a trusted ID with letters',
      over: { trustedAccountId: '22222222222222ab' },
      expected: 'AliyunUidFormat@trustedAccountId',
    },
    { title: 'an empty role name', over: { roleName: '' }, expected: 'InvalidRoleName@roleName' },
    { title: 'a role name of 65 characters', over: { roleName: 'r'.repeat(65) }, expected: 'InvalidRoleName@roleName' },
    {
      title: 'a role name with an underscore',
      over: { roleName: 'ram_for_dts' },
      expected: 'InvalidRoleName@roleName',
    },
    {
      title: 'a role ARN in place of the name',
      over: { roleName: `acs:ram::${A}:role/ram-for-dts` },
      expected: 'AssumeRoleFail.InvalidRoleArnFormat@roleName',
    },
    {
      title: 'an account ARN in place of the name',
      over: { roleName: `acs:ram::${A}:root` },
      expected: 'AssumeRoleFail.InvalidRoleArnFormat@roleName',
    },
    {
      title: 'AliyunDTSDefaultRole',
      over: { roleName: 'AliyunDTSDefaultRole' },
      expected: 'Abnormal.RamCheckUserRole@roleName',
    },
    {
      title: 'AliyunDTSDefaultRole in another case',
      over: { roleName: 'aliyundtsdefaultrole' },
      expected: 'Abnormal.RamCheckUserRole@roleName',
    },
    {
      title: 'a user ARN in place of the role',
      over: { roleName: `acs:ram::${A}:user/alice` },
      expected: 'RoleNameIsUser@roleName',
    },
    {
      title: 'a RAM user logon name in place of the role',
      over: { roleName: 'alice@example.onaliyun.com' },
      expected: 'RoleNameIsUser@roleName',
    },
    {
      title: 'a user/ path in place of the role',
      over: { roleName: 'user/alice' },
      expected: 'RoleNameIsUser@roleName',
    },
    {
      title: 'a trusted account equal to the owner',
      over: { trustedAccountId: A },
      expected: 'TrustedAccountIsOwner@trustedAccountId',
    },
    {
      title: 'Finance Cloud paired with Gov Cloud',
      over: {},
      opts: { partitions: { [A]: 'finance', [B]: 'gov' } },
      expected: 'PartitionMismatch@trustedAccountId',
    },
    {
      title: 'an expiry in the past',
      over: { expiresAt: '2029-12-31T23:59:59Z' },
      expected: 'GrantExpired@expiresAt',
    },
    { title: 'an expiry exactly now', over: { expiresAt: NOW.toISOString() }, expected: 'GrantExpired@expiresAt' },
    {
      title: 'policies without AliyunDTSRolePolicy',
      over: { policies: ['Other'] },
      expected: 'DtsPolicyMissing@policies',
    },
    {
      title: 'a Tencent external ID with spaces',
      over: { cloud: 'tencent', ownerAccountId: '100001', trustedAccountId: '100002', externalId: 'a b c' },
      expected: 'InvalidExternalId@externalId',
    },
    {
      title: 'any external ID on an Alibaba Cloud DTS grant',
      over: { externalId: 'abc:def/ghi_1=2+3,4.5@6-7' },
      expected: 'ExternalIdNotSupported@externalId',
    },
    {
      title: 'an expiry with an offset of +99:99',
      over: { expiresAt: '2031-01-01T00:00:00+99:99' },
      expected: 'InvalidTimestamp@expiresAt',
    },
    {
      title: 'a Tencent account ID that is not a number',
      over: { cloud: 'tencent', ownerAccountId: 'uin-1', trustedAccountId: '100000000002' },
      expected: 'InvalidAccountId@ownerAccountId',
    },
    {
      title: 'a Tencent account ID of 16 digits (it could not be told from an Alibaba account ID)',
      over: { cloud: 'tencent', ownerAccountId: '100000000001', trustedAccountId: '1000000000000002' },
      expected: 'InvalidAccountId@trustedAccountId',
    },
    {
      title: 'a Tencent role ARN in place of the name',
      over: {
        cloud: 'tencent',
        ownerAccountId: '100001',
        trustedAccountId: '100002',
        roleName: 'qcs::cam::uin/100001:roleName/dts',
      },
      expected: 'AssumeRoleFail.InvalidRoleArnFormat@roleName',
    },
  ])('reports $title as $expected', ({ over, expected, opts }) => {
    const problems = validateGrant(grant(over), { ...options, ...opts });
    expect(codes(problems)).toEqual([expected]);
    for (const p of problems) {
      expect(p.message.length).toBeGreaterThan(0);
      expect(p.fix.length).toBeGreaterThan(0);
    }
  });

  it.each([
    { title: 'an expiry in the future', over: { expiresAt: '2030-01-01T00:00:01Z' } },
    { title: 'a role name with dots and digits', over: { roleName: 'dts.role-2' } },
    { title: 'a 64-character role name', over: { roleName: 'r'.repeat(64) } },
    {
      title: 'a valid Tencent external ID',
      over: {
        cloud: 'tencent' as const,
        ownerAccountId: '100001',
        trustedAccountId: '100002',
        externalId: 'abc:def/ghi_1=2+3,4.5@6-7',
      },
    },
    {
      title: 'a Tencent grant',
      over: { cloud: 'tencent' as const, ownerAccountId: '100001', trustedAccountId: '100002' },
    },
  ])('accepts $title', ({ over }) => {
    expect(validateGrant(grant(over), options)).toEqual([]);
  });

  it('puts an unlisted account on the default partition, so Finance Cloud cannot pair with it', () => {
    expect(
      codes(validateGrant(grant(), { ...options, partitions: { [A]: 'finance' }, defaultPartition: 'public' })),
    ).toEqual(['PartitionMismatch@trustedAccountId']);
    expect(
      validateGrant(grant(), {
        ...options,
        partitions: { [A]: 'finance', [B]: 'finance' },
        defaultPartition: 'public',
      }),
    ).toEqual([]);
  });

  it('allows accounts of the same partition, or of unknown partitions', () => {
    expect(validateGrant(grant(), { ...options, partitions: { [A]: 'finance', [B]: 'finance' } })).toEqual([]);
    expect(validateGrant(grant(), { ...options, partitions: { [A]: 'gov' } })).toEqual([]);
  });

  it('tells how to fix a role ARN: the part after role/', () => {
    const [p] = validateGrant(grant({ roleName: `acs:ram::${A}:role/ram-for-dts` }), options);
    expect(p?.fix).toContain('"ram-for-dts"');
  });

  it('collects every problem, not just the first', () => {
    const problems = validateGrant(
      grant({
        ownerAccountId: 'x',
        trustedAccountId: 'x',
        roleName: 'AliyunDTSDefaultRole',
        expiresAt: '2000-01-01T00:00:00Z',
      }),
      options,
    );
    expect(codes(problems)).toEqual([
      'AliyunUidFormat@ownerAccountId',
      'AliyunUidFormat@trustedAccountId',
      'Abnormal.RamCheckUserRole@roleName',
      'TrustedAccountIsOwner@trustedAccountId',
      'GrantExpired@expiresAt',
    ]);
  });

  it('prefixes every field when asked', () => {
    const problems = validateGrant(grant({ roleName: '' }), { ...options, fieldPrefix: 'grants[1]' });
    expect(problems[0]?.field).toBe('grants[1].roleName');
  });

  it('uses only codes from the error catalog', () => {
    const problems = validateGrant(
      grant({ ownerAccountId: '1', roleName: 'user/x', policies: ['x'], externalId: '!!' }),
      options,
    );
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) expect(isCatalogCode(p.code)).toBe(true);
  });
});

describe('validateRelationship', () => {
  it('finds nothing wrong with a well-formed relationship', () => {
    expect(validateRelationship(relationship(), options)).toEqual([]);
  });

  it.each<{ title: string; over: Partial<RelationshipInput>; expected: string[]; opts?: Partial<ValidationOptions> }>([
    {
      title: 'a source account that is not 16 digits',
      over: { source: { accountId: '1', databaseType: 'mysql', accessMethod: 'instance' } },
      expected: ['AliyunUidFormat@relationship.source.accountId'],
    },
    {
      title: 'a task account that is not 16 digits',
      over: { scenario: 'both', taskAccountId: '33' },
      expected: ['AliyunUidFormat@relationship.taskAccountId'],
    },
    {
      title: 'a role ARN as the source role name',
      over: {
        source: { accountId: A, databaseType: 'mysql', accessMethod: 'instance', roleName: `acs:ram::${A}:role/r` },
      },
      expected: ['AssumeRoleFail.InvalidRoleArnFormat@relationship.source.roleName'],
    },
    {
      title: 'AliyunDTSDefaultRole as the destination role of a cross-account destination',
      over: {
        scenario: 'destination',
        destination: {
          accountId: B,
          databaseType: 'mysql',
          accessMethod: 'instance',
          roleName: 'AliyunDTSDefaultRole',
        },
      },
      expected: ['Abnormal.RamCheckUserRole@relationship.destination.roleName'],
    },
    {
      title: 'a user ARN as a role name',
      over: {
        scenario: 'both',
        taskAccountId: C,
        destination: {
          accountId: B,
          databaseType: 'mysql',
          accessMethod: 'instance',
          roleName: `acs:ram::${B}:user/bob`,
        },
      },
      expected: ['RoleNameIsUser@relationship.destination.roleName'],
    },
    {
      title: 'a role name with spaces',
      over: { source: { accountId: A, databaseType: 'mysql', accessMethod: 'instance', roleName: 'ram for dts' } },
      expected: ['InvalidRoleName@relationship.source.roleName'],
    },
    {
      title: 'both endpoints in one account',
      over: { destination: { accountId: A, databaseType: 'mysql', accessMethod: 'instance' } },
      expected: ['TrustedAccountIsOwner@relationship.destination.accountId'],
    },
    {
      title: 'a task account equal to the source owner',
      over: { scenario: 'both', taskAccountId: A },
      expected: ['TrustedAccountIsOwner@relationship.taskAccountId'],
    },
    {
      title: 'a task account that is not the one the scenario implies',
      over: { scenario: 'source', taskAccountId: C },
      expected: ['TaskAccountMismatch@relationship.taskAccountId'],
    },
    {
      title: 'two-way between engines that do not support it',
      over: {
        scenario: 'both',
        direction: 'two-way',
        taskAccountId: C,
        source: { accountId: A, databaseType: 'polardb-mysql', accessMethod: 'instance' },
        destination: { accountId: B, databaseType: 'polardb-mysql', accessMethod: 'instance' },
      },
      expected: [
        'TwoWayUnsupported@relationship.source.databaseType',
        'TwoWayUnsupported@relationship.destination.databaseType',
      ],
    },
    {
      title: 'two-way between two different supported engines',
      over: {
        scenario: 'both',
        direction: 'two-way',
        taskAccountId: C,
        source: { accountId: A, databaseType: 'mysql', accessMethod: 'instance' },
        destination: { accountId: B, databaseType: 'mongodb', accessMethod: 'instance' },
      },
      expected: ['TwoWayUnsupported@relationship.destination.databaseType'],
    },
    {
      title: 'two-way from a self-managed MySQL',
      over: {
        scenario: 'both',
        direction: 'two-way',
        taskAccountId: C,
        source: { accountId: A, databaseType: 'mysql', accessMethod: 'ecs' },
      },
      expected: ['TwoWayUnsupported@relationship.source.accessMethod'],
    },
    {
      title: 'two-way between Tair instances that do not say their edition (refused: Community cannot be told apart)',
      over: {
        scenario: 'both',
        direction: 'two-way',
        taskAccountId: C,
        source: { accountId: A, databaseType: 'redis', accessMethod: 'instance' },
        destination: { accountId: B, databaseType: 'redis', accessMethod: 'instance', edition: 'enterprise' },
      },
      expected: ['TwoWayUnsupported@relationship.source.edition'],
    },
    {
      title: 'two-way between Tair Community instances',
      over: {
        scenario: 'both',
        direction: 'two-way',
        taskAccountId: C,
        source: { accountId: A, databaseType: 'redis', accessMethod: 'instance', edition: 'community' },
        destination: { accountId: B, databaseType: 'redis', accessMethod: 'instance', edition: 'community' },
      },
      expected: ['TwoWayUnsupported@relationship.source.edition', 'TwoWayUnsupported@relationship.destination.edition'],
    },
    {
      title: 'two-way between MongoDB instances that do not say their topology (a standalone cannot be told apart)',
      over: {
        scenario: 'both',
        direction: 'two-way',
        taskAccountId: C,
        source: { accountId: A, databaseType: 'mongodb', accessMethod: 'instance' },
        destination: { accountId: B, databaseType: 'mongodb', accessMethod: 'instance' },
      },
      expected: [
        'TwoWayUnsupported@relationship.source.topology',
        'TwoWayUnsupported@relationship.destination.topology',
      ],
    },
    {
      title: 'two-way from a MongoDB standalone',
      over: {
        scenario: 'both',
        direction: 'two-way',
        taskAccountId: C,
        source: { accountId: A, databaseType: 'mongodb', accessMethod: 'instance', topology: 'standalone' },
        destination: { accountId: B, databaseType: 'mongodb', accessMethod: 'instance', topology: 'replica-set' },
      },
      expected: ['TwoWayUnsupported@relationship.source.topology'],
    },
    {
      title: 'two-way between a MongoDB replica set and a sharded cluster',
      over: {
        scenario: 'both',
        direction: 'two-way',
        taskAccountId: C,
        source: { accountId: A, databaseType: 'mongodb', accessMethod: 'instance', topology: 'replica-set' },
        destination: { accountId: B, databaseType: 'mongodb', accessMethod: 'instance', topology: 'sharded-cluster' },
      },
      expected: ['TwoWayUnsupported@relationship.destination.topology'],
    },
    {
      title: 'two-way between an RDS MySQL instance and an RDS MySQL cluster',
      over: {
        scenario: 'both',
        direction: 'two-way',
        taskAccountId: C,
        source: { accountId: A, databaseType: 'mysql', accessMethod: 'instance', topology: 'instance' },
        destination: { accountId: B, databaseType: 'mysql', accessMethod: 'instance', topology: 'cluster' },
      },
      expected: ['TwoWayUnsupported@relationship.destination.topology'],
    },
    {
      title: 'two-way declared as a migration',
      over: { scenario: 'both', direction: 'two-way', taskKind: 'migration', taskAccountId: C },
      expected: ['TaskKindUnsupported@relationship.taskKind'],
    },
    {
      title: 'an edition on a database type that has none',
      over: { source: { accountId: A, databaseType: 'mysql', accessMethod: 'instance', edition: 'enterprise' } },
      expected: ['InvalidField@relationship.source.edition'],
    },
    {
      title: 'a MongoDB topology on an RDS MySQL endpoint',
      over: { source: { accountId: A, databaseType: 'mysql', accessMethod: 'instance', topology: 'replica-set' } },
      expected: ['InvalidField@relationship.source.topology'],
    },
    {
      title: 'a source type DTS does not support',
      over: { source: { accountId: A, databaseType: 'clickhouse', accessMethod: 'instance' } },
      expected: ['EndpointUnsupported@relationship.source.databaseType'],
    },
    {
      title: 'a source access method its type does not support',
      over: { source: { accountId: A, databaseType: 'oracle', accessMethod: 'instance' } },
      expected: ['EndpointUnsupported@relationship.source.accessMethod'],
    },
    {
      title: 'a destination type DTS does not support',
      over: {
        scenario: 'destination',
        destination: { accountId: B, databaseType: 'oracle', accessMethod: 'instance' },
      },
      expected: ['EndpointUnsupported@relationship.destination.databaseType'],
    },
    {
      title: 'a self-managed destination',
      over: { scenario: 'destination', destination: { accountId: B, databaseType: 'mysql', accessMethod: 'ecs' } },
      expected: ['EndpointUnsupported@relationship.destination.accessMethod'],
    },
    {
      title: 'a Gov Cloud task account for Finance Cloud owners',
      over: { scenario: 'both', taskAccountId: C },
      opts: { partitions: { [A]: 'finance', [B]: 'finance', [C]: 'gov' } },
      expected: ['PartitionMismatch@relationship.taskAccountId', 'PartitionMismatch@relationship.taskAccountId'],
    },
    {
      title: 'an expiry in the past',
      over: { expiresAt: '2020-01-01T00:00:00Z' },
      expected: ['GrantExpired@relationship.expiresAt'],
    },
    {
      title: 'policies without AliyunDTSRolePolicy',
      over: { policies: ['AliyunRDSReadOnlyAccess'] },
      expected: ['DtsPolicyMissing@relationship.policies'],
    },
  ])('reports $title', ({ over, expected, opts }) => {
    const problems = validateRelationship(relationship(over), { ...options, ...opts });
    expect(codes(problems)).toEqual(expected);
  });

  it.each<{ title: string; over: Partial<RelationshipInput> }>([
    {
      title: 'a self-managed source through Express Connect',
      over: { source: { accountId: A, databaseType: 'oracle', accessMethod: 'express-connect' } },
    },
    {
      title: 'any endpoint that is not cross-account (the matrix covers cross-account endpoints only)',
      over: {
        scenario: 'source',
        destination: { accountId: B, databaseType: 'elasticsearch', accessMethod: 'instance' },
      },
    },
    {
      title: 'two-way between Tair Enterprise instances',
      over: {
        scenario: 'both',
        direction: 'two-way',
        taskAccountId: C,
        source: { accountId: A, databaseType: 'redis', accessMethod: 'instance', edition: 'enterprise' },
        destination: { accountId: B, databaseType: 'redis', accessMethod: 'instance', edition: 'enterprise' },
      },
    },
    {
      title: 'two-way between MongoDB sharded clusters, as a synchronization',
      over: {
        scenario: 'both',
        direction: 'two-way',
        taskKind: 'synchronization',
        taskAccountId: C,
        source: { accountId: A, databaseType: 'mongodb', accessMethod: 'instance', topology: 'sharded-cluster' },
        destination: { accountId: B, databaseType: 'mongodb', accessMethod: 'instance', topology: 'sharded-cluster' },
      },
    },
    {
      title: 'two-way between RDS MySQL instances that do not say their topology (every RDS MySQL kind qualifies)',
      over: { scenario: 'both', direction: 'two-way', taskAccountId: C },
    },
    {
      title: 'two-way between RDS MySQL clusters',
      over: {
        scenario: 'both',
        direction: 'two-way',
        taskAccountId: C,
        source: { accountId: A, databaseType: 'mysql', accessMethod: 'instance', topology: 'cluster' },
        destination: { accountId: B, databaseType: 'mysql', accessMethod: 'instance', topology: 'cluster' },
      },
    },
    { title: 'a task account equal to the implied one', over: { scenario: 'destination', taskAccountId: A } },
  ])('accepts $title', ({ over }) => {
    expect(validateRelationship(relationship(over), options)).toEqual([]);
  });

  it('checks the role name only where an owner holds a role', () => {
    const rel = relationship({
      scenario: 'source',
      destination: { accountId: B, databaseType: 'mysql', accessMethod: 'instance', roleName: 'AliyunDTSDefaultRole' },
    });
    expect(validateRelationship(rel, options)).toEqual([]);
  });

  it('prefixes fields so the intake can say which message', () => {
    const rel = relationship({ source: { accountId: '1', databaseType: 'mysql', accessMethod: 'instance' } });
    const [p] = validateRelationship(rel, { ...options, fieldPrefix: 'messages[2].relationship' });
    expect(p?.field).toBe('messages[2].relationship.source.accountId');
  });

  it('uses only codes from the error catalog', () => {
    const rel = relationship({
      scenario: 'both',
      direction: 'two-way',
      taskAccountId: A,
      source: { accountId: A, databaseType: 'kafka', accessMethod: 'cen', roleName: 'user/x' },
      destination: { accountId: '9', databaseType: 'sls', accessMethod: 'ecs' },
      expiresAt: '2000-01-01T00:00:00Z',
    });
    const problems = validateRelationship(rel, options);
    expect(problems.length).toBeGreaterThan(4);
    for (const p of problems) expect(isCatalogCode(p.code)).toBe(true);
  });
});

describe('parseGrant', () => {
  it('returns the grant with defaults when it is valid', () => {
    const g = parseGrant({ ownerAccountId: A, roleName: 'ram-for-dts', trustedAccountId: B, ticket }, options);
    expect(g).toMatchObject({ cloud: 'alibaba', policies: ['AliyunDTSRolePolicy'], mode: 'enforce', adopt: false });
  });

  it('maps each zod issue to an InvalidField problem with its path and a fix', () => {
    const problems = thrown(() =>
      parseGrant({ ownerAccountId: 1, roleName: 'r', mode: 'loud', ticket: { system: 'jira' } }, options),
    );
    expect(codes(problems)).toEqual([
      'InvalidField@ownerAccountId',
      'InvalidField@trustedAccountId',
      'InvalidField@mode',
      'InvalidField@ticket.id',
      'InvalidField@ticket.requester',
      'InvalidField@ticket.approver',
    ]);
    const byField = new Map(problems.map((p) => [p.field, p]));
    expect(byField.get('ownerAccountId')?.message).toBe('ownerAccountId must be a string, not number');
    expect(byField.get('trustedAccountId')?.message).toBe('trustedAccountId is required');
    expect(byField.get('trustedAccountId')?.fix).toBe('add trustedAccountId (a string)');
    expect(byField.get('mode')?.fix).toBe('use one of: enforce, observe, paused');
  });

  it('runs the rules after the shape and throws every problem', () => {
    const problems = thrown(() =>
      parseGrant({ ownerAccountId: A, roleName: 'AliyunDTSDefaultRole', trustedAccountId: A, ticket }, options),
    );
    expect(codes(problems)).toEqual(['Abnormal.RamCheckUserRole@roleName', 'TrustedAccountIsOwner@trustedAccountId']);
  });

  it('names the field of a malformed expiry and how to write it', () => {
    const problems = thrown(() =>
      parseGrant({ ownerAccountId: A, roleName: 'r', trustedAccountId: B, ticket, expiresAt: 'tomorrow' }, options),
    );
    expect(problems).toEqual([
      expect.objectContaining({ code: 'InvalidField', field: 'expiresAt', fix: expect.stringMatching(/2030-01-31T/) }),
    ]);
  });
});

describe('parseRelationship', () => {
  const input = {
    scenario: 'source',
    source: { accountId: A, databaseType: 'mysql', accessMethod: 'instance' },
    destination: { accountId: B, databaseType: 'mysql', accessMethod: 'instance' },
  };

  it('returns the relationship with defaults when it is valid', () => {
    expect(parseRelationship(input, options)).toMatchObject({
      direction: 'one-way',
      source: { roleName: 'ram-for-dts' },
    });
  });

  it('maps zod issues to fields under the relationship prefix', () => {
    const problems = thrown(() =>
      parseRelationship({ ...input, scenario: 'sideways', destination: { accountId: B } }, options),
    );
    expect(codes(problems)).toEqual([
      'InvalidField@relationship.scenario',
      'InvalidField@relationship.destination.databaseType',
      'InvalidField@relationship.destination.accessMethod',
    ]);
    expect(problems[0]?.fix).toBe('use one of: source, destination, both');
  });

  it('names each unknown field and suggests removing it', () => {
    const problems = thrown(() =>
      parseRelationship({ ...input, source: { ...input.source, role: 'x' }, owner: A }, options),
    );
    expect(codes(problems)).toEqual(['InvalidField@relationship.source.role', 'InvalidField@relationship.owner']);
    expect(problems[1]?.fix).toBe('remove owner or correct its spelling');
  });

  it('asks for the task account of a both relationship with a fix', () => {
    const problems = thrown(() => parseRelationship({ ...input, scenario: 'both' }, options));
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'InvalidField',
        field: 'relationship.taskAccountId',
        fix: expect.stringContaining('taskAccountId'),
      }),
    ]);
  });

  it('uses the field prefix for shape problems too', () => {
    const problems = thrown(() =>
      parseRelationship({ ...input, policies: [] }, { ...options, fieldPrefix: 'messages[2].relationship' }),
    );
    expect(problems).toEqual([
      expect.objectContaining({ field: 'messages[2].relationship.policies', fix: 'give at least 1 item' }),
    ]);
  });

  it('runs the rules after the shape', () => {
    const problems = thrown(() =>
      parseRelationship({ ...input, source: { ...input.source, accountId: '123' } }, options),
    );
    expect(codes(problems)).toEqual(['AliyunUidFormat@relationship.source.accountId']);
  });
});
