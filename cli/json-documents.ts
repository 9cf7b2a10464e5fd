/**
 * The JSON documents the CLI prints with `--json`, one place for all of them: a zod schema per command that scripts
 * (and the tests) can parse the output with, and the functions that turn a use case's result into its document.
 * docs/cli.md shows each shape; a field added here is added there.
 */
import { z } from 'zod';
import type { AuditDeliveryReport } from '../shared/audit/deliver-audit-events.js';
import { BrokenReason } from '../shared/domain/dts-usage.js';
import { FINDING_KINDS, type FindingKind, FindingSeverity } from '../shared/domain/finding.js';
import { type FindingRecord, FindingState } from '../shared/domain/finding-record.js';
import { type Grant, GrantMode, GrantSchema } from '../shared/domain/grant.js';
import { grantId } from '../shared/domain/ownership.js';
import type { DtsInventory } from '../shared/evidence/dts-inventory.js';
import type { UnusedRolesReport } from '../shared/evidence/unused-roles.js';
import type { SetAsideRecord } from '../shared/ports.js';
import {
  type AccountFailure,
  describeAction,
  HoldReason,
  type PlannedAction,
  type RoleError,
  RoleOutcome,
  type RoleResult,
  type RunResult,
} from '../shared/reconcile/index.js';
import { LiveState, type RoleStatusReport } from '../shared/usecases/role-status.js';
import { type RouteRoleOutcome, routeRoleNeedsAttention } from '../shared/usecases/route-roles.js';
import type { ManagementRoleOutcome, SetupResult } from '../shared/usecases/setup.js';
import type { TencentManagementRoleOutcome } from '../shared/usecases/tencent-setup.js';
import type { TicketPreview } from '../shared/usecases/ticket-preview.js';
import type { SentTicket } from './ticket.js';

const count = z.number().int().nonnegative();
const values = <T extends Record<string, string>>(o: T) => Object.values(o) as [T[keyof T], ...T[keyof T][]];

/** What a delivery of the audit outbox did (`audit` of every command that changes something). */
export const AuditDeliveryJson = z
  .object({
    delivered: count,
    /** Left in the outbox: refused this time, or not tried after the call failed. */
    pending: count,
    /** Moved to the set-aside records (see `set-aside`). */
    setAside: count,
    failureCodes: z.array(z.string()),
    callFailure: z.object({ code: z.string(), message: z.string() }).strict().optional(),
  })
  .strict();

/** Why a role failed. */
export const RoleErrorJson = z
  .object({ code: z.string(), message: z.string(), accountLevel: z.boolean().optional() })
  .strict();

const ACTION_KINDS = [
  'createRole',
  'updateTrust',
  'attachPolicy',
  'detachPolicy',
  'deleteRole',
  'adoptRole',
  'conflict',
  'nothing',
] as const satisfies readonly PlannedAction['kind'][];

/** One planned or applied action: its kind, and the line a person reads (as `plan` prints it). */
export const ActionJson = z.object({ kind: z.enum(ACTION_KINDS), description: z.string() }).strict();

/** An owner account a run could not enter (every role of it failed with it). */
export const AccountFailureJson = z.object({ accountId: z.string(), code: z.string(), message: z.string() }).strict();

/** How one role's reconcile ended (`reconcile`, `revoke-system`). */
export const RoleReportJson = z
  .object({
    ownerAccountId: z.string(),
    roleName: z.string(),
    outcome: z.enum(values(RoleOutcome)),
    /** The RAM changes made (none in observe mode, or when the role failed before them). */
    applied: z.array(ActionJson).optional(),
    error: RoleErrorJson.optional(),
  })
  .strict();

/** One declared grant as stored, with its id and whether it is still in force. */
export const GrantJson = GrantSchema.extend({ id: z.string(), active: z.boolean() }).strict();

/** `grants --json`. */
export const GrantsJson = z.object({ grants: z.array(GrantJson) }).strict();

