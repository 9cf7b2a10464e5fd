import { describe, expect, it } from 'vitest';
import { isCatalogCode } from '../../../../shared/domain/catalog.js';
import type { ValidationProblem } from '../../../../shared/domain/errors.js';
import {
  expandRelationship,
  type RelationshipInput,
  RelationshipSchema,
} from '../../../../shared/domain/relationship.js';
import {
  tencentRelationshipWarnings,
  validateTencentRelationship,
} from '../../../../shared/domain/tencent/validation.js';
import { validateRelationship } from '../../../../shared/domain/validation.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const OWNER = '100000000001';
const TASK = '100000000002';
const THIRD = '100000000003';
const SUB = '200000000077';
const ticket = { system: 'jira', id: 'DBA-7', requester: 'ana', approver: 'ben' };

/** A Tencent cross-account source relationship: OWNER's MySQL synced into TASK's MySQL. */
function tencent(over: Partial<RelationshipInput> = {}): RelationshipInput {
  return {
    cloud: 'tencent',
    scenario: 'source',
    source: { accountId: OWNER, databaseType: 'mysql', accessMethod: 'instance', roleName: 'DTS-role' },
    destination: { accountId: TASK, databaseType: 'mysql', accessMethod: 'instance', roleName: 'DTS-role' },
    ...over,
  };
}

const at = (name: string) => `relationship.${name}`;
const both = ['migration', 'synchronization'] as const;
const codes = (problems: readonly ValidationProblem[]) => problems.map((p) => `${p.code}@${p.field}`);
const problemsOf = (input: RelationshipInput, taskKinds: readonly ('migration' | 'synchronization')[] = both) =>
  codes(validateTencentRelationship(RelationshipSchema.parse(input), { taskKinds, now: NOW, at }));

describe('validateTencentRelationship', () => {
  it("accepts the guide's relationship: a MySQL source owner trusting the root account that syncs it", () => {
    expect(problemsOf(tencent())).toEqual([]);
    expect(codes(validateRelationship(RelationshipSchema.parse(tencent()), { now: NOW }))).toEqual([]);
  });

  it.each<{ title: string; over: Partial<RelationshipInput>; expected: string[] }>([
    {
      title: 'an owner that is not a numeric UIN',
      over: { source: { accountId: 'abc', databaseType: 'mysql', accessMethod: 'instance' } },
      expected: ['InvalidAccountId@relationship.source.accountId'],
    },
    {
      title: 'an owner UIN of 16 digits, which the stores could not tell from an Alibaba Cloud account ID',
      over: { source: { accountId: '1000000000000001', databaseType: 'mysql', accessMethod: 'instance' } },
      expected: ['InvalidAccountId@relationship.source.accountId'],
    },
    {
      title: 'a role name with "." (CAM takes it, DTS AccountRole does not)',
      over: { source: { accountId: OWNER, databaseType: 'mysql', accessMethod: 'instance', roleName: 'dts.role' } },
      expected: ['InvalidRoleName@relationship.source.roleName'],
    },
    {
      title: 'a role ARN where the role name belongs',
      over: {
        source: {
          accountId: OWNER,
          databaseType: 'mysql',
          accessMethod: 'instance',
          roleName: `qcs::cam::uin/${OWNER}:roleName/DTS-role`,
        },
      },
      expected: ['AssumeRoleFail.InvalidRoleArnFormat@relationship.source.roleName'],
    },
    {
      title: 'MySQL to CDWPG',
      over: { source: { accountId: OWNER, databaseType: 'cdwpg', accessMethod: 'instance' } },
      expected: ['EndpointUnsupported@relationship.source.databaseType'],
    },
    {
      title: 'a database type of Alibaba Cloud',
      over: { source: { accountId: OWNER, databaseType: 'polardb-mysql', accessMethod: 'instance' } },
      expected: ['EndpointUnsupported@relationship.source.databaseType'],
    },
    {
      title: 'a self-managed endpoint',
      over: { source: { accountId: OWNER, databaseType: 'mysql', accessMethod: 'ecs' } },
      expected: ['EndpointUnsupported@relationship.source.accessMethod'],
    },
    {
      title: 'an engine whose service policy is not known (TDSQL-C)',
      over: { source: { accountId: OWNER, databaseType: 'tdsql-c', accessMethod: 'instance' } },
      expected: ['TencentServicePolicyUnknown@relationship.source.databaseType'],
    },
    {
      title: 'declared policies without the service policy',
      over: { policies: ['QcloudDTSReadOnlyAccess'] },
      expected: ['TencentPolicyMissing@relationship.policies'],
    },
    {
      title: 'the owner trusting itself',
      over: {
        destination: { accountId: OWNER, databaseType: 'mysql', accessMethod: 'instance' },
      },
      expected: ['TrustedAccountIsOwner@relationship.destination.accountId'],
    },
    {
      title: 'two-way synchronization',
      over: { direction: 'two-way', taskAccountId: THIRD },
      expected: ['TwoWayUnsupported@relationship.direction'],
    },
    {
      title: 'a sub-account UIN that is the task root account itself',
      over: { subAccountUins: [TASK] },
      expected: ['InvalidAccountId@relationship.subAccountUins[0]'],
    },
    {
      title: 'an expiry in the past',
      over: { expiresAt: '2026-11-30T00:00:00Z' },
      expected: ['GrantExpired@relationship.expiresAt'],
    },
  ])('refuses $title', ({ over, expected }) => {
    expect(problemsOf(tencent(over))).toEqual(expected);
  });

  it('refuses an external ID when the task may be a migration, and takes it for a synchronization', () => {
    expect(problemsOf(tencent({ externalId: 'ext-123' }), ['migration'])).toEqual([
      'ExternalIdNotForMigration@relationship.externalId',
    ]);
    expect(problemsOf(tencent({ externalId: 'ext-123' }), both)).toEqual([
      'ExternalIdNotForMigration@relationship.externalId',
    ]);
    expect(problemsOf(tencent({ externalId: 'ext-123' }), ['synchronization'])).toEqual([]);
  });

  it('takes the task kind from the relationship: an external ID passes for synchronization only', () => {
    const validate = (taskKind?: 'migration' | 'synchronization') =>
      codes(
        validateRelationship(
          RelationshipSchema.parse(tencent({ externalId: 'ext-123', ...(taskKind ? { taskKind } : {}) })),
          {
            now: NOW,
          },
        ),
      );
    expect(validate('synchronization')).toEqual([]);
    expect(validate('migration')).toEqual(['ExternalIdNotForMigration@relationship.externalId']);
    expect(validate()).toEqual(['ExternalIdNotForMigration@relationship.externalId']);
  });

  it('names a catalog code for every refusal', () => {
    const rel = RelationshipSchema.parse(
      tencent({
        source: { accountId: 'x', databaseType: 'tdsql-c', accessMethod: 'ecs', roleName: 'a.b' },
        externalId: 'ext-1',
      }),
    );
    for (const p of validateTencentRelationship(rel, { taskKinds: both, now: NOW, at })) {
      expect(isCatalogCode(p.code)).toBe(true);
    }
  });
});

