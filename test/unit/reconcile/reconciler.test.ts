import { describe, expect, it } from 'vitest';
import type { Grant } from '../../../shared/domain/grant.js';
import { expireGrants } from '../../../shared/reconcile/grant-expiry.js';
import { createReconciler, type ReconcilerOptions } from '../../../shared/reconcile/reconciler.js';
import { listRoleVisits } from '../../../shared/reconcile/role-visits.js';
import { CloudErrors } from '../../support/cloud-errors.js';
import { MemoryGrantStore } from '../../support/memory-stores.js';
import {
  grant,
  memoryPorts,
  OTHER_OWNER,
  OWNER,
  putOwnedRole,
  ROLE,
  SECOND,
  STRANGER,
  TRUSTED,
  trustText,
} from './fixtures.js';

const roleNames = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `dts-role-${String(i).padStart(3, '0')}`);

function grantsFor(owner: string, names: string[], over: Partial<Grant> = {}): Grant[] {
  return names.map((roleName) => grant({ ownerAccountId: owner, roleName, ...over }));
}

function engine(grants: Grant[], options: ReconcilerOptions = {}) {
  const ports = memoryPorts(grants);
  let ids = 0;
  const reconciler = createReconciler({
    ...ports,
    options: { ramCallsPerSecond: 1000, newId: () => `e${++ids}`, ...options },
  });
  return { ...ports, reconciler };
}

/** A grant store whose scans answer only once released (a Tablestore read still under way). */
class HeldScanStore extends MemoryGrantStore {
  #release: () => void = () => undefined;
  readonly #held = new Promise<void>((resolve) => {
    this.#release = resolve;
  });

  release(): void {
    this.#release();
  }

  override async *listRoleGrants(filter?: { ownerAccountId?: string }) {
    await this.#held;
    yield* super.listRoleGrants(filter);
  }
}

function heldScanEngine(grants: Grant[], options: ReconcilerOptions = {}) {
  const ports = memoryPorts();
  const store = new HeldScanStore(grants);
  const reconciler = createReconciler({
    ...ports,
    grants: store,
    options: { ramCallsPerSecond: 1000, ...options },
  });
  return { ...ports, grants: store, reconciler };
}

/** An engine whose role, created for a grant and a time-boxed one to SECOND, is then paused for flapping. */
async function flapPausedWithExpiringGrant() {
  const world = engine([grant(), grant({ trustedAccountId: SECOND, expiresAt: '2030-01-02T00:00:00Z' })]);
  await world.reconciler.reconcileAll({ correlationId: 'create' });
  const row = await world.status.getStatus(ROLE);
  await world.status.putStatus({ ...row!, pausedReason: 'flapping' }, row!.version);
  return world;
}