/** One role of `plan --json`: its plan, or why it could not be observed. */
export const PlannedRoleJson = z.discriminatedUnion('observed', [
  z
    .object({
      observed: z.literal(true),
      ownerAccountId: z.string(),
      roleName: z.string(),
      arn: z.string(),
      mode: z.enum(values(GrantMode)),
      /** Why additions and repairs are held back, when they are. */
      hold: z.enum(values(HoldReason)).optional(),
      /** True when a reconcile would change the role in RAM. */
      changes: z.boolean(),
      /** The steps a reconcile would apply, in order. */
      actions: z.array(ActionJson),
      /** Changes planned but held back by `hold`. */
      heldBack: z.array(ActionJson),
    })
    .strict(),
  z
    .object({ observed: z.literal(false), ownerAccountId: z.string(), roleName: z.string(), error: RoleErrorJson })
    .strict(),
]);

/** `plan --json`: every role a run would visit. */
export const PlanJson = z
  .object({
    roles: z.array(PlannedRoleJson),
    /** Roles a reconcile would change. */
    wouldChange: count,
    /** Roles that could not be observed (exit code 1). */
    unobservable: count,
    failedAccounts: z.array(AccountFailureJson),
  })
  .strict();

/** `reconcile --json`: the run and the audit delivery after it. */
export const ReconcileJson = z
  .object({
    correlationId: z.string(),
    roles: count,
    outcomes: z.record(z.enum(values(RoleOutcome)), count),
    results: z.array(RoleReportJson),
    /** True when `results` were cut at the run's limit (the counts are complete). */
    resultsTruncated: z.boolean(),
    failedAccounts: z.array(AccountFailureJson),
    apiCalls: z.object({ ram: count, assumeRole: count }).strict(),
    statusWriteFailures: count,
    expiredGrants: count,
    durationMs: z.number().nonnegative(),
    audit: AuditDeliveryJson,
  })
  .strict();

/**
 * Each part of a role setup applied: created, attached, updated (the route role: owners added), exists, or differs
 * (left unchanged: needs a person).
 */
const RolePartsJson = z
  .object({
    policy: z.enum(['created', 'attached', 'updated', 'exists', 'differs']),
    role: z.enum(['created', 'attached', 'updated', 'exists', 'differs']),
    attachment: z.enum(['created', 'attached', 'updated', 'exists', 'differs']),
  })
  .strict();

/** What `setup` did for one account's management role. */
export const ManagementRoleJson = z
  .object({
    accountId: z.string(),
    kind: z.enum(['owner', 'task']),
    roleName: z.string(),
    policyName: z.string(),
    trustPolicy: z.string(),
    policy: z.string(),
    /** described: printed only; applied: created or found; noKeys, wrongAccount, failed: a person creates it. */
    status: z.enum(['described', 'noKeys', 'wrongAccount', 'applied', 'failed']),
    /** Each part, when applied: created, attached, exists, or differs (left unchanged: needs a person). */
    parts: RolePartsJson.optional(),
    /** The account the keys given belong to (wrongAccount). */
    signer: z.string().optional(),
    /** Why it failed. */
    message: z.string().optional(),
    /** True when a person must act on this account. */
    attention: z.boolean(),
  })
  .strict();

/** What `setup` did for one Tencent account's CAM management role (shared/usecases/tencent-setup.ts). */
export const TencentManagementRoleJson = z
  .object({
    accountId: z.string(),
    /** What dts-trust does there: `roles` (an owner), `subAccountPolicies` (a trusted account with sub-users). */
    duties: z.array(z.enum(['roles', 'subAccountPolicies'])),
    /** The documents, absent when they could not be built (no Tencent configuration, no external ID). */
    roleName: z.string().optional(),
    policyName: z.string().optional(),
    trustPolicy: z.string().optional(),
    policy: z.string().optional(),
    /** described: printed only; applied: created, repaired or found; noKeys, wrongAccount, failed: a person acts. */
    status: z.enum(['described', 'noKeys', 'wrongAccount', 'applied', 'failed']),
    /** Each part, when applied: created, updated (its document rewritten to the spec), attached, exists. */
    parts: z
      .object({
        policy: z.enum(['created', 'updated', 'exists']),
        role: z.enum(['created', 'updated', 'exists']),
        attachment: z.enum(['attached', 'exists']),
      })
      .strict()
      .optional(),
    /** Other policies attached to the role, for a person to detach (applied). */
    otherPolicies: z.array(z.string()).optional(),
    /** The account the keys given belong to (wrongAccount). */
    signer: z.string().optional(),
    /** Why it failed. */
    message: z.string().optional(),
    /** True when a person must act on this account. */
    attention: z.boolean(),
  })
  .strict();

