/**
 * Cross-account event routing of the local EventBridge: a rule on a bus of one account whose target is a bus of
 * another account (target type `acs.eventbridge`). An event accepted onto the rule's bus that matches its pattern is
 * put onto the target bus as well, with `aliyunaccountid` and `aliyuneventbusname` of the target and
 * `aliyunoriginalaccountid` kept from the account that raised it, as EventBridge's "Route events across Alibaba
 * Cloud accounts" describes (same region; a system bus routes to a system bus).
 *
 * Routes are added by CreateRule with an `acs.eventbridge` target (rules.ts), or directly with
 * `POST /__admin/eventbridge/routes` ({@link addEventRoute}).
 */
import { z } from 'zod';
import type { CloudCore } from '../../contract.js';
import { CloudSetupError } from '../../errors.js';
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
    (r) => r.fromAccountId === route.fromAccountId && r.fromBus === route.fromBus && r.ruleName === route.ruleName,
  );
  if (index >= 0) all.splice(index, 1, route);
  else all.push(route);
  return route;
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
