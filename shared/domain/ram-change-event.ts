/**
 * RAM change events as ActionTrail publishes them to EventBridge (CloudEvents of type
 * `actiontrail:ActionTrail:ApiCall` or `actiontrail:ActionTrail:ConsoleOperation`, source `acs.actiontrail`, the
 * ActionTrail record in `data`). An event is only a hint: it names a role whose live state the reconciler then
 * reads itself; nothing in it is applied. Pure: no I/O, no SDK.
 */
import { z } from 'zod';
import { ALIBABA_ACCOUNT_ID } from './account-id.js';
import type { RoleKey } from './grant.js';
import { isRamRoleName } from './role-name.js';
import { problemsFromZodError } from './zod-problems.js';

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

const UserIdentitySchema = z
  .object({
    type: z.string().min(1),
    accountId: z.string().optional(),
    principalId: z.string().optional(),
    /** For `assumed-role`: `<role name>:<session name>`. */
    userName: z.string().optional(),
  })
  .passthrough();

const ActionTrailRecordSchema = z
  .object({
    eventId: z.string().min(1).optional(),
    eventName: z.string().min(1),
    serviceName: z.string().min(1),
    eventTime: z.string().optional(),
    userIdentity: UserIdentitySchema,
    requestParameters: z.record(z.unknown()).optional(),
    referencedResources: z.record(z.array(z.string())).optional(),
    errorCode: z.string().optional(),
  })
  .passthrough();

/** The CloudEvent envelope of an ActionTrail event on EventBridge, as far as dts-trust reads it. */
export const RamChangeCloudEventSchema = z
  .object({
    id: z.string().min(1),
    source: z.literal('acs.actiontrail', { errorMap: () => ({ message: 'source must be acs.actiontrail' }) }),
    type: z.enum([ActionTrailEventType.ApiCall, ActionTrailEventType.ConsoleOperation]),
    /** The account the event was raised in (set by EventBridge; kept when the event is routed to another account). */
    aliyunoriginalaccountid: z.string().regex(ALIBABA_ACCOUNT_ID).optional(),
    /** The account whose bus holds the event. */
    aliyunaccountid: z.string().regex(ALIBABA_ACCOUNT_ID),
    data: ActionTrailRecordSchema,
  })
  .passthrough();

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

function roleNameOf(record: z.output<typeof ActionTrailRecordSchema>): string | undefined {
  const param = record.requestParameters?.['RoleName'];
  if (typeof param === 'string') return param;
  return record.referencedResources?.['ACS::RAM::Role']?.[0];
}

/** True when the change came from a session of the management role (ActionTrail's `<role>:<session>` user name). */
export function isOwnSession(identity: z.output<typeof UserIdentitySchema>, managementRole: string): boolean {
  if (identity.type !== 'assumed-role' || identity.userName === undefined) return false;
  const role = identity.userName.split(':', 1)[0] ?? '';
  return role.toLowerCase() === managementRole.toLowerCase();
}

/**
 * Read one event: the role it names (owner account and role name), or why it leads to no reconcile. Never
 * throws; a malformed event is ignored with the fields that are wrong.
 */
export function readRamChangeEvent(raw: unknown, context: RamChangeContext): RamChangeReading {
  const parsed = RamChangeCloudEventSchema.safeParse(raw);
  if (!parsed.success) {
    const eventId =
      typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string'
        ? (raw as { id: string }).id
        : undefined;
    const detail = problemsFromZodError(parsed.error, 'event')
      .map((p) => `${p.field}: ${p.message}`)
      .join('; ');
    return { kind: 'ignored', reason: IgnoredBecause.Malformed, eventId, detail };
  }
  const event = parsed.data;
  const record = event.data;
  const eventName = RoleChangeEventNames.find((name) => name === record.eventName);
  if (record.serviceName.toLowerCase() !== 'ram' || eventName === undefined) {
    return { kind: 'ignored', reason: IgnoredBecause.NotRoleChange, eventId: event.id };
  }
  if (record.errorCode !== undefined && record.errorCode !== '') {
    return { kind: 'ignored', reason: IgnoredBecause.FailedCall, eventId: event.id };
  }
  if (isOwnSession(record.userIdentity, context.managementRole)) {
    return { kind: 'ignored', reason: IgnoredBecause.OwnSession, eventId: event.id };
  }
  const roleName = roleNameOf(record);
  if (roleName === undefined || !isRamRoleName(roleName)) {
    return {
      kind: 'ignored',
      reason: IgnoredBecause.Malformed,
      eventId: event.id,
      detail: 'event.data.requestParameters.RoleName: a RAM role name (1-64 letters, digits, "." or "-") is required',
    };
  }
  return {
    kind: 'role',
    role: { ownerAccountId: event.aliyunoriginalaccountid ?? event.aliyunaccountid, roleName },
    eventId: event.id,
    eventName,
    via: event.type === ActionTrailEventType.ConsoleOperation ? 'console' : 'api',
    actor: record.userIdentity.userName ?? record.userIdentity.principalId ?? record.userIdentity.type,
  };
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
