/**
 * The receiving side of the RAM change route in the automation account, for a fleet of any size: the route roles
 * (shared/domain/route-roles.ts plans which owner goes to which). Setup runs it in three steps so that no owner's
 * deliveries fail on the way:
 * 1. {@link growRouteRoles}: each route role gets the owners coming to it (created, or its trust policy widened
 *    by them), with the route policy attached; nobody is removed yet.
 * 2. The rule in each owner account is made to name its own route role (ram-change-route.ts).
 * 3. {@link shrinkRouteRoles}: each route role loses the owners that left it (moved, when their rule now names
 *    another role; or no longer in the fleet), and a route role left with none is removed (its policy detached,
 *    then DeleteRole). Only roles with dts-trust's ownership marker that trust nothing but owners' EventBridge.
 * Every change is recorded in the audit outbox (`setup.change`) before it is made.
 */
import { randomUUID } from 'node:crypto';
import { RamRoleNames } from '../alicloud/ram-role-names.js';
import type { Services } from '../composition/services.js';
import { eventRoutePolicy, type PolicyDocument } from '../deploy/permissions.js';
import { AuditEventType, newAuditEvent } from '../domain/audit.js';
import { DtsTrustError } from '../domain/errors.js';
import { RAM_CHANGE_ROUTE_POLICY_NAME } from '../domain/ram-change-event.js';
import {
  type FoundRouteRole,
  planRouteRoles,
  ROUTE_ROLE_DESCRIPTION,
  type RoutePlan,
  type RouteRolePlan,
  readRouteTrust,
  routeRoleIndex,
  routeRoleTrustPolicy,
} from '../domain/route-roles.js';
import type { AccountCredentials } from '../ports.js';
import { type EnsuredRole, ensureRoleWithPolicy, type RoleWithPolicySpec } from './role-with-policy.js';

/** A route role as setup wants it: its documents, with the owners it trusts. */
export interface RouteRoleSpec extends RoleWithPolicySpec {
  readonly policyDocument: PolicyDocument;
  /** The owners its trust policy lets in. */
  readonly owners: readonly string[];
}

/** The spec of route role `roleName` trusting `owners`' EventBridge, with the route policy. */
export function routeRoleSpec(
  region: string,
  automationAccountId: string,
  roleName: string,
  owners: readonly string[],
): RouteRoleSpec {
  const policyDocument = eventRoutePolicy(region, automationAccountId);
  return {
    accountId: automationAccountId,
    roleName,
    description: ROUTE_ROLE_DESCRIPTION,
    trustPolicy: JSON.stringify(routeRoleTrustPolicy(owners)),
    policyName: RAM_CHANGE_ROUTE_POLICY_NAME,
    policy: JSON.stringify(policyDocument),
    policyDescription: 'dts-trust RAM change route: PutEvents on the default bus (npm run cli -- setup)',
    policyDocument,
    owners: [...owners],
  };
}

/** What the end of a setup did to one route role (step 3). */
export type RouteRoleEnd =
  /** Nothing to remove. */
  | 'unchanged'
  /** Its trust policy lost owners (listed). */
  | 'narrowed'
  /** It had no owner left: detached and deleted. */
  | 'removed';

/** What setup did for one route role. */
export type RouteRoleOutcome =
  /** Printed only (no `--create-management-roles`). */
  | { readonly status: 'described'; readonly spec: RouteRoleSpec }
  /** Not dts-trust's to change (no marker, or it trusts anything else): left as it is, a person decides. */
  | { readonly status: 'frozen'; readonly spec: RouteRoleSpec; readonly found: string }
  /** Step 1's parts, then step 3's end and the owners it lost. */
  | ({
      readonly status: 'applied';
      readonly spec: RouteRoleSpec;
      readonly end: RouteRoleEnd;
      readonly removedOwners: readonly string[];
    } & EnsuredRole)
  | { readonly status: 'failed'; readonly spec: RouteRoleSpec; readonly message: string };

/** True when a route role needs a person: setup failed on it, it is frozen, or a part exists with another document. */
export function routeRoleNeedsAttention(outcome: RouteRoleOutcome): boolean {
  if (outcome.status === 'described') return false;
  if (outcome.status !== 'applied') return true;
  return outcome.policy === 'differs' || outcome.role === 'differs';
}

/**
 * True when step 1 left the route role trusting the owners the plan gave it: applied as specified (or found so),
 * or frozen (a frozen role is only given the owners it already trusts). Otherwise no rule may be pointed at it.
 */
export function routeRoleTrusts(outcome: RouteRoleOutcome | undefined): boolean {
  if (outcome?.status === 'frozen') return true;
  return outcome?.status === 'applied' && outcome.role !== 'differs';
}

