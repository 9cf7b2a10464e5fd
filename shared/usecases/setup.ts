/**
 * What a first deploy creates by API, in order. In the automation account (the caller's keys): the Tablestore
 * tables (waiting until they serve rows) and the audit event bus. For each owner account, and each task-creating or
 * trusted account, the management role with its trust policy and least-privilege policy: described (for a person to
 * create), or created through that account's own keys; then, through each owner's management role, the rule that
 * routes its RAM role changes to the automation account (drift-event). Creation is idempotent and never rewrites what is already
 * there: a role or policy that exists with another document is reported, not changed. Every RAM change is recorded
 * in the audit outbox first.
 */
import { randomUUID } from 'node:crypto';
import { ensureEventBus } from '../alicloud/eventbridge-bus.js';
import { callerAccountId } from '../alicloud/sts-identity.js';
import type { AuditDeliveryReport } from '../audit/deliver-audit-events.js';
import type { Services } from '../composition/services.js';
import type { TrustSettings } from '../config/trust-settings.js';
import {
  inventoryRolePolicy,
  managementRolePolicy,
  managementRoleTrustPolicy,
  type PolicyDocument,
} from '../deploy/permissions.js';
import { cloudOfAccountId, isAlibabaAccountId } from '../domain/account-id.js';
import { ConfigError, DtsTrustError } from '../domain/errors.js';
import { Cloud } from '../domain/grant.js';
import { routeRoleName } from '../domain/route-roles.js';
import type { TencentKeys } from '../tencentcloud/sts-identity.js';
import { deliverOutbox } from './deliver-outbox.js';
import { installRamChangeRoutes, type RouteInstall } from './ram-change-route.js';
import { ensureRoleWithPolicy, type PartOutcome, type RoleWithPolicySpec } from './role-with-policy.js';
import {
  describeRouteRoles,
  growRouteRoles,
  type RouteRoleOutcome,
  routeRoleSpec,
  routeRoleTrusts,
  shrinkRouteRoles,
} from './route-roles.js';
import {
  setUpTencentManagementRoles,
  type TencentManagementRoleOutcome,
  tencentAccountDuties,
} from './tencent-setup.js';

/** What one account needs: the management role, its trust policy and its custom policy. */
export interface ManagementRoleSpec extends RoleWithPolicySpec {
  /** `owner`: manages DTS roles; `task`: only reads DTS jobs (task-creating or trusted account). */
  readonly kind: 'owner' | 'task';
}

export { type PartOutcome, samePolicyDocument } from './role-with-policy.js';

/** The management role every listed account needs, from the configuration and the trust settings. */
export function managementRoleSpecs(
  services: Services,
  automationAccountId: string,
  settings: TrustSettings | undefined,
  accounts: { owners: readonly string[]; tasks: readonly string[] },
): ManagementRoleSpec[] {
  const { config } = services;
  const spec = (accountId: string, kind: 'owner' | 'task', policy: PolicyDocument): ManagementRoleSpec => ({
    accountId,
    kind,
    roleName: config.managementRole,
    description: 'dts-trust management role: the automation account reconciles DTS roles here',
    policyDescription: 'dts-trust management role policy (npm run cli -- setup)',
    trustPolicy: JSON.stringify(
      managementRoleTrustPolicy(automationAccountId, settings?.managementExternalIds[accountId]),
    ),
    policyName: `${config.managementRole}-policy`,
    policy: JSON.stringify(policy),
  });
  const owners = [...new Set(accounts.owners)].sort();
  const tasks = [...new Set(accounts.tasks)].filter((a) => !owners.includes(a)).sort();
  return [
    ...owners.map((a) => spec(a, 'owner', managementRolePolicy(config.guardrails.allowedPolicies))),
    ...tasks.map((a) => spec(a, 'task', inventoryRolePolicy())),
  ];
}

