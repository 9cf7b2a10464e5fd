import { randomUUID } from 'node:crypto';
import { staticKeys } from '../alicloud/credentials.js';
import { ensureRouteRule, type RouteRuleOutcome, type RouteRuleSpec } from '../alicloud/eventbridge-rules.js';
import type { Services } from '../composition/services.js';
import { AuditEventType, newAuditEvent } from '../domain/audit.js';
import { ConfigError } from '../domain/errors.js';
import { RAM_CHANGE_EVENT_PATTERN, RAM_CHANGE_RULE_NAME } from '../domain/ram-change-event.js';

/** The rule of one owner account: its default bus to the automation account's default bus. */
export function ramChangeRuleSpec(region: string, automationAccountId: string): RouteRuleSpec {
  return {
    bus: 'default',
    ruleName: RAM_CHANGE_RULE_NAME,
    description: 'dts-trust: RAM role changes to the automation account (drift repaired in seconds)',
    filterPattern: JSON.stringify(RAM_CHANGE_EVENT_PATTERN),
    targetBusArn: `acs:eventbridge:${region}:${automationAccountId}:eventbus/default`,
  };
}

/** What installing the route did in one owner account. */
export interface RouteInstall {
  readonly accountId: string;
  readonly outcome: RouteRuleOutcome | 'failed';
  readonly message?: string | undefined;
}

/**
 * Install the RAM change rule in each owner account through its management role (the broker's AssumeRole), after a
 * `setup.change` audit record of what is about to be created. A rule that exists as specified is left; one that
 * differs is reported and left unchanged; an account that cannot be entered is reported `failed`.
 */
export async function installRamChangeRoutes(
  services: Services,
  automationAccountId: string,
  ownerAccountIds: readonly string[],
  correlationId: string = randomUUID(),
): Promise<RouteInstall[]> {
  const { config } = services;
  const endpoint = config.endpoints.eventbridge;
  const spec = ramChangeRuleSpec(config.region, automationAccountId);
  const results: RouteInstall[] = [];
  for (const accountId of ownerAccountIds) {
    try {
      if (!endpoint)
        throw new ConfigError('DTS_TRUST_EVENTBRIDGE_ENDPOINT or DTS_TRUST_AUTOMATION_ACCOUNT_ID must be set');
      const keys = await services.broker.credentialsFor(accountId);
      await services.outbox.record(
        newAuditEvent({
          id: randomUUID(),
          type: AuditEventType.SetupChange,
          subject: `acs:eventbridge:${config.region}:${accountId}:eventbus/default/rule/${spec.ruleName}`,
          time: services.clock.now(),
          data: { correlationId, outcome: 'planned', detail: { accountId, action: 'CreateRule', rule: spec } },
        }),
      );
      const outcome = await ensureRouteRule(
        { endpoint, protocol: config.protocol, regionId: config.region, keys: staticKeys(keys) },
        spec,
      );
      results.push({ accountId, outcome });
    } catch (error) {
      results.push({ accountId, outcome: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  }
  return results;
}
