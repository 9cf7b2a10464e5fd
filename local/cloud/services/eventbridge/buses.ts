/**
 * EventBridge custom buses as `@alicloud/eventbridge` manages them: `POST /openapi/getEventBus` and
 * `/openapi/createEventBus` with a JSON body `{EventBusName, Description?}`, signed like PutEvents. The caller
 * needs `eventbridge:GetEventBus` / `eventbridge:CreateEventBus` on `acs:eventbridge:<region>:<account>:eventbus/<name>`.
 * Answers are PascalCase (`RequestId`, `EventBusARN`, ...), which the SDK's models read. An unknown bus answers
 * `EventBusNotExist` 404 and an existing one `EventBusAlreadyExist` 409; the real codes are not documented (these
 * are the open-source peer's), so the product treats only "the bus is there afterwards" as success.
 */
import { z } from 'zod';
import type { CallIdentity, CloudCall, CloudCore, CloudReply, ServiceModule } from '../../contract.js';
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
import { busExists, createBus, DEFAULT_EVENT_BUS, EVENTBRIDGE_SERVICE, eventBridgeState } from './store.js';

const PATHS = { '/openapi/getEventBus': 'GetEventBus', '/openapi/createEventBus': 'CreateEventBus' } as const;

/** Codes of the bus API besides the signature ones PutEvents shares. */
export const EventBusErrorCode = {
  EventBusNotExist: 'EventBusNotExist',
  EventBusAlreadyExist: 'EventBusAlreadyExist',
} as const;

const BusRequest = z.object({
  EventBusName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{1,126}$/, 'EventBusName: 2-127 letters, digits, _ . -'),
  Description: z.string().max(255).optional(),
});

function actionOf(call: CloudCall): 'GetEventBus' | 'CreateEventBus' | undefined {
  return PATHS[call.url.pathname as keyof typeof PATHS];
}

/** Created buses' times, by `<account>/<bus>` (buses from the options exist since the start). */
function createdAt(core: CloudCore): Map<string, number> {
  return core.serviceState<Map<string, number>>('eventbridge.busCreated', () => new Map());
}

function exists(core: CloudCore, accountId: string, bus: string): boolean {
  return busExists(eventBridgeState(core), accountId, bus) || eventBridgeOptions(core).buses.includes(bus);
}

async function handle(call: CloudCall, core: CloudCore): Promise<CloudReply> {
  const action = actionOf(call);
  if (call.method !== 'POST' || !action) {
    return eventBridgeErrorReply(405, EventBridgeErrorCode.InvalidArgument, `${call.method} ${call.url.pathname}`);
  }
  const principal = authenticateEventBridge(call, core);
  if (isEventBridgeReply(principal)) return principal;
  let raw: unknown;
  try {
    raw = JSON.parse(call.body.toString('utf8'));
  } catch {
    raw = undefined;
  }
  const request = BusRequest.safeParse(raw);
  if (!request.success) {
    return eventBridgeErrorReply(
      400,
      EventBridgeErrorCode.InvalidArgument,
      request.error.issues[0]?.message ?? 'invalid body',
    );
  }
  const bus = request.data.EventBusName;
  const accountId = principal.accountId;
  const region = eventBridgeHeader(call, 'x-eventbridge-regionid') ?? eventBridgeOptions(core).region;
  const arn = `acs:eventbridge:${region}:${accountId}:eventbus/${bus}`;
  if (!core.isAllowed(principal, `eventbridge:${action}`, arn)) {
    return eventBridgeErrorReply(403, EventBridgeErrorCode.AccessDenied, `Not authorized to ${action} on ${arn}.`);
  }
  const id = eventBridgeRequestId();
  const known = exists(core, accountId, bus);
  if (action === 'GetEventBus') {
    if (!known)
      return eventBridgeErrorReply(404, EventBusErrorCode.EventBusNotExist, `The event bus [${bus}] not existed!`);
    return eventBridgeJson(
      200,
      {
        RequestId: id,
        ResourceOwnerAccountId: accountId,
        EventBusARN: arn,
        EventBusName: bus,
        Description: '',
        CreateTimestamp: createdAt(core).get(`${accountId}/${bus}`) ?? 0,
      },
      id,
    );
  }
  if (known || bus === DEFAULT_EVENT_BUS) {
    return eventBridgeErrorReply(
      409,
      EventBusErrorCode.EventBusAlreadyExist,
      `The event bus [${bus}] already existed!`,
    );
  }
  createBus(eventBridgeState(core), accountId, bus);
  createdAt(core).set(`${accountId}/${bus}`, core.now().getTime());
  return eventBridgeJson(200, { RequestId: id, ResourceOwnerAccountId: accountId, EventBusARN: arn }, id);
}

/** The bus control plane of the local EventBridge (GetEventBus, CreateEventBus). */
export const eventBusService: ServiceModule = {
  name: 'eventbridge-buses',
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
