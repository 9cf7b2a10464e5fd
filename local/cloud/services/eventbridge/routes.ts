/**
 * Cross-account event routing of the local EventBridge: a rule on a bus of one account whose target is a bus of
 * another account (target type `acs.eventbridge`). An event accepted onto the rule's bus that matches its pattern is
 * put onto the target bus as well, with `aliyunaccountid` and `aliyuneventbusname` of the target and
 * `aliyunoriginalaccountid` kept from the account that raised it, as EventBridge's "Route events across Alibaba
 * Cloud accounts" describes (same region; a system bus routes to a system bus).
 *
 * Delivery to another account goes through a role of the receiving account (the target's `RAMRoleName`), which
 * EventBridge of the sending account assumes as `<sender>@eventbridge.aliyuncs.com` and which must allow
 * `eventbridge:PutEvents` on the target bus. When the role is not named, does not exist, does not trust that
 * principal, or may not put events there, the event is not delivered: the failure is kept
 * ({@link readDeliveryFailures}, `GET /__admin/eventbridge/delivery-failures`), as the service's event trace shows
 * a failed delivery, and the receiving bus sees nothing.
 *
 * Routes are added by CreateRule with an `acs.eventbridge` target (rules.ts), or directly with
 * `POST /__admin/eventbridge/routes` ({@link addEventRoute}).
 */
import { z } from 'zod';
import type { CloudCore, Principal } from '../../contract.js';
import { CloudSetupError } from '../../errors.js';
import { findRole } from '../../roles.js';
import { trustAllows } from '../../trust-policy.js';
import { checkEventPattern, EventPatternError, matchesEventPattern } from './pattern.js';
import { eventBridgeState, type StoredEvent } from './store.js';

/** One rule with a bus of another account as its target. */
export const EventRouteSchema = z
  .object({
    /** The account and bus the rule is on. */
    fromAccountId: z.string().regex(/^\d{16}$/, 'fromAccountId: a 16-digit account id'),
    fromBus: z.string().min(1).default('default'),
    ruleName: z.string().min(1),
    /** The event pattern (an object in the documented grammar). */
    pattern: z.record(z.unknown()),
    toAccountId: z.string().regex(/^\d{16}$/, 'toAccountId: a 16-digit account id'),
    toBus: z.string().min(1).default('default'),
    /** The target's id in its rule (a rule may route to up to five buses). */
    targetId: z.string().min(1).default('route'),
    /** The receiving account's role the delivery goes through (`RAMRoleName`); required across accounts. */
    roleName: z.string().min(1).optional(),
    /** The region of both buses (routing stays in one region). */
    region: z.string().min(1).default('cn-hangzhou'),
  })
  .strict();

/** A route as stored. */
export type EventRoute = z.output<typeof EventRouteSchema>;

function routes(core: CloudCore): EventRoute[] {
  return core.serviceState<EventRoute[]>('eventbridge.routes', () => []);
}

/** Add (or replace, by account, bus and rule name) a route; throws {@link CloudSetupError} naming a bad field. */
export function addEventRoute(core: CloudCore, raw: unknown): EventRoute {
  const parsed = EventRouteSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CloudSetupError(`event route: ${issue?.path.join('.') || '(route)'}: ${issue?.message ?? 'invalid'}`);
  }
  try {
    checkEventPattern(parsed.data.pattern, 'pattern');
  } catch (error) {
    if (error instanceof EventPatternError)
      throw new CloudSetupError(`event route: ${error.message}`, { cause: error });
    throw error;
  }
  const route = parsed.data;
  const all = routes(core);
  const index = all.findIndex(
    (r) =>
      r.fromAccountId === route.fromAccountId &&
      r.fromBus === route.fromBus &&
      r.ruleName === route.ruleName &&
      r.targetId === route.targetId,
  );
  if (index >= 0) all.splice(index, 1, route);
  else all.push(route);
  return route;
}

/** Forget every route of one rule (before its targets are set again, or when it is disabled). */
export function removeEventRoutes(core: CloudCore, fromAccountId: string, fromBus: string, ruleName: string): void {
  const all = routes(core);
  const keep = all.filter(
    (r) => !(r.fromAccountId === fromAccountId && r.fromBus === fromBus && r.ruleName === ruleName),
  );
  all.splice(0, all.length, ...keep);
}