/** The route roles of the automation account and the plan for `owners`, between setup's steps. */
export interface RouteRolesInProgress {
  readonly keys: AccountCredentials;
  readonly plan: RoutePlan;
  /** By index: step 1's outcome of each route role. */
  readonly outcomes: Map<number, RouteRoleOutcome>;
  /** Whether `owners` was the whole fleet (owners not listed are then removed from their route role). */
  readonly complete: boolean;
  readonly owners: readonly string[];
}

/** For RAM's refusal of a trust policy as too long: the error with the fix (a smaller budget). */
function lengthAdvice(error: unknown, spec: RouteRoleSpec): string | undefined {
  if (
    !(error instanceof DtsTrustError) ||
    !/^InvalidParameter\.(New)?AssumeRolePolicyDocument\.Length$/.test(error.code)
  )
    return undefined;
  return (
    `${error.message} - RAM refuses this route role's trust policy of ${spec.trustPolicy.length} characters: set ` +
    `DTS_TRUST_ROUTE_ROLE_TRUST_CHARS below ${spec.trustPolicy.length} and run setup again (the owners beyond it move ` +
    'to further route roles without a gap)'
  );
}

function message(error: unknown): string {
  return error instanceof DtsTrustError || error instanceof Error ? error.message : String(error);
}

async function findRouteRoles(
  services: Services,
  keys: AccountCredentials,
): Promise<{ found: FoundRouteRole[]; why: Map<number, string> }> {
  const { config } = services;
  const names = await new RamRoleNames({
    endpoint: config.endpoints.ram,
    protocol: config.protocol,
    regionId: config.region,
  }).list(keys);
  const found: FoundRouteRole[] = [];
  const why = new Map<number, string>();
  for (const name of names) {
    const index = routeRoleIndex(name);
    if (index === undefined) continue;
    const role = await services.directory.getRole(keys, name);
    if (!role) continue;
    const trust = readRouteTrust(role.trustPolicy);
    const owned = role.description === ROUTE_ROLE_DESCRIPTION;
    const frozen = !owned || !trust.onlyOwners;
    if (frozen) {
      why.set(
        index,
        !owned
          ? `its Description is not dts-trust's ownership marker ("${ROUTE_ROLE_DESCRIPTION}")`
          : `its trust policy lets in more than owner accounts' EventBridge: ${role.trustPolicy}`,
      );
    }
    found.push({ index, owners: trust.owners, frozen });
  }
  return { found, why };
}

/**
 * Describe the route roles for `owners` as a first setup would make them (no call to the cloud): what setup prints
 * without `--create-management-roles`.
 */
export function describeRouteRoles(
  region: string,
  automationAccountId: string,
  owners: readonly string[],
  budget?: number,
): RouteRoleOutcome[] {
  const plan = planRouteRoles({ found: [], owners, complete: true, ...(budget === undefined ? {} : { budget }) });
  return plan.roles.map((r) => ({
    status: 'described',
    spec: routeRoleSpec(region, automationAccountId, r.roleName, r.final),
  }));
}

/**
 * Step 1 (see the module's description): find the route roles (ListRoles, then GetRole of each route role name),
 * plan, and make each route role trust what it trusts `during` the move, with the route policy attached.
 */
export async function growRouteRoles(
  services: Services,
  automationAccountId: string,
  owners: readonly string[],
  complete: boolean,
  correlationId: string,
): Promise<RouteRolesInProgress> {
  const { region } = services.config;
  const keys = { accountId: automationAccountId, ...(await services.ownKeys()) };
  const { found, why } = await findRouteRoles(services, keys);
  const plan = planRouteRoles({ found, owners, complete, budget: services.config.routeRoleTrustChars });
  const outcomes = new Map<number, RouteRoleOutcome>();
  for (const role of plan.roles) {
    const spec = routeRoleSpec(region, automationAccountId, role.roleName, role.during);
    if (role.frozen) {
      outcomes.set(role.index, { status: 'frozen', spec, found: why.get(role.index) ?? 'not changeable' });
      continue;
    }
    try {
      const parts = await ensureRoleWithPolicy(services, keys, spec, correlationId, {
        // Planned from this very document: write the owners coming in; a document changed meanwhile is reported.
        convergeTrust: (stored) => (readRouteTrust(stored).onlyOwners ? spec.trustPolicy : 'differs'),
      });
      outcomes.set(role.index, { status: 'applied', spec, end: 'unchanged', removedOwners: [], ...parts });
    } catch (error) {
      outcomes.set(role.index, { status: 'failed', spec, message: lengthAdvice(error, spec) ?? message(error) });
    }
  }
  return { keys, plan, outcomes, complete, owners };
}

