/**
 * EventBridge `TestEventPattern` as `@alicloud/eventbridge` sends it: `POST /openapi/testEventPattern` with a JSON
 * body `{Event, EventPattern}` (both JSON text), signed like PutEvents. Answers `{RequestId, Result}`; a pattern
 * outside the grammar (pattern.ts) answers `EventPatternInvalid` 400 naming the key, an event that is
 * not a JSON object `InvalidArgument` 400. The caller needs `eventbridge:TestEventPattern`.
 */
import { z } from 'zod';
import type { CallIdentity, CloudCall, CloudCore, CloudReply, ServiceModule } from '../../contract.js';
import { EventPatternError, matchesEventPattern } from './pattern.js';
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

const TEST_EVENT_PATTERN_PATH = '/openapi/testEventPattern';

/** The code of a pattern outside the grammar (the open-source peer's spelling; the service documents none). */
export const EVENT_PATTERN_INVALID = 'EventPatternInvalid';

const TestRequest = z.object({
  Event: z.string({ message: 'Event: the event as JSON text is required' }),
  EventPattern: z.string({ message: 'EventPattern: the pattern as JSON text is required' }),
});

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function handle(call: CloudCall, core: CloudCore): Promise<CloudReply> {
  if (call.method !== 'POST') {
    return eventBridgeErrorReply(405, EventBridgeErrorCode.InvalidArgument, `${call.method} ${call.url.pathname}`);
  }
  const principal = authenticateEventBridge(call, core);
  if (isEventBridgeReply(principal)) return principal;
  const region = eventBridgeHeader(call, 'x-eventbridge-regionid') ?? eventBridgeOptions(core).region;
  if (
    !core.isAllowed(principal, 'eventbridge:TestEventPattern', `acs:eventbridge:${region}:${principal.accountId}:*`)
  ) {
    return eventBridgeErrorReply(403, EventBridgeErrorCode.AccessDenied, 'Not authorized to TestEventPattern.');
  }
  const request = TestRequest.safeParse(parseJson(call.body.toString('utf8')));
  if (!request.success) {
    return eventBridgeErrorReply(
      400,
      EventBridgeErrorCode.InvalidArgument,
      request.error.issues[0]?.message ?? 'invalid body',
    );
  }
  const event = parseJson(request.data.Event);
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return eventBridgeErrorReply(400, EventBridgeErrorCode.InvalidArgument, 'Event must be a JSON object.');
  }
  let result: boolean;
  try {
    result = matchesEventPattern(parseJson(request.data.EventPattern), event);
  } catch (error) {
    if (!(error instanceof EventPatternError)) throw error;
    return eventBridgeErrorReply(400, EVENT_PATTERN_INVALID, error.message);
  }
  const id = eventBridgeRequestId();
  return eventBridgeJson(200, { RequestId: id, ResourceOwnerAccountId: principal.accountId, Result: result }, id);
}

/** Event pattern evaluation of the local EventBridge (TestEventPattern). */
export const eventPatternService: ServiceModule = {
  name: 'eventbridge-patterns',
  accepts: (call) => call.url.pathname === TEST_EVENT_PATTERN_PATH,
  identify(call: CloudCall, core: CloudCore): CallIdentity {
    const auth = parseEventBridgeAuthorization(eventBridgeHeader(call, 'authorization'));
    const accountId = auth ? core.resolveAccessKey(auth.accessKeyId)?.accountId : undefined;
    return {
      service: EVENTBRIDGE_SERVICE,
      action: 'TestEventPattern',
      ...(accountId ? { accountId } : {}),
      ...(auth ? { accessKeyId: auth.accessKeyId } : {}),
    };
  },
  handle,
  faultReply: (fault) => eventBridgeErrorReply(fault.status, fault.code, fault.message),
};
