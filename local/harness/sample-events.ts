import { randomUUID } from 'node:crypto';
import type { GrantTicketBody, TicketBody } from '../../shared/intake/ticket-message.js';
import { signTicketMessage } from '../../shared/intake/ticket-message.js';

/** The ticketing system the sample tickets come from (their `ticket.system`). */
export const DEMO_TICKET_SYSTEM = 'jira';

/**
 * The signing key the samples and the demo use: bound to {@link DEMO_TICKET_SYSTEM} in the local trust settings
 * (`localTrustSettings` in local-environment.ts).
 */
export const DEMO_TICKET_KEY = { keyId: 'demo-jira', secret: 'demo-secret-not-for-production-use' } as const;

/** The accounts the samples refer to (from local/accounts.example.json). */
export interface SampleAccounts {
  /** Owns the source database (cross-account source). */
  readonly sourceOwner: string;
  /** Owns the destination database (cross-account destination). */
  readonly destinationOwner: string;
  /** Creates the DTS task when both endpoints are cross-account. */
  readonly task: string;
  /** The queue's account (appears in the CloudEvent envelope). */
  readonly automation: string;
}

/** A ticket body for one of the three scenarios. */
export function sampleTicketBody(
  kind: 'source' | 'destination' | 'both',
  accounts: SampleAccounts,
  now: Date,
  overrides: Partial<GrantTicketBody> = {},
): GrantTicketBody {
  const relationships = {
    source: {
      scenario: 'source',
      source: {
        accountId: accounts.sourceOwner,
        databaseType: 'mysql',
        accessMethod: 'instance',
        roleName: 'ram-for-dts',
      },
      destination: { accountId: accounts.destinationOwner, databaseType: 'mysql', accessMethod: 'instance' },
    },
    destination: {
      scenario: 'destination',
      source: { accountId: accounts.sourceOwner, databaseType: 'postgresql', accessMethod: 'instance' },
      destination: {
        accountId: accounts.destinationOwner,
        databaseType: 'adb-mysql-3',
        accessMethod: 'instance',
        roleName: 'ram-for-dts-adb',
      },
    },
    both: {
      scenario: 'both',
      direction: 'two-way',
      taskAccountId: accounts.task,
      source: {
        accountId: accounts.sourceOwner,
        databaseType: 'mysql',
        accessMethod: 'instance',
        roleName: 'ram-for-dts-sync',
      },
      destination: {
        accountId: accounts.destinationOwner,
        databaseType: 'mysql',
        accessMethod: 'instance',
        roleName: 'ram-for-dts-sync',
      },
    },
  } as const;
  const tickets = { source: 'DBA-1041', destination: 'DBA-1042', both: 'DBA-1043' } as const;
  return {
    id: randomUUID(),
    issuedAt: now.toISOString(),
    action: 'declare',
    ticket: {
      system: DEMO_TICKET_SYSTEM,
      id: tickets[kind],
      requester: 'ana.lima@example.com',
      approver: 'ben.okafor@example.com',
    },
    relationship: relationships[kind] as unknown as GrantTicketBody['relationship'],
    ...overrides,
  };
}

/** Wrap queue message bodies into the CloudEvents batch the FC MNS queue trigger delivers. */
export function mnsTriggerEvent(bodies: readonly string[], accounts: SampleAccounts, now: Date): unknown[] {
  return bodies.map((messageBody, i) => ({
    id: randomUUID(),
    source: 'MNS-dts-trust-ticket-intake-ticket-queue',
    specversion: '1.0',
    type: 'mns:Queue:SendMessage',
    datacontenttype: 'application/json; charset=utf-8',
    subject: `acs:mns:cn-hangzhou:${accounts.automation}:queues/dts-trust-tickets`,
    time: now.toISOString(),
    aliyunaccountid: accounts.automation,
    aliyunpublishtime: now.toISOString(),
    aliyuneventbusname: 'MNS-dts-trust-ticket-intake-ticket-queue',
    aliyunregionid: 'cn-hangzhou',
    data: {
      requestId: randomUUID().replace(/-/g, '').toUpperCase(),
      messageId: `${randomUUID().replace(/-/g, '').toUpperCase()}${i}`,
      messageBody,
    },
  }));
}

