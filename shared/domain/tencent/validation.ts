import { isAlibabaAccountId, isTencentRootAccountId } from '../account-id.js';
import { ErrorCatalog } from '../catalog.js';
import type { TaskKind } from '../endpoints.js';
import type { ValidationProblem } from '../errors.js';
import {
  Direction,
  type EndpointSide,
  effectiveScenario,
  type Relationship,
  relationshipPolicies,
  relationshipRoles,
  Scenario,
} from '../relationship.js';
import { parseTimestamp } from '../timestamp.js';
import {
  isTencentDatabaseType,
  TENCENT_ACCESS_METHOD,
  TENCENT_DTS_POLICY,
  TENCENT_UNSUPPORTED_CDWPG,
  TencentDatabaseTypeLabel,
  TencentServicePolicy,
  tencentServicePolicyOf,
} from './endpoints.js';

/** What the Tencent rules need besides the relationship. */
export interface TencentValidationContext {
  /** The task kinds the relationship may be for: the declared one, or every kind when it names none. */
  readonly taskKinds: readonly TaskKind[];
  /** The current time (relationships that already expired are refused). */
  readonly now: Date;
  /** The field name of a relationship field, e.g. `relationship.source.accountId`. */
  readonly at: (name: string) => string;
}

/** DTS's `AccountRole` rule (stricter than CAM's role-name rule): letters, digits, `_` and `-`. */
export const TENCENT_DTS_ROLE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const CAM_ROLE_ARN = /^qcs::cam::uin\/[^:]*:role(?:name)?\/(.*)$/i;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,128}$/;
/** The longest role name whose sub-account policy name (`dts-trust-<uin>-<role>`) fits CAM's 128 characters. */
const SUB_ACCOUNT_ROLE_NAME_MAX = 128 - 'dts-trust-'.length - 21;

function problem(code: keyof typeof ErrorCatalog, field: string, message: string, fix?: string): ValidationProblem {
  return { code, field, message, fix: fix ?? ErrorCatalog[code].fix };
}

function checkUin(value: string, field: string, what: string): ValidationProblem[] {
  if (isTencentRootAccountId(value)) return [];
  if (isAlibabaAccountId(value)) {
    return [
      problem(
        'InvalidAccountId',
        field,
        `${what} ${JSON.stringify(value)} has 16 digits, the form of an Alibaba Cloud account ID: dts-trust keys roles by account ID, so it accepts Tencent UINs of 5-15 or 17-20 digits only`,
        `check the UIN of the ${what} on the Account Info page (Tencent root account UINs are shorter); a 16-digit UIN cannot be managed by dts-trust`,
      ),
    ];
  }
  return [
    problem(
      'InvalidAccountId',
      field,
      `${what} ${JSON.stringify(value)} is not a Tencent Cloud UIN (5-20 digits)`,
      `give the numeric UIN of the ${what}, as shown on the Account Info page`,
    ),
  ];
}

function checkRoleName(value: string, field: string, withSubAccounts: boolean): ValidationProblem[] {
  const arn = CAM_ROLE_ARN.exec(value);
  if (arn) {
    return [
      problem(
        'AssumeRoleFail.InvalidRoleArnFormat',
        field,
        `${JSON.stringify(value)} is a role ARN, not a role name`,
        `give only the role name ${JSON.stringify(arn[1])}`,
      ),
    ];
  }
  if (!TENCENT_DTS_ROLE_NAME.test(value)) {
    return [
      problem(
        'InvalidRoleName',
        field,
        `role name ${JSON.stringify(value)} is not 1-128 letters, digits, "_" or "-", the only ones DTS takes as AccountRole`,
        'choose a role name of 1-128 letters, digits, "_" or "-", for example DTS-role',
      ),
    ];
  }
  if (withSubAccounts && value.length > SUB_ACCOUNT_ROLE_NAME_MAX) {
    return [
      problem(
        'InvalidRoleName',
        field,
        `role name is ${value.length} characters; with sub-accounts its AssumeRole policy name must fit CAM's 128`,
        `choose a role name of at most ${SUB_ACCOUNT_ROLE_NAME_MAX} characters`,
      ),
    ];
  }
  return [];
}