/** One route role as `setup --json` shows it. */
export const RouteRoleJson = z
  .object({
    accountId: z.string(),
    roleName: z.string(),
    policyName: z.string(),
    trustPolicy: z.string(),
    policy: z.string(),
    /** The owner accounts it trusts (at the end of the setup). */
    owners: z.array(z.string()),
    /** described, applied (see parts and end), frozen (not dts-trust's to change: see message), failed. */
    status: z.enum(['described', 'applied', 'frozen', 'failed']),
    parts: RolePartsJson.optional(),
    /** What the end of setup did: nothing, owners removed from its trust policy, or the role removed. */
    end: z.enum(['unchanged', 'narrowed', 'removed']).optional(),
    removedOwners: z.array(z.string()).optional(),
    message: z.string().optional(),
    attention: z.boolean(),
  })
  .strict();

/** `setup --json`. */
export const SetupJson = z
  .object({
    tables: z.array(z.string()),
    eventBus: z.object({ name: z.string(), outcome: z.string() }).strict(),
    /** Why the trust settings could not be read (trust policies then carry no external IDs). */
    settingsProblem: z.string().optional(),
    managementRoles: z.array(ManagementRoleJson),
    /** The CAM management role of each Tencent account. */
    tencentManagementRoles: z.array(TencentManagementRoleJson),
    ramChangeRoutes: z.array(
      z
        .object({
          accountId: z.string(),
          ruleName: z.string(),
          /** created, exists (as specified), updated (converged: see changes), failed (see message). */
          outcome: z.enum(['created', 'exists', 'updated', 'failed']),
          /** The route role the rule names (empty when it was not checked). */
          routeRole: z.string(),
          changes: z.array(z.enum(['UpdateRule', 'PutTargets', 'DeleteTargets'])).optional(),
          message: z.string().optional(),
        })
        .strict(),
    ),
    /** The first of {@link SetupJson} `ramChangeRouteRoles` (the previous release's one field; absent without owners). */
    ramChangeRouteRole: RouteRoleJson.optional(),
    /** The RAM change route's roles in the automation account, by number (empty without owner accounts). */
    ramChangeRouteRoles: z.array(RouteRoleJson),
    /** The delivery of setup's audit events (only when it created something). */
    audit: AuditDeliveryJson.optional(),
  })
  .strict();

/** One audit event set aside. */
export const SetAsideEventJson = z
  .object({
    eventId: z.string(),
    type: z.string().optional(),
    subject: z.string().optional(),
    code: z.string(),
    message: z.string(),
    attempts: count,
    recordedAt: z.string(),
    setAsideAt: z.string(),
    /** The stored row's event text, exactly as it was in the outbox. */
    raw: z.string(),
  })
  .strict();

/** `set-aside --json`. */
export const SetAsideJson = z.object({ events: z.array(SetAsideEventJson) }).strict();

/** `replay --json`: whether the event was found and put back, and the delivery after it. */
export const ReplayJson = z
  .object({ eventId: z.string(), replayed: z.boolean(), audit: AuditDeliveryJson.optional() })
  .strict();

/** `revoke-system --json`. */
export const RevokeSystemJson = z
  .object({
    system: z.string(),
    /** The grant ids removed. */
    revoked: z.array(z.string()),
    roles: z.array(RoleReportJson),
    audit: AuditDeliveryJson,
  })
  .strict();

/** `cap-lifetimes --json`. */
export const CapLifetimesJson = z
  .object({ capped: z.array(z.string()), maxGrantDays: z.number().int().positive(), audit: AuditDeliveryJson })
  .strict();

