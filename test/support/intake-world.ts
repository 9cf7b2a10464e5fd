import type { RoleKey } from '../../shared/domain/grant.js';
import type { TicketSystems } from '../../shared/intake/authority.js';
import type { Guardrails } from '../../shared/intake/guardrails.js';
import type { IntakeDeps } from '../../shared/intake/process-ticket.js';
import type { QueueMessage } from '../../shared/intake/queue-message.js';
import { type GrantTicketBody, signTicketMessage } from '../../shared/intake/ticket-message.js';
import { MemoryAuditLog, MemoryGrantStore, MemoryLedger, MemoryStatusStore } from './memory-stores.js';

/** Accounts of the intake tests. */
export const ACCOUNTS = {
  owner: '1437508826153950',
  trusted: '1729364058172635',
  otherOwner: '1860273945102938',
  attacker: '1999999999999999',
} as const;

/** The instant every intake test runs at. */
export const INTAKE_NOW = new Date('2026-11-23T10:00:00Z');

/** Two ordinary ticketing systems and one administrator, each with its own key. */
export const SYSTEMS = {
  jira: { keys: { 'jira-2026': 'jira-secret-0123456789abcdef0123456789' }, administrator: false, adoptRoleNames: [] },
  servicenow: {
    keys: { 'sn-2026': 'sn-secret-0123456789abcdef0123456789ab' },
    administrator: false,
    adoptRoleNames: ['legacy-dts-role'],
  },
  platform: {
    keys: { 'platform-2026': 'pf-secret-0123456789abcdef0123456789a' },
    administrator: true,
    adoptRoleNames: [],
  },
} as const satisfies TicketSystems;

/** A system's name, as `ticket.system`. */
export type SystemName = keyof typeof SYSTEMS;

/** Guardrails that allow the test accounts. */
export const GUARDRAILS: Guardrails = {
  allowedOwnerAccounts: undefined,
  allowedTrustedAccounts: undefined,
  allowedPolicies: ['AliyunDTSRolePolicy'],
  roleNamePattern: /^[A-Za-z0-9.-]{1,64}$/,
  maxGrantsPerTicket: 10,
  maxGrantDays: 90,
  protectedRoles: ['dts-trust-manager', 'dts-trust-function'],
};

/** A valid declare body of `system` for the role `ram-for-dts` in the owner account, trusting the trusted account. */
export function ticketBody(system: SystemName = 'jira', over: Partial<GrantTicketBody> = {}): GrantTicketBody {
  return {
    id: `${system}-msg-00000001`,
    issuedAt: INTAKE_NOW.toISOString(),
    action: 'declare',
    ticket: { system, id: 'DBA-1', requester: 'ana', approver: 'ben' },
    relationship: {
      scenario: 'source',
      direction: 'one-way',
      cloud: 'alibaba',
      source: { accountId: ACCOUNTS.owner, databaseType: 'mysql', accessMethod: 'instance', roleName: 'ram-for-dts' },
      destination: {
        accountId: ACCOUNTS.trusted,
        databaseType: 'mysql',
        accessMethod: 'instance',
        roleName: 'ram-for-dts',
      },
      policies: ['AliyunDTSRolePolicy'],
      mode: 'enforce',
      adopt: false,
    },
    ...over,
  };
}

/** The only key of `system`. */
export function keyOf(system: SystemName): { keyId: string; secret: string } {
  const [keyId, secret] = Object.entries(SYSTEMS[system].keys)[0]!;
  return { keyId, secret };
}

/** A queue message of `body` signed with `system`'s key. */
export function signedBy(system: SystemName, body: unknown, messageId = 'mns-1'): QueueMessage {
  const { keyId, secret } = keyOf(system);
  return { index: 0, messageId, body: JSON.stringify(signTicketMessage(body as GrantTicketBody, keyId, secret)) };
}

/** Intake over in-memory stores, with the roles it reconciled. */
export function intakeWorld(over: Partial<IntakeDeps> = {}) {
  const grants = new MemoryGrantStore();
  const status = new MemoryStatusStore();
  const audit = new MemoryAuditLog();
  const ledger = new MemoryLedger({ now: () => INTAKE_NOW });
  const reconciled: RoleKey[] = [];
  const deps: IntakeDeps = {
    ticketSystems: SYSTEMS,
    replayWindowSeconds: 900,
    guardrails: GUARDRAILS,
    ledger,
    grants,
    status,
    audit,
    clock: { now: () => INTAKE_NOW },
    reconcileRole: async (role) => {
      reconciled.push(role);
      return { role, outcome: 'created' };
    },
    ...over,
  };
  return { deps, grants, status, audit, ledger, reconciled };
}

/** The grant key of the test role trusting `trusted`. */
export const grantKey = (trusted: string = ACCOUNTS.trusted) => ({
  ownerAccountId: ACCOUNTS.owner,
  roleName: 'ram-for-dts',
  trustedAccountId: trusted,
});
