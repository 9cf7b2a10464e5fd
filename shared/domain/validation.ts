import { isAlibabaAccountId, isTencentRootAccountId } from './account-id.js';
import { ErrorCatalog } from './catalog.js';
import {
  DESTINATION_ACCESS_METHOD,
  EndpointDetails,
  isDatabaseType,
  supportsTwoWay,
  TaskKind,
  type TwoWayEngine,
  TwoWayEngines,
} from './endpoints.js';
import { ValidationError, type ValidationProblem } from './errors.js';
import { Cloud, DTS_ROLE_POLICY, type Grant, GrantSchema } from './grant.js';
import { Guide, guideRule } from './guides.js';
import { matrixProblems } from './matrix-check.js';
import {
  Direction,
  type EndpointSide,
  effectiveScenario,
  type Relationship,
  RelationshipSchema,
  relationshipRoles,
  Scenario,
  taskKindsOf,
} from './relationship.js';
import { isCamRoleName, isRamRoleName } from './role-name.js';
import { validateTencentRelationship } from './tencent/validation.js';
import { parseTimestamp } from './timestamp.js';
import { fieldPath, problemsFromZodError } from './zod-problems.js';

/** The infrastructure an account lives on; accounts on different ones cannot be paired. */
export const AccountPartition = { Public: 'public', Finance: 'finance', Gov: 'gov' } as const;
/** One of {@link AccountPartition}. */
export type AccountPartition = (typeof AccountPartition)[keyof typeof AccountPartition];

const PartitionLabel: Readonly<Record<AccountPartition, string>> = {
  public: 'the public cloud',
  finance: 'Finance Cloud',
  gov: 'Gov Cloud',
};

/** What validation needs besides the input. */
export interface ValidationOptions {
  /** The current time (grants that already expired are refused). */
  readonly now: Date;
  /** Known partitions of accounts; the pairing rule applies only when both accounts' partitions are known. */
  readonly partitions?: Readonly<Record<string, AccountPartition>>;
  /** The partition of an account {@link partitions} does not list; without it such an account is unknown. */
  readonly defaultPartition?: AccountPartition;
  /**
   * Prefix of every field name, e.g. `messages[2].relationship`. Defaults to none for grants and to
   * `relationship` for relationships.
   */
  readonly fieldPrefix?: string;
}

const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const ROLE_ARN = /^acs:ram::[^:]*:role\/(.*)$/i;
const USER_ARN = /^acs:ram::[^:]*:user\/(.*)$/i;
const TENCENT_ROLE_ARN = /^qcs::cam::uin\/[^:]*:role(?:name)?\/(.*)$/i;
const DTS_DEFAULT_ROLE = 'aliyundtsdefaultrole';

type Problem = ValidationProblem;

/** A problem whose fix defaults to the catalog's. */
function problem(code: keyof typeof ErrorCatalog, field: string, message: string, fix?: string): Problem {
  return { code, field, message, fix: fix ?? ErrorCatalog[code].fix };
}

/**
 * The account-ID rule: 16 digits on Alibaba Cloud, a root account UIN of 5-20 digits but not 16 on Tencent Cloud
 * (so the two clouds' IDs never meet in the stores' keys).
 */
function checkAccountId(value: string, field: string, cloud: Cloud): Problem[] {
  if (cloud === Cloud.Tencent) {
    return isTencentRootAccountId(value)
      ? []
      : [
          problem(
            'InvalidAccountId',
            field,
            `account ID ${JSON.stringify(value)} is not a Tencent Cloud root account UIN of 5-20 digits other than 16 (16 digits is an Alibaba Cloud account ID)`,
          ),
        ];
  }
  if (isAlibabaAccountId(value)) return [];
  return [
    problem(
      'AliyunUidFormat',
      field,
      `account ID ${JSON.stringify(value)} is not in the UID format (16 digits)`,
      isAlibabaAccountId(value.trim()) ? 'remove the spaces around the account ID' : undefined,
    ),
  ];
}

