import { z } from 'zod';
import { Edition, TASK_KINDS, TaskKind, Topology } from './endpoints.js';
import { ValidationError } from './errors.js';
import {
  Cloud,
  DTS_ROLE_POLICY,
  DtsJobIdSchema,
  type Grant,
  GrantMode,
  MAX_GRANT_DTS_JOBS,
  type TicketRef,
} from './grant.js';
import { tencentRolePolicies } from './tencent/endpoints.js';
import { TimestampSchema } from './timestamp.js';

/** Which endpoints of the DTS task are in another account than the one that creates the task. */
export const Scenario = {
  /** Only the source is cross-account: one role in the source owner, trusting the destination owner. */
  Source: 'source',
  /** Only the destination is cross-account: one role in the destination owner, trusting the source owner. */
  Destination: 'destination',
  /** Both are: roles in both owners, trusting a third account that creates the task. */
  Both: 'both',
} as const;
/** One of {@link Scenario}. */
export type Scenario = (typeof Scenario)[keyof typeof Scenario];

/** One-way migration or synchronization, or two-way synchronization (which needs roles in both owners). */
export const Direction = { OneWay: 'one-way', TwoWay: 'two-way' } as const;
/** One of {@link Direction}. */
export type Direction = (typeof Direction)[keyof typeof Direction];

/** The role name the DTS guides use. */
export const DEFAULT_ROLE_NAME = 'ram-for-dts';

/** Which endpoint of a relationship. */
export type EndpointSide = 'source' | 'destination';

/** One end of the DTS task: the account that owns the database, how DTS reaches it, and the role DTS assumes. */
export const EndpointSchema = z
  .object({
    accountId: z.string().max(32),
    /** One of `DatabaseType` in endpoints.ts; checked against the matrix by validation, not here. */
    databaseType: z.string().min(1).max(64),
    /** One of `AccessMethod` in endpoints.ts. */
    accessMethod: z.string().min(1).max(64),
    /** The role in this endpoint's owner account (used only when this owner holds a role). */
    roleName: z.string().max(128).default(DEFAULT_ROLE_NAME),
    /** Tair (redis) only: `enterprise` or `community`; two-way synchronization needs `enterprise`. */
    edition: z.enum([Edition.Enterprise, Edition.Community]).optional(),
    /**
     * RDS MySQL (`instance`, `cluster`) or MongoDB (`standalone`, `replica-set`, `sharded-cluster`); two-way
     * synchronization needs the same at both ends, and a MongoDB replica set or sharded cluster.
     */
    topology: z
      .enum([Topology.Instance, Topology.Cluster, Topology.Standalone, Topology.ReplicaSet, Topology.ShardedCluster])
      .optional(),
  })
  .strict();
/** One end of the DTS task. */
export type Endpoint = z.infer<typeof EndpointSchema>;

/**
 * What a ticket declares: a DTS task between two endpoints, which of them are cross-account, and the settings
 * every grant it expands to carries. The shape only; `validateRelationship` checks the DTS rules.
 */
export const RelationshipSchema = z
  .object({
    scenario: z.enum([Scenario.Source, Scenario.Destination, Scenario.Both]),
    direction: z.enum([Direction.OneWay, Direction.TwoWay]).default(Direction.OneWay),
    /**
     * `migration` or `synchronization`. Optional: without it the relationship is valid when some kind allows the
     * pair (see {@link taskKindsOf}); two-way is always synchronization.
     */
    taskKind: z.enum([TaskKind.Migration, TaskKind.Synchronization]).optional(),
    source: EndpointSchema,
    destination: EndpointSchema,
    /** The account that creates the DTS task; required for `both` and two-way, else the scenario implies it. */
    taskAccountId: z.string().max(32).optional(),
    /** Which cloud both owners are on; Tencent relationships name root account UINs. */
    cloud: z.enum([Cloud.Alibaba, Cloud.Tencent]).default(Cloud.Alibaba),
    /**
     * The policies every role gets; without it the cloud's defaults (Alibaba: AliyunDTSRolePolicy; Tencent:
     * QcloudDTSReadOnlyAccess plus the engine's service policy). See {@link relationshipPolicies}.
     */
    policies: z.array(z.string().min(1).max(128)).min(1).max(10).optional(),
    /**
     * Tencent only: UINs of the task account's sub-users that run the task; each gets a policy allowing
     * `name/sts:AssumeRole` on the role, in the task account.
     */
    subAccountUins: z.array(z.string().max(20)).min(1).max(20).optional(),
    externalId: z.string().min(2).max(1224).optional(),
    mode: z.enum([GrantMode.Enforce, GrantMode.Observe, GrantMode.Paused]).default(GrantMode.Enforce),
    expiresAt: TimestampSchema.optional(),
    /**
     * Alibaba Cloud only: the DTS jobs (their `DtsJobId`s, in the task account) the grants are for. The grants end
     * once every one of them has finished or was released, and at `expiresAt` (or the maximum lifetime) at the
     * latest.
     */
    dtsJobIds: z.array(DtsJobIdSchema).min(1).max(MAX_GRANT_DTS_JOBS).optional(),
    adopt: z.boolean().default(false),
  })
  .strict()
  .superRefine((rel, ctx) => {
    if (rel.taskAccountId === undefined && effectiveScenario(rel) === Scenario.Both) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['taskAccountId'],
        message:
          rel.direction === Direction.TwoWay
            ? 'two-way synchronization needs roles in both owner accounts, trusting the account that creates the task'
            : 'scenario "both" needs the account that creates the task',
        params: { fix: 'give taskAccountId, the 16-digit ID of the account that creates the DTS task' },
      });
    }
  });