/** `findings close --json`. */
export const CloseFindingJson = z
  .object({
    findingId: z.string(),
    closed: z.boolean(),
    /** The `dts-trust.resolved.<kind>` event recorded. */
    eventId: z.string().optional(),
    /** Why nothing was recorded. */
    refusal: z.enum(['notFound', 'notOpen']).optional(),
    audit: AuditDeliveryJson.optional(),
  })
  .strict();

/** One ticket put on the queue. */
export const SentTicketJson = z
  .object({ messageId: z.string(), action: z.string(), ticket: z.string(), id: z.string() })
  .strict();

/** `declare`, `revoke`, `resume`, `mode` and `ticket send` with `--json`: the tickets sent and the queue. */
export const SentJson = z.object({ sent: z.array(SentTicketJson), queue: z.string() }).strict();

/** One use of a role by a DTS job (shared/domain/dts-usage.ts, `RoleUse`). */
export const RoleUseJson = z
  .object({
    ownerAccountId: z.string(),
    roleName: z.string(),
    taskAccountId: z.string(),
    dtsJobId: z.string(),
    jobName: z.string().optional(),
    status: z.string().optional(),
    region: z.string(),
    side: z.enum(['source', 'destination']),
    direction: z.enum(['forward', 'reverse']),
  })
  .strict();

/** A task account the inventory could not list, or did not list by design (`skipped`). */
export const InventoryGapJson = z.object({ accountId: z.string(), code: z.string(), message: z.string() }).strict();

/** `inventory --json`: the jobs against the declared roles (docs/deploy.md, "The DTS inventory"). */
export const InventoryJson = z
  .object({
    /** Task accounts listed, with their job count. */
    accounts: z.array(z.object({ accountId: z.string(), jobs: count }).strict()),
    gaps: z.array(InventoryGapJson),
    /** Tencent Cloud task accounts, not listed by design (`TencentDtsJobsNotListed`); not a failure. */
    skipped: z.array(InventoryGapJson),
    /** Live jobs whose role is missing or does not trust their task account. */
    broken: z.array(RoleUseJson.extend({ reason: z.enum(values(BrokenReason)), declared: z.boolean() }).strict()),
    /** Live jobs using a role no active grant declares for their task account. */
    undeclared: z.array(RoleUseJson),
    /** Active grants no live job of their trusted account uses, as stored. */
    unused: z.array(GrantSchema.strict()),
    /** Roles the inventory could not look at, with why. */
    unknownRoles: z.array(z.object({ ownerAccountId: z.string(), roleName: z.string(), reason: z.string() }).strict()),
    /** The `role-unused-by-dts` findings this inventory raised and resolved. */
    unusedRoles: z
      .object({
        inventories: count,
        raised: z.array(z.object({ grantId: z.string(), findingId: z.string() }).strict()),
        resolved: z.array(z.string()),
      })
      .strict(),
  })
  .strict();

/** The `inventory --json` document of an inventory and what recording it raised and resolved. */
export function inventoryJson(inventory: DtsInventory, unusedRoles: UnusedRolesReport): z.input<typeof InventoryJson> {
  const { accounts, gaps, skipped, usage } = inventory;
  return {
    accounts: [...accounts],
    gaps: [...gaps],
    skipped: [...skipped],
    broken: [...usage.broken],
    undeclared: [...usage.undeclared],
    unused: [...usage.unused],
    unknownRoles: [...usage.unknownRoles],
    unusedRoles: { ...unusedRoles, raised: [...unusedRoles.raised], resolved: [...unusedRoles.resolved] },
  };
}

const GrantModeJson = z.enum(values(GrantMode));
const ValidationProblemJson = z
  .object({ code: z.string(), field: z.string(), message: z.string(), fix: z.string() })
  .strict();

