/**
 * EventBridge custom buses as `@alicloud/eventbridge` manages them (a control plane: control-plane.ts):
 * `getEventBus` and `createEventBus` with `{EventBusName, Description?}`. The caller needs `eventbridge:GetEventBus`
 * / `eventbridge:CreateEventBus` on `acs:eventbridge:<region>:<account>:eventbus/<name>`. An unknown bus answers
 * `EventBusNotExist` 404 and an existing one `EventBusAlreadyExist` 409; the real codes are not documented (these
 * are the open-source peer's), so the product treats only "the bus is there afterwards" as success.
 */
import { z } from 'zod';
import type { CloudCore, CloudReply, ServiceModule } from '../../contract.js';
import { type ControlPlaneCall, eventBridgeControlPlane } from './control-plane.js';
import { eventBridgeErrorReply, eventBridgeOptions } from './service.js';
import { busExists, createBus, DEFAULT_EVENT_BUS, eventBridgeState } from './store.js';

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

/** Created buses' times, by `<account>/<bus>` (buses from the options exist since the start). */
function createdAt(core: CloudCore): Map<string, number> {
  return core.serviceState<Map<string, number>>('eventbridge.busCreated', () => new Map());
}

function exists(core: CloudCore, accountId: string, bus: string): boolean {
  return busExists(eventBridgeState(core), accountId, bus) || eventBridgeOptions(core).buses.includes(bus);
}

function act(call: ControlPlaneCall<'GetEventBus' | 'CreateEventBus'>): CloudReply {
  const { core, accountId, arn } = call;
  const bus = (call.body as z.output<typeof BusRequest>).EventBusName;
  const known = exists(core, accountId, bus);
  if (call.action === 'GetEventBus') {
    if (!known)
      return eventBridgeErrorReply(404, EventBusErrorCode.EventBusNotExist, `The event bus [${bus}] not existed!`);
    return call.ok({
      EventBusARN: arn,
      EventBusName: bus,
      Description: '',
      CreateTimestamp: createdAt(core).get(`${accountId}/${bus}`) ?? 0,
    });
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
  return call.ok({ EventBusARN: arn });
}

/** The bus control plane of the local EventBridge (GetEventBus, CreateEventBus). */
export const eventBusService: ServiceModule = eventBridgeControlPlane({
  name: 'eventbridge-buses',
  paths: PATHS,
  bodies: { GetEventBus: BusRequest, CreateEventBus: BusRequest },
  resource: (region, accountId, body) =>
    `acs:eventbridge:${region}:${accountId}:eventbus/${(body as z.output<typeof BusRequest>).EventBusName}`,
  act,
  // The schema's messages name the field already.
  issueMessage: (issue) => issue.message,
});
