import { describe, expect, it } from 'vitest';
import { AuditEventType } from '../../../shared/domain/audit.js';
import { processTicketMessage } from '../../../shared/intake/process-ticket.js';
import type { ModeTicketBody, ResumeTicketBody } from '../../../shared/intake/ticket-message.js';
import type { RoleStatus } from '../../../shared/ports.js';
import {
  ACCOUNTS,
  grantKey,
  INTAKE_NOW,
  intakeWorld,
  type SystemName,
  signedBy,
  ticketBody,
} from '../../support/intake-world.js';

const ROLE = { ownerAccountId: ACCOUNTS.owner, roleName: 'ram-for-dts' } as const;

function modeBody(system: SystemName, id: string, over: Partial<ModeTicketBody> = {}): ModeTicketBody {
  return {
    id,
    issuedAt: INTAKE_NOW.toISOString(),
    action: 'mode',
    ticket: { system, id: 'DBA-2', requester: 'ana', approver: 'ben' },
    role: ROLE,
    mode: 'observe',
    ...over,
  };
}

function resumeBody(system: SystemName, id: string, over: Partial<ResumeTicketBody> = {}): ResumeTicketBody {
  return {
    id,
    issuedAt: INTAKE_NOW.toISOString(),
    action: 'resume',
    ticket: { system, id: 'DBA-3', requester: 'ana', approver: 'ben' },
    role: ROLE,
    ...over,
  };
}

const PAUSED: RoleStatus = {
  ...ROLE,
  lastResult: 'repaired',
  lastReconciledAt: INTAKE_NOW.toISOString(),
  failureCount: 0,
  flapCount: 3,
  pausedReason: 'the same drift was repaired 3 times',
  version: 0,
};

/** A world where jira declared the test role. */
async function declaredByJira() {
  const world = intakeWorld();
  expect((await processTicketMessage(signedBy('jira', ticketBody('jira')), world.deps)).outcome).toBe('declared');
  world.reconciled.length = 0;
  return world;
}

describe('mode tickets', () => {
  it("switches the owning system's grant to the mode asked for, records it and reconciles the role", async () => {
    const { deps, grants, audit, reconciled } = await declaredByJira();
    const result = await processTicketMessage(signedBy('jira', modeBody('jira', 'jira-mode-0001')), deps);
    expect(result).toMatchObject({
      outcome: 'modeChanged',
      grantIds: [`${ACCOUNTS.owner}/ram-for-dts/${ACCOUNTS.trusted}`],
    });
    expect((await grants.getGrant(grantKey()))?.mode).toBe('observe');
    expect((await grants.getGrant(grantKey()))?.origin?.system).toBe('jira');
    expect(audit.ofType(AuditEventType.GrantModeChanged)[0]?.data).toMatchObject({
      outcome: 'modeChanged',
      before: { mode: 'enforce' },
      after: { mode: 'observe' },
      ticket: { system: 'jira', id: 'DBA-2' },
    });
    expect(reconciled).toEqual([ROLE]);
  });

  it('reports a grant already in the mode as unchanged and writes nothing', async () => {
    const { deps, grants, audit } = await declaredByJira();
    const revision = (await grants.getGrant(grantKey()))?.revision;
    await processTicketMessage(signedBy('jira', modeBody('jira', 'jira-mode-0002', { mode: 'enforce' })), deps);
    expect((await grants.getGrant(grantKey()))?.revision).toBe(revision);
    expect(audit.ofType(AuditEventType.GrantModeChanged)[0]?.data.outcome).toBe('unchanged');
  });

  it('records the change before it writes the grant, so a refused record leaves the grant as it was', async () => {
    const { deps, grants, audit } = await declaredByJira();
    audit.failWhen((e) => e.type === AuditEventType.GrantModeChanged);
    await expect(processTicketMessage(signedBy('jira', modeBody('jira', 'jira-mode-0003')), deps)).rejects.toThrow(
      /outbox unavailable/,
    );
    expect((await grants.getGrant(grantKey()))?.mode).toBe('enforce');
  });

  it("does not let another system switch a system's grant, and changes nothing", async () => {
    const { deps, grants, reconciled } = await declaredByJira();
    const result = await processTicketMessage(signedBy('servicenow', modeBody('servicenow', 'sn-mode-0001')), deps);
    expect(result.codes).toEqual(['GrantOwnedByOtherSystem']);
    expect((await grants.getGrant(grantKey()))?.mode).toBe('enforce');
    expect(reconciled).toEqual([]);
  });

  it('lets an administrator system switch any grant', async () => {
    const { deps, grants } = await declaredByJira();
    const result = await processTicketMessage(
      signedBy('platform', modeBody('platform', 'pf-mode-0001', { mode: 'paused' })),
      deps,
    );
    expect(result.outcome).toBe('modeChanged');
    expect((await grants.getGrant(grantKey()))?.mode).toBe('paused');
  });

  it('refuses an account in trustedAccountIds that no grant of the role trusts', async () => {
    const { deps } = await declaredByJira();
    const body = modeBody('jira', 'jira-mode-0004', { trustedAccountIds: [ACCOUNTS.trusted, ACCOUNTS.attacker] });
    const result = await processTicketMessage(signedBy('jira', body), deps);
    expect(result.codes).toEqual(['GrantNotFound']);
    expect(result.problems?.[0]?.field).toBe('message.body.trustedAccountIds[1]');
  });

  it('refuses a role no grant declares, even one that differs only in case', async () => {
    const { deps } = await declaredByJira();
    const body = modeBody('jira', 'jira-mode-0005', { role: { ...ROLE, roleName: 'RAM-for-dts' } });
    expect((await processTicketMessage(signedBy('jira', body), deps)).codes).toEqual(['RoleNotDeclared']);
  });

  it('refuses a mode outside enforce, observe and paused, naming the field', async () => {
    const { deps } = await declaredByJira();
    const body = { ...modeBody('jira', 'jira-mode-0006'), mode: 'off' };
    const result = await processTicketMessage(signedBy('jira', body), deps);
    expect(result.outcome).toBe('rejected');
    expect(result.problems?.[0]?.field).toBe('message.body.mode');
  });

  it('changes nothing on a redelivery of the same message', async () => {
    const { deps, audit } = await declaredByJira();
    const message = signedBy('jira', modeBody('jira', 'jira-mode-0007'));
    await processTicketMessage(message, deps);
    expect((await processTicketMessage(message, deps)).outcome).toBe('duplicate');
    expect(audit.ofType(AuditEventType.GrantModeChanged)).toHaveLength(1);
  });
});

