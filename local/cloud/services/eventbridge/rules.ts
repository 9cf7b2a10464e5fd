/**
 * EventBridge rules as `@alicloud/eventbridge` manages them (a control plane: control-plane.ts), each call's body:
 * - `createRule` `{EventBusName, RuleName, Description?, Status?, FilterPattern, Targets: [{Id, Type, Endpoint,
 *   ParamList?}]}`, `getRule` `{EventBusName, RuleName}`;
 * - `updateRule` `{EventBusName, RuleName, Description?, Status?, FilterPattern?}`: only the fields given change;
 * - `createTargets` `{EventBusName, RuleName, Targets}` (the API reference's PutTargets): adds targets, or replaces
 *   those of the same `Id`; at most 5 per rule;
 * - `deleteTargets` `{EventBusName, RuleName, TargetIds}`.
 * The targets calls answer `{ErrorEntriesCount, ErrorEntries: [{EntryId, ErrorCode, ErrorMessage}]}`: a target
 * refused on its own fails its entry, not the call. The caller needs `eventbridge:<Action>` (CreateRule, GetRule,
 * UpdateRule, PutTargets, DeleteTargets) on `acs:eventbridge:<region>:<account>:eventbus/<bus>/rule/<rule>`.
 *
 * Only targets of type `acs.eventbridge` (another bus, here of another account: cross-account routing) are
 * emulated: each becomes a route (routes.ts) that copies matching events onto the target bus, through the role its
 * `RAMRoleName` parameter names. Other target types are refused with `InvalidArgument` naming the type. A disabled
 * rule routes nothing. An unknown rule answers `EventRuleNotExisted` 404, an existing one `EventRuleAlreadyExisted`
 * 409 (the real codes are not documented; these are the open-source peer's kind).
 */
import { z } from 'zod';
import type { CloudCore, CloudReply, ServiceModule } from '../../contract.js';
import { type ControlPlaneCall, eventBridgeControlPlane } from './control-plane.js';
import { checkEventPattern, EventPatternError } from './pattern.js';
import { addEventRoute, removeEventRoutes } from './routes.js';
import { EventBridgeErrorCode, eventBridgeErrorReply } from './service.js';

const PATHS = {
  '/openapi/createRule': 'CreateRule',
  '/openapi/getRule': 'GetRule',
  '/openapi/updateRule': 'UpdateRule',
  '/openapi/createTargets': 'PutTargets',
  '/openapi/deleteTargets': 'DeleteTargets',
} as const;

/** The rule actions, as RAM names them. */
type RuleAction = (typeof PATHS)[keyof typeof PATHS];

/** Codes of the rule API besides those PutEvents shares. */
export const EventRuleErrorCode = {
  EventRuleNotExisted: 'EventRuleNotExisted',
  EventRuleAlreadyExisted: 'EventRuleAlreadyExisted',
  EventPatternInvalid: 'EventPatternInvalid',
  EventTargetInvalid: 'EventTargetInvalid',
  EventTargetsExceedLimit: 'EventTargetsExceedLimit',
  EventTargetNotExisted: 'EventTargetNotExisted',
} as const;

/** Most targets one rule may have. */
const MAX_TARGETS = 5;

const BUS_ARN = /^acs:eventbridge:([a-z0-9-]+):(\d{16}):eventbus\/([A-Za-z0-9_.-]+)$/;

const ParamSchema = z
  .object({ ResourceKey: z.string().min(1), Form: z.string().min(1), Value: z.string().optional() })
  .passthrough();

const TargetSchema = z
  .object({
    Id: z.string().min(1, 'Targets[].Id is required'),
    Type: z.string().min(1, 'Targets[].Type is required'),
    Endpoint: z.string().min(1, 'Targets[].Endpoint is required'),
    PushRetryStrategy: z.string().optional(),
    ParamList: z.array(ParamSchema).optional(),
  })
  .passthrough();

/** A target as stored and answered. */
type StoredTarget = z.output<typeof TargetSchema>;

