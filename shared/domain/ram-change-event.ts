/**
 * RAM change events as ActionTrail publishes them to EventBridge (CloudEvents of type
 * `actiontrail:ActionTrail:ApiCall` or `actiontrail:ActionTrail:ConsoleOperation`, source `acs.actiontrail`, the
 * ActionTrail record in `data`). An event is only a hint: it names a role whose live state the reconciler then
 * reads itself; nothing in it is applied. Reading one event (its schemas) is in ./ram-change-reading.ts. Pure: no
 * I/O, no SDK.
 */
import type { RoleKey } from './grant.js';

/** The CloudEvent types ActionTrail writes events arrive with. */
export const ActionTrailEventType = {
  ApiCall: 'actiontrail:ActionTrail:ApiCall',
  ConsoleOperation: 'actiontrail:ActionTrail:ConsoleOperation',
} as const;

/** The RAM operations that change a role's trust policy, its policies or its existence. */
export const RoleChangeEventNames = [
  'CreateRole',
  'UpdateRole',
  'DeleteRole',
  'AttachPolicyToRole',
  'DetachPolicyFromRole',
] as const;

/** The rule setup installs on the default bus of each owner account. */
export const RAM_CHANGE_RULE_NAME = 'dts-trust-ram-changes';

/**
 * The role in the automation account that each owner account's EventBridge assumes to put the routed events onto
 * the automation account's default bus (its trusted entities: `<owner>@eventbridge.aliyuncs.com`).
 */
export const RAM_CHANGE_ROUTE_ROLE_NAME = 'dts-trust-event-route';

/** The custom policy of {@link RAM_CHANGE_ROUTE_ROLE_NAME}: PutEvents on the automation account's default bus. */
export const RAM_CHANGE_ROUTE_POLICY_NAME = 'dts-trust-event-route-policy';

/** The service principal EventBridge of `accountId` assumes a role as, for cross-account delivery. */
export function eventBridgeServicePrincipal(accountId: string): string {
  return `${accountId}@eventbridge.aliyuncs.com`;
}

/**
 * ActionTrail's RAM role writes, as the rule of each owner account and the drift-event trigger (s.yaml
 * `ram-changes`) match them; a test holds the two equal.
 */
export const RAM_CHANGE_EVENT_PATTERN = {
  source: ['acs.actiontrail'],
  type: ['actiontrail:ActionTrail:ApiCall', 'actiontrail:ActionTrail:ConsoleOperation'],
  data: {
    serviceName: ['Ram'],
    eventName: ['CreateRole', 'UpdateRole', 'DeleteRole', 'AttachPolicyToRole', 'DetachPolicyFromRole'],
  },
} as const;

/** Why an event leads to no reconcile. */
export const IgnoredBecause = {
  /** The event could not be read (wrong shape, missing fields): it changes nothing. */
  Malformed: 'malformed',
  /** Not a RAM role change of the five operations. */
  NotRoleChange: 'notRoleChange',
  /** The call failed (ActionTrail records an `errorCode`): the role did not change. */
  FailedCall: 'failedCall',
  /** dts-trust's own management-role session made the change (reconciling it again would loop). */
  OwnSession: 'ownSession',
} as const;
/** One of {@link IgnoredBecause}. */
export type IgnoredBecause = (typeof IgnoredBecause)[keyof typeof IgnoredBecause];

/** A RAM change event that names a role dts-trust may manage. */
export interface RoleChangeHint {
  readonly kind: 'role';
  readonly role: RoleKey;
  readonly eventId: string;
  readonly eventName: (typeof RoleChangeEventNames)[number];
  /** `console` for a console operation, `api` for an API call. */
  readonly via: 'console' | 'api';
  /** Who made the change, as ActionTrail reports it. */
  readonly actor: string;
}

/** An event that leads to no reconcile, and why. */
export interface IgnoredEvent {
  readonly kind: 'ignored';
  readonly reason: IgnoredBecause;
  readonly eventId?: string | undefined;
  /** For a malformed event: the fields that are wrong, named. */
  readonly detail?: string | undefined;
}

/** What one event means to dts-trust. */
export type RamChangeReading = RoleChangeHint | IgnoredEvent;

/** What {@link readRamChangeEvent} needs to know. */
export interface RamChangeContext {
  /** The management role dts-trust assumes in every owner account (DTS_TRUST_MANAGEMENT_ROLE). */
  readonly managementRole: string;
}

/** The events of one invocation: EventBridge pushes one CloudEvent, or a batch of them as an array. */
export function eventsOfInvocation(payload: unknown): readonly unknown[] {
  return Array.isArray(payload) ? payload : [payload];
}

/** One role to reconcile and the events that named it. */
export interface ChangedRole {
  readonly role: RoleKey;
  readonly eventIds: readonly string[];
}

/**
 * Fold the hints of a burst into one entry per role (role names compared case-insensitively, as RAM compares
 * them), in the order each role was first named.
 */
export function foldRoleChanges(hints: readonly RoleChangeHint[]): ChangedRole[] {
  const byRole = new Map<string, { role: RoleKey; eventIds: string[] }>();
  for (const hint of hints) {
    const key = `${hint.role.ownerAccountId}/${hint.role.roleName.toLowerCase()}`;
    const entry = byRole.get(key);
    if (entry) entry.eventIds.push(hint.eventId);
    else byRole.set(key, { role: hint.role, eventIds: [hint.eventId] });
  }
  return [...byRole.values()];
}
