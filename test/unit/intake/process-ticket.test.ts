import { describe, expect, it } from 'vitest';
import { CloudErrorKind } from '../../../shared/domain/errors.js';
import type { Guardrails } from '../../../shared/intake/guardrails.js';
import { type IntakeDeps, processTicketBatch, processTicketMessage } from '../../../shared/intake/process-ticket.js';
import { type GrantTicketBody, signTicketMessage } from '../../../shared/intake/ticket-message.js';
import { cloudError } from '../../support/cloud-errors.js';
import { INTAKE_NOW, intakeWorld } from '../../support/intake-world.js';

const OWNER = '1437508826153950';
const TRUSTED = '1729364058172635';
const OWNER_B = '1860273945102938';
const KEY = { ownerAccountId: OWNER, roleName: 'ram-for-dts', trustedAccountId: TRUSTED };
const SYSTEMS = { jira: { keys: { jira: 'jira-secret' }, administrator: false, adoptRoleNames: [] } };
const NOW = INTAKE_NOW;

const guardrails: Guardrails = {
  allowedOwnerAccounts: undefined,
  allowedTrustedAccounts: undefined,
  allowedPolicies: ['AliyunDTSRolePolicy'],
  roleNamePattern: /^[A-Za-z0-9.-]{1,64}$/,
  maxGrantsPerTicket: 10,
  maxGrantDays: 90,
  protectedRoles: ['dts-trust-manager'],
};

function body(over: Partial<GrantTicketBody> = {}): GrantTicketBody {
  return {
    id: 'msg-00000001',
    issuedAt: NOW.toISOString(),
    action: 'declare',
    ticket: { system: 'jira', id: 'DBA-1', requester: 'ana', approver: 'ben' },
    relationship: {
      scenario: 'source',
      direction: 'one-way',
      cloud: 'alibaba',
      source: { accountId: OWNER, databaseType: 'mysql', accessMethod: 'instance', roleName: 'ram-for-dts' },
      destination: { accountId: TRUSTED, databaseType: 'mysql', accessMethod: 'instance', roleName: 'ram-for-dts' },
      policies: ['AliyunDTSRolePolicy'],
      mode: 'enforce',
      adopt: false,
    },
    ...over,
  };
}

/** Intake over in-memory stores with this file's one jira key and guardrails. */
const setup = (over: Partial<IntakeDeps> = {}) => intakeWorld({ ticketSystems: SYSTEMS, guardrails, ...over });

