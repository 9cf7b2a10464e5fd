import { describe, expect, it } from 'vitest';
import { CloudErrorKind } from '../../../shared/domain/errors.js';
import type { RoleKey } from '../../../shared/domain/grant.js';
import type { Guardrails } from '../../../shared/intake/guardrails.js';
import { type IntakeDeps, processTicketMessage } from '../../../shared/intake/process-ticket.js';
import { signTicketMessage, type TicketBody } from '../../../shared/intake/ticket-message.js';
import type { MessageClaim, ProcessedMessageLedger } from '../../../shared/ports.js';
import { cloudError } from '../../support/cloud-errors.js';
import { MemoryAuditLog, MemoryGrantStore } from '../../support/memory-stores.js';

const OWNER = '1437508826153950';
const TRUSTED = '1729364058172635';
const KEYS = { jira: 'jira-secret' };
const NOW = new Date('2026-11-23T10:00:00Z');

/** A ledger in memory with the same claim semantics as the Tablestore one. */
class MemoryLedger implements ProcessedMessageLedger {
  readonly rows = new Map<string, { status: 'inProgress' | 'completed'; outcome?: string }>();
  async claim(key: string): Promise<MessageClaim> {
    const row = this.rows.get(key);
    if (row?.status === 'completed') return { status: 'completed', outcome: row.outcome ?? '' };
    if (row) return { status: 'inProgress', until: NOW };
    this.rows.set(key, { status: 'inProgress' });
    return { status: 'claimed' };
  }
  async complete(key: string, outcome: string): Promise<void> {
    this.rows.set(key, { status: 'completed', outcome });
  }
  async release(key: string): Promise<void> {
    this.rows.delete(key);
  }
}

const guardrails: Guardrails = {
  allowedOwnerAccounts: undefined,
  allowedTrustedAccounts: undefined,
  allowedPolicies: ['AliyunDTSRolePolicy'],
  roleNamePattern: /^[A-Za-z0-9.-]{1,64}$/,
  maxGrantsPerTicket: 10,
};

function body(over: Partial<TicketBody> = {}): TicketBody {
  return {
    id: 'msg-00000001',
    issuedAt: NOW.toISOString(),
    action: 'declare',
    ticket: { system: 'jira', id: 'DBA-1', requester: 'ana', approver: 'ben' },
    relationship: {
      scenario: 'source',
      direction: 'one-way',
      source: { accountId: OWNER, databaseType: 'mysql', accessMethod: 'instance', roleName: 'ram-for-dts' },
      destination: { accountId: TRUSTED, databaseType: 'mysql', accessMethod: 'instance', roleName: 'ram-for-dts' },
      policies: ['AliyunDTSRolePolicy'],
      mode: 'enforce',
      adopt: false,
    },
    ...over,
  };
}

function setup(over: Partial<IntakeDeps> = {}) {
  const grants = new MemoryGrantStore();
  const audit = new MemoryAuditLog();
  const ledger = new MemoryLedger();
  const reconciled: RoleKey[] = [];
  const deps: IntakeDeps = {
    ticketKeys: KEYS,
    replayWindowSeconds: 900,
    guardrails,
    ledger,
    grants,
    audit,
    clock: { now: () => NOW },
    reconcileRole: async (role) => {
      reconciled.push(role);
      return { role, outcome: 'created' };
    },
    ...over,
  };
  return { deps, grants, audit, ledger, reconciled };
}

const message = (b: unknown, keyId = 'jira', secret = 'jira-secret') => ({
  index: 0,
  messageId: 'mns-1',
  body: JSON.stringify(signTicketMessage(b as TicketBody, keyId, secret)),
});