/** One role as `status` shows it (shared/usecases/role-status.ts, `RoleStatusReport`, describes each field). */
export const RoleStatusJson = z
  .object({
    ownerAccountId: z.string(),
    roleName: z.string(),
    arn: z.string(),
    grants: z.array(
      z
        .object({
          trustedAccountId: z.string(),
          mode: GrantModeJson,
          ticket: z.string(),
          expiresAt: z.string().optional(),
          active: z.boolean(),
        })
        .strict(),
    ),
    mode: GrantModeJson.optional(),
    live: z.object({ state: z.enum(values(LiveState)), details: z.array(z.string()) }).strict(),
    last: z
      .object({
        result: z.string(),
        at: z.string(),
        failureCount: count,
        nextAttemptAt: z.string().optional(),
        pausedReason: z.string().optional(),
      })
      .strict()
      .optional(),
    nextExpiry: z.string().optional(),
    attention: z.boolean(),
  })
  .strict();

/** `status --json`. */
export const StatusJson = z.object({ roles: z.array(RoleStatusJson) }).strict();
/** What `status --json` is built from. */
export interface StatusDocument {
  readonly roles: readonly RoleStatusReport[];
}

/** One role of a ticket's preview (shared/usecases/ticket-preview.ts, `RoleAccessPreview`). */
export const RoleAccessPreviewJson = z
  .object({
    ownerAccountId: z.string(),
    roleName: z.string(),
    arn: z.string(),
    trustedBefore: z.array(z.string()),
    trustedAfter: z.array(z.string()),
    modeBefore: GrantModeJson.optional(),
    modeAfter: GrantModeJson.optional(),
    pausedReason: z.string().optional(),
    changes: z.array(z.string()),
    unreachable: z.string().optional(),
  })
  .strict();

/** `declare`, `revoke`, `resume`, `mode` with `--preview --json`: the preview, or the refusal with its problems. */
export const PreviewJson = z
  .object({
    action: z.string(),
    ticket: z.string(),
    rejected: z.boolean(),
    problems: z.array(ValidationProblemJson),
    roles: z.array(RoleAccessPreviewJson),
  })
  .strict();
/** What a preview's JSON is built from. */
export type PreviewDocument = TicketPreview;

/** One finding as the findings table keeps it (shared/domain/finding-record.ts, `FindingRecord`). */
export const FindingJson = z
  .object({
    findingId: z.string(),
    kind: z.enum(Object.keys(FINDING_KINDS) as [FindingKind, ...FindingKind[]]),
    severity: z.enum(values(FindingSeverity)),
    subject: z.string(),
    summary: z.string(),
    evidence: z.record(z.string(), z.unknown()),
    state: z.enum(values(FindingState)),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
    occurrences: count,
    lastEventId: z.string(),
    resolvedAt: z.string().optional(),
    resolvedBy: z.string().optional(),
    resolution: z.string().optional(),
  })
  .strict();

/** `findings --json`: the timer's liveness judged now, and the findings listed. */
export const FindingsJson = z
  .object({
    liveness: z
      .object({
        stale: z.boolean(),
        /** Absent while no timer run has succeeded yet. */
        lastSucceededAt: z.string().optional(),
        gapMinutes: count,
        missedIntervals: count,
      })
      .strict(),
    findings: z.array(FindingJson),
  })
  .strict();
/** What `findings --json` is built from. */
export interface FindingsDocument {
  readonly liveness: {
    readonly stale: boolean;
    readonly lastSucceededAt: string | undefined;
    readonly gapMinutes: number;
    readonly missedIntervals: number;
  };
  readonly findings: readonly FindingRecord[];
}

/** One declared grant as `grants` shows it. */
export function grantJson(listed: { readonly grant: Grant; readonly active: boolean }): z.input<typeof GrantJson> {
  return { id: grantId(listed.grant), ...listed.grant, active: listed.active };
}

/** The audit delivery as its document shows it. */
export function auditDeliveryJson(report: AuditDeliveryReport): z.input<typeof AuditDeliveryJson> {
  return {
    delivered: report.delivered,
    pending: report.pending,
    setAside: report.setAside,
    failureCodes: [...report.failureCodes],
    ...(report.callFailure === undefined
      ? {}
      : { callFailure: { code: report.callFailure.code, message: report.callFailure.message } }),
  };
}