/** Keys of one account, to create its management role with. */
export interface AccountKeys {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

/** What setup is asked to do. */
export interface SetupRequest {
  /** Owner accounts besides allowedOwnerAccounts of the trust settings and those of stored grants. */
  readonly owners: readonly string[];
  /** Task-creating or trusted accounts that need a DTS read-only management role. */
  readonly taskAccounts: readonly string[];
  /** Create the management roles with each account's keys; otherwise they are only described. */
  readonly createManagementRoles: boolean;
  /** Each account's keys, by account id (needed to create). */
  readonly credentials?: Readonly<Record<string, AccountKeys>> | undefined;
  /** Each Tencent account's keys, by UIN (needed to create and repair its CAM management role). */
  readonly tencentCredentials?: Readonly<Record<string, TencentKeys>> | undefined;
}

/** What setup did for one account's management role. */
export type ManagementRoleOutcome =
  /** Described only (no `createManagementRoles`). */
  | { readonly spec: ManagementRoleSpec; readonly status: 'described' }
  /** No keys for the account: a person creates it. */
  | { readonly spec: ManagementRoleSpec; readonly status: 'noKeys' }
  /** The keys given belong to another account: nothing created. */
  | { readonly spec: ManagementRoleSpec; readonly status: 'wrongAccount'; readonly signer: string }
  /** Each part created, attached, already there, or there with another document (left unchanged). */
  | {
      readonly spec: ManagementRoleSpec;
      readonly status: 'applied';
      readonly policy: PartOutcome;
      readonly role: PartOutcome;
      readonly attachment: PartOutcome;
    }
  | { readonly spec: ManagementRoleSpec; readonly status: 'failed'; readonly message: string };

/** What a setup did. */
export interface SetupResult {
  readonly tables: readonly string[];
  /** What `ensureEventBus` found or did. */
  readonly bus: string;
  /** Why the trust settings could not be read (trust policies then carry no external IDs). */
  readonly settingsProblem?: string;
  readonly managementRoles: readonly ManagementRoleOutcome[];
  /** The CAM management role of each Tencent account (shared/usecases/tencent-setup.ts). */
  readonly tencentManagementRoles: readonly TencentManagementRoleOutcome[];
  /**
   * The RAM change route's receiving side in the automation account (the route roles, by number), described or
   * applied; empty when there are no owner accounts.
   */
  readonly ramChangeRouteRoles: readonly RouteRoleOutcome[];
  /** The RAM change route's rule in each owner account whose management role is in place (drift-event). */
  readonly ramChangeRoutes: readonly RouteInstall[];
  /** The delivery of the setup's audit events (only when it created something). */
  readonly audit?: AuditDeliveryReport;
}

/** True when an account's management role needs a person: not created, or there with another document. */
export function needsAttention(outcome: ManagementRoleOutcome): boolean {
  if (outcome.status === 'described') return false;
  if (outcome.status !== 'applied') return true;
  return outcome.policy === 'differs' || outcome.role === 'differs';
}

/** Run the first deploy's setup (see the module's description). */
export async function setUpDeployment(services: Services, request: SetupRequest): Promise<SetupResult> {
  const { config } = services;
  await services.ensureTables();
  const eventbridge = config.endpoints.eventbridge;
  if (!eventbridge)
    throw new ConfigError('DTS_TRUST_EVENTBRIDGE_ENDPOINT or DTS_TRUST_AUTOMATION_ACCOUNT_ID must be set');
  const bus = await ensureEventBus(
    { endpoint: eventbridge, protocol: config.protocol, regionId: config.region, keys: services.ownKeys },
    config.eventBus,
  );
  let settings: TrustSettings | undefined;
  let settingsProblem: string | undefined;
  try {
    settings = await services.settings();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    settingsProblem = error.message;
  }
  const stsWhere = { endpoint: config.endpoints.sts, protocol: config.protocol, regionId: config.region };
  const automationAccountId = config.automationAccountId ?? (await callerAccountId(await services.ownKeys(), stsWhere));
  const owners = new Set([...request.owners, ...(settings?.allowedOwnerAccounts ?? [])]);
  // Tencent trusted accounts whose sub-users a grant names need a management role of their own.
  const subUserAccounts = new Set<string>();
  for await (const role of services.grants.listManagedRoles()) {
    owners.add(role.ownerAccountId);
    if (cloudOfAccountId(role.ownerAccountId) !== Cloud.Tencent) continue;
    for (const grant of await services.grants.listGrantsForRole(role))
      if (grant.subAccountUins !== undefined) subUserAccounts.add(grant.trustedAccountId);
  }
  const ofCloud = (cloud: Cloud, accounts: Iterable<string>) =>
    [...accounts].filter((a) => a !== automationAccountId && cloudOfAccountId(a) === cloud);
  const specs = managementRoleSpecs(services, automationAccountId, settings, {
    owners: ofCloud(Cloud.Alibaba, owners),
    tasks: ofCloud(Cloud.Alibaba, request.taskAccounts),
  });
  const correlationId = randomUUID();
  const managementRoles: ManagementRoleOutcome[] = [];
  for (const spec of specs) {
    if (!request.createManagementRoles) {
      managementRoles.push({ spec, status: 'described' });
      continue;
    }
    const keys = request.credentials?.[spec.accountId];
    if (!keys) {
      managementRoles.push({ spec, status: 'noKeys' });
      continue;
    }
    try {
      const signer = await callerAccountId(keys, stsWhere);
      if (signer !== spec.accountId) {
        managementRoles.push({ spec, status: 'wrongAccount', signer });
        continue;
      }
      const parts = await ensureRoleWithPolicy(services, { accountId: spec.accountId, ...keys }, spec, correlationId);
      managementRoles.push({ spec, status: 'applied', ...parts });
    } catch (error) {
      managementRoles.push({
        spec,
        status: 'failed',
        message: error instanceof DtsTrustError ? error.message : String(error),
      });
    }
  }
  // The RAM change route (route-roles.ts): the route roles in the automation account get the owners coming to them,
  // then a rule in each owner account whose management role is in place names its owner's route role, then the
  // route roles let go of the owners that left them. Owners are removed only when the fleet is known whole.
  const ownerIds = specs.filter((s) => s.kind === 'owner' && isAlibabaAccountId(s.accountId)).map((s) => s.accountId);
  const ready = managementRoles
    .filter((o) => o.spec.kind === 'owner' && o.status === 'applied' && isAlibabaAccountId(o.spec.accountId))
    .map((o) => o.spec.accountId);
  let ramChangeRouteRoles: RouteRoleOutcome[] = [];
  let ramChangeRoutes: RouteInstall[] = [];
  if (ownerIds.length > 0 && !request.createManagementRoles) {
    ramChangeRouteRoles = describeRouteRoles(config.region, automationAccountId, ownerIds, config.routeRoleTrustChars);
  } else if (ownerIds.length > 0) {
    const complete = settingsProblem === undefined;
    let progress: Awaited<ReturnType<typeof growRouteRoles>> | undefined;
    try {
      progress = await growRouteRoles(services, automationAccountId, ownerIds, complete, correlationId);
    } catch (error) {
      const why = error instanceof DtsTrustError ? error.message : String(error);
      const spec = routeRoleSpec(config.region, automationAccountId, routeRoleName(1), ownerIds);
      ramChangeRouteRoles = [{ status: 'failed', spec, message: why }];
      // Without the route roles read, no rule is pointed anywhere new (its deliveries go on as they are).
      ramChangeRoutes = ready.map((accountId) => ({
        accountId,
        routeRole: '',
        outcome: 'failed',
        message: `not checked: the route roles could not be read (${why})`,
      }));
    }
    if (progress) {
      const { assignment } = progress.plan;
      const roleOf = (owner: string) => routeRoleName(assignment.get(owner) ?? 1);
      // A rule is pointed only at a route role that now trusts its owner; the others keep naming the role they had.
      const trusting = (owner: string) => {
        const index = assignment.get(owner) ?? 1;
        const already = progress.plan.roles.find((r) => r.index === index)?.current.includes(owner) === true;
        return already || routeRoleTrusts(progress.outcomes.get(index));
      };
      const blocked: RouteInstall[] = ready
        .filter((owner) => !trusting(owner))
        .map((owner) => ({
          accountId: owner,
          routeRole: roleOf(owner),
          outcome: 'failed',
          message: `not changed: route role ${roleOf(owner)} could not be made to trust this account (see its line)`,
        }));
      const installed = await installRamChangeRoutes(
        services,
        automationAccountId,
        ready.filter(trusting),
        correlationId,
        roleOf,
      );
      ramChangeRoutes = [...installed, ...blocked];
      const confirmed = new Set(installed.filter((r) => r.outcome !== 'failed').map((r) => r.accountId));
      ramChangeRouteRoles = await shrinkRouteRoles(services, progress, confirmed, correlationId);
    }
  }
  const tencentAccounts = tencentAccountDuties(ofCloud(Cloud.Tencent, owners), [
    ...ofCloud(Cloud.Tencent, request.taskAccounts),
    ...subUserAccounts,
  ]);
  const tencentManagementRoles = await setUpTencentManagementRoles(services, {
    accounts: tencentAccounts,
    externalIds: settings?.tencentManagementExternalIds ?? {},
    apply: request.createManagementRoles,
    credentials: request.tencentCredentials,
    correlationId,
  });
  const base = {
    tables: Object.values(config.tables),
    bus,
    ...(settingsProblem === undefined ? {} : { settingsProblem }),
    managementRoles,
    tencentManagementRoles,
    ramChangeRouteRoles,
    ramChangeRoutes,
  };
  if (!request.createManagementRoles || specs.length + tencentAccounts.length === 0) return base;
  const audit = await deliverOutbox(services, correlationId);
  return { ...base, audit };
}
