import { describe, expect, it } from 'vitest';
import type { Grant } from '../../../shared/domain/grant.js';
import { createReconciler } from '../../../shared/reconcile/reconciler.js';
import { MemoryDtsJobs } from '../../support/memory-dts-jobs.js';
import { grant, memoryPorts, OWNER, putOwnedRole, ROLE, SECOND, TRUSTED, trustText } from './fixtures.js';

const JOB = 'dtsorders001';
const REVERSE = 'dtsreverse01';

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

/** A role trusting TRUSTED (for job JOB, with a date far ahead) and SECOND (by date), as created. */
function world(jobs: string[] = [JOB]) {
  const w = engine([
    grant({ dtsJobIds: jobs, expiresAt: '2030-03-01T00:00:00Z' }),
    grant({ trustedAccountId: SECOND }),
  ]);
  putOwnedRole(w.directory, [SECOND, TRUSTED]);
  for (const dtsJobId of jobs) w.dtsJobs.addJob(TRUSTED, { dtsJobId, ownerAccountId: OWNER, roleName: ROLE.roleName });
  return w;
}

const timerRun = (w: ReturnType<typeof engine>, correlationId: string) =>
  w.reconciler.reconcileAll({ correlationId, expireGrants: true });

describe('a grant that names its DTS jobs', () => {
  it('keeps its account trusted while the job runs', async () => {
    const w = world();
    expect((await timerRun(w, 'running')).outcomes).toEqual({ inSync: 1 });
    expect(await w.grants.listGrantsForRole(ROLE)).toHaveLength(2);
    expect(w.dtsJobs.listings).toEqual([TRUSTED]);
  });

  it('ends once its job finished: the account leaves the role and the grant is expired with its event', async () => {
    const w = world();
    w.dtsJobs.setStatus(TRUSTED, JOB, 'Finished');
    const run = await timerRun(w, 'finished');
    expect(run.outcomes).toEqual({ repaired: 1 });
    expect(run.expiredGrants).toBe(1);
    expect(w.directory.role(OWNER, ROLE.roleName)?.trustPolicy).toBe(trustText([SECOND]));
    expect((await w.grants.listGrantsForRole(ROLE)).map((g) => g.trustedAccountId)).toEqual([SECOND]);
    const [expired, ...more] = w.audit.ofType('dts-trust.grant.expired');
    expect(more).toEqual([]);
    expect(expired?.data).toMatchObject({
      outcome: 'expired',
      grantIds: [`${OWNER}/${ROLE.roleName}/${TRUSTED}`],
      detail: { endedWith: 'dtsJobs', dtsJobs: [{ dtsJobId: JOB, status: 'Finished' }] },
    });
    // The account's DTS access was removed before the grant row went, as for a date expiry.
    const types = w.audit.events.map((e) => e.type);
    expect(types.indexOf('dts-trust.role.repaired')).toBeLessThan(types.indexOf('dts-trust.grant.expired'));
  });

  it('ends once its job was released (no longer listed)', async () => {
    const w = world();
    w.dtsJobs.release(TRUSTED, JOB);
    expect((await timerRun(w, 'released')).expiredGrants).toBe(1);
    expect(w.audit.ofType('dts-trust.grant.expired')[0]?.data.detail).toMatchObject({
      dtsJobs: [{ dtsJobId: JOB, status: 'Released' }],
    });
  });

  it('lasts while any one of its jobs still runs', async () => {
    const w = world([JOB, REVERSE]);
    w.dtsJobs.setStatus(TRUSTED, JOB, 'Finished');
    expect((await timerRun(w, 'one-left')).outcomes).toEqual({ inSync: 1 });
    w.dtsJobs.release(TRUSTED, REVERSE);
    expect((await timerRun(w, 'none-left')).expiredGrants).toBe(1);
  });

  it('stays when its jobs cannot be listed, and still ends by its date', async () => {
    const w = world();
    w.dtsJobs.fail(TRUSTED, new Error('no management role in the task account'));
    expect((await timerRun(w, 'unlisted')).outcomes).toEqual({ inSync: 1 });
    expect(await w.grants.listGrantsForRole(ROLE)).toHaveLength(2);
    w.clock.advance(90 * 24 * 3600_000);
    expect((await timerRun(w, 'dated')).expiredGrants).toBe(1);
  });

  it('takes the account away in a run that expires no grant too, leaving the row for the timer', async () => {
    const w = world();
    w.dtsJobs.setStatus(TRUSTED, JOB, 'Finished');
    expect((await w.reconciler.reconcileRole(ROLE, { correlationId: 'intake' })).outcome).toBe('repaired');
    expect(w.directory.role(OWNER, ROLE.roleName)?.trustPolicy).toBe(trustText([SECOND]));
    expect(await w.grants.listGrantsForRole(ROLE)).toHaveLength(2);
  });

  it('lists each task account once per run, whatever number of grants name its jobs, and none for grants that name none', async () => {
    const other = { ownerAccountId: OWNER, roleName: 'ram-for-dts-2' };
    const w = engine([
      grant({ dtsJobIds: [JOB] }),
      grant({ roleName: other.roleName, dtsJobIds: [REVERSE] }),
      grant({ roleName: 'dated-only', trustedAccountId: SECOND }),
    ]);
    putOwnedRole(w.directory);
    putOwnedRole(w.directory, [TRUSTED], other);
    putOwnedRole(w.directory, [SECOND], { ownerAccountId: OWNER, roleName: 'dated-only' });
    w.dtsJobs.addJob(TRUSTED, { dtsJobId: JOB, ownerAccountId: OWNER, roleName: ROLE.roleName });
    w.dtsJobs.addJob(TRUSTED, { dtsJobId: REVERSE, ownerAccountId: OWNER, roleName: other.roleName });
    expect((await timerRun(w, 'run')).outcomes).toEqual({ inSync: 3 });
    expect(w.dtsJobs.listings).toEqual([TRUSTED]);
  });
});