function checkEndpoint(rel: Relationship, side: EndpointSide, at: (name: string) => string): ValidationProblem[] {
  const { databaseType, accessMethod } = rel[side];
  const supported = Object.entries(TencentDatabaseTypeLabel)
    .map(([type, label]) => `${type} (${label})`)
    .join(', ');
  if (databaseType === TENCENT_UNSUPPORTED_CDWPG) {
    return [
      problem(
        'EndpointUnsupported',
        at(`${side}.databaseType`),
        'the Tencent Cloud guide does not support cross-account sync between MySQL and CDWPG',
        `use one of: ${supported}`,
      ),
    ];
  }
  if (!isTencentDatabaseType(databaseType)) {
    return [
      problem(
        'EndpointUnsupported',
        at(`${side}.databaseType`),
        `database type ${JSON.stringify(databaseType)} is not one the Tencent Cloud guide supports across root accounts`,
        `use one of: ${supported}`,
      ),
    ];
  }
  if (accessMethod !== TENCENT_ACCESS_METHOD) {
    return [
      problem(
        'EndpointUnsupported',
        at(`${side}.accessMethod`),
        `a cross-account Tencent endpoint must be a TencentDB instance, not ${JSON.stringify(accessMethod)}`,
        `use ${TENCENT_ACCESS_METHOD}`,
      ),
    ];
  }
  return [];
}

function checkPolicies(rel: Relationship, side: EndpointSide, at: (name: string) => string): ValidationProblem[] {
  const { databaseType } = rel[side];
  if (!isTencentDatabaseType(databaseType)) return [];
  const service = tencentServicePolicyOf(databaseType);
  if (service === undefined) {
    const known = Object.entries(TencentServicePolicy)
      .map(([type, policy]) => `${type}: ${policy}`)
      .join(', ');
    return [
      problem(
        'TencentServicePolicyUnknown',
        at(`${side}.databaseType`),
        `no service policy is known for ${TencentDatabaseTypeLabel[databaseType]}, so the role in the ${side} owner account would miss it (known: ${known})`,
      ),
    ];
  }
  const policies = relationshipPolicies(rel, side);
  const missing = [TENCENT_DTS_POLICY, service].filter((p) => !policies.includes(p));
  return missing.length === 0
    ? []
    : [
        problem(
          'TencentPolicyMissing',
          at('policies'),
          `policies ${JSON.stringify(policies)} lack ${missing.join(' and ')}, which the ${side} role needs`,
        ),
      ];
}

function checkExternalId(rel: Relationship, context: TencentValidationContext): ValidationProblem[] {
  if (rel.externalId === undefined) return [];
  const field = context.at('externalId');
  if (context.taskKinds.includes('migration')) {
    const named = context.taskKinds.length === 1;
    return [
      problem(
        'ExternalIdNotForMigration',
        field,
        named
          ? 'a Tencent DTS migration task cannot pass an external ID, so it could never assume this role'
          : 'an external ID needs taskKind "synchronization": a Tencent DTS migration task cannot pass one',
      ),
    ];
  }
  return EXTERNAL_ID.test(rel.externalId)
    ? []
    : [
        problem(
          'InvalidExternalId',
          field,
          'the external ID is not 2-128 characters STS takes (letters, digits and + = , . @ : / - _)',
          'use an external ID of 2-128 letters, digits or + = , . @ : / - _',
        ),
      ];
}

function checkExpiry(rel: Relationship, context: TencentValidationContext): ValidationProblem[] {
  if (rel.expiresAt === undefined) return [];
  const expires = parseTimestamp(rel.expiresAt);
  const field = context.at('expiresAt');
  if (expires === undefined)
    return [problem('InvalidTimestamp', field, `expiresAt ${JSON.stringify(rel.expiresAt)} names no real time`)];
  return expires <= context.now.getTime()
    ? [problem('GrantExpired', field, `expiresAt ${rel.expiresAt} is not after now (${context.now.toISOString()})`)]
    : [];
}