/** A relationship after parsing (defaults applied). */
export type Relationship = z.infer<typeof RelationshipSchema>;
/** A relationship as written by a caller (defaults optional). */
export type RelationshipInput = z.input<typeof RelationshipSchema>;

/** Two-way synchronization counts as `both`: roles in both owner accounts. */
export function effectiveScenario(rel: Pick<Relationship, 'scenario' | 'direction'>): Scenario {
  return rel.direction === Direction.TwoWay ? Scenario.Both : rel.scenario;
}

/**
 * The task kinds a relationship may be for: the one it names, synchronization for two-way, else every kind
 * (validation then accepts the relationship when one of them allows the pair).
 */
export function taskKindsOf(rel: Pick<Relationship, 'taskKind' | 'direction'>): readonly TaskKind[] {
  if (rel.taskKind !== undefined) return [rel.taskKind];
  if (rel.direction === Direction.TwoWay) return [TaskKind.Synchronization];
  return TASK_KINDS;
}

/** The task kind a relationship is for when it is known: the one it names, or synchronization for two-way. */
export function taskKindOf(rel: Pick<Relationship, 'taskKind' | 'direction'>): TaskKind | undefined {
  const kinds = taskKindsOf(rel);
  return kinds.length === 1 ? kinds[0] : undefined;
}

/** One role a relationship needs: which endpoint's owner holds it and which account it trusts. */
export interface RelationshipRole {
  readonly side: EndpointSide;
  readonly ownerAccountId: string;
  readonly roleName: string;
  /** Undefined only when a `both` relationship lacks its task account. */
  readonly trustedAccountId: string | undefined;
  /** Where the trusted account comes from in the relationship (`taskAccountId`, `destination.accountId`, ...). */
  readonly trustedField: 'taskAccountId' | 'source.accountId' | 'destination.accountId';
}

/** The roles a relationship needs, by the scenario table of the DTS guide. */
export function relationshipRoles(rel: Relationship): RelationshipRole[] {
  const holder = (side: EndpointSide, trusted: RelationshipRole['trustedField']): RelationshipRole => ({
    side,
    ownerAccountId: rel[side].accountId,
    roleName: rel[side].roleName,
    trustedAccountId:
      trusted === 'taskAccountId'
        ? rel.taskAccountId
        : trusted === 'source.accountId'
          ? rel.source.accountId
          : rel.destination.accountId,
    trustedField: trusted,
  });
  switch (effectiveScenario(rel)) {
    case Scenario.Source:
      return [holder('source', 'destination.accountId')];
    case Scenario.Destination:
      return [holder('destination', 'source.accountId')];
    case Scenario.Both:
      return [holder('source', 'taskAccountId'), holder('destination', 'taskAccountId')];
  }
}

/**
 * The policies the role of one side gets: the declared ones, else the cloud's defaults (Alibaba:
 * AliyunDTSRolePolicy; Tencent: QcloudDTSReadOnlyAccess plus the service policy of that side's engine).
 */
export function relationshipPolicies(
  rel: Pick<Relationship, 'cloud' | 'policies' | EndpointSide>,
  side: EndpointSide,
): string[] {
  if (rel.policies !== undefined) return [...rel.policies];
  return rel.cloud === Cloud.Tencent ? tencentRolePolicies(rel[side].databaseType) : [DTS_ROLE_POLICY];
}

/** The account that creates the DTS task: the given one, else the one the scenario implies. */
export function taskAccountOf(rel: Relationship): string | undefined {
  return rel.taskAccountId ?? relationshipRoles(rel)[0]?.trustedAccountId;
}

/**
 * The grants a relationship declares (one or two), each carrying the relationship's settings and the ticket.
 * Two roles with the same owner and name collapse into one grant. Throws {@link ValidationError} when a `both` or
 * two-way relationship lacks `taskAccountId` (the schema prevents that for parsed input).
 */
export function expandRelationship(rel: Relationship, ticket: TicketRef): Grant[] {
  const grants = new Map<string, Grant>();
  for (const role of relationshipRoles(rel)) {
    if (role.trustedAccountId === undefined) {
      throw new ValidationError([
        {
          code: 'InvalidField',
          field: 'relationship.taskAccountId',
          message: 'a relationship with roles in both owner accounts needs the account that creates the task',
          fix: 'give taskAccountId, the 16-digit ID of the account that creates the DTS task',
        },
      ]);
    }
    const grant: Grant = {
      ownerAccountId: role.ownerAccountId,
      roleName: role.roleName,
      trustedAccountId: role.trustedAccountId,
      cloud: rel.cloud,
      policies: relationshipPolicies(rel, role.side),
      ...(rel.subAccountUins !== undefined ? { subAccountUins: [...new Set(rel.subAccountUins)].sort() } : {}),
      ...(rel.externalId !== undefined ? { externalId: rel.externalId } : {}),
      mode: rel.mode,
      ...(rel.expiresAt !== undefined ? { expiresAt: rel.expiresAt } : {}),
      ...(rel.dtsJobIds !== undefined ? { dtsJobIds: [...new Set(rel.dtsJobIds)].sort() } : {}),
      adopt: rel.adopt,
      ticket,
      revision: 0,
    };
    grants.set(`${grant.ownerAccountId}/${grant.roleName.toLowerCase()}/${grant.trustedAccountId}`, grant);
  }
  return [...grants.values()];
}