/** The Tencent accounts of local/accounts.example.json the Tencent samples name. */
export const SAMPLE_TENCENT = {
  /** Owns the source TencentDB for MySQL instance and holds the role. */
  sourceOwner: '100000000001',
  /** The root account that creates the DTS task (its sub-user runs it). */
  task: '100000000002',
  /** The task account's sub-user that runs the task (`dts-operator`). */
  operator: '200000000077',
  roleName: 'DTS-role',
} as const;

/**
 * A Tencent Cloud ticket: the guide's relationship (the source owner's MySQL synced by the task root account,
 * whose sub-user runs the task and so gets the AssumeRole policy).
 */
export function sampleTencentTicketBody(now: Date, overrides: Partial<GrantTicketBody> = {}): GrantTicketBody {
  return {
    id: randomUUID(),
    issuedAt: now.toISOString(),
    action: 'declare',
    ticket: {
      system: DEMO_TICKET_SYSTEM,
      id: 'DBA-2001',
      requester: 'ana.lima@example.com',
      approver: 'ben.okafor@example.com',
    },
    relationship: {
      cloud: 'tencent',
      scenario: 'source',
      taskKind: 'synchronization',
      source: {
        accountId: SAMPLE_TENCENT.sourceOwner,
        databaseType: 'mysql',
        accessMethod: 'instance',
        roleName: SAMPLE_TENCENT.roleName,
      },
      destination: { accountId: SAMPLE_TENCENT.task, databaseType: 'mysql', accessMethod: 'instance' },
      subAccountUins: [SAMPLE_TENCENT.operator],
    } as unknown as GrantTicketBody['relationship'],
    ...overrides,
  };
}

/** A `mode` or `resume` ticket for one role (operators' lifecycle tickets). */
export function sampleRoleTicketBody(
  now: Date,
  role: { readonly ownerAccountId: string; readonly roleName: string },
  change: { readonly action: 'resume' } | { readonly action: 'mode'; readonly mode: 'enforce' | 'observe' | 'paused' },
): TicketBody {
  return {
    id: randomUUID(),
    issuedAt: now.toISOString(),
    ticket: {
      system: DEMO_TICKET_SYSTEM,
      id: `DBA-${change.action === 'mode' ? change.mode : 'resume'}`,
      requester: 'ana.lima@example.com',
      approver: 'ben.okafor@example.com',
    },
    role: { ownerAccountId: role.ownerAccountId, roleName: role.roleName },
    ...change,
  } as TicketBody;
}

/** A signed message body as text (what the ticketing system puts on the queue). */
export function signedMessage(body: TicketBody, key: { keyId: string; secret: string } = DEMO_TICKET_KEY): string {
  return JSON.stringify(signTicketMessage(body, key.keyId, key.secret));
}

/**
 * The message bodies of every sample queue delivery, by the name of its event file under events/: what a
 * ticketing system (or an attacker) puts on the queue.
 */
export function sampleMessages(accounts: SampleAccounts, now: Date): Record<string, string[]> {
  const declares = (['source', 'destination', 'both'] as const).map((k) => sampleTicketBody(k, accounts, now));
  const revoke = sampleTicketBody('source', accounts, now, { action: 'revoke' });
  const forged = JSON.parse(signedMessage(sampleTicketBody('source', accounts, now))) as Record<string, unknown>;
  forged.body = { ...(forged.body as object), relationship: sampleTicketBody('both', accounts, now).relationship };
  const replayed = sampleTicketBody('source', accounts, new Date(now.getTime() - 6 * 3600 * 1000));
  return {
    'mns-tickets-batch.json': declares.map((b) => signedMessage(b)),
    'mns-revoke.json': [signedMessage(revoke)],
    'mns-forged-signature.json': [JSON.stringify(forged)],
    'mns-replay.json': [signedMessage(replayed)],
    'mns-malformed.json': ['{"schema":"dts-trust/v1","keyId":"demo-jira",'],
    'mns-batch-one-bad.json': [signedMessage(declares[0]!), 'not json at all', signedMessage(declares[1]!)],
  };
}

/** Every sample trigger event, by file name under events/. */
export function sampleEvents(accounts: SampleAccounts, now: Date): Record<string, unknown> {
  const events: Record<string, unknown> = {};
  for (const [file, bodies] of Object.entries(sampleMessages(accounts, now))) {
    events[file] = mnsTriggerEvent(bodies, accounts, now);
  }
  events['timer.json'] = {
    triggerTime: now.toISOString(),
    triggerName: 'drift-timer',
    payload: '{"reason":"scheduled"}',
  };
  return events;
}
