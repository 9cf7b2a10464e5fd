/**
 * EventBridge rules as `@alicloud/eventbridge` manages them: `POST /openapi/createRule` with
 * `{EventBusName, RuleName, FilterPattern, Targets: [{Id, Type, Endpoint, ParamList?}]}` and `POST /openapi/getRule`
 * with `{EventBusName, RuleName}`, signed like PutEvents. The caller needs `eventbridge:CreateRule` /
 * `eventbridge:GetRule` on `acs:eventbridge:<region>:<account>:eventbus/<bus>/rule/<rule>`.
 *
 * Only targets of type `acs.eventbridge` (another bus, here of another account: cross-account routing) are
 * emulated: each becomes a route (routes.ts) that copies matching events onto the target bus. Other target types
 * are refused with `InvalidArgument` naming the type. An unknown rule answers `EventRuleNotExisted` 404, an existing
 * one `EventRuleAlreadyExisted` 409 (the real codes are not documented; these are the open-source peer's kind).
 */
import { z } from 'zod';
import type { CallIdentity, CloudCall, CloudCore, CloudReply, ServiceModule } from '../../contract.js';
import { EventPatternError } from './pattern.js';
import { addEventRoute } from './routes.js';
import {
  authenticateEventBridge,
  EventBridgeErrorCode,
  eventBridgeErrorReply,
  eventBridgeHeader,
  eventBridgeJson,
  eventBridgeOptions,
  eventBridgeRequestId,
  isEventBridgeReply,
} from './service.js';
import { parseEventBridgeAuthorization } from './signature.js';
import { EVENTBRIDGE_SERVICE } from './store.js';

const PATHS = { '/openapi/createRule': 'CreateRule', '/openapi/getRule': 'GetRule' } as const;

/** Codes of the rule API besides those PutEvents shares. */
export const EventRuleErrorCode = {
  EventRuleNotExisted: 'EventRuleNotExisted',
  EventRuleAlreadyExisted: 'EventRuleAlreadyExisted',
  EventPatternInvalid: 'EventPatternInvalid',
} as const;

const BUS_ARN = /^acs:eventbridge:([a-z0-9-]+):(\d{16}):eventbus\/([A-Za-z0-9_.-]+)$/;

const TargetSchema = z
  .object({
    Id: z.string().min(1, 'Targets[].Id is required'),
    Type: z.string().min(1, 'Targets[].Type is required'),
    Endpoint: z.string().min(1, 'Targets[].Endpoint is required'),
    PushRetryStrategy: z.string().optional(),
    ParamList: z.array(z.record(z.unknown())).optional(),
  })
  .passthrough();

const RuleKey = {
  EventBusName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{1,126}$|^default$/, 'EventBusName: a bus name'),
  RuleName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{1,126}$/, 'RuleName: 2-127 letters, digits, _ . -'),
};
const CreateRuleBody = z
  .object({
    ...RuleKey,
    Description: z.string().max(255).optional(),
    Status: z.enum(['ENABLE', 'DISABLE']).optional(),
    FilterPattern: z.string().min(2, 'FilterPattern: the pattern as JSON text is required'),
    Targets: z.array(TargetSchema).min(1, 'Targets: at least one target').max(5, 'Targets: at most 5 per rule'),
  })
  .passthrough();
const GetRuleBody = z.object(RuleKey).passthrough();

/** A rule as stored. */
interface StoredRule {
  readonly accountId: string;
  readonly bus: string;
  readonly name: string;
  readonly description: string;
  readonly status: string;
  readonly filterPattern: string;
  readonly targets: readonly z.output<typeof TargetSchema>[];
  readonly ctime: number;
}

function rules(core: CloudCore): Map<string, StoredRule> {
  return core.serviceState<Map<string, StoredRule>>('eventbridge.rules', () => new Map());
}

function actionOf(call: CloudCall): 'CreateRule' | 'GetRule' | undefined {
  return PATHS[call.url.pathname as keyof typeof PATHS];
}