const RuleKey = {
  EventBusName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{1,126}$|^default$/, 'EventBusName: a bus name'),
  RuleName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{1,126}$/, 'RuleName: 2-127 letters, digits, _ . -'),
};
const BODIES = {
  CreateRule: z
    .object({
      ...RuleKey,
      Description: z.string().max(255).optional(),
      Status: z.enum(['ENABLE', 'DISABLE']).optional(),
      FilterPattern: z.string().min(2, 'FilterPattern: the pattern as JSON text is required'),
      Targets: z
        .array(TargetSchema)
        .min(1, 'Targets: at least one target')
        .max(MAX_TARGETS, `Targets: at most ${MAX_TARGETS} per rule`),
    })
    .passthrough(),
  GetRule: z.object(RuleKey).passthrough(),
  UpdateRule: z
    .object({
      ...RuleKey,
      Description: z.string().max(255).optional(),
      Status: z.enum(['ENABLE', 'DISABLE']).optional(),
      FilterPattern: z.string().min(2, 'FilterPattern: the pattern as JSON text').optional(),
    })
    .passthrough(),
  PutTargets: z
    .object({ ...RuleKey, Targets: z.array(TargetSchema).min(1, 'Targets: at least one target') })
    .passthrough(),
  DeleteTargets: z
    .object({ ...RuleKey, TargetIds: z.array(z.string().min(1)).min(1, 'TargetIds: at least one id') })
    .passthrough(),
} as const;

/** A rule as stored. */
interface StoredRule {
  readonly accountId: string;
  readonly bus: string;
  readonly name: string;
  readonly region: string;
  description: string;
  status: string;
  filterPattern: string;
  targets: StoredTarget[];
  readonly ctime: number;
  mtime: number;
}

function rules(core: CloudCore): Map<string, StoredRule> {
  return core.serviceState<Map<string, StoredRule>>('eventbridge.rules', () => new Map());
}

/** The reply refusing the pattern `text`, or undefined when it is a valid pattern. */
function patternRefusal(text: string): CloudReply | undefined {
  let pattern: unknown;
  try {
    pattern = JSON.parse(text);
  } catch {
    return eventBridgeErrorReply(400, EventRuleErrorCode.EventPatternInvalid, 'FilterPattern is not JSON text.');
  }
  try {
    checkEventPattern(pattern, 'FilterPattern');
  } catch (error) {
    if (error instanceof EventPatternError) {
      return eventBridgeErrorReply(400, EventRuleErrorCode.EventPatternInvalid, `FilterPattern: ${error.message}`);
    }
    throw error;
  }
  return undefined;
}

/** Why a target cannot be emulated, or undefined. */
function targetProblem(target: StoredTarget): string | undefined {
  if (target.Type !== 'acs.eventbridge' || !BUS_ARN.test(target.Endpoint)) {
    return `Targets[${target.Id}]: only type acs.eventbridge with an event bus ARN as Endpoint is emulated by the local cloud (got ${target.Type}).`;
  }
  return undefined;
}

/** Route the rule's events as its targets say (none while it is disabled). */
function syncRoutes(core: CloudCore, rule: StoredRule): void {
  removeEventRoutes(core, rule.accountId, rule.bus, rule.name);
  if (rule.status !== 'ENABLE') return;
  const pattern = JSON.parse(rule.filterPattern) as Record<string, unknown>;
  for (const target of rule.targets) {
    const match = BUS_ARN.exec(target.Endpoint);
    if (!match) continue;
    const roleName = target.ParamList?.find((p) => p.ResourceKey === 'RAMRoleName')?.Value;
    addEventRoute(core, {
      fromAccountId: rule.accountId,
      fromBus: rule.bus,
      ruleName: rule.name,
      targetId: target.Id,
      pattern,
      toAccountId: match[2]!,
      toBus: match[3]!,
      region: rule.region,
      ...(roleName ? { roleName } : {}),
    });
  }
}

