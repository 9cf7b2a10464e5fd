import { describe, expect, it } from 'vitest';
import type { DesiredRole } from '../../../shared/domain/desired-role.js';
import { ownedRoleDescription } from '../../../shared/domain/ownership.js';
import { applyRolePlan, type ExecutorDeps } from '../../../shared/reconcile/apply.js';
import { observeRole } from '../../../shared/reconcile/observe.js';
import { planRoleChanges } from '../../../shared/reconcile/plan.js';
import { CloudErrors, cloudError } from '../../support/cloud-errors.js';
import { FakeClock, FixedRandom, SeededRandom } from '../../support/fake-clock.js';
import { MemoryRoleDirectory } from '../../support/memory-role-directory.js';
import { MemoryAuditLog } from '../../support/memory-stores.js';
import {
  credentials,
  DTS_POLICY,
  desired,
  grant,
  NOW,
  OWNER,
  putOwnedRole,
  ROLE,
  STRANGER,
  TRUSTED,
  trustText,
} from './fixtures.js';

function setup(retry: ExecutorDeps['retry'] = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 }) {
  const journal: string[] = [];
  const clock = new FakeClock(NOW);
  const directory = new MemoryRoleDirectory({ journal });
  const audit = new MemoryAuditLog(journal);
  let ids = 0;
  const deps: ExecutorDeps = {
    directory,
    audit,
    clock,
    random: new SeededRandom(3),
    retry,
    newId: () => `event-${++ids}`,
  };
  const run = async (want: DesiredRole | undefined) => {
    const observation = await observeRole(directory, credentials(), ROLE, want);
    directory.resetCalls();
    journal.length = 0;
    const plan = planRoleChanges(want, observation);
    return applyRolePlan(plan, deps, credentials(), { correlationId: 'run-1', observedHash: observation.hash });
  };
  return { journal, clock, directory, audit, deps, run };
}

