/**
 * EventBridge PutEvents as `@alicloud/eventbridge` speaks it: `POST /openapi/putEvents` with a JSON array of
 * CloudEvents (`content-type: application/cloudevents-batch+json`), signed `authorization: acs:<ak>:<sig>`.
 *
 * What it reproduces of the real service and its open-source peer (Apache RocketMQ EventBridge), where the
 * public documentation is silent or disagrees (see docs/architecture.md, "Audit delivery"):
 * - The limits, with the smaller documented figures: at most {@link MAX_EVENTS_PER_PUT} events and
 *   `maxRequestBytes` (256 KB) of body per call, `maxEventBytes` (64 KB) per event measured as the UTF-8 length
 *   of the event's JSON as sent, an `id` of letters, digits and `-` starting with a letter or digit (at most 128),
 *   `type` at most 64 characters, `source` 128, `subject` 512.
 * - Errors of the whole call (count or body size over the limit, a body that is not a non-empty JSON array, no
 *   permission, a bus that does not exist) are answered as the gateway does, `{requestId, code, message}` in lower
 *   camel case, which the SDK turns into an error whose `code` is `code` (it carries no `statusCode`). A missing
 *   bus fails the call, unless `autoCreateBuses` is on (then it is created). `default` always exists; `buses` in
 *   the options exist in every account; more can be created with `POST /__admin/eventbridge/buses`.
 * - An event that breaks a per-event limit fails only its own entry, with the peer's kind of code
 *   ({@link EventBridgeErrorCode}: `EventSizeExceed`, `JsonAttributeInvalid`).
 * - Accepted entries carry `ErrorCode: "Success"` (the peer's marker; `acceptedErrorCode` chooses `""` or none).
 * - The entry list is built as entries complete, not in the request's order: with `entryOrder: 'completion'`
 *   (the default) it is the reverse of the request, so a client that matches results by position fails at once.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CallIdentity, CloudCall, CloudCore, CloudReply, Principal, ServiceModule } from '../../contract.js';
import { CloudSetupError } from '../../errors.js';
import { acceptEvent, addEventRoute, listEventRoutes, readDeliveryFailures } from './routes.js';
import { parseEventBridgeAuthorization, verifyEventBridgeSignature } from './signature.js';
import {
  busExists,
  clearEventBridgeEvents,
  createBus,
  EVENTBRIDGE_SERVICE,
  eventBridgeState,
  readEventBridgeEvents,
  restoreEventBridge,
  snapshotEventBridge,
} from './store.js';

/** EventBridge accepts at most this many events in one PutEvents call. */
export const MAX_EVENTS_PER_PUT = 16;

/** Default per-event size limit, in bytes of the event's JSON (the PutEvents page's 64 KB, not the limits page's 256 KB). */
export const DEFAULT_MAX_EVENT_BYTES = 64 * 1024;

/** Default size limit of one PutEvents body, in bytes (the PutEvents page's 256 KB, not the limits page's 1 MB). */
export const DEFAULT_MAX_REQUEST_BYTES = 256 * 1024;

/** The error codes the local EventBridge answers with. */
export const EventBridgeErrorCode = {
  SignatureDoesNotMatch: 'SignatureDoesNotMatch',
  InvalidAccessKeyId: 'InvalidAccessKeyId',
  InvalidStsAccessKeyId: 'InvalidStsAccessKeyId',
  SecurityTokenInvalid: 'SecurityTokenInvalid',
  StsAccessIdExpired: 'StsAccessIdExpired',
  AccessDenied: 'AccessDenied',
  InvalidArgument: 'InvalidArgument',
  EventsCountExceedLimit: 'EventsCountExceedLimit',
  /** The whole body is over `maxRequestBytes` (call-level). */
  PutEventsRequestSizeExceed: 'PutEventsRequestSizeExceed',
  /** One event is over `maxEventBytes` (its entry only). */
  EventSizeExceed: 'EventSizeExceed',
  /** One event misses an attribute or breaks an attribute's format or length (its entry only). */
  JsonAttributeInvalid: 'JsonAttributeInvalid',
  EventBusNotExist: 'EventBusNotExist',
  /** What the peer puts on an accepted entry. */
  Success: 'Success',
} as const;