/**
 * The owners route role `role` may let go at the end: those not in its final set that are either out of the fleet
 * or confirmed elsewhere (their rule now names another route role, `confirmed`); an owner whose rule could not be
 * set keeps the role it had, so its deliveries go on.
 */
export function ownersToRemove(
  role: RouteRolePlan,
  assignment: ReadonlyMap<string, number>,
  confirmed: ReadonlySet<string>,
): string[] {
  return role.during.filter((owner) => {
    if (role.final.includes(owner)) return false;
    const to = assignment.get(owner);
    if (to === undefined) return true;
    return to !== role.index && confirmed.has(owner);
  });
}

/**
 * Step 3 (see the module's description): narrow each route role to the owners it keeps, and remove a route role
 * left with none; `confirmed` are the owners whose rule now names the route role the plan gave them. Returns each
 * route role's outcome, by index.
 */
export async function shrinkRouteRoles(
  services: Services,
  progress: RouteRolesInProgress,
  confirmed: ReadonlySet<string>,
  correlationId: string,
): Promise<RouteRoleOutcome[]> {
  const results: RouteRoleOutcome[] = [];
  for (const role of progress.plan.roles) {
    const outcome = progress.outcomes.get(role.index);
    if (outcome?.status !== 'applied' || outcome.role === 'differs') {
      if (outcome) results.push(outcome);
      continue;
    }
    const removed = ownersToRemove(role, progress.plan.assignment, confirmed);
    if (removed.length === 0) {
      results.push(outcome);
      continue;
    }
    const keeps = role.during.filter((o) => !removed.includes(o));
    const spec = routeRoleSpec(services.config.region, progress.keys.accountId, role.roleName, keeps);
    try {
      const end = await endRouteRole(services, progress.keys, spec, removed, correlationId);
      results.push({ ...outcome, spec, end, removedOwners: removed });
    } catch (error) {
      results.push({ status: 'failed', spec, message: message(error) });
    }
  }
  return results;
}

async function endRouteRole(
  services: Services,
  keys: AccountCredentials,
  spec: RouteRoleSpec,
  removedOwners: readonly string[],
  correlationId: string,
): Promise<RouteRoleEnd> {
  const record = (detail: Record<string, unknown>) =>
    services.outbox.record(
      newAuditEvent({
        id: randomUUID(),
        type: AuditEventType.SetupChange,
        subject: `acs:ram::${keys.accountId}:role/${spec.roleName.toLowerCase()}`,
        time: services.clock.now(),
        data: {
          correlationId,
          outcome: 'planned',
          detail: { accountId: keys.accountId, roleName: spec.roleName, removedOwners, ...detail },
        },
      }),
    );
  // Read again just before the write: a role changed by hand since step 1 is left to a person.
  const live = await services.directory.getRole(keys, spec.roleName);
  if (!live || live.description !== ROUTE_ROLE_DESCRIPTION || !readRouteTrust(live.trustPolicy).onlyOwners) {
    throw new RouteRoleChangedError(spec.roleName);
  }
  if (spec.owners.length > 0) {
    await record({ action: 'UpdateRole', trustPolicy: spec.trustPolicy });
    await services.directory.updateTrustPolicy(keys, spec.roleName, spec.trustPolicy);
    return 'narrowed';
  }
  const attached = await services.directory.listAttachedPolicies(keys, spec.roleName);
  const others = attached.filter((p) => !(p.policyType === 'Custom' && p.policyName === spec.policyName));
  if (others.length > 0) throw new RouteRoleChangedError(spec.roleName, others.map((p) => p.policyName).join(', '));
  for (const policy of attached) {
    await record({ action: 'DetachPolicyFromRole', policyName: policy.policyName });
    await services.directory.detachPolicy(keys, spec.roleName, policy);
  }
  await record({ action: 'DeleteRole' });
  await services.directory.deleteRole(keys, spec.roleName);
  return 'removed';
}

/** A route role to narrow or remove changed since setup read it; it is left as it is. */
export class RouteRoleChangedError extends DtsTrustError {
  override readonly name = 'RouteRoleChangedError';

  constructor(roleName: string, otherPolicies?: string) {
    super(
      'RouteRoleChanged',
      otherPolicies === undefined
        ? `route role ${roleName} changed since setup read it (ownership marker or trust policy); left unchanged - run setup again`
        : `route role ${roleName} has other policies attached (${otherPolicies}); not removed - detach them or keep the role`,
    );
  }
}