describe('processTicketMessage', () => {
  it('stores the grant, records the declaration first and reconciles the role at once', async () => {
    const { deps, grants, audit, reconciled } = setup();
    const result = await processTicketMessage(message(body()), deps);
    expect(result.outcome).toBe('declared');
    expect(result.grantIds).toEqual([`${OWNER}/ram-for-dts/${TRUSTED}`]);
    expect(
      await grants.getGrant({ ownerAccountId: OWNER, roleName: 'ram-for-dts', trustedAccountId: TRUSTED }),
    ).toMatchObject({
      revision: 1,
      ticket: { id: 'DBA-1' },
    });
    expect(audit.ofType('dts-trust.grant.declared')).toHaveLength(1);
    expect(reconciled).toEqual([{ ownerAccountId: OWNER, roleName: 'ram-for-dts' }]);
  });

  it.each([
    ['a body that is not JSON', { index: 0, messageId: 'm', body: '{"schema":' }, 'MalformedMessage'],
    ['an unknown key id', message(body(), 'github', 'x'), 'TicketKeyUnknown'],
    ['a forged signature', message(body(), 'jira', 'not-the-secret'), 'TicketSignatureInvalid'],
    ['a replayed ticket', message(body({ issuedAt: '2026-11-23T09:00:00Z' })), 'TicketReplayed'],
    ['a ticket from the future', message(body({ issuedAt: '2026-11-23T11:00:00Z' })), 'TicketFromFuture'],
    [
      'an ARN given as the role name',
      message(
        body({
          relationship: {
            ...body().relationship,
            source: { ...body().relationship.source, roleName: `acs:ram::${OWNER}:role/ram-for-dts` },
          },
        }),
      ),
      'AssumeRoleFail.InvalidRoleArnFormat',
    ],
    [
      'AliyunDTSDefaultRole',
      message(
        body({
          relationship: {
            ...body().relationship,
            source: { ...body().relationship.source, roleName: 'AliyunDTSDefaultRole' },
          },
        }),
      ),
      'Abnormal.RamCheckUserRole',
    ],
    [
      'an account id that is not 16 digits',
      message(
        body({
          relationship: {
            ...body().relationship,
            destination: { ...body().relationship.destination, accountId: '12345' },
          },
        }),
      ),
      'AliyunUidFormat',
    ],
    ['an expiry in the past', message(body({ expiresAt: '2026-11-22T00:00:00Z' })), 'GrantExpired'],
  ])('rejects %s with its code and stores nothing', async (_name, msg, code) => {
    const { deps, grants, audit, reconciled } = setup();
    const result = await processTicketMessage(msg, deps);
    expect(result.outcome).toBe('rejected');
    expect(result.codes).toContain(code);
    expect(result.problems?.every((p) => p.field && p.fix)).toBe(true);
    let stored = 0;
    for await (const _ of grants.listManagedRoles()) stored += 1;
    expect(stored).toBe(0);
    expect(reconciled).toEqual([]);
    expect(audit.ofType('dts-trust.grant.rejected')).toHaveLength(1);
  });

  it('rejects a ticket outside the guardrails', async () => {
    const { deps } = setup({ guardrails: { ...guardrails, allowedOwnerAccounts: ['9999999999999999'] } });
    const result = await processTicketMessage(message(body()), deps);
    expect(result.codes).toEqual(['GuardrailOwnerAccount']);
  });

  it('changes nothing when the same message arrives again', async () => {
    const { deps, audit, reconciled } = setup();
    await processTicketMessage(message(body()), deps);
    const again = await processTicketMessage(message(body()), deps);
    expect(again.outcome).toBe('duplicate');
    expect(reconciled).toHaveLength(1);
    expect(audit.ofType('dts-trust.grant.declared')).toHaveLength(1);
  });

  it('revokes a declared grant and reconciles the role so it can be deleted', async () => {
    const { deps, grants, audit, reconciled } = setup();
    await processTicketMessage(message(body()), deps);
    const result = await processTicketMessage(message(body({ id: 'msg-00000002', action: 'revoke' })), deps);
    expect(result.outcome).toBe('revoked');
    expect(
      await grants.getGrant({ ownerAccountId: OWNER, roleName: 'ram-for-dts', trustedAccountId: TRUSTED }),
    ).toBeUndefined();
    expect(audit.ofType('dts-trust.grant.revoked')).toHaveLength(1);
    expect(reconciled).toHaveLength(2);
  });

  it('asks for a redelivery and gives the claim back when the store is unavailable', async () => {
    const { deps, ledger, grants } = setup();
    grants.putGrant = async () => {
      throw cloudError(CloudErrorKind.Unavailable, 'OTSServerBusy', 'ots:PutRow', 503);
    };
    const result = await processTicketMessage(message(body()), deps);
    expect(result.outcome).toBe('retry');
    expect(ledger.rows.size).toBe(0);
  });

  it('does not store the grant when its audit record cannot be written', async () => {
    const { deps, audit, grants } = setup();
    audit.failWhen((e) => e.type === 'dts-trust.grant.declared');
    await expect(processTicketMessage(message(body()), deps)).rejects.toThrow(/outbox unavailable/);
    expect(
      await grants.getGrant({ ownerAccountId: OWNER, roleName: 'ram-for-dts', trustedAccountId: TRUSTED }),
    ).toBeUndefined();
  });
});