describe('tencentRelationshipWarnings', () => {
  const underscore = tencent({
    source: { accountId: OWNER, databaseType: 'mysql', accessMethod: 'instance', roleName: 'DTS_role' },
  });
  it('warns about "_" in the role name of a migration', () => {
    expect(
      codes(tencentRelationshipWarnings(RelationshipSchema.parse(underscore), { taskKinds: ['migration'], at })),
    ).toEqual(['RoleNameUnderscore@relationship.source.roleName']);
  });
  it('says nothing for a synchronization', () => {
    expect(
      tencentRelationshipWarnings(RelationshipSchema.parse(underscore), { taskKinds: ['synchronization'], at }),
    ).toEqual([]);
  });
});

describe('expandRelationship (Tencent)', () => {
  it('declares a Tencent grant with QcloudDTSReadOnlyAccess and the engine policy, carrying the sub-accounts', () => {
    const [grant, ...rest] = expandRelationship(
      RelationshipSchema.parse(tencent({ subAccountUins: [SUB, SUB] })),
      ticket,
    );
    expect(rest).toEqual([]);
    expect(grant).toMatchObject({
      cloud: 'tencent',
      ownerAccountId: OWNER,
      roleName: 'DTS-role',
      trustedAccountId: TASK,
      policies: ['QcloudDTSReadOnlyAccess', 'QcloudAccessForMySQLRole'],
      subAccountUins: [SUB],
    });
  });

  it('keeps AliyunDTSRolePolicy as the Alibaba default', () => {
    const alibaba = RelationshipSchema.parse({
      scenario: 'source',
      source: { accountId: '1111111111111111', databaseType: 'mysql', accessMethod: 'instance' },
      destination: { accountId: '2222222222222222', databaseType: 'mysql', accessMethod: 'instance' },
    });
    expect(expandRelationship(alibaba, ticket)[0]).toMatchObject({
      cloud: 'alibaba',
      policies: ['AliyunDTSRolePolicy'],
    });
  });
});