/** Options of the EventBridge module (`startLocalCloud({ services: { eventbridge: {...} } })`). */
export const EventBridgeOptionsSchema = z
  .object({
    /** Buses that exist in every account besides `default`. */
    buses: z.array(z.string().min(1)).default([]),
    /** Create an unknown bus on first use instead of failing the call with `EventBusNotExist`. */
    autoCreateBuses: z.boolean().default(false),
    /** Per-event size limit in bytes. */
    maxEventBytes: z.number().int().positive().default(DEFAULT_MAX_EVENT_BYTES),
    /** Size limit of one request body in bytes. */
    maxRequestBytes: z.number().int().positive().default(DEFAULT_MAX_REQUEST_BYTES),
    /** `ErrorCode` of an accepted entry: `Success` (the peer), `""`, or `none` (absent, as the API reference shows). */
    acceptedErrorCode: z.enum(['Success', '', 'none']).default('Success'),
    /** `completion`: entries listed as they complete (the reverse of the request); `request`: in request order. */
    entryOrder: z.enum(['completion', 'request']).default('completion'),
    /** Region used in resource ARNs when the request names none (`x-eventbridge-regionId`). */
    region: z.string().min(1).default('cn-hangzhou'),
    /** Fault injection: entries whose id starts with `idPrefix` fail with `code` (a refusal no check here makes). */
    rejectEntries: z
      .array(
        z.object({ idPrefix: z.string().min(1), code: z.string().min(1), message: z.string().optional() }).strict(),
      )
      .default([]),
  })
  .strict();

/** What a caller may give as EventBridge options. */
export type EventBridgeOptions = z.input<typeof EventBridgeOptionsSchema>;

const PUT_EVENTS_PATH = '/openapi/putEvents';

/** Field limits of a CloudEvent (characters). */
const FIELD_LIMITS = { id: 128, source: 128, type: 64, subject: 512 } as const;

/** What an event `id` may look like: letters, digits and `-`, starting with a letter or digit. */
const EVENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

