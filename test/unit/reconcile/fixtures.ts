import { type DesiredRole, desiredRoleFromGrants } from '../../../shared/domain/desired-role.js';
import { type Grant, type GrantInput, GrantSchema, type RoleKey } from '../../../shared/domain/grant.js';
import { ownedRoleDescription } from '../../../shared/domain/ownership.js';
import { buildTrustPolicy, renderTrustPolicy } from '../../../shared/policy/index.js';
import type { AccountCredentials } from '../../../shared/ports.js';
import { FakeClock, SeededRandom } from '../../support/fake-clock.js';
import { MemoryRoleDirectory } from '../../support/memory-role-directory.js';
import { MemoryAuditLog, MemoryBroker, MemoryGrantStore, MemoryStatusStore } from '../../support/memory-stores.js';

/** The account that owns the role. */
export const OWNER = '1111111111111111';
/** A second owner account. */
export const OTHER_OWNER = '5555555555555555';
/** The account the grant trusts. */
export const TRUSTED = '2222222222222222';
/** A second trusted account. */
export const SECOND = '3333333333333333';
/** An account no grant declares. */
export const STRANGER = '9999999999999999';

export const ROLE: RoleKey = { ownerAccountId: OWNER, roleName: 'ram-for-dts' };
export const NOW = new Date('2030-01-01T00:00:00Z');
export const DTS_POLICY = { policyName: 'AliyunDTSRolePolicy', policyType: 'System' } as const;

export const credentials = (accountId = OWNER): AccountCredentials => ({
  accountId,
  accessKeyId: `STS.${accountId}`,
  accessKeySecret: 'secret',
  securityToken: 'token',
});

/** A parsed grant of ROLE trusting TRUSTED, overridden by `over`. */
export function grant(over: Partial<GrantInput> = {}): Grant {
  return GrantSchema.parse({
    ownerAccountId: OWNER,
    roleName: ROLE.roleName,
    trustedAccountId: TRUSTED,
    ticket: { system: 'jira', id: 'DTS-7', requester: 'alice', approver: 'bob' },
    ...over,
  });
}

/** The desired state of a role from grants (default: one enforce grant trusting TRUSTED). */
export function desired(grants: Grant[] = [grant()], role: RoleKey = ROLE): DesiredRole {
  const d = desiredRoleFromGrants(role, grants, NOW);
  if (!d) throw new Error('no active grant');
  return d;
}

/** The trust policy text dts-trust writes for these trusted accounts. */
export const trustText = (uids: string[], externalId?: string): string =>
  renderTrustPolicy(buildTrustPolicy(uids, externalId === undefined ? {} : { externalId }));

/** Put an owned, correct role for ROLE (trusting `uids`, with the DTS policy) into the directory. */
export function putOwnedRole(directory: MemoryRoleDirectory, uids: string[] = [TRUSTED], role: RoleKey = ROLE): void {
  directory.putRole(role.ownerAccountId, {
    roleName: role.roleName,
    description: ownedRoleDescription(role),
    trustPolicy: trustText(uids),
    policies: [{ ...DTS_POLICY }],
  });
}

/** A fresh set of in-memory ports. */
export function memoryPorts(grants: Grant[] = []) {
  const journal: string[] = [];
  const clock = new FakeClock(NOW);
  return {
    journal,
    clock,
    random: new SeededRandom(7),
    directory: new MemoryRoleDirectory({ clock, journal }),
    grants: new MemoryGrantStore(grants),
    status: new MemoryStatusStore(),
    audit: new MemoryAuditLog(journal),
    broker: new MemoryBroker(),
  };
}
