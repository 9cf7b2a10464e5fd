/**
 * The sending side of the RAM change route (docs/deploy.md, "Drift repaired in seconds"), as setup installs it:
 * the rule on each owner account's default bus whose one target is the automation account's default bus through
 * that owner's own route role (route-roles.ts, the receiving side). Installed through the management role; a rule
 * that drifted (another pattern, disabled, another or a further target, another route role) is converged.
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
import { automationDefaultBusArn } from '../deploy/permissions.js';
import { isAlibabaAccountId } from '../domain/account-id.js';
import { AuditEventType, newAuditEvent } from '../domain/audit.js';
import { ConfigError } from '../domain/errors.js';
import {
  RAM_CHANGE_EVENT_PATTERN,
  RAM_CHANGE_ROUTE_ROLE_NAME,
  RAM_CHANGE_RULE_NAME,
} from '../domain/ram-change-event.js';

/** The id of the rule's one target. */
export const ROUTE_TARGET_ID = 'automation-bus';

/**
 * The rule of one owner account: its default bus to the automation account's default bus, through the owner's
 * route role `routeRoleName` (the first one unless given).
 */
export function ramChangeRuleSpec(
  region: string,
  automationAccountId: string,
  routeRoleName: string = RAM_CHANGE_ROUTE_ROLE_NAME,
): NewRule {
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
          constant('RAMRoleName', routeRoleName),
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
  /** The route role the rule names. */
  readonly routeRole: string;
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
 * Install the RAM change rule in each owner account through its management role (the broker's AssumeRole), naming
 * the owner's route role (`routeRoleOf`, the first one by default): each change of {@link planRuleChanges} after a
 * `setup.change` record of it. An account that cannot be entered, or refuses a change, is reported `failed` with
 * the reason.
 */
export async function installRamChangeRoutes(
  services: Services,
  automationAccountId: string,
  ownerAccountIds: readonly string[],
  correlationId: string = randomUUID(),
  routeRoleOf: (ownerAccountId: string) => string = () => RAM_CHANGE_ROUTE_ROLE_NAME,
): Promise<RouteInstall[]> {
  const { config } = services;
  const results: RouteInstall[] = [];
  for (const accountId of ownerAccountIds.filter(isAlibabaAccountId)) {
    const routeRole = routeRoleOf(accountId);
    const spec = ramChangeRuleSpec(config.region, automationAccountId, routeRole);
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
      if (changes.length === 0) results.push({ accountId, routeRole, outcome: 'exists' });
      else if (changes[0]?.action === 'CreateRule') results.push({ accountId, routeRole, outcome: 'created' });
      else {
        const made = changes.flatMap((c) => (c.action === 'CreateRule' ? [] : [c.action]));
        results.push({ accountId, routeRole, outcome: 'updated', changes: made });
      }
    } catch (error) {
      results.push({
        accountId,
        routeRole,
        outcome: 'failed',
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return results;
}
