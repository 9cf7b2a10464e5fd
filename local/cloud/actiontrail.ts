/**
 * ActionTrail of the local cloud: every successful RAM role write (an API call, or a console edit through the
 * admin route) is published to the `default` bus of the account it acted in, as ActionTrail publishes write events
 * to EventBridge: a CloudEvent of source `acs.actiontrail`, type `actiontrail:ActionTrail:ApiCall` (or
 * `...:ConsoleOperation`), the ActionTrail record in `data` (`eventName`, `serviceName: "Ram"`, `userIdentity`,
 * `requestParameters`, `referencedResources`). Sources: EventBridge's "ActionTrail events" page and ActionTrail's
 * event samples (`userIdentity.userName` of an assumed role is `<role>:<session>`); see docs/architecture.md.
 *
 * Options (`services.actiontrail`): `{ publish: false }` turns publishing off (benchmarks that write thousands of
 * roles and read no event).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CloudCore, Principal } from './contract.js';
import { CloudSetupError } from './errors.js';
import { acceptEvent } from './services/eventbridge/routes.js';
import { DEFAULT_EVENT_BUS } from './services/eventbridge/store.js';

/** The module name, also the key of its options. */
export const ACTIONTRAIL_SERVICE = 'actiontrail';

/** The RAM operations whose calls are published (the role writes). */
export const PUBLISHED_RAM_ACTIONS: ReadonlySet<string> = new Set([
  'CreateRole',
  'UpdateRole',
  'DeleteRole',
  'AttachPolicyToRole',
  'DetachPolicyFromRole',
]);

/** The request parameters an event repeats (never keys, signatures or tokens). */
const KEPT_PARAMETERS = ['RoleName', 'PolicyName', 'PolicyType', 'NewDescription', 'Description'] as const;

const ActionTrailOptionsSchema = z.object({ publish: z.boolean().default(true) }).strict();

function publishing(core: CloudCore): boolean {
  const parsed = ActionTrailOptionsSchema.safeParse(core.serviceOptions<unknown>(ACTIONTRAIL_SERVICE) ?? {});
  if (!parsed.success) {
    throw new CloudSetupError(
      `services.actiontrail: ${parsed.error.issues[0]?.message ?? 'invalid'}; the only option is {"publish": boolean}`,
    );
  }
  return parsed.data.publish;
}

/** Who made a change, as ActionTrail's `userIdentity` names them. */
export type ActionTrailActor =
  | { readonly kind: 'principal'; readonly principal: Principal }
  /** A person in the console, signed in as the account's root. */
  | { readonly kind: 'console' };

/** One RAM role write to publish. */
export interface RamWrite {
  /** The account the write acted in. */
  readonly accountId: string;
  readonly eventName: string;
  readonly roleName: string;
  readonly actor: ActionTrailActor;
  /** The call's parameters; only {@link KEPT_PARAMETERS} are repeated. */
  readonly parameters?: Readonly<Record<string, string>>;
}

function userIdentity(accountId: string, actor: ActionTrailActor): Record<string, string> {
  if (actor.kind === 'console') return { type: 'root-account', accountId, principalId: accountId, userName: 'root' };
  const p = actor.principal;
  if (p.kind === 'assumed-role') {
    return {
      type: 'assumed-role',
      accountId: p.accountId,
      principalId: `${p.name}:${p.sessionName ?? ''}`,
      userName: `${p.name}:${p.sessionName ?? ''}`,
      accessKeyId: p.accessKeyId,
    };
  }
  if (p.kind === 'user') {
    return {
      type: 'ram-user',
      accountId: p.accountId,
      principalId: p.name,
      userName: p.name,
      accessKeyId: p.accessKeyId,
    };
  }
  return { type: 'root-account', accountId: p.accountId, principalId: p.accountId, userName: 'root' };
}

/** Publish a RAM role write to the account's `default` bus (unless publishing is off). */
export function publishRamWrite(core: CloudCore, write: RamWrite): void {
  if (!publishing(core)) return;
  const now = core
    .now()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
  const region = core.serviceOptions<{ region?: string }>('eventbridge')?.region ?? 'cn-hangzhou';
  const console = write.actor.kind === 'console';
  const requestParameters: Record<string, string> = { RoleName: write.roleName };
  for (const name of KEPT_PARAMETERS) {
    const value = write.parameters?.[name];
    if (value !== undefined) requestParameters[name] = value;
  }
  const eventId = randomUUID();
  const event = {
    id: randomUUID(),
    source: 'acs.actiontrail',
    specversion: '1.0',
    type: console ? 'actiontrail:ActionTrail:ConsoleOperation' : 'actiontrail:ActionTrail:ApiCall',
    subject: `acs.actiontrail:${region}:${write.accountId}:${write.eventName}`,
    datacontenttype: 'application/json;charset=utf-8',
    time: now,
    aliyunaccountid: write.accountId,
    aliyunoriginalaccountid: write.accountId,
    aliyuneventbusname: DEFAULT_EVENT_BUS,
    aliyunregionid: region,
    aliyunpublishtime: core.now().toISOString(),
    data: {
      eventId,
      eventVersion: 1,
      eventRW: 'Write',
      eventType: console ? 'ConsoleOperation' : 'ApiCall',
      eventName: write.eventName,
      eventSource: 'ram.aliyuncs.com',
      serviceName: 'Ram',
      eventTime: now,
      acsRegion: region,
      isGlobal: true,
      requestId: eventId.toUpperCase(),
      sourceIpAddress: '127.0.0.1',
      userAgent: console ? 'AliyunConsole' : 'local-cloud',
      userIdentity: userIdentity(write.accountId, write.actor),
      requestParameters,
      referencedResources: { 'ACS::RAM::Role': [write.roleName] },
    },
  };
  acceptEvent(core, {
    accountId: write.accountId,
    bus: DEFAULT_EVENT_BUS,
    eventId: event.id,
    traceId: randomUUID().replace(/-/g, ''),
    receivedAt: core.now().toISOString(),
    event,
  });
}
