import { describe, expect, it } from 'vitest';
import { GrantSchema } from '../../../shared/domain/grant.js';
import { revokeSystem } from '../../../shared/intake/revoke-system.js';
import { MemoryAuditLog, MemoryGrantStore } from '../../support/memory-stores.js';

const OWNER = '1437508826153950';
const grant = (roleName: string, trusted: string, system: string, withOrigin = true) =>
  GrantSchema.parse({
    ownerAccountId: OWNER,
    roleName,
    trustedAccountId: trusted,
    ticket: { system, id: 'T-1', requester: 'ana', approver: 'ben' },
    ...(withOrigin ? { origin: { system, keyId: `${system}-key`, messageId: `${roleName}-${trusted}` } } : {}),
  });

function world() {
  const grants = new MemoryGrantStore([
    grant('rogue-role', '1111111111111111', 'rogue'),
    grant('shared-role', '1111111111111111', 'rogue'),
    grant('shared-role', '2222222222222222', 'jira'),
    grant('old-role', '3333333333333333', 'rogue', false),
  ]);
  const audit = new MemoryAuditLog();
  const reconciled: string[] = [];
  let n = 0;
  const deps = {
    grants,
    audit,
    clock: { now: () => new Date('2026-11-23T10:00:00Z') },
    reconcileRole: async (role: { ownerAccountId: string; roleName: string }) => {
      reconciled.push(role.roleName);
      return { role, outcome: 'repaired' as const };
    },
    newId: () => {
      n += 1;
      return `id-${n}`;
    },
  };
  return { grants, audit, reconciled, deps };
}

describe('revokeSystem', () => {
  it('removes every grant the system owns, rows of earlier releases included, and reconciles each role', async () => {
    const { grants, reconciled, deps } = world();
    const result = await revokeSystem('rogue', deps, 'c-1');
    expect([...result.revoked].sort()).toEqual([
      `${OWNER}/old-role/3333333333333333`,
      `${OWNER}/rogue-role/1111111111111111`,
      `${OWNER}/shared-role/1111111111111111`,
    ]);
    expect(reconciled.sort()).toEqual(['old-role', 'rogue-role', 'shared-role']);
    expect(await grants.listGrantsForRole({ ownerAccountId: OWNER, roleName: 'shared-role' })).toHaveLength(1);
  });

  it('records each grant.revoked only after its row is gone', async () => {
    const { grants, audit, deps } = world();
    const seen: boolean[] = [];
    const record = audit.record.bind(audit);
    audit.record = async (event) => {
      const [owner, role, trusted] = (event.data.grantIds?.[0] ?? '').split('/');
      seen.push(
        (await grants.getGrant({ ownerAccountId: owner!, roleName: role!, trustedAccountId: trusted! })) === undefined,
      );
      return record(event);
    };
    await revokeSystem('rogue', deps, 'c-1');
    expect(seen).toEqual([true, true, true]);
    expect(audit.ofType('dts-trust.grant.revoked').every((e) => e.data.detail?.reason === 'revoke-system')).toBe(true);
  });

  it('finds nothing the second time', async () => {
    const { deps } = world();
    await revokeSystem('rogue', deps, 'c-1');
    expect((await revokeSystem('rogue', deps, 'c-2')).revoked).toEqual([]);
  });
});