/** One event a route could not deliver, and why. */
export interface DeliveryFailure {
  readonly time: string;
  readonly ruleName: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly toBus: string;
  readonly eventId: string;
  /** The refusal, as STS or EventBridge would code it (`EntityNotExist.Role`, `NoPermission`, `AccessDenied`, ...). */
  readonly code: string;
  readonly message: string;
}

function failures(core: CloudCore): DeliveryFailure[] {
  return core.serviceState<DeliveryFailure[]>('eventbridge.deliveryFailures', () => []);
}

/** The deliveries routes failed, oldest first. */
export function readDeliveryFailures(core: CloudCore): readonly DeliveryFailure[] {
  return failures(core);
}

/**
 * Why EventBridge of the route's sending account cannot put events onto the receiving bus, or undefined when it can
 * (always within one account).
 */
export function deliveryProblem(core: CloudCore, route: EventRoute): { code: string; message: string } | undefined {
  if (route.toAccountId === route.fromAccountId) return undefined;
  const account = core.accounts.get(route.toAccountId);
  if (!account) return { code: 'EventBusNotExist', message: `The account [${route.toAccountId}] does not exist.` };
  if (!route.roleName) {
    return {
      code: 'InvalidArgument',
      message: `Target [${route.targetId}]: delivery to another account needs RAMRoleName, a role of ${route.toAccountId}.`,
    };
  }
  const role = findRole(account, route.roleName);
  if (!role) {
    return {
      code: 'EntityNotExist.Role',
      message: `The role [${route.roleName}] does not exist in account ${route.toAccountId}.`,
    };
  }
  const service = `${route.fromAccountId}@eventbridge.aliyuncs.com`;
  if (!trustAllows(role.trustPolicy, { kind: 'service', service, accountId: route.fromAccountId })) {
    return {
      code: 'NoPermission',
      message: `The role [${route.roleName}] of ${route.toAccountId} does not trust ${service}: EventBridge cannot assume it.`,
    };
  }
  const session: Principal = {
    accountId: route.toAccountId,
    kind: 'assumed-role',
    name: role.name,
    arn: `acs:ram::${route.toAccountId}:assumed-role/${role.name}/eventbridge`,
    accessKeyId: '',
    accessKeySecret: '',
  };
  const bus = `acs:eventbridge:${route.region}:${route.toAccountId}:eventbus/${route.toBus}`;
  if (!core.isAllowed(session, 'eventbridge:PutEvents', bus)) {
    return {
      code: 'AccessDenied',
      message: `The role [${route.roleName}] of ${route.toAccountId} may not eventbridge:PutEvents on ${bus}.`,
    };
  }
  return undefined;
}

/** The routes of the local cloud, in the order added. */
export function listEventRoutes(core: CloudCore): readonly EventRoute[] {
  return routes(core);
}

/**
 * Keep an event accepted onto a bus and route it: every matching rule of that bus puts a copy onto its target
 * bus. A routed event is not routed again (EventBridge does not forward an event a second time).
 */
export function acceptEvent(core: CloudCore, stored: StoredEvent): void {
  const state = eventBridgeState(core);
  state.events.push(stored);
  for (const route of routes(core)) {
    if (route.fromAccountId !== stored.accountId || route.fromBus !== stored.bus) continue;
    if (!matchesEventPattern(route.pattern, stored.event)) continue;
    const problem = deliveryProblem(core, route);
    if (problem) {
      failures(core).push({
        time: core.now().toISOString(),
        ruleName: route.ruleName,
        fromAccountId: route.fromAccountId,
        toAccountId: route.toAccountId,
        toBus: route.toBus,
        eventId: stored.eventId,
        ...problem,
      });
      continue;
    }
    state.events.push({
      ...stored,
      accountId: route.toAccountId,
      bus: route.toBus,
      receivedAt: core.now().toISOString(),
      event: {
        ...stored.event,
        aliyunaccountid: route.toAccountId,
        aliyuneventbusname: route.toBus,
        aliyunoriginalaccountid: stored.event['aliyunoriginalaccountid'] ?? stored.accountId,
      },
    });
  }
}