describe('createReconciler', () => {
  describe('reconcileRole', () => {
    it('creates a declared role and writes its status row', async () => {
      const { reconciler, directory, status } = engine([grant()]);
      const result = await reconciler.reconcileRole(ROLE, { correlationId: 'c1' });
      expect(result.outcome).toBe('created');
      expect(directory.role(OWNER, ROLE.roleName)).toBeDefined();
      expect(await status.getStatus(ROLE)).toMatchObject({ lastResult: 'created', failureCount: 0, version: 1 });
    });

    it('deletes an owned role whose grants all expired', async () => {
      const { reconciler, directory } = engine([grant({ expiresAt: '2029-01-01T00:00:00Z' })]);
      putOwnedRole(directory);
      const result = await reconciler.reconcileRole(ROLE, { correlationId: 'c1' });
      expect(result.outcome).toBe('deleted');
      expect(directory.role(OWNER, ROLE.roleName)).toBeUndefined();
    });

    it('observes a paused role and changes nothing its grants declare', async () => {
      const { reconciler, directory } = engine([grant({ mode: 'paused' })]);
      putOwnedRole(directory);
      directory.role(OWNER, ROLE.roleName)?.policies.splice(0);
      directory.resetCalls();
      const result = await reconciler.reconcileRole(ROLE, { correlationId: 'c1' });
      expect(result.outcome).toBe('paused');
      expect(directory.count('getRole')).toBe(1);
      expect(directory.writes()).toEqual([]);
    });

    it.each(['paused', 'observe'] as const)(
      'removes the account of a revoked grant while another grant of the role is %s',
      async (mode) => {
        const { reconciler, directory, grants } = engine([grant(), grant({ trustedAccountId: SECOND, mode })]);
        putOwnedRole(directory, [TRUSTED, SECOND]);
        await grants.deleteGrant(grant());
        const result = await reconciler.reconcileRole(ROLE, { correlationId: 'revoke' });
        expect(result.outcome).toBe('repaired');
        expect(directory.role(OWNER, ROLE.roleName)?.trustPolicy).toBe(trustText([SECOND]));
      },
    );

    it('re-reads the status row and retries once when another writer raced it', async () => {
      const { reconciler, status } = engine([grant()]);
      status.raceNext(1);
      await reconciler.reconcileRole(ROLE, { correlationId: 'c1' });
      expect(status.conflicts).toBe(1);
      expect(await status.getStatus(ROLE)).toMatchObject({ lastResult: 'created', version: 2 });
    });

    it('fails the role, not the caller, when the grant store is down', async () => {
      const { reconciler, grants, audit } = engine([grant()]);
      grants.listGrantsForRole = () => Promise.reject(new Error('store down'));
      const result = await reconciler.reconcileRole(ROLE, { correlationId: 'c1' });
      expect(result).toMatchObject({ outcome: 'failed', error: { code: 'InternalError', message: 'store down' } });
      expect(audit.ofType('dts-trust.role.failed')).toHaveLength(1);
    });
  });

  describe('reconcileAll', () => {
    it('calls credentialsFor once per owner account per run', async () => {
      const { reconciler, broker } = engine([
        ...grantsFor(OWNER, roleNames(5)),
        ...grantsFor(OTHER_OWNER, roleNames(3)),
      ]);
      const report = await reconciler.reconcileAll({ correlationId: 'run' });
      expect(report.roles).toBe(8);
      expect(report.outcomes).toEqual({ created: 8 });
      expect(broker.count(OWNER)).toBe(1);
      expect(broker.count(OTHER_OWNER)).toBe(1);
      expect(report.apiCalls.assumeRole).toBe(2);
    });

    it('costs exactly two RAM reads per role in steady state, and writes nothing', async () => {
      const { reconciler, directory } = engine(grantsFor(OWNER, roleNames(6)));
      await reconciler.reconcileAll({ correlationId: 'first' });
      directory.resetCalls();
      const report = await reconciler.reconcileAll({ correlationId: 'second' });
      expect(report.outcomes).toEqual({ inSync: 6 });
      expect(directory.count('getRole')).toBe(6);
      expect(directory.count('listAttachedPolicies')).toBe(6);
      expect(directory.writes()).toEqual([]);
      expect(report.apiCalls.ram).toBe(12);
    });

    it('repairs a hand-edited trust policy on the next run', async () => {
      const { reconciler, directory, audit } = engine([grant(), grant({ trustedAccountId: SECOND })]);
      await reconciler.reconcileAll({ correlationId: 'first' });
      const stored = directory.role(OWNER, ROLE.roleName);
      if (stored) stored.trustPolicy = stored.trustPolicy.replaceAll(SECOND, STRANGER);
      const report = await reconciler.reconcileAll({ correlationId: 'second' });
      expect(report.outcomes).toEqual({ repaired: 1 });
      expect(directory.role(OWNER, ROLE.roleName)?.trustPolicy).not.toContain(STRANGER);
      expect(audit.ofType('dts-trust.role.repaired')[0]?.data.correlationId).toBe('second');
    });

    it('fails every role of an account the broker cannot enter, with one account.failed event, and goes on', async () => {
      const { reconciler, broker, audit, directory } = engine([
        ...grantsFor(OWNER, roleNames(4)),
        ...grantsFor(OTHER_OWNER, roleNames(2)),
      ]);
      broker.fail(OWNER, CloudErrors.noPermission('sts:AssumeRole'));
      const report = await reconciler.reconcileAll({ correlationId: 'run' });
      expect(report.outcomes).toEqual({ failed: 4, created: 2 });
      expect(report.failedAccounts).toEqual([{ accountId: OWNER, code: 'NoPermission', message: expect.any(String) }]);
      expect(audit.ofType('dts-trust.account.failed')).toHaveLength(1);
      expect(broker.count(OWNER)).toBe(1);
      expect(directory.calls.filter((c) => c.accountId === OWNER)).toEqual([]);
    });

    it("enters a shard's first accounts while their scans are still read, each once", async () => {
      const { reconciler, broker, grants } = heldScanEngine(
        [
          ...grantsFor(OWNER, roleNames(2)),
          ...grantsFor(OTHER_OWNER, roleNames(2)),
          ...grantsFor(SECOND, roleNames(1)),
        ],
        { accountConcurrency: 2 },
      );
      const running = reconciler.reconcileAll({
        correlationId: 'shard',
        ownerAccountIds: [OWNER, OTHER_OWNER, SECOND],
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect([broker.count(OWNER), broker.count(OTHER_OWNER), broker.count(SECOND)]).toEqual([1, 1, 0]);
      grants.release();
      const report = await running;
      expect(report.outcomes).toEqual({ created: 5 });
      expect([broker.count(OWNER), broker.count(OTHER_OWNER), broker.count(SECOND)]).toEqual([1, 1, 1]);
      expect(report.apiCalls.assumeRole).toBe(3);
    });

    it('stops an account it could not enter ahead as any other: its roles fail, one account.failed event', async () => {
      const { reconciler, broker, grants, audit } = heldScanEngine([
        ...grantsFor(OWNER, roleNames(2)),
        ...grantsFor(OTHER_OWNER, roleNames(1)),
      ]);
      broker.fail(OWNER, CloudErrors.noPermission('sts:AssumeRole'));
      const running = reconciler.reconcileAll({ correlationId: 'shard', ownerAccountIds: [OWNER, OTHER_OWNER] });
      await new Promise((resolve) => setImmediate(resolve));
      grants.release();
      const report = await running;
      expect(report.outcomes).toEqual({ failed: 2, created: 1 });
      expect(audit.ofType('dts-trust.account.failed')).toHaveLength(1);
      expect(broker.count(OWNER)).toBe(1);
    });

    it('stops an account whose broker stays unavailable after retries', async () => {
      const { reconciler, broker, audit } = engine(
        [...grantsFor(OWNER, roleNames(3)), ...grantsFor(OTHER_OWNER, roleNames(1))],
        {
          retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 },
        },
      );
      broker.fail(OWNER, CloudErrors.unavailable('sts:AssumeRole'));
      const report = await reconciler.reconcileAll({ correlationId: 'run' });
      expect(report.outcomes).toEqual({ failed: 3, created: 1 });
      expect(broker.count(OWNER)).toBe(2);
      expect(report.failedAccounts.map((f) => f.code)).toEqual(['ServiceUnavailable']);
      expect(audit.ofType('dts-trust.account.failed')).toHaveLength(1);
    });

    it('stops an account after a RAM NoPermission and leaves its other roles untouched', async () => {
      const { reconciler, directory, audit } = engine(grantsFor(OWNER, roleNames(5)), { roleConcurrency: 1 });
      directory.inject('createRole', CloudErrors.noPermission('ram:CreateRole'));
      const report = await reconciler.reconcileAll({ correlationId: 'run' });
      expect(report.outcomes).toEqual({ failed: 5 });
      expect(directory.count('createRole')).toBe(1);
      expect(audit.ofType('dts-trust.account.failed')).toHaveLength(1);
    });

    it('fails one role while the others succeed', async () => {
      const names = roleNames(4);
      const { reconciler, directory, status } = engine(grantsFor(OWNER, names));
      directory.inject('createRole', CloudErrors.invalid(), { roleName: names[2]! });
      const report = await reconciler.reconcileAll({ correlationId: 'run' });
      expect(report.outcomes).toEqual({ created: 3, failed: 1 });
      const failed = report.results.find((r) => r.outcome === 'failed');
      expect(failed?.role.roleName).toBe(names[2]);
      expect(await status.getStatus({ ownerAccountId: OWNER, roleName: names[2] as string })).toMatchObject({
        lastResult: 'failed',
        failureCount: 1,
      });
    });

    it('defers a role whose failures have not backed off yet', async () => {
      const { reconciler, directory, clock } = engine([grant()], { status: { failureBackoffMs: 60_000 } });
      directory.inject('createRole', CloudErrors.invalid(), { times: 2 });
      await reconciler.reconcileAll({ correlationId: 'r1' });
      await reconciler.reconcileAll({ correlationId: 'r2' });
      expect((await reconciler.reconcileAll({ correlationId: 'r3' })).outcomes).toEqual({ deferred: 1 });
      clock.advance(60_000);
      expect((await reconciler.reconcileAll({ correlationId: 'r4' })).outcomes).toEqual({ created: 1 });
    });

    it('pauses the repairs of a role whose declared access keeps being taken, and resumes on an explicit reconcile', async () => {
      const { reconciler, directory, audit } = engine([grant()], { status: { flapLimit: 3 } });
      await reconciler.reconcileAll({ correlationId: 'create' });
      const detachByHand = () => directory.role(OWNER, ROLE.roleName)?.policies.splice(0);
      for (let i = 0; i < 3; i++) {
        detachByHand();
        expect((await reconciler.reconcileAll({ correlationId: `r${i}` })).outcomes).toEqual({ repaired: 1 });
      }
      detachByHand();
      directory.resetCalls();
      expect((await reconciler.reconcileAll({ correlationId: 'held' })).outcomes).toEqual({ paused: 1 });
      expect(directory.writes()).toEqual([]);
      expect(audit.ofType('dts-trust.role.paused').map((e) => e.data.codes)).toEqual([['RoleFlapping']]);
      expect(audit.ofType('dts-trust.finding.removal-fight')).toEqual([]);
      expect((await reconciler.reconcileRole(ROLE, { correlationId: 'intake' })).outcome).toBe('repaired');
      expect((await reconciler.reconcileAll({ correlationId: 'resumed' })).outcomes).toEqual({ inSync: 1 });
    });

    it('keeps removing a re-added wildcard after the flap pause, with a high-severity finding each time', async () => {
      const { reconciler, directory, audit, status } = engine([grant()], { status: { flapLimit: 3 } });
      await reconciler.reconcileAll({ correlationId: 'create' });
      const addWildcard = () => {
        const stored = directory.role(OWNER, ROLE.roleName);
        if (stored)
          stored.trustPolicy = stored.trustPolicy.replace(
            `"acs:ram::${TRUSTED}:root"`,
            `"acs:ram::${TRUSTED}:root","*"`,
          );
      };
      for (let i = 0; i < 5; i++) {
        addWildcard();
        expect(directory.role(OWNER, ROLE.roleName)?.trustPolicy).toContain('"*"');
        expect((await reconciler.reconcileAll({ correlationId: `r${i}` })).outcomes).toEqual({ repaired: 1 });
        expect(directory.role(OWNER, ROLE.roleName)?.trustPolicy).toBe(trustText([TRUSTED]));
      }
      expect((await status.getStatus(ROLE))?.pausedReason).toBeDefined();
      const findings = audit.ofType('dts-trust.finding.removal-fight');
      expect(findings.map((e) => e.data.correlationId)).toEqual(['r2', 'r3', 'r4']);
      expect(findings[0]).toMatchObject({
        subject: `acs:ram::${OWNER}:role/ram-for-dts`,
        data: {
          outcome: 'finding',
          kind: 'removal-fight',
          severity: 'high',
          findingId: expect.stringMatching(/^fnd-[0-9a-f]{32}$/),
          summary: expect.stringContaining('removed again'),
          evidence: {
            removed: [expect.stringMatching(/^narrow trust policy: remove RAM \* \(wildcard principal\)/)],
            flapCount: 3,
          },
        },
      });
      expect(new Set(findings.map((e) => (e.data as { findingId?: string }).findingId)).size).toBe(1);
    });

    it('still lets a time-boxed grant of a flap-paused role expire, removing its account', async () => {
      const { reconciler, directory, grants, status, audit, clock } = await flapPausedWithExpiringGrant();
      clock.advance(2 * 24 * 3600_000);
      const since = clock.now();
      expect((await reconciler.reconcileAll({ correlationId: 'expiry' })).outcomes).toEqual({ repaired: 1 });
      expect(directory.role(OWNER, ROLE.roleName)?.trustPolicy).toBe(trustText([TRUSTED]));
      expect(await expireGrants({ grants, status, audit, clock }, 'expiry', since)).toBe(1);
      expect((await grants.listGrantsForRole(ROLE)).map((g) => g.trustedAccountId)).toEqual([TRUSTED]);
    });

    it('expires a grant of a flap-paused role even when its account was already gone from the role', async () => {
      const { reconciler, directory, grants, status, audit, clock } = await flapPausedWithExpiringGrant();
      const stored = directory.role(OWNER, ROLE.roleName);
      if (stored) stored.trustPolicy = trustText([TRUSTED]);
      clock.advance(2 * 24 * 3600_000);
      const since = clock.now();
      expect((await reconciler.reconcileAll({ correlationId: 'expiry' })).outcomes).toEqual({ paused: 1 });
      expect(await status.getStatus(ROLE)).toMatchObject({ lastResult: 'paused', pausedReason: 'flapping' });
      expect(await expireGrants({ grants, status, audit, clock }, 'expiry', since)).toBe(1);
    });

    it('removes the account of a revoked grant while the role backs off after failures, keeping the backoff for the rest', async () => {
      const { reconciler, directory, grants, status, clock } = engine([grant(), grant({ trustedAccountId: SECOND })]);
      await reconciler.reconcileAll({ correlationId: 'create' });
      const row = await status.getStatus(ROLE);
      const nextAttemptAt = new Date(clock.now().getTime() + 3600_000).toISOString();
      await status.putStatus({ ...row!, lastResult: 'failed', failureCount: 3, nextAttemptAt }, row!.version);
      await grants.deleteGrant(grant({ trustedAccountId: SECOND }));
      expect((await reconciler.reconcileAll({ correlationId: 'revoke' })).outcomes).toEqual({ repaired: 1 });
      expect(directory.role(OWNER, ROLE.roleName)?.trustPolicy).toBe(trustText([TRUSTED]));

      directory.role(OWNER, ROLE.roleName)?.policies.splice(0);
      const after = await status.getStatus(ROLE);
      await status.putStatus({ ...after!, failureCount: 3, nextAttemptAt }, after!.version);
      directory.resetCalls();
      expect((await reconciler.reconcileAll({ correlationId: 'held' })).outcomes).toEqual({ deferred: 1 });
      expect(directory.writes()).toEqual([]);
      expect(await status.getStatus(ROLE)).toMatchObject({ failureCount: 3, nextAttemptAt });
    });

    it('limits RAM calls per second per account with the token bucket', async () => {
      const { reconciler, directory, clock } = engine(
        [...grantsFor(OWNER, roleNames(10)), ...grantsFor(OTHER_OWNER, roleNames(10))],
        { ramCallsPerSecond: 4, ramBurst: 2, roleConcurrency: 4, accountConcurrency: 2 },
      );
      const start = clock.millis;
      await reconciler.reconcileAll({ correlationId: 'run' });
      for (const account of [OWNER, OTHER_OWNER]) {
        const times = directory.calls.filter((c) => c.accountId === account).map((c) => (c.at as number) - start);
        expect(times).toHaveLength(30);
        // A token bucket of rate r and burst b lets at most b + r * t calls through in any window of t seconds.
        for (let i = 0; i < times.length; i++) {
          const inWindow = times.filter((t) => t >= (times[i] as number) && t < (times[i] as number) + 1000).length;
          expect(inWindow).toBeLessThanOrEqual(2 + 4);
        }
      }
      // 30 calls per account at 4/s after a burst of 2: at least 7 simulated seconds; both accounts in parallel.
      expect(clock.millis - start).toBeGreaterThanOrEqual(7000);
      expect(clock.millis - start).toBeLessThan(9000);
    });

    it('keeps at most roleConcurrency roles of one account in flight', async () => {
      const { reconciler, directory } = engine(grantsFor(OWNER, roleNames(12)), { roleConcurrency: 3 });
      let inFlight = 0;
      let peak = 0;
      const getRole = directory.getRole.bind(directory);
      directory.getRole = async (account, name) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        return getRole(account, name);
      };
      const report = await reconciler.reconcileAll({ correlationId: 'run' });
      expect(report.roles).toBe(12);
      expect(peak).toBe(3);
    });

    it('keeps at most accountConcurrency accounts in flight', async () => {
      const owners = ['1000000000000001', '1000000000000002', '1000000000000003', '1000000000000004'];
      const { reconciler, broker } = engine(
        owners.flatMap((o) => grantsFor(o, roleNames(2))),
        { accountConcurrency: 2 },
      );
      let active = 0;
      let peak = 0;
      const credentialsFor = broker.credentialsFor.bind(broker);
      broker.credentialsFor = async (id) => {
        active += 1;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setImmediate(resolve));
        const creds = await credentialsFor(id);
        active -= 1;
        return creds;
      };
      const report = await reconciler.reconcileAll({ correlationId: 'run' });
      expect(report.roles).toBe(8);
      expect(peak).toBeLessThanOrEqual(2);
    });

    it('streams roles: it never reads more than queuedRoles ahead of the work', async () => {
      const { reconciler, grants, directory } = engine(grantsFor(OWNER, roleNames(30)), {
        roleConcurrency: 2,
        queuedRoles: 3,
      });
      let maxAhead = 0;
      const getRole = directory.getRole.bind(directory);
      let started = 0;
      directory.getRole = async (account, name) => {
        started += 1;
        maxAhead = Math.max(maxAhead, grants.yielded - started);
        return getRole(account, name);
      };
      await reconciler.reconcileAll({ correlationId: 'run' });
      expect(grants.yielded).toBe(30);
      expect(maxAhead).toBeLessThanOrEqual(3 + 2);
    });

    it('rethrows a failing role stream only after the roles already started are done', async () => {
      const { reconciler, grants, status } = engine(grantsFor(OWNER, roleNames(2)));
      const list = grants.listManagedRoles.bind(grants);
      grants.listManagedRoles = async function* () {
        yield* list();
        throw new Error('page 2 unavailable');
      };
      await expect(reconciler.reconcileAll({ correlationId: 'run' })).rejects.toThrow('page 2 unavailable');
      expect(status.rows.size).toBe(2);
    });

    it("reconciles a shard's accounts side by side: a large account never holds back the next one", async () => {
      const { reconciler, directory, clock } = engine(
        [...grantsFor(OWNER, roleNames(20)), ...grantsFor(OTHER_OWNER, roleNames(20))],
        { ramCallsPerSecond: 4, ramBurst: 2, roleConcurrency: 2, accountConcurrency: 2, queuedRoles: 3 },
      );
      const start = clock.millis;
      await reconciler.reconcileAll({ correlationId: 'run', ownerAccountIds: [OWNER, OTHER_OWNER] });
      const firstCall = (account: string) =>
        Math.min(...directory.calls.filter((c) => c.accountId === account).map((c) => (c.at as number) - start));
      expect(firstCall(OTHER_OWNER)).toBeLessThan(1000);
      // 60 calls per account at 4/s after a burst of 2: about 14.5 simulated seconds, both accounts at once.
      expect(clock.millis - start).toBeGreaterThanOrEqual(14_000);
      expect(clock.millis - start).toBeLessThan(17_000);
    });

    it('reconciles accounts given as streams of their own side by side, each under its own token bucket', async () => {
      const { reconciler, directory, clock, grants, status } = engine(
        [...grantsFor(OWNER, roleNames(20)), ...grantsFor(OTHER_OWNER, roleNames(20))],
        { ramCallsPerSecond: 4, ramBurst: 2, roleConcurrency: 2, accountConcurrency: 2 },
      );
      const start = clock.millis;
      const accounts = [OWNER, OTHER_OWNER].map((id) => listRoleVisits({ grants, status }, [id]));
      const report = await reconciler.reconcileVisitsByAccount(accounts, { correlationId: 'run' });
      expect(report.roles).toBe(40);
      for (const account of [OWNER, OTHER_OWNER]) {
        const times = directory.calls.filter((c) => c.accountId === account).map((c) => (c.at as number) - start);
        expect(times).toHaveLength(60);
        for (let i = 0; i < times.length; i++) {
          const inWindow = times.filter((t) => t >= (times[i] as number) && t < (times[i] as number) + 1000).length;
          expect(inWindow).toBeLessThanOrEqual(2 + 4);
        }
      }
      expect(clock.millis - start).toBeLessThan(17_000);
    });

    it('rethrows a failing account stream once the roles already started are done, and takes no further account', async () => {
      const { reconciler, grants, status, broker } = engine(
        [...grantsFor(OWNER, roleNames(2)), ...grantsFor(OTHER_OWNER, roleNames(2))],
        { accountConcurrency: 1 },
      );
      async function* failing() {
        yield* listRoleVisits({ grants, status }, [OWNER]);
        throw new Error('page 2 unavailable');
      }
      await expect(
        reconciler.reconcileVisitsByAccount([failing(), listRoleVisits({ grants, status }, [OTHER_OWNER])], {
          correlationId: 'run',
        }),
      ).rejects.toThrow('page 2 unavailable');
      expect(status.rows.size).toBe(2);
      expect(broker.count(OTHER_OWNER)).toBe(0);
    });

    it('reconciles only the accounts of a shard', async () => {
      const { reconciler, broker } = engine([
        ...grantsFor(OWNER, roleNames(2)),
        ...grantsFor(OTHER_OWNER, roleNames(3)),
      ]);
      const report = await reconciler.reconcileAll({ correlationId: 'run', ownerAccountIds: [OTHER_OWNER] });
      expect(report.roles).toBe(3);
      expect(broker.count(OWNER)).toBe(0);
    });

    it('removes a revoked role on the next run when the reconcile right after the revoke failed', async () => {
      const { reconciler, directory, grants, status } = engine([grant()], { retry: { maxAttempts: 1 } });
      await reconciler.reconcileAll({ correlationId: 'create' });
      await grants.deleteGrant(grant());
      directory.inject('deleteRole', CloudErrors.unavailable('ram:DeleteRole'));
      expect((await reconciler.reconcileRole(ROLE, { correlationId: 'revoke' })).outcome).toBe('failed');
      expect(directory.role(OWNER, ROLE.roleName)).toBeDefined();
      const report = await reconciler.reconcileAll({ correlationId: 'next' });
      expect(report.outcomes).toEqual({ deleted: 1 });
      expect(directory.role(OWNER, ROLE.roleName)).toBeUndefined();
      expect(await status.getStatus(ROLE)).toBeUndefined();
    });

    it('forgets a role once no grant row is left, so later runs do not visit it', async () => {
      const { reconciler, grants, status, directory } = engine([grant()]);
      await reconciler.reconcileAll({ correlationId: 'create' });
      await grants.deleteGrant(grant());
      expect((await reconciler.reconcileRole(ROLE, { correlationId: 'revoke' })).outcome).toBe('deleted');
      expect(await status.getStatus(ROLE)).toBeUndefined();
      directory.resetCalls();
      expect((await reconciler.reconcileAll({ correlationId: 'after' })).roles).toBe(0);
      expect(directory.count()).toBe(0);
    });

    it('keeps the status row of a role whose grants expired until the grant rows are gone', async () => {
      const { reconciler, directory, grants, status, clock } = engine([grant({ expiresAt: '2030-01-02T00:00:00Z' })]);
      await reconciler.reconcileAll({ correlationId: 'create' });
      clock.advance(2 * 24 * 3600_000);
      expect((await reconciler.reconcileAll({ correlationId: 'expire' })).outcomes).toEqual({ deleted: 1 });
      expect(await status.getStatus(ROLE)).toMatchObject({ lastResult: 'deleted' });
      await grants.deleteGrant(grant());
      directory.resetCalls();
      expect((await reconciler.reconcileAll({ correlationId: 'after' })).outcomes).toEqual({ inSync: 1 });
      expect(await status.getStatus(ROLE)).toBeUndefined();
    });

    it('removes a revoked role even when its drift had paused it', async () => {
      const { reconciler, grants, status, directory } = engine([grant()]);
      await reconciler.reconcileAll({ correlationId: 'create' });
      const row = await status.getStatus(ROLE);
      await status.putStatus({ ...row!, pausedReason: 'flapping' }, row!.version);
      await grants.deleteGrant(grant());
      expect((await reconciler.reconcileAll({ correlationId: 'next' })).outcomes).toEqual({ deleted: 1 });
      expect(directory.role(OWNER, ROLE.roleName)).toBeUndefined();
    });

    it('reads status rows from the run scan, not once per role', async () => {
      const { reconciler, status } = engine(grantsFor(OWNER, roleNames(5)));
      await reconciler.reconcileAll({ correlationId: 'first' });
      let reads = 0;
      const getStatus = status.getStatus.bind(status);
      status.getStatus = (role) => {
        reads += 1;
        return getStatus(role);
      };
      await reconciler.reconcileAll({ correlationId: 'second' });
      expect(reads).toBe(0);
    });

    it('reports a foreign role as a conflict and leaves it alone', async () => {
      const { reconciler, directory } = engine([grant()]);
      directory.putRole(OWNER, { roleName: ROLE.roleName, description: 'by hand', trustPolicy: '{}' });
      const report = await reconciler.reconcileAll({ correlationId: 'run' });
      expect(report.outcomes).toEqual({ conflict: 1 });
      expect(directory.writes()).toEqual([]);
    });
  });

  describe('steady-state cost', () => {
    it("reads each role's grants from the run's scan, not once per role", async () => {
      const { reconciler, grants } = engine(grantsFor(OWNER, roleNames(5)));
      await reconciler.reconcileAll({ correlationId: 'first' });
      let reads = 0;
      const listGrantsForRole = grants.listGrantsForRole.bind(grants);
      grants.listGrantsForRole = (role) => {
        reads += 1;
        return listGrantsForRole(role);
      };
      expect((await reconciler.reconcileAll({ correlationId: 'second' })).outcomes).toEqual({ inSync: 5 });
      expect(reads).toBe(0);
    });

    it('writes no status row when only its time would change', async () => {
      const { reconciler, status, clock } = engine(grantsFor(OWNER, roleNames(4)));
      await reconciler.reconcileAll({ correlationId: 'first' });
      await reconciler.reconcileAll({ correlationId: 'second' });
      const puts = status.puts;
      clock.advance(15 * 60_000);
      expect((await reconciler.reconcileAll({ correlationId: 'third' })).outcomes).toEqual({ inSync: 4 });
      expect(status.puts).toBe(puts);
    });

    it('writes the status row again once something besides its time changes', async () => {
      const { reconciler, directory, status } = engine([grant()]);
      await reconciler.reconcileAll({ correlationId: 'first' });
      directory.role(OWNER, ROLE.roleName)?.policies.splice(0);
      await reconciler.reconcileAll({ correlationId: 'repair' });
      expect(await status.getStatus(ROLE)).toMatchObject({ lastResult: 'repaired', flapCount: 1, version: 2 });
      await reconciler.reconcileAll({ correlationId: 'steady' });
      expect(await status.getStatus(ROLE)).toMatchObject({ lastResult: 'inSync', version: 3 });
    });

    it('never re-applies a grant revoked after the scan read it: the grants are read again before a RAM write', async () => {
      const { reconciler, directory, grants, broker } = engine([grant()]);
      const credentialsFor = broker.credentialsFor.bind(broker);
      broker.credentialsFor = async (accountId) => {
        await grants.deleteGrant(grant());
        return credentialsFor(accountId);
      };
      const report = await reconciler.reconcileAll({ correlationId: 'revoked-meanwhile' });
      expect(report.outcomes).toEqual({ inSync: 1 });
      expect(directory.count('createRole')).toBe(0);
    });

    it('applies a grant declared after the scan read the role as the grants now say', async () => {
      const { reconciler, directory, grants, broker } = engine([grant()]);
      await reconciler.reconcileAll({ correlationId: 'create' });
      directory.role(OWNER, ROLE.roleName)?.policies.splice(0);
      const credentialsFor = broker.credentialsFor.bind(broker);
      broker.credentialsFor = async (accountId) => {
        await grants.putGrant(grant({ trustedAccountId: SECOND }));
        return credentialsFor(accountId);
      };
      expect((await reconciler.reconcileAll({ correlationId: 'declared-meanwhile' })).outcomes).toEqual({
        repaired: 1,
      });
      expect(directory.role(OWNER, ROLE.roleName)?.trustPolicy).toBe(trustText([TRUSTED, SECOND]));
    });
  });

  describe('a dry run', () => {
    it('plans without changing anything', async () => {
      const { reconciler, directory } = engine([grant({ trustedAccountId: TRUSTED })]);
      const preview = await reconciler.reconcileRole(ROLE, { correlationId: 'dry', dryRun: true });
      expect(preview.plan?.actions.map((a) => a.kind)).toEqual(['createRole', 'attachPolicy']);
      expect(directory.writes()).toEqual([]);
    });

    it('records no audit event, writes no status row and expires no grant', async () => {
      const { reconciler, audit, status, grants } = engine([grant({ expiresAt: '2029-01-01T00:00:00Z' })]);
      const report = await reconciler.reconcileAll({ correlationId: 'dry', dryRun: true, expireGrants: true });
      expect(report).toMatchObject({ dryRun: true, roles: 1, expiredGrants: 0 });
      expect(audit.events).toEqual([]);
      expect(status.puts).toBe(0);
      expect(await grants.listGrantsForRole(ROLE)).toHaveLength(1);
    });

    it('covers a role that only has a status row, and plans its deletion', async () => {
      const { reconciler, directory, grants } = engine([grant()]);
      await reconciler.reconcileAll({ correlationId: 'create' });
      await grants.deleteGrant(grant());
      const report = await reconciler.reconcileAll({ correlationId: 'dry', dryRun: true });
      expect(report.outcomes).toEqual({ deleted: 1 });
      expect(report.results[0]?.applied.map((a) => a.kind)).toEqual(['detachPolicy', 'deleteRole']);
      expect(directory.role(OWNER, ROLE.roleName)).toBeDefined();
    });
  });

  describe('expiry inside a run', () => {
    it('removes the expired grant of a settled role in the same run, with its grant.expired event', async () => {
      const { reconciler, grants, audit, clock } = engine([
        grant(),
        grant({ trustedAccountId: SECOND, expiresAt: '2030-01-02T00:00:00Z' }),
      ]);
      await reconciler.reconcileAll({ correlationId: 'create' });
      clock.advance(2 * 24 * 3600_000);
      const report = await reconciler.reconcileAll({ correlationId: 'expiry', expireGrants: true });
      expect(report).toMatchObject({ outcomes: { repaired: 1 }, expiredGrants: 1 });
      expect((await grants.listGrantsForRole(ROLE)).map((g) => g.trustedAccountId)).toEqual([TRUSTED]);
      expect(audit.ofType('dts-trust.grant.expired').map((e) => e.data.correlationId)).toEqual(['expiry']);
    });

    it('keeps the expired grant of a role that failed, for the next run', async () => {
      const { reconciler, grants, broker, clock } = engine([grant({ expiresAt: '2030-01-02T00:00:00Z' })]);
      clock.advance(2 * 24 * 3600_000);
      broker.fail(OWNER, CloudErrors.noPermission('sts:AssumeRole'));
      const report = await reconciler.reconcileAll({ correlationId: 'expiry', expireGrants: true });
      expect(report).toMatchObject({ outcomes: { failed: 1 }, expiredGrants: 0 });
      expect(await grants.listGrantsForRole(ROLE)).toHaveLength(1);
    });
  });
});