const message = (b: unknown, keyId = 'jira', secret = 'jira-secret') => ({
  index: 0,
  messageId: 'mns-1',
  body: JSON.stringify(signTicketMessage(b as GrantTicketBody, keyId, secret)),
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

  it('rejects and audits a Finance Cloud owner paired with an unlisted account, which is on the default partition', async () => {
    const { deps, audit } = setup({ partitions: { [OWNER]: 'finance' }, defaultPartition: 'public' });
    const result = await processTicketMessage(message(body()), deps);
    expect(result.outcome).toBe('rejected');
    expect(result.codes).toEqual(['PartitionMismatch']);
    expect(result.problems?.[0]?.message).toContain('Finance Cloud');
    expect(audit.ofType('dts-trust.grant.rejected')).toHaveLength(1);
  });

  it('declares a pair of accounts listed on the same partition', async () => {
    const { deps } = setup({ partitions: { [OWNER]: 'gov', [TRUSTED]: 'gov' }, defaultPartition: 'public' });
    expect((await processTicketMessage(message(body()), deps)).outcome).toBe('declared');
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

  it('asks for a redelivery and gives the claim back (keeping its row) when the store is unavailable', async () => {
    const { deps, ledger, grants } = setup();
    const put = grants.putGrant.bind(grants);
    grants.putGrant = async () => {
      throw cloudError(CloudErrorKind.Unavailable, 'OTSServerBusy', 'ots:PutRow', 503);
    };
    const result = await processTicketMessage(message(body()), deps);
    expect(result.outcome).toBe('retry');
    expect([...ledger.rows.values()]).toMatchObject([{ status: 'inProgress', leaseUntil: 0 }]);
    grants.putGrant = put;
    expect((await processTicketMessage(message(body()), deps)).outcome).toBe('declared');
  });

  it('records no declaration for a grant it could not store', async () => {
    const { deps, grants, audit } = setup();
    grants.putGrant = async () => {
      throw cloudError(CloudErrorKind.Unavailable, 'OTSServerBusy', 'ots:PutRow', 503);
    };
    expect((await processTicketMessage(message(body()), deps)).outcome).toBe('retry');
    expect(audit.ofType('dts-trust.grant.declared')).toEqual([]);
  });

  it('records the declaration on redelivery when its event could not be recorded, under the same event id', async () => {
    const { deps, audit, grants } = setup();
    audit.failWhen((e) => e.type === 'dts-trust.grant.declared');
    const [failed] = await processTicketBatch([message(body())], deps);
    expect(failed?.outcome).toBe('retry');
    expect(await grants.getGrant(KEY)).toMatchObject({ revision: 1 });
    audit.failWhen(() => false);
    const again = await processTicketMessage(message(body()), deps);
    expect(again.outcome).toBe('declared');
    expect(await grants.getGrant(KEY)).toMatchObject({ revision: 1 });
    expect(audit.ofType('dts-trust.grant.declared').map((e) => e.data.outcome)).toEqual(['declared']);
  });
});

describe('processTicketMessage: the live-account preflight', () => {
  const failed = {
    problems: [
      {
        code: 'RoleNameIsUser',
        field: 'message.body.relationship.source.roleName',
        message: '"ram-for-dts" is the name of a RAM user',
        fix: 'give the name of a RAM role',
      },
    ],
    unchecked: [],
  };

  it('rejects a declaration whose preflight fails, audits it with the code, stores and reconciles nothing', async () => {
    const { deps, grants, audit, reconciled } = setup({ preflight: { check: async () => failed } });
    const result = await processTicketMessage(message(body()), deps);
    expect(result).toMatchObject({ outcome: 'rejected', codes: ['RoleNameIsUser'] });
    expect(await grants.getGrant(KEY)).toBeUndefined();
    expect(reconciled).toEqual([]);
    expect(audit.ofType('dts-trust.grant.rejected')[0]?.data.codes).toEqual(['RoleNameIsUser']);
    expect((await processTicketMessage(message(body()), deps)).outcome).toBe('duplicate');
  });

  it('asks the preflight only after the rules, so a ticket the rules refuse reads no account', async () => {
    let asked = 0;
    const { deps } = setup({
      preflight: {
        check: async () => {
          asked += 1;
          return { problems: [], unchecked: [] };
        },
      },
    });
    const bad = body();
    await processTicketMessage(message({ ...bad, relationship: { ...bad.relationship, policies: ['X'] } }), deps);
    expect(asked).toBe(0);
  });

  it('declares with the questions it could not answer reported on the result and the declaration event', async () => {
    const unchecked = [
      {
        accountId: TRUSTED,
        check: 'dtsAuthorized' as const,
        name: 'AliyunDTSDefaultRole',
        reason: 'ManagementRoleNotFound',
      },
    ];
    const { deps, audit } = setup({ preflight: { check: async () => ({ problems: [], unchecked }) } });
    const result = await processTicketMessage(message(body()), deps);
    expect(result).toMatchObject({ outcome: 'declared', unchecked });
    expect(audit.ofType('dts-trust.grant.declared')[0]?.data.detail).toEqual({ preflightUnchecked: unchecked });
  });

  it('asks for a redelivery when an account cannot be reached, and stores nothing', async () => {
    const { deps, grants } = setup({
      preflight: {
        check: async () => {
          throw cloudError(CloudErrorKind.Throttled, 'Throttling.User', 'ram:GetRole', 400);
        },
      },
    });
    expect((await processTicketMessage(message(body()), deps)).outcome).toBe('retry');
    expect(await grants.getGrant(KEY)).toBeUndefined();
  });

  it('does not run the preflight for a revoke: removing access needs no prerequisite', async () => {
    const { deps } = setup({ preflight: { check: async () => failed } });
    expect((await processTicketMessage(message(body({ action: 'revoke' })), deps)).outcome).toBe('revoked');
  });
});

describe('processTicketMessage: all or nothing per ticket', () => {
  const both = () =>
    body({
      relationship: {
        ...body().relationship,
        scenario: 'both',
        source: { ...body().relationship.source, accountId: OWNER },
        destination: { ...body().relationship.destination, accountId: OWNER_B },
        taskAccountId: TRUSTED,
      },
    });

  it('completes a half-stored two-grant declaration redelivered after the replay window', async () => {
    let now = NOW;
    const { deps, grants } = setup({ clock: { now: () => now } });
    let puts = 0;
    const put = grants.putGrant.bind(grants);
    grants.putGrant = async (g, rev) => {
      puts += 1;
      if (puts === 2) throw cloudError(CloudErrorKind.Unavailable, 'OTSServerBusy', 'ots:PutRow', 503);
      return put(g, rev);
    };
    expect((await processTicketMessage(message(both()), deps)).outcome).toBe('retry');
    expect(
      await grants.getGrant({ ownerAccountId: OWNER_B, roleName: 'ram-for-dts', trustedAccountId: TRUSTED }),
    ).toBeUndefined();
    now = new Date(NOW.getTime() + 3600_000);
    const again = await processTicketMessage(message(both()), deps);
    expect(again.outcome).toBe('declared');
    expect(
      await grants.getGrant({ ownerAccountId: OWNER, roleName: 'ram-for-dts', trustedAccountId: TRUSTED }),
    ).toBeDefined();
    expect(
      await grants.getGrant({ ownerAccountId: OWNER_B, roleName: 'ram-for-dts', trustedAccountId: TRUSTED }),
    ).toBeDefined();
  });

  it('completes a half-applied revoke and reports grant.revoked only for rows that are gone', async () => {
    const { deps, grants, audit } = setup();
    await processTicketMessage(message(both()), deps);
    let deletes = 0;
    const del = grants.deleteGrant.bind(grants);
    grants.deleteGrant = async (k) => {
      deletes += 1;
      if (deletes === 2) throw cloudError(CloudErrorKind.Unavailable, 'OTSServerBusy', 'ots:DeleteRow', 503);
      return del(k);
    };
    const revoke = message({ ...both(), id: 'msg-00000009', action: 'revoke' });
    expect((await processTicketMessage(revoke, deps)).outcome).toBe('retry');
    const revoked = audit.ofType('dts-trust.grant.revoked');
    expect(revoked).toHaveLength(1);
    for (const e of revoked) {
      const [owner, role, trusted] = (e.data.grantIds?.[0] ?? '').split('/');
      expect(
        await grants.getGrant({ ownerAccountId: owner!, roleName: role!, trustedAccountId: trusted! }),
      ).toBeUndefined();
    }
    expect((await processTicketMessage(revoke, deps)).outcome).toBe('revoked');
    let left = 0;
    for await (const _ of grants.listManagedRoles()) left += 1;
    expect(left).toBe(0);
  });

  it('refuses an old message the ledger never accepted as replayed, and stores nothing for it', async () => {
    const { deps, ledger } = setup();
    const result = await processTicketMessage(message(body({ issuedAt: '2026-11-23T09:00:00Z' })), deps);
    expect(result.codes).toEqual(['TicketReplayed']);
    expect(ledger.rows.size).toBe(0);
  });
});

describe('processTicketMessage: identity', () => {
  it('keeps key ids that contain ":" apart from the message ids they would collide with', async () => {
    const { deps, grants } = setup({
      ticketSystems: {
        jira: { keys: { a: 'secret-a', 'a:b': 'secret-ab' }, administrator: false, adoptRoleNames: [] },
      },
    });
    const first = await processTicketMessage(message(body({ id: 'b:msg-0001' }), 'a', 'secret-a'), deps);
    const second = await processTicketMessage(
      message(body({ id: 'msg-0001', relationship: { ...body().relationship, mode: 'observe' } }), 'a:b', 'secret-ab'),
      deps,
    );
    expect([first.outcome, second.outcome]).toEqual(['declared', 'declared']);
    expect((await grants.getGrant(KEY))?.mode).toBe('observe');
  });

  it('rejects and audits a different body under an id already processed', async () => {
    const { deps, audit } = setup();
    await processTicketMessage(message(body()), deps);
    const reused = await processTicketMessage(message(body({ action: 'revoke' })), deps);
    expect(reused.outcome).toBe('rejected');
    expect(reused.codes).toEqual(['TicketIdReused']);
    expect(audit.ofType('dts-trust.grant.rejected').map((e) => e.data.codes)).toEqual([['TicketIdReused']]);
  });

  it('refuses a role name that differs only in case from a managed role of the same owner', async () => {
    const { deps } = setup();
    await processTicketMessage(message(body()), deps);
    const other = body({
      id: 'msg-00000002',
      relationship: { ...body().relationship, source: { ...body().relationship.source, roleName: 'RAM-for-DTS' } },
    });
    const result = await processTicketMessage(message(other), deps);
    expect(result.codes).toEqual(['RoleNameCaseConflict']);
  });

  it('records which message and key wrote a grant', async () => {
    const { deps, grants } = setup();
    await processTicketMessage(message(body()), deps);
    expect((await grants.getGrant(KEY))?.origin).toEqual({ system: 'jira', keyId: 'jira', messageId: 'msg-00000001' });
  });
});

describe('processTicketMessage: strict time and lifetime', () => {
  it.each([
    ['an offset of +99:99', '2026-11-23T10:00:00+99:99'],
    ['an offset of +00:60', '2026-11-23T10:00:00+00:60'],
    ['February 30', '2026-02-30T10:00:00Z'],
    ['hour 24', '2026-11-23T24:00:00Z'],
  ])('rejects an issuedAt with %s', async (_name, issuedAt) => {
    const { deps, grants } = setup();
    const result = await processTicketMessage(message(body({ issuedAt })), deps);
    expect(result.outcome).toBe('rejected');
    expect(result.problems?.map((p) => p.field)).toEqual(['message.body.issuedAt']);
    expect(await grants.getGrant(KEY)).toBeUndefined();
  });

  it.each([['+99:99'], ['+00:60']])(
    'rejects an expiresAt with an offset of %s instead of skipping it',
    async (offset) => {
      const { deps } = setup();
      const result = await processTicketMessage(message(body({ expiresAt: `2026-12-01T00:00:00${offset}` })), deps);
      expect(result.outcome).toBe('rejected');
      expect(result.problems?.map((p) => p.field)).toEqual(['message.body.expiresAt']);
    },
  );

  it('gives a grant without expiresAt the maximum lifetime from issuedAt', async () => {
    const { deps, grants } = setup();
    await processTicketMessage(message(body()), deps);
    expect((await grants.getGrant(KEY))?.expiresAt).toBe('2027-02-21T10:00:00.000Z');
  });

  it('refuses an expiresAt beyond the maximum lifetime', async () => {
    const { deps } = setup({ guardrails: { ...guardrails, maxGrantDays: 7 } });
    const result = await processTicketMessage(message(body({ expiresAt: '2026-12-01T10:00:01Z' })), deps);
    expect(result.codes).toEqual(['GrantLifetimeTooLong']);
  });
});

describe('processTicketMessage: grants that name their DTS jobs', () => {
  const withJobs = (dtsJobIds: unknown, over: Record<string, unknown> = {}) =>
    body({ relationship: { ...body().relationship, dtsJobIds, ...over } as GrantTicketBody['relationship'] });

  it('stores the jobs on the grant, sorted and unique, within the maximum lifetime from issuedAt', async () => {
    const { deps, grants } = setup();
    const result = await processTicketMessage(message(withJobs(['dtsorders02', 'dtsorders01', 'dtsorders02'])), deps);
    expect(result.outcome).toBe('declared');
    expect(await grants.getGrant(KEY)).toMatchObject({
      dtsJobIds: ['dtsorders01', 'dtsorders02'],
      expiresAt: '2027-02-21T10:00:00.000Z',
    });
  });

  it.each([
    ['an empty list', []],
    ['an id with a space', ['dts orders']],
    ['eleven jobs', Array.from({ length: 11 }, (_, i) => `dtsorders${String(i).padStart(2, '0')}`)],
  ])('rejects %s, naming the field, and stores nothing', async (_name, dtsJobIds) => {
    const { deps, grants } = setup();
    const result = await processTicketMessage(message(withJobs(dtsJobIds)), deps);
    expect(result.outcome).toBe('rejected');
    expect(result.problems?.map((p) => p.field)).toEqual([
      expect.stringMatching(/^message\.body\.relationship\.dtsJobIds/),
    ]);
    expect(await grants.getGrant(KEY)).toBeUndefined();
  });
});

describe('processTicketMessage: roles no ticket may declare', () => {
  it('rejects an external ID on an Alibaba Cloud DTS grant with its code', async () => {
    const { deps } = setup();
    const result = await processTicketMessage(
      message(body({ relationship: { ...body().relationship, externalId: 'ext-1234' } })),
      deps,
    );
    expect(result.codes).toEqual(['ExternalIdNotSupported']);
  });

  it.each([['dts-trust-manager'], ['DTS-Trust-Manager']])(
    'rejects the management role %s, adopt or not',
    async (roleName) => {
      const { deps } = setup();
      const result = await processTicketMessage(
        message(
          body({
            relationship: { ...body().relationship, adopt: true, source: { ...body().relationship.source, roleName } },
          }),
        ),
        deps,
      );
      expect(result.codes).toContain('RoleProtected');
    },
  );
});

describe('processTicketBatch', () => {
  it('gives every message its own outcome when one of them makes the handling throw', async () => {
    const { deps, audit } = setup();
    audit.failWhen((e) => e.type === 'dts-trust.grant.rejected');
    const results = await processTicketBatch(
      [
        { index: 0, messageId: 'a', body: '[' },
        { ...message(body()), index: 1, messageId: 'b' },
      ],
      deps,
    );
    expect(results.map((r) => r.outcome)).toEqual(['retry', 'declared']);
  });

  it('rejects an unsigned, deeply nested 8 KB body with a code and still processes the rest', async () => {
    const { deps } = setup();
    const nested = `${'['.repeat(4000)}${']'.repeat(4000)}`;
    const results = await processTicketBatch(
      [
        { index: 0, messageId: 'a', body: nested },
        { ...message(body()), index: 1, messageId: 'b' },
      ],
      deps,
    );
    expect(results.map((r) => r.outcome)).toEqual(['rejected', 'declared']);
    expect(results[0]?.codes).toEqual(['MessageTooDeep']);
  });
});
