import { describe, expect, it } from 'vitest';
import { CloudApiError, CloudErrorKind } from '../../../shared/domain/errors.js';
import type { FindingData } from '../../../shared/domain/finding.js';
import type { Grant } from '../../../shared/domain/grant.js';
import { accountsLosingDtsAccess } from '../../../shared/reconcile/dts-jobs.js';
import { createReconciler } from '../../../shared/reconcile/reconciler.js';
import { MemoryDtsJobs } from '../../support/memory-dts-jobs.js';
import { grant, memoryPorts, OWNER, putOwnedRole, ROLE, SECOND, TRUSTED, trustText } from './fixtures.js';

function engine(grants: Grant[]) {
  const ports = memoryPorts(grants);
  const dtsJobs = new MemoryDtsJobs();
  let ids = 0;
  const reconciler = createReconciler({
    ...ports,
    dtsJobs,
    options: { ramCallsPerSecond: 1000, newId: () => `e${++ids}` },
  });
  return { ...ports, dtsJobs, reconciler };
}

const broken = (audit: { ofType(type: string): { data: unknown; subject: string }[] }) =>
  audit.ofType('dts-trust.finding.dts-jobs-broken-by-removal');

describe('a removal that breaks DTS jobs', () => {
  it('looks up the jobs of a revoked account first, reports the live one it breaks, then deletes the role', async () => {
    const { reconciler, directory, dtsJobs, audit, journal } = engine([]);
    putOwnedRole(directory);
    dtsJobs.addJob(TRUSTED, { dtsJobId: 'dtsorders01', ownerAccountId: OWNER, roleName: ROLE.roleName });
    dtsJobs.addJob(TRUSTED, { dtsJobId: 'dtsother001', ownerAccountId: OWNER, roleName: 'another-role' });
    expect((await reconciler.reconcileRole(ROLE, { correlationId: 'revoke' })).outcome).toBe('deleted');
    expect(directory.role(OWNER, ROLE.roleName)).toBeUndefined();
    const [finding, ...more] = broken(audit);
    expect(more).toEqual([]);
    expect(finding?.subject).toBe(`acs:ram::${OWNER}:role/ram-for-dts`);
    const data = finding?.data as FindingData;
    expect(data).toMatchObject({ severity: 'high', summary: expect.stringContaining('being deleted') });
    expect(data.evidence['jobs']).toEqual([
      expect.objectContaining({ dtsJobId: 'dtsorders01', taskAccountId: TRUSTED, side: 'source', status: 'Migrating' }),
    ]);
    // The finding comes before the first RAM write of the removal.
    const findingAt = journal.indexOf('audit:dts-trust.finding.dts-jobs-broken-by-removal');
    expect(findingAt).toBeGreaterThanOrEqual(0);
    expect(findingAt).toBeLessThan(journal.findIndex((j) => j === 'ram:detachPolicy' || j === 'ram:deleteRole'));
    // The record of the deletion itself says which jobs it breaks.
    const deletion = audit
      .ofType('dts-trust.change.planned')
      .find((e) => (e.data.detail as { action: string }).action.startsWith('delete role'));
    expect(deletion?.data.detail).toMatchObject({
      dtsJobs: { accountsLosingAccess: [TRUSTED], breaks: ['dtsorders01'], findingId: data.findingId },
    });
  });

  it('names only the jobs of the account a narrowed trust takes out, not those of the account it keeps', async () => {
    const { reconciler, directory, dtsJobs, audit } = engine([grant()]);
    putOwnedRole(directory, [TRUSTED, SECOND]);
    dtsJobs.addJob(TRUSTED, { dtsJobId: 'dtskept0001', ownerAccountId: OWNER, roleName: ROLE.roleName });
    dtsJobs.addJob(SECOND, { dtsJobId: 'dtsgone0001', ownerAccountId: OWNER, roleName: 'RAM-FOR-DTS' });
    expect((await reconciler.reconcileAll({ correlationId: 'run' })).outcomes).toEqual({ repaired: 1 });
    expect(directory.role(OWNER, ROLE.roleName)?.trustPolicy).toBe(trustText([TRUSTED]));
    expect(dtsJobs.listings).toEqual([SECOND]);
    const data = broken(audit)[0]?.data as FindingData;
    expect(data.summary).toContain('being narrowed');
    expect((data.evidence['jobs'] as { dtsJobId: string }[]).map((j) => j.dtsJobId)).toEqual(['dtsgone0001']);
  });

  it('raises nothing for jobs that finished, and still records the accounts it looked at on the removal', async () => {
    const { reconciler, directory, dtsJobs, audit } = engine([]);
    putOwnedRole(directory);
    dtsJobs.addJob(TRUSTED, {
      dtsJobId: 'dtsdone0001',
      ownerAccountId: OWNER,
      roleName: ROLE.roleName,
      status: 'Finished',
    });
    await reconciler.reconcileRole(ROLE, { correlationId: 'revoke' });
    expect(broken(audit)).toEqual([]);
    const details = audit.ofType('dts-trust.change.planned').map((e) => e.data.detail as Record<string, unknown>);
    expect(details.find((d) => d['dtsJobs'] !== undefined)?.['dtsJobs']).toEqual({
      accountsLosingAccess: [TRUSTED],
      breaks: [],
    });
  });

  it('makes the removal when the jobs cannot be listed, and says so on the removal record', async () => {
    const { reconciler, directory, dtsJobs, audit } = engine([]);
    putOwnedRole(directory);
    dtsJobs.fail(
      TRUSTED,
      new CloudApiError({
        api: 'sts:AssumeRole',
        code: 'ManagementRoleNotFound',
        kind: CloudErrorKind.NoPermission,
        message: 'no management role in the task account',
      }),
    );
    expect((await reconciler.reconcileRole(ROLE, { correlationId: 'revoke' })).outcome).toBe('deleted');
    expect(directory.role(OWNER, ROLE.roleName)).toBeUndefined();
    expect(broken(audit)).toEqual([]);
    const details = audit.ofType('dts-trust.change.planned').map((e) => e.data.detail as Record<string, unknown>);
    expect(details.find((d) => d['dtsJobs'] !== undefined)?.['dtsJobs']).toMatchObject({
      breaks: [],
      unlisted: [{ accountId: TRUSTED, code: 'ManagementRoleNotFound' }],
    });
  });

  it("lists each task account's jobs once per run, however many of its roles are removed", async () => {
    const second = { ownerAccountId: OWNER, roleName: 'ram-for-dts-2' };
    const expired = '2029-12-31T00:00:00Z';
    const { reconciler, directory, dtsJobs } = engine([
      grant({ expiresAt: expired }),
      grant({ roleName: second.roleName, expiresAt: expired }),
    ]);
    putOwnedRole(directory);
    putOwnedRole(directory, [TRUSTED], second);
    expect((await reconciler.reconcileAll({ correlationId: 'run' })).outcomes).toEqual({ deleted: 2 });
    expect(dtsJobs.listings).toEqual([TRUSTED]);
  });

  it('looks up no DTS job when nothing is removed', async () => {
    const { reconciler, directory, dtsJobs } = engine([grant(), grant({ roleName: 'fresh-role' })]);
    putOwnedRole(directory);
    await reconciler.reconcileAll({ correlationId: 'steady-and-create' });
    await reconciler.reconcileAll({ correlationId: 'steady' });
    expect(dtsJobs.listings).toEqual([]);
  });
});

describe('accountsLosingDtsAccess', () => {
  it('takes every account a deleted role let in, and only the accounts a trust update takes out', () => {
    const both = trustText([TRUSTED, SECOND]);
    const one = trustText([TRUSTED]);
    expect(accountsLosingDtsAccess([{ kind: 'deleteRole', before: { trustPolicy: both, policies: [] } }])).toEqual(
      [TRUSTED, SECOND].sort(),
    );
    expect(accountsLosingDtsAccess([{ kind: 'updateTrust', change: 'narrow', before: both, after: one }])).toEqual([
      SECOND,
    ]);
    expect(accountsLosingDtsAccess([{ kind: 'updateTrust', change: 'widen', before: one, after: both }])).toEqual([]);
  });
});