function options(core: CloudCore): z.output<typeof EventBridgeOptionsSchema> {
  const parsed = EventBridgeOptionsSchema.safeParse(core.serviceOptions<unknown>(EVENTBRIDGE_SERVICE) ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new CloudSetupError(
    `services.eventbridge.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}; ` +
      'see EventBridgeOptionsSchema for the accepted fields',
  );
}

function requestId(): string {
  return randomUUID().toUpperCase();
}

function json(status: number, body: unknown, id: string): CloudReply {
  return {
    status,
    headers: { 'content-type': 'application/json;charset=utf-8', 'x-acs-request-id': id },
    body: JSON.stringify(body),
  };
}

function errorReply(status: number, code: string, message: string): CloudReply {
  const id = requestId();
  return json(status, { requestId: id, code, message }, id);
}

function headerValue(call: CloudCall, name: string): string | undefined {
  const value = call.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Who signed the call, or the error reply explaining why the signature is not accepted. */
function authenticate(call: CloudCall, core: CloudCore): Principal | CloudReply {
  const auth = parseEventBridgeAuthorization(headerValue(call, 'authorization'));
  if (!auth) {
    return errorReply(
      403,
      EventBridgeErrorCode.SignatureDoesNotMatch,
      'The authorization header is missing or malformed.',
    );
  }
  const principal = core.resolveAccessKey(auth.accessKeyId);
  if (!principal) {
    return auth.accessKeyId.startsWith('STS.')
      ? errorReply(403, EventBridgeErrorCode.InvalidStsAccessKeyId, 'The sts access Id you provided is not exist.')
      : errorReply(403, EventBridgeErrorCode.InvalidAccessKeyId, 'The access Id you provided is not exist.');
  }
  if (principal.securityToken !== undefined) {
    if (headerValue(call, 'x-acs-security-token') !== principal.securityToken) {
      return errorReply(
        403,
        EventBridgeErrorCode.SecurityTokenInvalid,
        'The Security token that your provide is invalid.',
      );
    }
    if (principal.expiration && principal.expiration.getTime() <= core.now().getTime()) {
      return errorReply(403, EventBridgeErrorCode.StsAccessIdExpired, 'The sts accessid has expired.');
    }
  }
  if (!verifyEventBridgeSignature(call, auth.signature, principal.accessKeySecret)) {
    return errorReply(
      403,
      EventBridgeErrorCode.SignatureDoesNotMatch,
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  }
  return principal;
}

function isReply(value: Principal | CloudReply): value is CloudReply {
  return 'status' in value;
}

/** One entry of the PutEvents answer (PascalCase, as the SDK's model maps it). */
interface EntryResult {
  EventId?: string;
  TraceId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

/** Why an event is rejected on its own (attributes and size), or undefined when it is acceptable. */
function entryProblem(event: unknown, maxBytes: number): { code: string; message: string } | undefined {
  const invalid = (message: string) => ({ code: EventBridgeErrorCode.JsonAttributeInvalid, message });
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return invalid('Each event must be a JSON object.');
  }
  const e = event as Record<string, unknown>;
  for (const field of ['id', 'source', 'type', 'aliyuneventbusname'] as const) {
    if (typeof e[field] !== 'string' || e[field] === '') {
      return invalid(`The event attribute [${field}] is required.`);
    }
  }
  for (const [field, limit] of Object.entries(FIELD_LIMITS)) {
    const value = e[field];
    if (value !== undefined && (typeof value !== 'string' || value.length > limit)) {
      return invalid(`The event attribute [${field}] must be a string of at most ${limit} characters.`);
    }
  }
  if (!EVENT_ID_PATTERN.test(e['id'] as string)) {
    return invalid('The event attribute [id] may hold only letters, digits and "-", starting with a letter or digit.');
  }
  const size = Buffer.byteLength(JSON.stringify(e), 'utf8');
  if (size > maxBytes) {
    return {
      code: EventBridgeErrorCode.EventSizeExceed,
      message: `The event size [${size}] bytes exceeds the limit [${maxBytes}] bytes.`,
    };
  }
  return undefined;
}

function busOf(event: unknown): string | undefined {
  const bus =
    typeof event === 'object' && event !== null ? (event as Record<string, unknown>)['aliyuneventbusname'] : undefined;
  return typeof bus === 'string' && bus !== '' ? bus : undefined;
}

/** The checks that fail the whole call: body shape, count and size, permission on every bus, buses that exist. */
function callProblem(
  call: CloudCall,
  core: CloudCore,
  principal: Principal,
  opts: z.output<typeof EventBridgeOptionsSchema>,
): CloudReply | unknown[] {
  if (call.body.length > opts.maxRequestBytes) {
    return errorReply(
      409,
      EventBridgeErrorCode.PutEventsRequestSizeExceed,
      `The size of the put events request [${call.body.length}] bytes exceeds the limit [${opts.maxRequestBytes}] bytes.`,
    );
  }
  let events: unknown;
  try {
    events = JSON.parse(call.body.toString('utf8'));
  } catch {
    return errorReply(400, EventBridgeErrorCode.InvalidArgument, 'The request body is not valid JSON.');
  }
  if (!Array.isArray(events) || events.length === 0) {
    return errorReply(
      400,
      EventBridgeErrorCode.InvalidArgument,
      'The request body must be a non-empty array of events.',
    );
  }
  if (events.length > MAX_EVENTS_PER_PUT) {
    return errorReply(
      400,
      EventBridgeErrorCode.EventsCountExceedLimit,
      `The count of events [${events.length}] exceeds the limit [${MAX_EVENTS_PER_PUT}] of one request.`,
    );
  }
  const accountId = principal.accountId;
  const region = headerValue(call, 'x-eventbridge-regionid') ?? opts.region;
  const state = eventBridgeState(core);
  const buses = new Set(events.map(busOf).filter((b): b is string => b !== undefined));
  for (const bus of buses) {
    if (!core.isAllowed(principal, 'eventbridge:PutEvents', `acs:eventbridge:${region}:${accountId}:eventbus/${bus}`)) {
      return errorReply(
        403,
        EventBridgeErrorCode.AccessDenied,
        `The OwnerId that your Access Key Id associated to is forbidden for this operation (eventbridge:PutEvents on event bus [${bus}]).`,
      );
    }
  }
  for (const bus of buses) {
    if (busExists(state, accountId, bus) || opts.buses.includes(bus)) continue;
    if (!opts.autoCreateBuses) {
      return errorReply(409, EventBridgeErrorCode.EventBusNotExist, `The event bus [${bus}] not existed!`);
    }
    createBus(state, accountId, bus);
  }
  return events;
}

async function putEvents(call: CloudCall, core: CloudCore): Promise<CloudReply> {
  const opts = options(core);
  const principal = authenticate(call, core);
  if (isReply(principal)) return principal;
  const events = callProblem(call, core, principal, opts);
  if (!Array.isArray(events)) return events;

  const accountId = principal.accountId;
  const receivedAt = core.now().toISOString();
  const accepted: Pick<EntryResult, 'ErrorCode'> =
    opts.acceptedErrorCode === 'none' ? {} : { ErrorCode: opts.acceptedErrorCode };
  const entries: EntryResult[] = events.map((event): EntryResult => {
    const rawId = typeof event === 'object' && event !== null ? (event as Record<string, unknown>)['id'] : undefined;
    const eventId = typeof rawId === 'string' ? rawId : undefined;
    const injected = opts.rejectEntries.find((r) => eventId?.startsWith(r.idPrefix));
    const problem = injected
      ? { code: injected.code, message: injected.message ?? `The event was refused (${injected.code}).` }
      : entryProblem(event, opts.maxEventBytes);
    if (problem) {
      return {
        ...(eventId !== undefined ? { EventId: eventId } : {}),
        ErrorCode: problem.code,
        ErrorMessage: problem.message,
      };
    }
    const traceId = randomBytes(16).toString('hex');
    acceptEvent(core, {
      accountId,
      bus: busOf(event)!,
      eventId: eventId!,
      traceId,
      receivedAt,
      event: event as Record<string, unknown>,
    });
    return { EventId: eventId!, TraceId: traceId, ...accepted };
  });
  const failed = entries.filter((e) => e.ErrorCode !== undefined && e.ErrorCode !== accepted.ErrorCode).length;

  const id = requestId();
  return json(
    200,
    {
      RequestId: id,
      ResourceOwnerAccountId: accountId,
      FailedEntryCount: failed,
      EntryList: opts.entryOrder === 'completion' ? entries.reverse() : entries,
    },
    id,
  );
}

const AdminBusBody = z.object({ account: z.string().min(1), name: z.string().min(1) }).strict();

async function admin(call: CloudCall, subpath: string, core: CloudCore): Promise<CloudReply | undefined> {
  const filter = {
    ...(call.url.searchParams.get('account') ? { accountId: call.url.searchParams.get('account')! } : {}),
    ...(call.url.searchParams.get('bus') ? { bus: call.url.searchParams.get('bus')! } : {}),
  };
  const ok = (body: unknown): CloudReply => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (subpath === 'events' && call.method === 'GET') return ok({ events: readEventBridgeEvents(core, filter) });
  if (subpath === 'events' && call.method === 'DELETE') return ok({ removed: clearEventBridgeEvents(core, filter) });
  if (subpath === 'routes' && call.method === 'GET') return ok({ routes: listEventRoutes(core) });
  if (subpath === 'delivery-failures' && call.method === 'GET') return ok({ failures: readDeliveryFailures(core) });
  if (subpath === 'routes' && call.method === 'POST') {
    let raw: unknown;
    try {
      raw = JSON.parse(call.body.toString('utf8'));
    } catch {
      raw = undefined;
    }
    try {
      return ok({ route: addEventRoute(core, raw) });
    } catch (error) {
      if (!(error instanceof CloudSetupError)) throw error;
      return {
        status: 400,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ error: error.message }),
      };
    }
  }
  if (subpath === 'buses' && call.method === 'POST') {
    let raw: unknown;
    try {
      raw = JSON.parse(call.body.toString('utf8'));
    } catch {
      raw = undefined;
    }
    const body = AdminBusBody.safeParse(raw);
    if (!body.success) {
      return {
        status: 400,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          error: 'body must be {"account": "<account id>", "name": "<bus name>"}',
          issues: body.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
        }),
      };
    }
    createBus(eventBridgeState(core), body.data.account, body.data.name);
    return ok({ account: body.data.account, name: body.data.name });
  }
  if (subpath === 'buses' && call.method === 'GET') {
    const opts = options(core);
    const state = eventBridgeState(core);
    const accounts = filter.accountId ? [filter.accountId] : [...core.accounts.keys()];
    return ok({
      buses: Object.fromEntries(
        accounts.map((a) => [a, [...new Set(['default', ...opts.buses, ...(state.buses.get(a) ?? [])])].sort()]),
      ),
    });
  }
  return undefined;
}