describe('resume tickets', () => {
  it("records that the role's flap pause is cleared, with the pause it had, and reconciles the role", async () => {
    const { deps, status, audit, reconciled } = await declaredByJira();
    await status.putStatus(PAUSED, 0);
    const result = await processTicketMessage(signedBy('jira', resumeBody('jira', 'jira-resume-01')), deps);
    expect(result.outcome).toBe('resumed');
    expect(audit.ofType(AuditEventType.RoleResumed)[0]?.data).toMatchObject({
      outcome: 'resumed',
      before: { pausedReason: PAUSED.pausedReason, flapCount: 3 },
      ticket: { system: 'jira', id: 'DBA-3' },
    });
    expect(reconciled).toEqual([ROLE]);
  });

  it('says notPaused for a role that was not paused', async () => {
    const { deps, audit } = await declaredByJira();
    await processTicketMessage(signedBy('jira', resumeBody('jira', 'jira-resume-02')), deps);
    expect(audit.ofType(AuditEventType.RoleResumed)[0]?.data.outcome).toBe('notPaused');
  });

  it('does not let a system resume a role that holds grants of another system', async () => {
    const { deps, status, reconciled } = await declaredByJira();
    await status.putStatus(PAUSED, 0);
    const result = await processTicketMessage(signedBy('servicenow', resumeBody('servicenow', 'sn-resume-01')), deps);
    expect(result.codes).toEqual(['RoleOwnedByOtherSystem']);
    expect(reconciled).toEqual([]);
  });

  it('refuses a role nobody declared', async () => {
    const { deps } = intakeWorld();
    const result = await processTicketMessage(signedBy('platform', resumeBody('platform', 'pf-resume-01')), deps);
    expect(result.codes).toEqual(['RoleNotDeclared']);
  });
});

describe('ticket outcome events', () => {
  it('tells the ticketing system what its ticket came to: the ticket, the system, the grants and each role', async () => {
    const { deps, audit } = intakeWorld();
    await processTicketMessage(signedBy('jira', ticketBody('jira')), deps);
    const [event] = audit.ofType(AuditEventType.TicketProcessed);
    expect(event).toMatchObject({
      subject: 'dts-trust:ticket/jira/DBA-1',
      data: {
        outcome: 'declared',
        ticket: { system: 'jira', id: 'DBA-1' },
        grantIds: [`${ACCOUNTS.owner}/ram-for-dts/${ACCOUNTS.trusted}`],
        detail: {
          system: 'jira',
          action: 'declare',
          messageId: 'jira-msg-00000001',
          roles: [{ role: `${ACCOUNTS.owner}/ram-for-dts`, outcome: 'created' }],
        },
      },
    });
  });

  it('reports a refused ticket with its codes and problems', async () => {
    const { deps, audit } = await declaredByJira();
    await processTicketMessage(signedBy('servicenow', modeBody('servicenow', 'sn-mode-0009')), deps);
    const [event] = audit.ofType(AuditEventType.TicketProcessed).filter((e) => e.data.ticket?.system === 'servicenow');
    expect(event?.data).toMatchObject({ outcome: 'rejected', codes: ['GrantOwnedByOtherSystem'] });
    expect(event?.data.detail).toMatchObject({ system: 'servicenow', action: 'mode' });
  });

  it('reports nothing for a message it cannot authenticate: its ticket fields are anyone’s words', async () => {
    const { deps, audit } = intakeWorld();
    const forged = { ...JSON.parse(signedBy('jira', ticketBody('jira')).body), signature: '0'.repeat(64) };
    await processTicketMessage({ index: 0, messageId: 'mns-9', body: JSON.stringify(forged) }, deps);
    expect(audit.ofType(AuditEventType.GrantRejected)).toHaveLength(1);
    expect(audit.ofType(AuditEventType.TicketProcessed)).toEqual([]);
  });

  it('records the outcome of a redelivered message once', async () => {
    const { deps, audit } = intakeWorld();
    const message = signedBy('jira', ticketBody('jira'));
    await processTicketMessage(message, deps);
    await processTicketMessage(message, deps);
    expect(audit.ofType(AuditEventType.TicketProcessed)).toHaveLength(1);
  });
});

describe('ticket actions', () => {
  it('refuses an action nobody defined, naming the field and the allowed actions', async () => {
    const { deps } = intakeWorld();
    const result = await processTicketMessage(signedBy('jira', { ...ticketBody('jira'), action: 'grant' }), deps);
    expect(result.problems?.[0]).toMatchObject({
      field: 'message.body.action',
      fix: 'use one of: declare, revoke, resume, mode',
    });
  });
});