/** The role-name rules, most specific mistake first; at most one problem per name. */
function checkRoleName(value: string, field: string, cloud: Cloud): Problem[] {
  if (cloud === Cloud.Tencent) {
    const arn = TENCENT_ROLE_ARN.exec(value);
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
    return isCamRoleName(value)
      ? []
      : [
          problem(
            'InvalidRoleName',
            field,
            `role name ${JSON.stringify(value)} is not 1-128 characters of letters, digits and + = , . @ - _`,
            'choose a role name of 1-128 letters, digits or + = , . @ - _',
          ),
        ];
  }
  const roleArn = ROLE_ARN.exec(value);
  if (roleArn) {
    return [
      problem(
        'AssumeRoleFail.InvalidRoleArnFormat',
        field,
        `${JSON.stringify(value)} is a role ARN, not a role name`,
        `give only the part after "role/": ${JSON.stringify(roleArn[1])}`,
      ),
    ];
  }
  const userArn = USER_ARN.exec(value);
  if (userArn || /^user\//i.test(value) || value.includes('@')) {
    return [
      problem(
        'RoleNameIsUser',
        field,
        `${JSON.stringify(value)} names a RAM user, not a role`,
        'give the name of a RAM role in the owner account (for example ram-for-dts), not a user name or user ARN',
      ),
    ];
  }
  if (/^acs:/i.test(value)) {
    return [
      problem(
        'AssumeRoleFail.InvalidRoleArnFormat',
        field,
        `${JSON.stringify(value)} is an ARN, not a role name`,
        'give the name of the role (for example ram-for-dts), not an ARN',
      ),
    ];
  }
  if (value.toLowerCase() === DTS_DEFAULT_ROLE) {
    return [
      problem(
        'Abnormal.RamCheckUserRole',
        field,
        'AliyunDTSDefaultRole cannot be used for a cross-account task; a custom role is required',
      ),
    ];
  }
  if (!isRamRoleName(value)) {
    return [
      problem(
        'InvalidRoleName',
        field,
        value.length === 0 || value.length > 64
          ? `role name is ${value.length} characters long; RAM allows 1-64`
          : `role name ${JSON.stringify(value)} holds characters other than letters, digits, "." and "-"`,
      ),
    ];
  }
  return [];
}

/** The partition of an account: listed, else the default, else unknown. */
export function partitionOf(
  accountId: string,
  options: Pick<ValidationOptions, 'partitions' | 'defaultPartition'>,
): AccountPartition | undefined {
  const listed =
    options.partitions && Object.hasOwn(options.partitions, accountId) ? options.partitions[accountId] : undefined;
  return listed ?? options.defaultPartition;
}

/** The rules between an owner and the account its role trusts. */
function checkPairing(
  owner: { id: string; field: string; what: string },
  trusted: { id: string; field: string; what: string },
  options: ValidationOptions,
): Problem[] {
  const problems: Problem[] = [];
  if (owner.id === trusted.id) {
    problems.push(
      problem(
        'TrustedAccountIsOwner',
        trusted.field,
        `the ${trusted.what} ${trusted.id} is the ${owner.what} itself; RAM would turn the service principal into dts.aliyuncs.com`,
      ),
    );
  }
  const ownerPartition = partitionOf(owner.id, options);
  const trustedPartition = partitionOf(trusted.id, options);
  if (ownerPartition && trustedPartition && ownerPartition !== trustedPartition) {
    problems.push(
      problem(
        'PartitionMismatch',
        trusted.field,
        `the ${owner.what} ${owner.id} is on ${PartitionLabel[ownerPartition]} but the ${trusted.what} ${trusted.id} is on ${PartitionLabel[trustedPartition]} (${guideRule(Guide.Current, 'accounts of different types cannot be paired')})`,
      ),
    );
  }
  return problems;
}

