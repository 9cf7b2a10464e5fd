/**
 * The RAM change route (docs/deploy.md, "Drift repaired in seconds"), both ends, as setup installs it:
 * - the receiving side in the automation account: the route role, trusted by each owner account's EventBridge
 *   (`<owner>@eventbridge.aliyuncs.com`), with a policy that may only put events onto the automation account's
 *   default bus. Created with the caller's own keys; a role that trusts only owner accounts' EventBridge gets the
 *   owners it lacks added, a role trusting anything else is reported and left unchanged.
 * - the sending side in each owner account: the rule on its default bus whose one target is the automation
 *   account's default bus through that role. Installed through the management role; a rule that drifted (another
 *   pattern, disabled, another or a further target) is converged.
 * Every change is recorded in the audit outbox (`setup.change`) before it is made.
 */
import { randomUUID } from 'node:crypto';
import { staticKeys } from '../alicloud/credentials.js';
import {
  EventBridgeRules,
  type NewRule,
  type ObservedRule,
  type RuleTarget,
  type RuleTargetParam,
} from '../alicloud/eventbridge-rules.js';
import type { Services } from '../composition/services.js';
import {
  automationDefaultBusArn,
  eventRoutePolicy,
  eventRouteTrustPolicy,
  type PolicyDocument,
} from '../deploy/permissions.js';
import { isAlibabaAccountId } from '../domain/account-id.js';
import { AuditEventType, newAuditEvent } from '../domain/audit.js';
import { ConfigError, DtsTrustError } from '../domain/errors.js';
import {
  RAM_CHANGE_EVENT_PATTERN,
  RAM_CHANGE_ROUTE_POLICY_NAME,
  RAM_CHANGE_ROUTE_ROLE_NAME,
  RAM_CHANGE_RULE_NAME,
} from '../domain/ram-change-event.js';
import { type EnsuredRole, ensureRoleWithPolicy, type RoleWithPolicySpec } from './role-with-policy.js';

/** The id of the rule's one target. */
export const ROUTE_TARGET_ID = 'automation-bus';

/** The rule of one owner account: its default bus to the automation account's default bus, through the route role. */
export function ramChangeRuleSpec(region: string, automationAccountId: string): NewRule {
  const constant = (resourceKey: string, value: string): RuleTargetParam => ({ resourceKey, form: 'CONSTANT', value });
  return {
    bus: 'default',
    ruleName: RAM_CHANGE_RULE_NAME,
    description: 'dts-trust: RAM role changes to the automation account (drift repaired in seconds)',
    filterPattern: JSON.stringify(RAM_CHANGE_EVENT_PATTERN),
    targets: [
      {
        id: ROUTE_TARGET_ID,
        type: 'acs.eventbridge',
        endpoint: automationDefaultBusArn(region, automationAccountId),
        // EventBridge's "Event target parameters", type acs.eventbridge (docs/deploy.md, source [5]).
        params: [
          constant('RegionId', region),
          constant('AccountType', 'AnotherAccount'),
          constant('AccountId', automationAccountId),
          constant('EventBusName', 'default'),
          constant('RAMRoleName', RAM_CHANGE_ROUTE_ROLE_NAME),
          { resourceKey: 'Body', form: 'ORIGINAL' },
        ],
      },
    ],
  };
}

/** One change that brings an owner account's rule to its spec. */
export type RuleChange =
  | { readonly action: 'CreateRule' }
  | { readonly action: 'UpdateRule'; readonly filterPattern: string }
  | { readonly action: 'PutTargets'; readonly targets: readonly RuleTarget[] }
  | { readonly action: 'DeleteTargets'; readonly targetIds: readonly string[] };

function samePattern(found: string, wanted: string): boolean {
  try {
    return JSON.stringify(JSON.parse(found)) === JSON.stringify(JSON.parse(wanted));
  } catch {
    return false;
  }
}

/** True when `found` is `wanted`: same type and endpoint, and every wanted parameter with its form and value. */
function sameTarget(found: RuleTarget | undefined, wanted: RuleTarget): boolean {
  if (!found || found.type !== wanted.type || found.endpoint !== wanted.endpoint) return false;
  // The service may add parameters of its own (defaults); only the ones the spec names are compared.
  return wanted.params.every((w) =>
    found.params.some(
      (f) => f.resourceKey === w.resourceKey && f.form === w.form && (f.value ?? '') === (w.value ?? ''),
    ),
  );
}

