import EventBridgeSdk from '@alicloud/eventbridge';
import { CloudErrorKind } from '../domain/errors.js';
import { callCloud, malformedResponse, toCloudApiError } from './cloud-error.js';
import { type EventBusSetupOptions, setupClient } from './eventbridge-bus.js';

/**
 * EventBridge actions setup calls through the management role in each owner account, on the route's rule only:
 * read it, create it, and converge one that drifted (its pattern and status with UpdateRule; its targets with
 * PutTargets, which the SDK sends as `createTargets` and which adds or replaces targets by id, and DeleteTargets).
 */
export const EVENTBRIDGE_RULE_ACTIONS = [
  'eventbridge:GetRule',
  'eventbridge:CreateRule',
  'eventbridge:UpdateRule',
  'eventbridge:PutTargets',
  'eventbridge:DeleteTargets',
] as const;

/** Codes EventBridge answers for a rule that is missing, or already there (undocumented; the open-source peer's). */
const MISSING_RULE = /^EventRuleNotExist/;
const EXISTING_RULE = /^EventRuleAlreadyExist/;

/** One parameter of a target (`ParamList[]`): a `CONSTANT` value, or `ORIGINAL` (the complete event). */
export interface RuleTargetParam {
  readonly resourceKey: string;
  readonly form: string;
  readonly value?: string | undefined;
}

/** One target of a rule. */
export interface RuleTarget {
  readonly id: string;
  readonly type: string;
  readonly endpoint: string;
  readonly params: readonly RuleTargetParam[];
}

/** A rule as GetRule shows it. */
export interface ObservedRule {
  /** The event pattern as JSON text. */
  readonly filterPattern: string;
  /** `ENABLE` or `DISABLE`. */
  readonly status: string;
  readonly targets: readonly RuleTarget[];
}

/** Where a rule lives. */
export interface RuleKey {
  readonly bus: string;
  readonly ruleName: string;
}

/** A rule to create. */
export interface NewRule extends RuleKey {
  readonly description: string;
  readonly filterPattern: string;
  readonly targets: readonly RuleTarget[];
}

function targetEntry(target: RuleTarget) {
  return new EventBridgeSdk.TargetEntry({
    id: target.id,
    type: target.type,
    endpoint: target.endpoint,
    paramList: target.params.map(
      (p) =>
        new EventBridgeSdk.EBTargetParam({
          resourceKey: p.resourceKey,
          form: p.form,
          ...(p.value === undefined ? {} : { value: p.value }),
        }),
    ),
  });
}

/** Fail when a targets call answered entries it refused (the call itself succeeds then). */
function checkTargetEntries(
  api: string,
  res: { errorEntriesCount?: number; errorEntries?: { errorCode?: string; entryId?: string }[] },
) {
  if ((res.errorEntriesCount ?? 0) === 0 && (res.errorEntries ?? []).length === 0) return;
  const first = res.errorEntries?.[0];
  throw malformedResponse(
    api,
    `${res.errorEntriesCount ?? res.errorEntries?.length} target(s) refused (${first?.entryId ?? '?'}: ${first?.errorCode ?? '?'})`,
  );
}

/**
 * The rules of one account's bus through `@alicloud/eventbridge` with the given keys: read, create, update the
 * pattern, put and delete targets. Errors are classified `CloudApiError`s named by the RAM action.
 */
export class EventBridgeRules {
  readonly #options: EventBusSetupOptions;

  constructor(options: EventBusSetupOptions) {
    this.#options = options;
  }

  /** The rule, or `undefined` when the bus has none of that name. */
  async get(key: RuleKey): Promise<ObservedRule | undefined> {
    const { client, runtime } = await setupClient(this.#options);
    try {
      const found = await client.getRuleWithOptions(
        new EventBridgeSdk.GetRuleRequest({ eventBusName: key.bus, ruleName: key.ruleName }),
        runtime,
      );
      return {
        filterPattern: found.filterPattern ?? '',
        status: found.status ?? '',
        targets: (found.targets ?? []).map((t) => ({
          id: t.id ?? '',
          type: t.type ?? '',
          endpoint: t.endpoint ?? '',
          params: (t.paramList ?? []).map((p) => ({
            resourceKey: p.resourceKey ?? '',
            form: p.form ?? '',
            value: p.value,
          })),
        })),
      };
    } catch (error) {
      const e = toCloudApiError('eventbridge:GetRule', error);
      if (MISSING_RULE.test(e.code) || e.kind === CloudErrorKind.NotFound) return undefined;
      throw e;
    }
  }

  /** Create the rule, enabled; `exists` when a concurrent setup created it first. */
  async create(rule: NewRule): Promise<'created' | 'exists'> {
    const { client, runtime } = await setupClient(this.#options);
    try {
      await callCloud('eventbridge:CreateRule', () =>
        client.createRuleWithOptions(
          new EventBridgeSdk.CreateRuleRequest({
            eventBusName: rule.bus,
            ruleName: rule.ruleName,
            description: rule.description,
            status: 'ENABLE',
            filterPattern: rule.filterPattern,
            targets: rule.targets.map(targetEntry),
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

  /** Set the rule's pattern and enable it (UpdateRule). */
  async updatePattern(key: RuleKey, filterPattern: string): Promise<void> {
    const { client, runtime } = await setupClient(this.#options);
    await callCloud('eventbridge:UpdateRule', () =>
      client.updateRuleWithOptions(
        new EventBridgeSdk.UpdateRuleRequest({
          eventBusName: key.bus,
          ruleName: key.ruleName,
          filterPattern,
          status: 'ENABLE',
        }),
        runtime,
      ),
    );
  }

  /** Add the targets, or replace those of the same id (PutTargets). */
  async putTargets(key: RuleKey, targets: readonly RuleTarget[]): Promise<void> {
    const { client, runtime } = await setupClient(this.#options);
    const res = await callCloud('eventbridge:PutTargets', () =>
      client.createTargetsWithOptions(
        new EventBridgeSdk.CreateTargetsRequest({
          eventBusName: key.bus,
          ruleName: key.ruleName,
          targets: targets.map(targetEntry),
        }),
        runtime,
      ),
    );
    checkTargetEntries('eventbridge:PutTargets', res);
  }

  /** Remove the targets of these ids (DeleteTargets). */
  async deleteTargets(key: RuleKey, targetIds: readonly string[]): Promise<void> {
    const { client, runtime } = await setupClient(this.#options);
    const res = await callCloud('eventbridge:DeleteTargets', () =>
      client.deleteTargetsWithOptions(
        new EventBridgeSdk.DeleteTargetsRequest({
          eventBusName: key.bus,
          ruleName: key.ruleName,
          targetIds: [...targetIds],
        }),
        runtime,
      ),
    );
    checkTargetEntries('eventbridge:DeleteTargets', res);
  }
}
