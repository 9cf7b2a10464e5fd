import EventBridgeSdk from '@alicloud/eventbridge';
import { CloudErrorKind } from '../domain/errors.js';
import { callCloud, toCloudApiError } from './cloud-error.js';
import { type EventBusSetupOptions, setupClient } from './eventbridge-bus.js';

/** EventBridge actions setup calls through the management role in each owner account, on the route's rule only. */
export const EVENTBRIDGE_RULE_ACTIONS = ['eventbridge:GetRule', 'eventbridge:CreateRule'] as const;

/** Codes EventBridge answers for a rule that is missing, or already there (undocumented; the open-source peer's). */
const MISSING_RULE = /^EventRuleNotExist/;
const EXISTING_RULE = /^EventRuleAlreadyExist/;

/** A rule with one target: another account's event bus (cross-account routing). */
export interface RouteRuleSpec {
  readonly bus: string;
  readonly ruleName: string;
  readonly description: string;
  /** The event pattern, as JSON text. */
  readonly filterPattern: string;
  /** `acs:eventbridge:<region>:<account>:eventbus/<bus>`. */
  readonly targetBusArn: string;
}

/** What {@link ensureRouteRule} found or did. */
export type RouteRuleOutcome = 'created' | 'exists' | 'differs';

/**
 * Make sure the rule of `spec` exists on its bus (GetRule, then CreateRule when it is missing), through
 * `@alicloud/eventbridge` with the given keys. A rule of that name with another pattern or target is left as it is
 * and reported `differs` (someone changed it: a person decides). Errors are classified `CloudApiError`s.
 */
export async function ensureRouteRule(options: EventBusSetupOptions, spec: RouteRuleSpec): Promise<RouteRuleOutcome> {
  const { client, runtime } = await setupClient(options);
  try {
    const found = await client.getRuleWithOptions(
      new EventBridgeSdk.GetRuleRequest({ eventBusName: spec.bus, ruleName: spec.ruleName }),
      runtime,
    );
    const same =
      samePattern(found.filterPattern, spec.filterPattern) &&
      (found.targets ?? []).length === 1 &&
      found.targets?.[0]?.endpoint === spec.targetBusArn;
    return same ? 'exists' : 'differs';
  } catch (error) {
    const e = toCloudApiError('eventbridge:GetRule', error);
    if (!MISSING_RULE.test(e.code) && e.kind !== CloudErrorKind.NotFound) throw e;
  }
  try {
    await callCloud('eventbridge:CreateRule', () =>
      client.createRuleWithOptions(
        new EventBridgeSdk.CreateRuleRequest({
          eventBusName: spec.bus,
          ruleName: spec.ruleName,
          description: spec.description,
          status: 'ENABLE',
          filterPattern: spec.filterPattern,
          targets: [
            new EventBridgeSdk.TargetEntry({
              id: 'automation-bus',
              type: 'acs.eventbridge',
              endpoint: spec.targetBusArn,
            }),
          ],
        }),
        runtime,
      ),
    );
    return 'created';
  } catch (error) {
    if (error instanceof Error && 'code' in error && EXISTING_RULE.test(String(error.code))) return 'exists';
    throw error;
  }
}

function samePattern(found: string | undefined, wanted: string): boolean {
  try {
    return JSON.stringify(JSON.parse(found ?? '')) === JSON.stringify(JSON.parse(wanted));
  } catch {
    return false;
  }
}
