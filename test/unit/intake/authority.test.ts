import { describe, expect, it } from 'vitest';
import { processTicketMessage } from '../../../shared/intake/process-ticket.js';
import { ACCOUNTS, grantKey, intakeWorld, signedBy, ticketBody } from '../../support/intake-world.js';

const revoke = (system: 'jira' | 'servicenow' | 'platform', id: string) => ticketBody(system, { id, action: 'revoke' });

describe('intake authority', () => {
  it("refuses a ticket whose ticket.system is not the signing key's system", async () => {
    const { deps, grants } = intakeWorld();
    const forged = ticketBody('servicenow', { ticket: { ...ticketBody().ticket, system: 'jira' } });
    const result = await processTicketMessage(signedBy('servicenow', forged), deps);
    expect(result.codes).toEqual(['TicketSystemMismatch']);
    expect(await grants.getGrant(grantKey())).toBeUndefined();
  });

  it('records the grant as owned by the system whose key declared it', async () => {
    const { deps, grants } = intakeWorld();
    await processTicketMessage(signedBy('jira', ticketBody('jira')), deps);
    expect((await grants.getGrant(grantKey()))?.origin).toMatchObject({ system: 'jira', keyId: 'jira-2026' });
  });

  it("does not let another system revoke a system's grant", async () => {
    const { deps, grants } = intakeWorld();
    await processTicketMessage(signedBy('jira', ticketBody('jira')), deps);
    const result = await processTicketMessage(signedBy('servicenow', revoke('servicenow', 'sn-msg-0002')), deps);
    expect(result.codes).toEqual(['GrantOwnedByOtherSystem']);
    expect(await grants.getGrant(grantKey())).toBeDefined();
  });

  it("does not let another system re-declare a system's grant as paused", async () => {
    const { deps, grants } = intakeWorld();
    await processTicketMessage(signedBy('jira', ticketBody('jira')), deps);
    const paused = ticketBody('servicenow', { id: 'sn-msg-0003', mode: 'paused' });
    expect((await processTicketMessage(signedBy('servicenow', paused), deps)).codes).toEqual([
      'GrantOwnedByOtherSystem',
    ]);
    expect((await grants.getGrant(grantKey()))?.mode).toBe('enforce');
  });

  it("does not let another system add a grant to a system's role", async () => {
    const { deps } = intakeWorld();
    await processTicketMessage(signedBy('jira', ticketBody('jira')), deps);
    const added = ticketBody('servicenow', {
      id: 'sn-msg-0004',
      relationship: {
        ...ticketBody().relationship,
        destination: { ...ticketBody().relationship.destination, accountId: ACCOUNTS.attacker },
      },
    });
    expect((await processTicketMessage(signedBy('servicenow', added), deps)).codes).toEqual(['RoleOwnedByOtherSystem']);
  });

  it('lets the owning system revoke and change its own grant', async () => {
    const { deps, grants } = intakeWorld();
    await processTicketMessage(signedBy('jira', ticketBody('jira')), deps);
    const observe = ticketBody('jira', { id: 'jira-msg-0002', mode: 'observe' });
    expect((await processTicketMessage(signedBy('jira', observe), deps)).outcome).toBe('declared');
    expect((await processTicketMessage(signedBy('jira', revoke('jira', 'jira-msg-0003')), deps)).outcome).toBe(
      'revoked',
    );
    expect(await grants.getGrant(grantKey())).toBeUndefined();
  });

  it("lets an administrator system revoke another system's grant", async () => {
    const { deps, grants } = intakeWorld();
    await processTicketMessage(signedBy('jira', ticketBody('jira')), deps);
    expect((await processTicketMessage(signedBy('platform', revoke('platform', 'pf-msg-0001')), deps)).outcome).toBe(
      'revoked',
    );
    expect(await grants.getGrant(grantKey())).toBeUndefined();
  });

  it('lets only administrators and listed role names adopt an existing role', async () => {
    const { deps } = intakeWorld();
    const adopt = (system: 'jira' | 'servicenow' | 'platform', roleName: string, id: string) =>
      ticketBody(system, {
        id,
        relationship: {
          ...ticketBody().relationship,
          adopt: true,
          source: { ...ticketBody().relationship.source, roleName },
        },
      });
    expect((await processTicketMessage(signedBy('jira', adopt('jira', 'some-role', 'j-adopt-1')), deps)).codes).toEqual(
      ['AdoptNotAllowed'],
    );
    expect(
      (await processTicketMessage(signedBy('servicenow', adopt('servicenow', 'Legacy-DTS-Role', 's-adopt-1')), deps))
        .outcome,
    ).toBe('declared');
    expect(
      (await processTicketMessage(signedBy('platform', adopt('platform', 'any-role', 'p-adopt-1')), deps)).outcome,
    ).toBe('declared');
  });

  it('finds a key added to the settings after they were cached, once', async () => {
    let refreshed = 0;
    const { deps } = intakeWorld({
      ticketSystems: { jira: { keys: {}, administrator: false, adoptRoleNames: [] } },
      refreshTicketSystems: async () => {
        refreshed += 1;
        return {
          jira: {
            keys: { 'jira-2026': 'jira-secret-0123456789abcdef0123456789' },
            administrator: false,
            adoptRoleNames: [],
          },
        };
      },
    });
    expect((await processTicketMessage(signedBy('jira', ticketBody('jira')), deps)).outcome).toBe('declared');
    expect(refreshed).toBe(1);
  });
});