/** The EventBridge PutEvents emulation. */
export const eventBridgeService: ServiceModule = {
  name: EVENTBRIDGE_SERVICE,

  accepts(call: CloudCall): boolean {
    return call.url.pathname === PUT_EVENTS_PATH;
  },

  identify(call: CloudCall, core: CloudCore): CallIdentity {
    const auth = parseEventBridgeAuthorization(headerValue(call, 'authorization'));
    const accountId = auth ? core.resolveAccessKey(auth.accessKeyId)?.accountId : undefined;
    return {
      service: EVENTBRIDGE_SERVICE,
      action: 'PutEvents',
      ...(accountId ? { accountId } : {}),
      ...(auth ? { accessKeyId: auth.accessKeyId } : {}),
    };
  },

  async handle(call: CloudCall, core: CloudCore): Promise<CloudReply> {
    if (call.method !== 'POST') {
      return errorReply(
        405,
        EventBridgeErrorCode.InvalidArgument,
        `Method ${call.method} is not allowed on ${PUT_EVENTS_PATH}.`,
      );
    }
    return putEvents(call, core);
  },

  faultReply(fault: { status: number; code: string; message: string }): CloudReply {
    return errorReply(fault.status, fault.code, fault.message);
  },

  admin,

  snapshot(core: CloudCore): unknown {
    return snapshotEventBridge(eventBridgeState(core));
  },

  restore(core: CloudCore, data: unknown): void {
    restoreEventBridge(eventBridgeState(core), data);
  },
};

/** What the bus control-plane module (buses.ts) shares with PutEvents: options, signature, replies. */
export {
  authenticate as authenticateEventBridge,
  errorReply as eventBridgeErrorReply,
  headerValue as eventBridgeHeader,
  isReply as isEventBridgeReply,
  json as eventBridgeJson,
  options as eventBridgeOptions,
  requestId as eventBridgeRequestId,
};