describe('applyRolePlan', () => {
  it('creates a missing role and attaches its policy, recording an audit event before each change', async () => {
    const { run, directory, journal, audit } = setup();
    const result = await run(desired());
    expect(result.outcome).toBe('created');
    expect(directory.role(OWNER, ROLE.roleName)?.policies).toEqual([DTS_POLICY]);
    expect(journal).toEqual([
      'audit:dts-trust.change.planned',
      'ram:createRole',
      'audit:dts-trust.change.planned',
      'ram:attachPolicy',
      'audit:dts-trust.role.created',
    ]);
    expect(result.auditEvents).toEqual(audit.events);
  });

  it('shapes audit events as CloudEvents about the role, with the correlation id, grants, ticket and before/after', async () => {
    const { run } = setup();
    const { auditEvents } = await run(desired());
    expect(auditEvents[0]).toMatchObject({
      id: 'event-1',
      source: 'dts-trust',
      type: 'dts-trust.change.planned',
      subject: `acs:ram::${OWNER}:role/ram-for-dts`,
      time: NOW.toISOString(),
      data: {
        correlationId: 'run-1',
        outcome: 'createRole',
        grantIds: [`${OWNER}/ram-for-dts/${TRUSTED}`],
        ticket: { system: 'jira', id: 'DTS-7' },
        before: null,
        after: { trustPolicy: trustText([TRUSTED]) },
      },
    });
  });

  it('repairs trust drift and reports the semantic diff', async () => {
    const { run, directory, audit } = setup();
    putOwnedRole(directory, [TRUSTED, STRANGER]);
    const result = await run(desired());
    expect(result.outcome).toBe('repaired');
    expect(directory.role(OWNER, ROLE.roleName)?.trustPolicy).toBe(trustText([TRUSTED]));
    const planned = audit.ofType('dts-trust.change.planned')[0];
    expect(planned?.data.before).toEqual({ trustPolicy: trustText([TRUSTED, STRANGER]) });
    expect(planned?.data.diff).toMatchObject({ upToDate: false, toRemove: [{}, {}] });
  });

  it('does not make a change whose audit record fails, and stops there', async () => {
    const { run, directory, audit } = setup();
    audit.failWhen((e) => e.type === 'dts-trust.change.planned' && e.data.outcome === 'attachPolicy');
    const result = await run(desired());
    expect(result.outcome).toBe('failed');
    expect(result.error?.code).toBe('AuditRecordFailed');
    expect(directory.calls.map((c) => c.method)).toEqual(['createRole']);
    expect(directory.role(OWNER, ROLE.roleName)?.policies).toEqual([]);
  });

  it('makes no change at all when the outbox is down', async () => {
    const { run, directory, audit } = setup();
    audit.failWhen();
    const result = await run(desired());
    expect(result.outcome).toBe('failed');
    expect(directory.writes()).toEqual([]);
  });

  it('retries throttling with growing, jittered, capped delays through the clock', async () => {
    const { run, directory, clock } = setup({ maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 });
    directory.inject('createRole', CloudErrors.throttled(), { times: 3 });
    const result = await run(desired());
    expect(result.outcome).toBe('created');
    expect(directory.count('createRole')).toBe(4);
    const [first, second, third] = clock.sleeps as [number, number, number];
    expect(clock.sleeps).toHaveLength(3);
    expect(first).toBeGreaterThanOrEqual(50);
    expect(first).toBeLessThanOrEqual(100);
    expect(second).toBeGreaterThanOrEqual(100);
    expect(second).toBeLessThanOrEqual(200);
    expect(third).toBeGreaterThanOrEqual(125);
    expect(third).toBeLessThanOrEqual(250);
    expect(clock.millis - NOW.getTime()).toBe(first + second + third);
  });

  it('jitters: the same failure with another random source waits differently', async () => {
    const low = setup();
    const high = setup();
    for (const s of [low, high]) s.directory.inject('createRole', CloudErrors.throttled(), { times: 2 });
    await applyWith(low, new FixedRandom(0));
    await applyWith(high, new FixedRandom(0.999));
    expect(low.clock.sleeps).toEqual([50, 100]);
    expect(high.clock.sleeps).toEqual([100, 200]);
  });

  it('gives up after maxAttempts and fails the role with the throttling code', async () => {
    const { run, directory, clock } = setup({ maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 1000 });
    directory.inject('createRole', CloudErrors.throttled(), { times: 10 });
    const result = await run(desired());
    expect(result.outcome).toBe('failed');
    expect(result.error).toMatchObject({ code: 'Throttling.User' });
    expect(result.error?.accountLevel).toBeUndefined();
    expect(directory.count('createRole')).toBe(3);
    expect(clock.sleeps).toHaveLength(2);
  });

  it('retries 5xx answers', async () => {
    const { run, directory } = setup();
    directory.inject('updateTrustPolicy', CloudErrors.unavailable(), { times: 2 });
    putOwnedRole(directory, [STRANGER]);
    const result = await run(desired());
    expect(result.outcome).toBe('repaired');
    expect(directory.count('updateTrustPolicy')).toBe(3);
  });

  it('does not retry a request the service rejected as invalid', async () => {
    const { run, directory, clock } = setup();
    directory.inject('createRole', CloudErrors.invalid());
    const result = await run(desired());
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'InvalidParameter.RoleName' } });
    expect(clock.sleeps).toEqual([]);
  });

  it('treats detaching an absent policy and deleting an absent role as done', async () => {
    const { run, directory } = setup();
    putOwnedRole(directory);
    directory.inject('detachPolicy', cloudError('notFound', 'EntityNotExist.Role.Policy'));
    directory.inject('deleteRole', CloudErrors.roleNotFound());
    const result = await run(undefined);
    expect(result.outcome).toBe('deleted');
    expect(result.applied.map((a) => a.kind)).toEqual(['detachPolicy', 'deleteRole']);
  });

  it('deletes a role only after detaching its policies', async () => {
    const { run, directory } = setup();
    putOwnedRole(directory);
    const result = await run(undefined);
    expect(result.outcome).toBe('deleted');
    expect(directory.calls.map((c) => c.method)).toEqual(['detachPolicy', 'deleteRole']);
    expect(directory.role(OWNER, ROLE.roleName)).toBeUndefined();
  });

  it('reports a role that vanished during a repair, to be re-created on the next run', async () => {
    const { run, directory } = setup();
    putOwnedRole(directory, [STRANGER]);
    directory.inject('updateTrustPolicy', CloudErrors.roleNotFound());
    const result = await run(desired());
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'RoleVanished' } });
    expect(result.error?.message).toMatch(/next run re-creates it/);
  });

  it('marks NoPermission as terminal for the account', async () => {
    const { run, directory } = setup();
    directory.inject('createRole', CloudErrors.noPermission());
    const result = await run(desired());
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'NoPermission', accountLevel: true } });
    expect(directory.count('createRole')).toBe(1);
  });

  it('records a failure event after a failed change', async () => {
    const { run, directory, audit } = setup();
    directory.inject('createRole', CloudErrors.invalid());
    await run(desired());
    expect(audit.ofType('dts-trust.role.failed')[0]?.data).toMatchObject({
      outcome: 'failed',
      codes: ['InvalidParameter.RoleName'],
    });
  });

  it('adopts a foreign role by claiming the ownership marker before repairing it', async () => {
    const { run, directory } = setup();
    directory.putRole(OWNER, { roleName: ROLE.roleName, description: 'by hand', trustPolicy: trustText([TRUSTED]) });
    const result = await run(desired([grant({ adopt: true })]));
    expect(result.outcome).toBe('adopted');
    expect(directory.calls.map((c) => c.method)).toEqual(['updateDescription', 'attachPolicy']);
    expect(directory.role(OWNER, ROLE.roleName)?.description).toMatch(/^Managed by dts-trust/);
  });

  it('reports a conflict and changes nothing for a foreign role without adopt', async () => {
    const { run, directory, audit } = setup();
    directory.putRole(OWNER, { roleName: ROLE.roleName, description: 'by hand', trustPolicy: trustText([STRANGER]) });
    const result = await run(desired());
    expect(result.outcome).toBe('conflict');
    expect(directory.writes()).toEqual([]);
    expect(audit.ofType('dts-trust.role.conflict')[0]?.data.codes).toEqual(['RoleNotManaged']);
  });

  it('only reports the repairs of declared access an observe grant holds back', async () => {
    const { run, directory, audit } = setup();
    directory.putRole(OWNER, {
      roleName: ROLE.roleName,
      description: ownedRoleDescription(ROLE),
      trustPolicy: trustText([TRUSTED]),
    });
    const result = await run(desired([grant({ mode: 'observe' })]));
    expect(result.outcome).toBe('driftObserved');
    expect(result.applied).toEqual([]);
    expect(directory.writes()).toEqual([]);
    const [observed] = audit.ofType('dts-trust.role.drift-observed');
    expect(observed?.data.detail).toEqual({ planned: ['attach AliyunDTSRolePolicy (System)'] });
  });

  it('removes undeclared access under an observe grant and reports what it held back', async () => {
    const { run, directory, audit } = setup();
    directory.putRole(OWNER, {
      roleName: ROLE.roleName,
      description: ownedRoleDescription(ROLE),
      trustPolicy: trustText([TRUSTED, STRANGER]),
      policies: [{ policyName: 'AdministratorAccess', policyType: 'System' }],
    });
    const result = await run(desired([grant({ mode: 'observe' })]));
    expect(result.outcome).toBe('repaired');
    expect(directory.writes().map((c) => c.method)).toEqual(['updateTrustPolicy', 'detachPolicy']);
    expect(directory.role(OWNER, ROLE.roleName)).toMatchObject({ trustPolicy: trustText([TRUSTED]), policies: [] });
    const [repaired] = audit.ofType('dts-trust.role.repaired');
    expect(repaired?.data.detail).toMatchObject({
      hold: 'observe',
      heldBack: ['attach AliyunDTSRolePolicy (System)'],
    });
  });

  it('records the pause of paused grants and changes nothing they declare', async () => {
    const { run, directory, audit } = setup();
    putOwnedRole(directory);
    directory.role(OWNER, ROLE.roleName)?.policies.splice(0);
    const result = await run(desired([grant({ mode: 'paused' })]));
    expect(result.outcome).toBe('paused');
    expect(directory.writes()).toEqual([]);
    expect(audit.ofType('dts-trust.role.paused')[0]?.data.detail).toMatchObject({
      hold: 'paused',
      heldBack: ['attach AliyunDTSRolePolicy (System)'],
    });
  });

  it('stops at a failed removal, so nothing that adds access runs', async () => {
    const { run, directory, audit } = setup();
    directory.putRole(OWNER, {
      roleName: ROLE.roleName,
      description: 'made by hand',
      trustPolicy: trustText([STRANGER]),
      policies: [{ policyName: 'AdministratorAccess', policyType: 'System' }],
    });
    directory.inject('detachPolicy', CloudErrors.invalid());
    const result = await run(desired([grant({ adopt: true })]));
    expect(result.outcome).toBe('failed');
    expect(directory.writes().map((c) => c.method)).toEqual(['updateDescription', 'detachPolicy']);
    expect(directory.role(OWNER, ROLE.roleName)?.trustPolicy).toBe(trustText([STRANGER]));
    expect(audit.ofType('dts-trust.role.failed')[0]?.data.detail).toMatchObject({
      failedAction: 'detach AdministratorAccess (System) (no grant declares it)',
    });
  });

  it('stays quiet for a role in sync', async () => {
    const { run, directory, audit } = setup();
    putOwnedRole(directory);
    const result = await run(desired());
    expect(result).toMatchObject({ outcome: 'inSync', applied: [] });
    expect(audit.events).toEqual([]);
  });
});

async function applyWith(s: ReturnType<typeof setup>, random: FixedRandom) {
  const want = desired();
  const observation = await observeRole(s.directory, credentials(), ROLE, want);
  return applyRolePlan(planRoleChanges(want, observation), { ...s.deps, random }, credentials(), {
    correlationId: 'run-1',
  });
}