function act(call: ControlPlaneCall<RuleAction>): CloudReply {
  const { action, core, accountId, region, arn, ok } = call;
  const { EventBusName: bus, RuleName: name } = call.body as z.output<(typeof BODIES)['GetRule']>;
  const key = `${accountId}/${bus}/${name}`;
  const existing = rules(core).get(key);
  if (action === 'CreateRule') {
    if (existing) {
      return eventBridgeErrorReply(
        409,
        EventRuleErrorCode.EventRuleAlreadyExisted,
        `The event rule [${name}] already existed!`,
      );
    }
    const body = call.body as z.output<(typeof BODIES)['CreateRule']>;
    const refused = patternRefusal(body.FilterPattern);
    if (refused) return refused;
    for (const target of body.Targets) {
      const problem = targetProblem(target);
      if (problem) return eventBridgeErrorReply(400, EventBridgeErrorCode.InvalidArgument, problem);
    }
    const now = core.now().getTime();
    const rule: StoredRule = {
      accountId,
      bus,
      name,
      region,
      description: body.Description ?? '',
      status: body.Status ?? 'ENABLE',
      filterPattern: body.FilterPattern,
      targets: body.Targets,
      ctime: now,
      mtime: now,
    };
    rules(core).set(key, rule);
    syncRoutes(core, rule);
    return ok({ RuleARN: arn });
  }

  if (!existing) {
    return eventBridgeErrorReply(404, EventRuleErrorCode.EventRuleNotExisted, `The event rule [${name}] not existed!`);
  }
  switch (action) {
    case 'GetRule':
      return ok({
        EventBusName: bus,
        RuleARN: arn,
        RuleName: name,
        Description: existing.description,
        Status: existing.status,
        FilterPattern: existing.filterPattern,
        Targets: existing.targets,
        Ctime: existing.ctime,
        Mtime: existing.mtime,
      });
    case 'UpdateRule': {
      const body = call.body as z.output<(typeof BODIES)['UpdateRule']>;
      if (body.FilterPattern !== undefined) {
        const refused = patternRefusal(body.FilterPattern);
        if (refused) return refused;
        existing.filterPattern = body.FilterPattern;
      }
      if (body.Description !== undefined) existing.description = body.Description;
      if (body.Status !== undefined) existing.status = body.Status;
      existing.mtime = core.now().getTime();
      syncRoutes(core, existing);
      return ok();
    }
    case 'PutTargets': {
      const body = call.body as z.output<(typeof BODIES)['PutTargets']>;
      const errors: { EntryId: string; ErrorCode: string; ErrorMessage: string }[] = [];
      for (const target of body.Targets) {
        const problem = targetProblem(target);
        const index = existing.targets.findIndex((t) => t.Id === target.Id);
        if (problem)
          errors.push({ EntryId: target.Id, ErrorCode: EventRuleErrorCode.EventTargetInvalid, ErrorMessage: problem });
        else if (index >= 0) existing.targets.splice(index, 1, target);
        else if (existing.targets.length >= MAX_TARGETS) {
          errors.push({
            EntryId: target.Id,
            ErrorCode: EventRuleErrorCode.EventTargetsExceedLimit,
            ErrorMessage: `The rule [${name}] has ${MAX_TARGETS} targets already.`,
          });
        } else existing.targets.push(target);
      }
      existing.mtime = core.now().getTime();
      syncRoutes(core, existing);
      return ok({ ErrorEntriesCount: errors.length, ErrorEntries: errors });
    }
    case 'DeleteTargets': {
      const body = call.body as z.output<(typeof BODIES)['DeleteTargets']>;
      const errors = body.TargetIds.filter((t) => !existing.targets.some((x) => x.Id === t)).map((t) => ({
        EntryId: t,
        ErrorCode: EventRuleErrorCode.EventTargetNotExisted,
        ErrorMessage: `The target [${t}] of rule [${name}] not existed!`,
      }));
      existing.targets = existing.targets.filter((t) => !body.TargetIds.includes(t.Id));
      existing.mtime = core.now().getTime();
      syncRoutes(core, existing);
      return ok({ ErrorEntriesCount: errors.length, ErrorEntries: errors });
    }
  }
}

/** The rule control plane of the local EventBridge (CreateRule, GetRule, UpdateRule, PutTargets, DeleteTargets). */
export const eventRuleService: ServiceModule = eventBridgeControlPlane({
  name: 'eventbridge-rules',
  paths: PATHS,
  bodies: BODIES,
  resource: (region, accountId, body) => {
    const { EventBusName: bus, RuleName: name } = body as z.output<(typeof BODIES)['GetRule']>;
    return `acs:eventbridge:${region}:${accountId}:eventbus/${bus}/rule/${name}`;
  },
  act,
});