/** The rules on the settings a grant carries. */
function checkSettings(
  settings: {
    cloud: Cloud;
    policies: readonly string[];
    externalId?: string | undefined;
    expiresAt?: string | undefined;
  },
  at: (name: string) => string,
  options: ValidationOptions,
): Problem[] {
  const problems: Problem[] = [];
  if (settings.cloud === Cloud.Alibaba && !settings.policies.includes(DTS_ROLE_POLICY)) {
    problems.push(
      problem(
        'DtsPolicyMissing',
        at('policies'),
        `policies ${JSON.stringify(settings.policies)} lack ${DTS_ROLE_POLICY}`,
      ),
    );
  }
  if (settings.externalId !== undefined && settings.cloud === Cloud.Alibaba) {
    problems.push(
      problem(
        'ExternalIdNotSupported',
        at('externalId'),
        'an Alibaba Cloud DTS role cannot require an external ID: DTS never passes one when it assumes the role',
      ),
    );
  } else if (settings.externalId !== undefined && !EXTERNAL_ID.test(settings.externalId)) {
    problems.push(
      problem('InvalidExternalId', at('externalId'), 'the external ID holds characters STS does not accept'),
    );
  }
  if (settings.expiresAt !== undefined) {
    const expires = parseTimestamp(settings.expiresAt);
    if (expires === undefined) {
      problems.push(
        problem(
          'InvalidTimestamp',
          at('expiresAt'),
          `expiresAt ${JSON.stringify(settings.expiresAt)} names no real time`,
        ),
      );
    } else if (expires <= options.now.getTime()) {
      problems.push(
        problem(
          'GrantExpired',
          at('expiresAt'),
          `expiresAt ${settings.expiresAt} is not after now (${options.now.toISOString()})`,
        ),
      );
    }
  }
  return problems;
}

/**
 * Every DTS and product rule a grant breaks (empty when it is valid). Fields are relative to
 * `options.fieldPrefix` (default none: `ownerAccountId`).
 */
export function validateGrant(grant: Grant, options: ValidationOptions): ValidationProblem[] {
  const at = (name: string) => fieldPath(options.fieldPrefix ?? '', [name]);
  return [
    ...checkAccountId(grant.ownerAccountId, at('ownerAccountId'), grant.cloud),
    ...checkAccountId(grant.trustedAccountId, at('trustedAccountId'), grant.cloud),
    ...checkRoleName(grant.roleName, at('roleName'), grant.cloud),
    ...checkPairing(
      { id: grant.ownerAccountId, field: at('ownerAccountId'), what: 'owner account' },
      { id: grant.trustedAccountId, field: at('trustedAccountId'), what: 'trusted account' },
      options,
    ),
    ...checkSettings(grant, at, options),
  ];
}

const SIDE_OWNER: Readonly<Record<EndpointSide, string>> = {
  source: 'source owner account',
  destination: 'destination owner account',
};

const TRUSTED_WHAT = {
  taskAccountId: 'task account',
  'source.accountId': 'source owner account',
  'destination.accountId': 'destination owner account',
} as const;

/** The edition and topology rule: each names a kind of the endpoint's database type, where the type has kinds. */
function checkEndpointDetails(rel: Relationship, at: (name: string) => string): Problem[] {
  const problems: Problem[] = [];
  for (const side of ['source', 'destination'] as const) {
    const endpoint = rel[side];
    for (const detail of ['edition', 'topology'] as const) {
      const value = endpoint[detail];
      if (value === undefined) continue;
      const byType: Readonly<Record<string, readonly string[]>> = EndpointDetails[detail];
      const allowed = Object.hasOwn(byType, endpoint.databaseType) ? byType[endpoint.databaseType] : undefined;
      if (allowed?.includes(value)) continue;
      problems.push(
        problem(
          'InvalidField',
          at(`${side}.${detail}`),
          allowed
            ? `${detail} ${JSON.stringify(value)} is not a kind of ${endpoint.databaseType} instance`
            : `${detail} does not apply to database type ${JSON.stringify(endpoint.databaseType)}`,
          allowed
            ? `use one of: ${allowed.join(', ')}`
            : `remove ${detail}; it applies to ${Object.keys(byType).join(' and ')} only`,
        ),
      );
    }
  }
  return problems;
}

const TWO_WAY_RULE = guideRule(Guide.Current, 'two-way synchronization across accounts');

/** The fix that lists every pair two-way synchronization supports. */
function twoWayFix(): string {
  return `use two ${Object.entries(TwoWayEngines)
    .map(([type, engine]) => `${type} (${engine?.label})`)
    .join(', or two ')} instances, or one-way synchronization`;
}