/**
 * What turns the observed rule (undefined: none) into `wanted`: create it; or set its pattern (and enable it), put
 * the targets that are missing or differ, and delete the targets the spec does not name. Nothing when it matches.
 */
export function planRuleChanges(observed: ObservedRule | undefined, wanted: NewRule): RuleChange[] {
  if (!observed) return [{ action: 'CreateRule' }];
  const changes: RuleChange[] = [];
  if (!samePattern(observed.filterPattern, wanted.filterPattern) || observed.status !== 'ENABLE') {
    changes.push({ action: 'UpdateRule', filterPattern: wanted.filterPattern });
  }
  const differing = wanted.targets.filter(
    (w) =>
      !sameTarget(
        observed.targets.find((t) => t.id === w.id),
        w,
      ),
  );
  if (differing.length > 0) changes.push({ action: 'PutTargets', targets: differing });
  const extra = observed.targets.filter((t) => !wanted.targets.some((w) => w.id === t.id)).map((t) => t.id);
  if (extra.length > 0) changes.push({ action: 'DeleteTargets', targetIds: extra });
  return changes;
}

/** What installing the route did in one owner account: the rule created, found as specified, or converged. */
export interface RouteInstall {
  readonly accountId: string;
  readonly outcome: 'created' | 'exists' | 'updated' | 'failed';
  /** The changes made (UpdateRule, PutTargets, DeleteTargets) when `updated`. */
  readonly changes?: readonly Exclude<RuleChange['action'], 'CreateRule'>[];
  readonly message?: string | undefined;
}

function eventBridgeEndpoint(services: Services): string {
  const endpoint = services.config.endpoints.eventbridge;
  if (!endpoint) throw new ConfigError('DTS_TRUST_EVENTBRIDGE_ENDPOINT or DTS_TRUST_AUTOMATION_ACCOUNT_ID must be set');
  return endpoint;
}

/**
 * Install the RAM change rule in each owner account through its management role (the broker's AssumeRole): each
 * change of {@link planRuleChanges} after a `setup.change` record of it. An account that cannot be entered, or
 * refuses a change, is reported `failed` with the reason.
 */
