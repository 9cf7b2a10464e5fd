/**
 * Reading one RAM change event (shared/domain/ram-change-event.ts): its zod schemas and {@link readRamChangeEvent}.
 * A module of its own so that only the drift-event function, which reads events, carries and builds the schemas;
 * the other functions import the event module's constants alone. Pure: no I/O, no SDK.
 */
import { z } from 'zod';
import { ALIBABA_ACCOUNT_ID } from './account-id.js';
import {
  ActionTrailEventType,
  IgnoredBecause,
  type RamChangeContext,
  type RamChangeReading,
  RoleChangeEventNames,
} from './ram-change-event.js';
import { isRamRoleName } from './role-name.js';
import { problemsFromZodError } from './zod-problems.js';

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