const actionJson = (action: PlannedAction): z.input<typeof ActionJson> => ({
  kind: action.kind,
  description: describeAction(action),
});

const roleErrorJson = (error: RoleError): z.input<typeof RoleErrorJson> => ({
  code: error.code,
  message: error.message,
  ...(error.accountLevel === undefined ? {} : { accountLevel: error.accountLevel }),
});

const accountFailureJson = (f: AccountFailure): z.input<typeof AccountFailureJson> => ({
  accountId: f.accountId,
  code: f.code,
  message: f.message,
});

/** One role's reconcile result as `reconcile` and `revoke-system` show it. */
export function roleReportJson(
  result: Pick<RoleResult, 'role' | 'outcome' | 'error'> & Partial<Pick<RoleResult, 'applied'>>,
): z.input<typeof RoleReportJson> {
  return {
    ownerAccountId: result.role.ownerAccountId,
    roleName: result.role.roleName,
    outcome: result.outcome,
    ...(result.applied === undefined ? {} : { applied: result.applied.map(actionJson) }),
    ...(result.error === undefined ? {} : { error: roleErrorJson(result.error) }),
  };
}

/** One role of a dry run as `plan` shows it. */
export function plannedRoleJson(result: RoleResult): z.input<typeof PlannedRoleJson> {
  const { role, plan } = result;
  if (result.outcome === 'failed' || plan === undefined) {
    return {
      observed: false,
      ownerAccountId: role.ownerAccountId,
      roleName: role.roleName,
      error: roleErrorJson(result.error ?? { code: 'Unknown', message: 'the role could not be observed' }),
    };
  }
  return {
    observed: true,
    ownerAccountId: role.ownerAccountId,
    roleName: role.roleName,
    arn: plan.arn,
    mode: plan.mode,
    ...(plan.hold === undefined ? {} : { hold: plan.hold }),
    changes: plan.actions.some((a) => a.kind !== 'nothing'),
    actions: plan.actions.map(actionJson),
    heldBack: plan.heldBack.map(actionJson),
  };
}

/** The whole dry run as `plan` shows it. */
export function planJson(run: RunResult, roles: readonly z.input<typeof PlannedRoleJson>[]): z.input<typeof PlanJson> {
  return {
    roles: [...roles],
    wouldChange: roles.filter((r) => r.observed && r.changes).length,
    unobservable: roles.filter((r) => !r.observed).length,
    failedAccounts: run.failedAccounts.map(accountFailureJson),
  };
}

/** A reconcile run and its audit delivery as `reconcile` shows them. */
export function reconcileJson(run: RunResult, audit: AuditDeliveryReport): z.input<typeof ReconcileJson> {
  return {
    correlationId: run.correlationId,
    roles: run.roles,
    outcomes: { ...run.outcomes },
    results: run.results.map(roleReportJson),
    resultsTruncated: run.resultsTruncated,
    failedAccounts: run.failedAccounts.map(accountFailureJson),
    apiCalls: { ram: run.apiCalls.ram, assumeRole: run.apiCalls.assumeRole },
    statusWriteFailures: run.statusWriteFailures,
    expiredGrants: run.expiredGrants,
    durationMs: run.durationMs,
    audit: auditDeliveryJson(audit),
  };
}

/** What a role `setup` creates shows in common: its documents, the parts applied or the failure. */
function roleSetupJson(outcome: ManagementRoleOutcome | RouteRoleOutcome) {
  const { spec } = outcome;
  return {
    accountId: spec.accountId,
    roleName: spec.roleName,
    policyName: spec.policyName,
    trustPolicy: spec.trustPolicy,
    policy: spec.policy,
    ...(outcome.status === 'applied'
      ? { parts: { policy: outcome.policy, role: outcome.role, attachment: outcome.attachment } }
      : {}),
    ...(outcome.status === 'failed' ? { message: outcome.message } : {}),
  };
}

function managementRoleJson(outcome: ManagementRoleOutcome, attention: boolean): z.input<typeof ManagementRoleJson> {
  return {
    ...roleSetupJson(outcome),
    kind: outcome.spec.kind,
    status: outcome.status,
    ...(outcome.status === 'wrongAccount' ? { signer: outcome.signer } : {}),
    attention,
  };
}