export async function installRamChangeRoutes(
  services: Services,
  automationAccountId: string,
  ownerAccountIds: readonly string[],
  correlationId: string = randomUUID(),
): Promise<RouteInstall[]> {
  const { config } = services;
  const spec = ramChangeRuleSpec(config.region, automationAccountId);
  const results: RouteInstall[] = [];
  for (const accountId of ownerAccountIds.filter(isAlibabaAccountId)) {
    try {
      const endpoint = eventBridgeEndpoint(services);
      const keys = await services.broker.credentialsFor(accountId);
      const rules = new EventBridgeRules({
        endpoint,
        protocol: config.protocol,
        regionId: config.region,
        keys: staticKeys(keys),
      });
      const changes = planRuleChanges(await rules.get(spec), spec);
      for (const change of changes) {
        await services.outbox.record(
          newAuditEvent({
            id: randomUUID(),
            type: AuditEventType.SetupChange,
            subject: `acs:eventbridge:${config.region}:${accountId}:eventbus/${spec.bus}/rule/${spec.ruleName}`,
            time: services.clock.now(),
            data: { correlationId, outcome: 'planned', detail: { accountId, ...change, rule: spec } },
          }),
        );
        if (change.action === 'CreateRule') await rules.create(spec);
        else if (change.action === 'UpdateRule') await rules.updatePattern(spec, change.filterPattern);
        else if (change.action === 'PutTargets') await rules.putTargets(spec, change.targets);
        else await rules.deleteTargets(spec, change.targetIds);
      }
      if (changes.length === 0) results.push({ accountId, outcome: 'exists' });
      else if (changes[0]?.action === 'CreateRule') results.push({ accountId, outcome: 'created' });
      else {
        const made = changes.flatMap((c) => (c.action === 'CreateRule' ? [] : [c.action]));
        results.push({ accountId, outcome: 'updated', changes: made });
      }
    } catch (error) {
      results.push({ accountId, outcome: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  }
  return results;
}

/**
 * The route role of the automation account, as setup wants it for the Alibaba Cloud accounts among
 * `ownerAccountIds` (a Tencent owner's events cannot come by EventBridge: docs/deploy.md, section 6).
 */
export function ramChangeRouteRoleSpec(
  region: string,
  automationAccountId: string,
  ownerAccountIds: readonly string[],
): RoleWithPolicySpec & { readonly policyDocument: PolicyDocument } {
  const policyDocument = eventRoutePolicy(region, automationAccountId);
  const owners = ownerAccountIds.filter(isAlibabaAccountId);
  return {
    accountId: automationAccountId,
    roleName: RAM_CHANGE_ROUTE_ROLE_NAME,
    description: "dts-trust: owner accounts' EventBridge puts their RAM change events onto this account's default bus",
    trustPolicy: JSON.stringify(eventRouteTrustPolicy(owners)),
    policyName: RAM_CHANGE_ROUTE_POLICY_NAME,
    policy: JSON.stringify(policyDocument),
    policyDescription: 'dts-trust RAM change route: PutEvents on the default bus (npm run cli -- setup)',
    policyDocument,
  };
}

/**
 * The trust policy to write when the route role's stored one trusts only owner accounts' EventBridge but lacks
 * some of `ownerAccountIds`: the union, so an owner is never dropped by a setup that did not list it. `undefined`
 * when nothing is missing, and `'differs'` when the stored policy trusts anything else (a person decides).
 */
export function routeTrustToWrite(stored: string, ownerAccountIds: readonly string[]): string | undefined | 'differs' {
  let trusted: string[];
  try {
    const document = JSON.parse(stored) as { Statement?: unknown };
    if (!Array.isArray(document.Statement)) return 'differs';
    trusted = [];
    for (const statement of document.Statement as Record<string, unknown>[]) {
      const principal = statement['Principal'] as Record<string, unknown> | undefined;
      const keys = Object.keys(principal ?? {});
      const actions = ([] as unknown[]).concat(statement['Action']);
      const onlyAssume = actions.length === 1 && actions[0] === 'sts:AssumeRole';
      if (statement['Effect'] !== 'Allow' || !onlyAssume || statement['Condition'] !== undefined) return 'differs';
      if (keys.length !== 1 || keys[0] !== 'Service') return 'differs';
      const services = ([] as unknown[]).concat(principal?.['Service']);
      for (const service of services) {
        const match = typeof service === 'string' ? /^(\d{16})@eventbridge\.aliyuncs\.com$/.exec(service) : null;
        if (!match) return 'differs';
        trusted.push(match[1]!);
      }
    }
  } catch {
    return 'differs';
  }
  const missing = ownerAccountIds.filter((a) => !trusted.includes(a));
  if (missing.length === 0) return undefined;
  return JSON.stringify(eventRouteTrustPolicy([...trusted, ...missing]));
}

/** What setup did for the route role: described only, or each part's outcome, or why it failed. */
export type RouteRoleOutcome =
  | { readonly status: 'described'; readonly spec: ReturnType<typeof ramChangeRouteRoleSpec> }
  | ({ readonly status: 'applied'; readonly spec: ReturnType<typeof ramChangeRouteRoleSpec> } & EnsuredRole)
  | { readonly status: 'failed'; readonly spec: ReturnType<typeof ramChangeRouteRoleSpec>; readonly message: string };

/** True when the route role needs a person: setup failed on it, or it exists with another document. */
export function routeRoleNeedsAttention(outcome: RouteRoleOutcome): boolean {
  if (outcome.status === 'described') return false;
  if (outcome.status === 'failed') return true;
  return outcome.policy === 'differs' || outcome.role === 'differs';
}

/**
 * Make sure the automation account can receive the owner accounts' RAM change events: the route role with its
 * policy and attachment, created or completed with the caller's own keys, each change recorded first.
 */
export async function ensureRamChangeRouteRole(
  services: Services,
  automationAccountId: string,
  ownerAccountIds: readonly string[],
  correlationId: string,
): Promise<RouteRoleOutcome> {
  const spec = ramChangeRouteRoleSpec(services.config.region, automationAccountId, ownerAccountIds);
  try {
    const keys = { accountId: automationAccountId, ...(await services.ownKeys()) };
    const parts = await ensureRoleWithPolicy(services, keys, spec, correlationId, {
      convergeTrust: (stored) => routeTrustToWrite(stored, ownerAccountIds.filter(isAlibabaAccountId)),
    });
    return { status: 'applied', spec, ...parts };
  } catch (error) {
    return { status: 'failed', spec, message: error instanceof DtsTrustError ? error.message : String(error) };
  }
}