/**
 * Every rule a Tencent Cloud relationship breaks (empty when it is valid): root account UINs for the owners and
 * the task account (a root account even when a sub-user runs the task), DTS's `AccountRole` rule for the role
 * names, the guide's database types (not CDWPG) as TencentDB instances, one-way only, each engine's service policy
 * from the table, the external ID for synchronization only, and the sub-account UINs.
 */
export function validateTencentRelationship(rel: Relationship, context: TencentValidationContext): ValidationProblem[] {
  const { at } = context;
  const problems: ValidationProblem[] = [
    ...checkUin(rel.source.accountId, at('source.accountId'), 'source owner root account'),
    ...checkUin(rel.destination.accountId, at('destination.accountId'), 'destination owner root account'),
    ...(rel.taskAccountId !== undefined ? checkUin(rel.taskAccountId, at('taskAccountId'), 'task root account') : []),
  ];
  const withSubAccounts = rel.subAccountUins !== undefined;
  for (const role of relationshipRoles(rel)) {
    problems.push(...checkRoleName(role.roleName, at(`${role.side}.roleName`), withSubAccounts));
    if (role.trustedAccountId !== undefined && role.trustedAccountId === role.ownerAccountId) {
      problems.push(
        problem(
          'TrustedAccountIsOwner',
          at(role.trustedField),
          `the trusted root account ${role.trustedAccountId} owns the ${role.side} database itself; a cross-account role trusts the other root account`,
        ),
      );
    }
    problems.push(...checkEndpoint(rel, role.side, at), ...checkPolicies(rel, role.side, at));
  }
  const implied = relationshipRoles(rel)[0]?.trustedAccountId;
  if (effectiveScenario(rel) !== Scenario.Both && rel.taskAccountId !== undefined && rel.taskAccountId !== implied) {
    problems.push(
      problem(
        'TaskAccountMismatch',
        at('taskAccountId'),
        `scenario ${rel.scenario} means root account ${implied} creates the task, but taskAccountId is ${rel.taskAccountId}`,
      ),
    );
  }
  if (rel.direction === Direction.TwoWay) {
    problems.push(
      problem(
        'TwoWayUnsupported',
        at('direction'),
        'the Tencent Cloud guide describes one-way cross-account sync only',
        'use direction one-way',
      ),
    );
  }
  rel.subAccountUins?.forEach((uin, index) => {
    problems.push(...checkUin(uin, at(`subAccountUins[${index}]`), 'sub-account'));
    const task = rel.taskAccountId ?? implied;
    if (uin === task) {
      problems.push(
        problem(
          'InvalidAccountId',
          at(`subAccountUins[${index}]`),
          `${uin} is the task root account itself, not one of its sub-accounts`,
          'list only the sub-account UINs that run the task; the root account needs no policy',
        ),
      );
    }
  });
  problems.push(...checkExternalId(rel, context), ...checkExpiry(rel, context));
  return problems;
}

/**
 * What a Tencent relationship may get wrong without being refused: a role name with `_` for a migration (an older
 * Tencent migration guide forbids it). Same shape as problems, so the intake can report them.
 */
export function tencentRelationshipWarnings(
  rel: Relationship,
  context: Pick<TencentValidationContext, 'taskKinds' | 'at'>,
): ValidationProblem[] {
  if (!context.taskKinds.includes('migration')) return [];
  return relationshipRoles(rel)
    .filter((role) => role.roleName.includes('_'))
    .map((role) =>
      problem(
        'RoleNameUnderscore',
        context.at(`${role.side}.roleName`),
        `role name ${JSON.stringify(role.roleName)} holds "_", which an older Tencent migration guide forbids`,
      ),
    );
}