/** The edition and topology part of the two-way rule, for two ends of a supported engine. */
function checkTwoWayKinds(rel: Relationship, engine: TwoWayEngine, at: (name: string) => string): Problem[] {
  const problems: Problem[] = [];
  for (const detail of ['edition', 'topology'] as const) {
    const allowed: readonly string[] | undefined = detail === 'edition' ? engine.editions : engine.topologies;
    if (!allowed) continue;
    for (const side of ['source', 'destination'] as const) {
      const value = rel[side][detail];
      if (value === undefined && engine.detailRequired) {
        problems.push(
          problem(
            'TwoWayUnsupported',
            at(`${side}.${detail}`),
            `two-way synchronization of ${rel[side].databaseType} is supported only between ${engine.label}s, and the ticket does not say the ${detail} (${TWO_WAY_RULE})`,
            `give ${side}.${detail}: ${allowed.join(' or ')}, or use one-way synchronization`,
          ),
        );
      } else if (value !== undefined && !allowed.includes(value)) {
        problems.push(
          problem(
            'TwoWayUnsupported',
            at(`${side}.${detail}`),
            `two-way synchronization is supported only between ${engine.label}s, not a ${value} ${rel[side].databaseType} (${TWO_WAY_RULE})`,
            `use ${allowed.join(' or ')} instances, or one-way synchronization`,
          ),
        );
      }
    }
    const { source, destination } = rel;
    if (
      source[detail] !== undefined &&
      destination[detail] !== undefined &&
      source[detail] !== destination[detail] &&
      allowed.includes(source[detail]) &&
      allowed.includes(destination[detail])
    ) {
      problems.push(
        problem(
          'TwoWayUnsupported',
          at(`destination.${detail}`),
          `two-way synchronization needs the same ${detail} at both ends, not ${source[detail]} and ${destination[detail]} (${TWO_WAY_RULE})`,
          `make both ends ${source[detail]}, or use one-way synchronization`,
        ),
      );
    }
  }
  return problems;
}

/** The two-way engine rule: synchronization, both ends the same supported engine and kind, both cloud instances. */
function checkTwoWay(rel: Relationship, at: (name: string) => string, reported: ReadonlySet<string>): Problem[] {
  if (rel.direction !== Direction.TwoWay) return [];
  const problems: Problem[] = [];
  if (rel.taskKind === TaskKind.Migration) {
    problems.push(
      problem(
        'TaskKindUnsupported',
        at('taskKind'),
        `two-way replication is a synchronization task, not a migration (${TWO_WAY_RULE})`,
        'set taskKind to synchronization (or leave it out), or use one-way migration',
      ),
    );
  }
  for (const side of ['source', 'destination'] as const) {
    const { databaseType, accessMethod } = rel[side];
    if (!supportsTwoWay(databaseType)) {
      problems.push(
        problem(
          'TwoWayUnsupported',
          at(`${side}.databaseType`),
          `${JSON.stringify(databaseType)} does not support two-way synchronization across accounts (${TWO_WAY_RULE})`,
          twoWayFix(),
        ),
      );
    } else if (accessMethod !== DESTINATION_ACCESS_METHOD && !reported.has(at(`${side}.accessMethod`))) {
      problems.push(
        problem(
          'TwoWayUnsupported',
          at(`${side}.accessMethod`),
          `two-way synchronization across accounts needs cloud instances, not ${JSON.stringify(accessMethod)} (${TWO_WAY_RULE})`,
          `use ${DESTINATION_ACCESS_METHOD}`,
        ),
      );
    }
  }
  const { source, destination } = rel;
  if (supportsTwoWay(source.databaseType) && supportsTwoWay(destination.databaseType)) {
    if (source.databaseType !== destination.databaseType) {
      problems.push(
        problem(
          'TwoWayUnsupported',
          at('destination.databaseType'),
          `two-way synchronization needs the same engine at both ends, not ${source.databaseType} and ${destination.databaseType} (${TWO_WAY_RULE})`,
          `make the destination ${source.databaseType} too, or use one-way synchronization`,
        ),
      );
    } else {
      const engine = isDatabaseType(source.databaseType) ? TwoWayEngines[source.databaseType] : undefined;
      if (engine) problems.push(...checkTwoWayKinds(rel, engine, at));
    }
  }
  return problems;
}

