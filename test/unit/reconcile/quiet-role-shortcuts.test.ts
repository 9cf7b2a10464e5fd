import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Grant } from '../../../shared/domain/grant.js';
import { grantId } from '../../../shared/domain/ownership.js';
import type { GrantJobsEnded } from '../../../shared/reconcile/dts-jobs.js';
import { findingsOfRole, raisesNoFinding, type WrittenStatus } from '../../../shared/reconcile/findings.js';
import { expireRoleGrants, hasGrantsToExpire } from '../../../shared/reconcile/grant-expiry.js';
import type { RoleResult } from '../../../shared/reconcile/outcome.js';
import { createReconciler } from '../../../shared/reconcile/reconciler.js';
import { FakeClock } from '../../support/fake-clock.js';
import { MemoryAuditLog, MemoryGrantStore } from '../../support/memory-stores.js';
import {
  grant,
  memoryPorts,
  NOW,
  OWNER,
  putOwnedRole,
  ROLE,
  SECOND,
  STRANGER,
  TRUSTED,
  trustText,
} from './fixtures.js';

/** One role reconciled once in a fresh engine, after `arrange`: its result and the status row it left. */
async function reconciledOnce(
  arrange: (ports: ReturnType<typeof memoryPorts>) => void,
): Promise<{ result: RoleResult; written: WrittenStatus }> {
  const ports = memoryPorts([grant()]);
  arrange(ports);
  let ids = 0;
  const reconciler = createReconciler({ ...ports, options: { ramCallsPerSecond: 1000, newId: () => `e${++ids}` } });
  const run = await reconciler.reconcileAll({ correlationId: 'run-1' });
  const result = run.results[0] as RoleResult;
  const row = await ports.status.getStatus(ROLE);
  return { result, written: row === undefined ? {} : { row } };
}

const context = { newId: () => 'f1', time: NOW, correlationId: 'run-1' };

describe('raisesNoFinding', () => {
  it('is true for a role found in sync, which raises no finding', async () => {
    const { result, written } = await reconciledOnce(({ directory }) => putOwnedRole(directory));
    expect(result.outcome).toBe('inSync');
    expect(raisesNoFinding(result, written)).toBe(true);
    expect(findingsOfRole(result, written, context)).toEqual([]);
  });

  it.each([
    {
      name: 'a trust entry removed',
      arrange: ({ directory }: ReturnType<typeof memoryPorts>) => putOwnedRole(directory, [TRUSTED, STRANGER]),
      written: (w: WrittenStatus) => w,
    },
    {
      name: 'an unowned role in the way',
      arrange: ({ directory }: ReturnType<typeof memoryPorts>) =>
        directory.putRole(OWNER, { roleName: ROLE.roleName, description: 'by hand', trustPolicy: trustText([SECOND]) }),
      written: (w: WrittenStatus) => w,
    },
    {
      name: 'a pause this write made',
      arrange: ({ directory }: ReturnType<typeof memoryPorts>) => putOwnedRole(directory),
      written: (w: WrittenStatus): WrittenStatus => ({
        row: w.row ? { ...w.row, pausedReason: 'flapping', flapCount: 3 } : undefined,
        pausedNow: true,
      }),
    },
  ])('is false where findingsOfRole raises one: $name', async ({ arrange, written }) => {
    const once = await reconciledOnce(arrange);
    const status = written(once.written);
    expect(findingsOfRole(once.result, status, context).length).toBeGreaterThan(0);
    expect(raisesNoFinding(once.result, status)).toBe(false);
  });
});

describe('hasGrantsToExpire', () => {
  /** Grants of ROLE, each active, expired or without an expiry, some ended with their DTS jobs. */
  const grants = fc.uniqueArray(
    fc.record({
      trustedAccountId: fc.constantFrom(TRUSTED, SECOND, STRANGER),
      expiresInMs: fc.option(fc.constantFrom(-3_600_000, -1, 1, 3_600_000), { nil: undefined }),
      ended: fc.boolean(),
    }),
    { selector: (g) => g.trustedAccountId, maxLength: 3 },
  );

  it('is false only where expireRoleGrants removes no grant and records nothing', async () => {
    await fc.assert(
      fc.asyncProperty(grants, fc.boolean(), async (specs, withJobs) => {
        const rows: Grant[] = specs.map((s) =>
          grant({
            trustedAccountId: s.trustedAccountId,
            ...(s.expiresInMs === undefined
              ? {}
              : { expiresAt: new Date(NOW.getTime() + s.expiresInMs).toISOString() }),
          }),
        );
        const ended = new Map<string, GrantJobsEnded>(
          withJobs
            ? specs.flatMap((s, i) =>
                s.ended ? [[grantId(rows[i] as Grant), { jobs: [{ dtsJobId: 'dts-1', status: 'Finished' }] }]] : [],
              )
            : [],
        );
        const store = new MemoryGrantStore(rows);
        const audit = new MemoryAuditLog();
        const clock = new FakeClock(NOW);
        const removed = await expireRoleGrants({ grants: store, audit, clock }, rows, 'run-1', ended);
        expect(hasGrantsToExpire(rows, NOW, ended)).toBe(removed > 0 || audit.events.length > 0);
      }),
      { numRuns: 300 },
    );
  });
});