function tencentManagementRoleJson(
  outcome: TencentManagementRoleOutcome,
  attention: boolean,
): z.input<typeof TencentManagementRoleJson> {
  const spec = outcome.spec;
  return {
    accountId: outcome.accountId,
    duties: [...outcome.duties],
    ...(spec === undefined
      ? {}
      : { roleName: spec.roleName, policyName: spec.policyName, trustPolicy: spec.trustPolicy, policy: spec.policy }),
    status: outcome.status,
    ...(outcome.status === 'applied'
      ? {
          parts: { policy: outcome.policy, role: outcome.role, attachment: outcome.attachment },
          otherPolicies: [...outcome.otherPolicies],
        }
      : {}),
    ...(outcome.status === 'wrongAccount' ? { signer: outcome.signer } : {}),
    ...(outcome.status === 'failed' ? { message: outcome.message } : {}),
    attention,
  };
}

/** A route role as `setup` shows it. */
function routeRoleJson(outcome: RouteRoleOutcome): z.input<typeof RouteRoleJson> {
  return {
    ...roleSetupJson(outcome),
    owners: [...outcome.spec.owners],
    status: outcome.status,
    ...(outcome.status === 'applied' ? { end: outcome.end, removedOwners: [...outcome.removedOwners] } : {}),
    ...(outcome.status === 'frozen' ? { message: outcome.found } : {}),
    attention: routeRoleNeedsAttention(outcome),
  };
}

/** A setup as `setup` shows it; `attention` says which management roles need a person. */
export function setupJson(
  result: SetupResult,
  context: {
    readonly eventBus: string;
    readonly ruleName: string;
    readonly attention: (o: ManagementRoleOutcome) => boolean;
    readonly tencentAttention: (o: TencentManagementRoleOutcome) => boolean;
  },
): z.input<typeof SetupJson> {
  return {
    tables: [...result.tables],
    eventBus: { name: context.eventBus, outcome: result.bus },
    ...(result.settingsProblem === undefined ? {} : { settingsProblem: result.settingsProblem }),
    managementRoles: result.managementRoles.map((o) => managementRoleJson(o, context.attention(o))),
    tencentManagementRoles: result.tencentManagementRoles.map((o) =>
      tencentManagementRoleJson(o, context.tencentAttention(o)),
    ),
    ramChangeRoutes: result.ramChangeRoutes.map((r) => ({
      accountId: r.accountId,
      ruleName: context.ruleName,
      routeRole: r.routeRole,
      outcome: r.outcome,
      ...(r.changes === undefined ? {} : { changes: [...r.changes] }),
      ...(r.message === undefined ? {} : { message: r.message }),
    })),
    ...(result.ramChangeRouteRoles[0] === undefined
      ? {}
      : { ramChangeRouteRole: routeRoleJson(result.ramChangeRouteRoles[0]) }),
    ramChangeRouteRoles: result.ramChangeRouteRoles.map(routeRoleJson),
    ...(result.audit === undefined ? {} : { audit: auditDeliveryJson(result.audit) }),
  };
}

/** One set-aside record as `set-aside` shows it. */
export function setAsideEventJson(record: SetAsideRecord): z.input<typeof SetAsideEventJson> {
  return {
    eventId: record.eventId,
    ...(record.type === undefined ? {} : { type: record.type }),
    ...(record.subject === undefined ? {} : { subject: record.subject }),
    code: record.code,
    message: record.message,
    attempts: record.attempts,
    recordedAt: record.recordedAt,
    setAsideAt: record.setAsideAt,
    raw: record.raw,
  };
}

/** The tickets sent as `declare`, `revoke`, `resume`, `mode` and `ticket send` show them. */
export function sentJson(sent: readonly SentTicket[], queue: string): z.input<typeof SentJson> {
  return { sent: sent.map((s) => ({ messageId: s.messageId, action: s.action, ticket: s.ticket, id: s.id })), queue };
}