/**
 * Every DTS and product rule a relationship breaks (empty when it is valid): account IDs, the role names of the
 * owners that hold roles, the pairing rules, the task account, the endpoint matrix for cross-account endpoints,
 * two-way support and the grant settings. Fields start with `options.fieldPrefix` (default `relationship`).
 */
export function validateRelationship(rel: Relationship, options: ValidationOptions): ValidationProblem[] {
  const prefix = options.fieldPrefix ?? 'relationship';
  const at = (name: string) => (prefix === '' ? name : `${prefix}.${name}`);
  if (rel.cloud === Cloud.Tencent) {
    const jobs =
      rel.dtsJobIds === undefined
        ? []
        : [problem('DtsJobsNotAlibaba', at('dtsJobIds'), 'dtsJobIds applies to Alibaba Cloud relationships only')];
    return [...jobs, ...validateTencentRelationship(rel, { taskKinds: taskKindsOf(rel), now: options.now, at })];
  }
  const problems: Problem[] = [
    ...checkAccountId(rel.source.accountId, at('source.accountId'), Cloud.Alibaba),
    ...checkAccountId(rel.destination.accountId, at('destination.accountId'), Cloud.Alibaba),
    ...(rel.taskAccountId !== undefined ? checkAccountId(rel.taskAccountId, at('taskAccountId'), Cloud.Alibaba) : []),
  ];
  const roles = relationshipRoles(rel);
  for (const role of roles) {
    problems.push(...checkRoleName(role.roleName, at(`${role.side}.roleName`), Cloud.Alibaba));
    if (role.trustedAccountId !== undefined) {
      problems.push(
        ...checkPairing(
          { id: role.ownerAccountId, field: at(`${role.side}.accountId`), what: SIDE_OWNER[role.side] },
          { id: role.trustedAccountId, field: at(role.trustedField), what: TRUSTED_WHAT[role.trustedField] },
          options,
        ),
      );
    }
  }
  const implied = roles[0]?.trustedAccountId;
  if (effectiveScenario(rel) !== Scenario.Both && rel.taskAccountId !== undefined && rel.taskAccountId !== implied) {
    problems.push(
      problem(
        'TaskAccountMismatch',
        at('taskAccountId'),
        `scenario ${rel.scenario} means account ${implied} creates the task, but taskAccountId is ${rel.taskAccountId}`,
        `leave taskAccountId out or set it to ${implied}; if a third account creates the task, use scenario "both"`,
      ),
    );
  }
  problems.push(...matrixProblems(rel, at));
  problems.push(...checkEndpointDetails(rel, at));
  problems.push(...checkTwoWay(rel, at, new Set(problems.map((p) => p.field))));
  if (rel.subAccountUins !== undefined) {
    problems.push(
      problem(
        'SubAccountNotTencent',
        at('subAccountUins'),
        'subAccountUins applies to Tencent Cloud relationships only',
      ),
    );
  }
  problems.push(
    ...checkSettings({ ...rel, cloud: Cloud.Alibaba, policies: rel.policies ?? [DTS_ROLE_POLICY] }, at, options),
  );
  return problems;
}

/**
 * Parse and validate a grant: the shape first (each zod issue becomes an `InvalidField` problem), then every
 * rule. Throws {@link ValidationError} carrying every problem found.
 */
export function parseGrant(input: unknown, options: ValidationOptions): Grant {
  const parsed = GrantSchema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(problemsFromZodError(parsed.error, options.fieldPrefix ?? ''), { cause: parsed.error });
  }
  const problems = validateGrant(parsed.data, options);
  if (problems.length > 0) throw new ValidationError(problems);
  return parsed.data;
}

/**
 * Parse and validate a relationship: the shape first (each zod issue becomes an `InvalidField` problem), then
 * every rule. Throws {@link ValidationError} carrying every problem found.
 */
export function parseRelationship(input: unknown, options: ValidationOptions): Relationship {
  const parsed = RelationshipSchema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(problemsFromZodError(parsed.error, options.fieldPrefix ?? 'relationship'), {
      cause: parsed.error,
    });
  }
  const problems = validateRelationship(parsed.data, options);
  if (problems.length > 0) throw new ValidationError(problems);
  return parsed.data;
}