function readBody(call: CloudCall): unknown {
  try {
    return JSON.parse(call.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

async function handle(call: CloudCall, core: CloudCore): Promise<CloudReply> {
  const action = actionOf(call);
  if (call.method !== 'POST' || !action) {
    return eventBridgeErrorReply(405, EventBridgeErrorCode.InvalidArgument, `${call.method} ${call.url.pathname}`);
  }
  const principal = authenticateEventBridge(call, core);
  if (isEventBridgeReply(principal)) return principal;
  const parsed = (action === 'CreateRule' ? CreateRuleBody : GetRuleBody).safeParse(readBody(call));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return eventBridgeErrorReply(
      400,
      EventBridgeErrorCode.InvalidArgument,
      issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid body',
    );
  }
  const { EventBusName: bus, RuleName: name } = parsed.data;
  const accountId = principal.accountId;
  const region = eventBridgeHeader(call, 'x-eventbridge-regionid') ?? eventBridgeOptions(core).region;
  const arn = `acs:eventbridge:${region}:${accountId}:eventbus/${bus}/rule/${name}`;
  if (!core.isAllowed(principal, `eventbridge:${action}`, arn)) {
    return eventBridgeErrorReply(403, EventBridgeErrorCode.AccessDenied, `Not authorized to ${action} on ${arn}.`);
  }
  const key = `${accountId}/${bus}/${name}`;
  const id = eventBridgeRequestId();
  const existing = rules(core).get(key);
  if (action === 'GetRule') {
    if (!existing) {
      return eventBridgeErrorReply(
        404,
        EventRuleErrorCode.EventRuleNotExisted,
        `The event rule [${name}] not existed!`,
      );
    }
    return eventBridgeJson(
      200,
      {
        RequestId: id,
        ResourceOwnerAccountId: accountId,
        EventBusName: bus,
        RuleARN: arn,
        RuleName: name,
        Description: existing.description,
        Status: existing.status,
        FilterPattern: existing.filterPattern,
        Targets: existing.targets,
        Ctime: existing.ctime,
        Mtime: existing.ctime,
      },
      id,
    );
  }
  if (existing) {
    return eventBridgeErrorReply(
      409,
      EventRuleErrorCode.EventRuleAlreadyExisted,
      `The event rule [${name}] already existed!`,
    );
  }
  const body = parsed.data as z.output<typeof CreateRuleBody>;
  let pattern: unknown;
  try {
    pattern = JSON.parse(body.FilterPattern);
  } catch {
    return eventBridgeErrorReply(400, EventRuleErrorCode.EventPatternInvalid, 'FilterPattern is not JSON text.');
  }
  const routes: { toAccountId: string; toBus: string }[] = [];
  for (const target of body.Targets) {
    const match = BUS_ARN.exec(target.Endpoint);
    if (target.Type !== 'acs.eventbridge' || !match) {
      return eventBridgeErrorReply(
        400,
        EventBridgeErrorCode.InvalidArgument,
        `Targets[${target.Id}]: only type acs.eventbridge with an event bus ARN as Endpoint is emulated by the local cloud (got ${target.Type}).`,
      );
    }
    routes.push({ toAccountId: match[2]!, toBus: match[3]! });
  }
  try {
    // A disabled rule routes nothing (enabling it is not emulated).
    if (body.Status === 'DISABLE') routes.length = 0;
    for (const route of routes)
      addEventRoute(core, { fromAccountId: accountId, fromBus: bus, ruleName: name, pattern, ...route });
  } catch (error) {
    const cause =
      error instanceof Error && error.cause instanceof EventPatternError ? error.cause.message : String(error);
    return eventBridgeErrorReply(400, EventRuleErrorCode.EventPatternInvalid, `FilterPattern: ${cause}`);
  }
  rules(core).set(key, {
    accountId,
    bus,
    name,
    description: body.Description ?? '',
    status: body.Status ?? 'ENABLE',
    filterPattern: body.FilterPattern,
    targets: body.Targets,
    ctime: core.now().getTime(),
  });
  return eventBridgeJson(200, { RequestId: id, ResourceOwnerAccountId: accountId, RuleARN: arn }, id);
}

/** The rule control plane of the local EventBridge (CreateRule, GetRule). */
export const eventRuleService: ServiceModule = {
  name: 'eventbridge-rules',
  accepts: (call) => actionOf(call) !== undefined,
  identify(call: CloudCall, core: CloudCore): CallIdentity {
    const auth = parseEventBridgeAuthorization(eventBridgeHeader(call, 'authorization'));
    const accountId = auth ? core.resolveAccessKey(auth.accessKeyId)?.accountId : undefined;
    return {
      service: EVENTBRIDGE_SERVICE,
      action: actionOf(call) ?? 'Unknown',
      ...(accountId ? { accountId } : {}),
      ...(auth ? { accessKeyId: auth.accessKeyId } : {}),
    };
  },
  handle,
  faultReply: (fault) => eventBridgeErrorReply(fault.status, fault.code, fault.message),
};
