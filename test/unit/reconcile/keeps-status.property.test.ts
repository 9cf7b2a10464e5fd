import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RoleKey } from '../../../shared/domain/grant.js';
import type { RoleStatus } from '../../../shared/ports.js';
import { RoleOutcome, type RoleResult } from '../../../shared/reconcile/outcome.js';
import { keepsStatus, nextRoleStatus, sameStatus } from '../../../shared/reconcile/status.js';
import { DTS_POLICY, NOW, OTHER_OWNER, ROLE } from './fixtures.js';

/** The rows of two other roles: another owner's of the same name, and another name in the same owner. */
const OTHER_ROLES: readonly RoleKey[] = [
  { ownerAccountId: OTHER_OWNER, roleName: ROLE.roleName },
  { ownerAccountId: ROLE.ownerAccountId, roleName: 'ram-for-dts-2' },
];
const TIMES = ['2029-12-31T23:00:00.000Z', '2030-01-01T00:00:00.000Z', '2029-12-01T00:00:00.000Z'];
/** Absent half of the time. */
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 2 });
/** A few outcomes, so a row's last result and a reconcile's outcome meet often. */
const OUTCOMES = [
  RoleOutcome.InSync,
  RoleOutcome.DriftObserved,
  RoleOutcome.Conflict,
  RoleOutcome.Repaired,
  RoleOutcome.Failed,
];

/** A status row as a store hands it back: every member from a small pool, so the pools meet often. */
const statusRow: fc.Arbitrary<RoleStatus> = fc
  .record({
    role: fc.constantFrom(ROLE, ROLE, ...OTHER_ROLES),
    observedHash: maybe(fc.constantFrom('h1', 'h2')),
    lastResult: fc.constantFrom(...OUTCOMES),
    lastReconciledAt: fc.constantFrom(...TIMES),
    failureCount: fc.constantFrom(0, 0, 1, 3),
    nextAttemptAt: maybe(fc.constantFrom(...TIMES)),
    flapSignature: maybe(fc.constantFrom('s1', 's2')),
    flapCount: fc.constantFrom(0, 1, 2),
    flapWindowStart: maybe(fc.constantFrom(...TIMES)),
    pausedReason: maybe(fc.constant('paused for flapping')),
    subAccountPolicyIds: maybe(fc.constantFrom({}, { '100000000002': '7' })),
    version: fc.integer({ min: 1, max: 9 }),
  })
  .map(({ role, ...rest }) => {
    // Absent members are absent, as the store's parse leaves them.
    const row = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
    return { ...role, ...row } as unknown as RoleStatus;
  });

/** A reconcile's result for ROLE: any outcome, with or without an observed hash and sub-account policy news. */
const roleResult: fc.Arbitrary<RoleResult> = fc
  .record({
    outcome: fc.constantFrom(...OUTCOMES),
    observedHash: maybe(fc.constantFrom('h1', 'h2')),
    trustedSidePolicyIds: maybe(fc.constantFrom({}, { '100000000002': '7' }, { '100000000002': null })),
  })
  .map(({ outcome, observedHash, trustedSidePolicyIds }) => ({
    role: ROLE,
    outcome,
    applied: outcome === RoleOutcome.Repaired ? [{ kind: 'attachPolicy' as const, policy: DTS_POLICY }] : [],
    planned: [],
    auditEvents: [],
    ...(observedHash === undefined ? {} : { observedHash }),
    ...(trustedSidePolicyIds === undefined ? {} : { trustedSidePolicyIds }),
  }));

const policy = fc.record({
  failureBackoffMs: fc.constantFrom(60_000, 300_000),
  maxFailureBackoffMs: fc.constant(6 * 3_600_000),
  flapWindowMs: fc.constantFrom(3_600_000, 24 * 3_600_000),
  flapLimit: fc.constantFrom(0, 2, 3),
});

describe('keepsStatus', () => {
  it('says a row stays only where the row nextRoleStatus builds differs at most in time and version', () => {
    fc.assert(
      fc.property(statusRow, roleResult, fc.boolean(), policy, (previous, result, resume, p) => {
        const general = sameStatus(previous, nextRoleStatus(ROLE, previous, result, NOW, p, { resume }));
        const fast = keepsStatus(previous, result, { resume });
        if (fast) expect(general).toBe(true);
        // Short of sub-account policy news and a repair (whose flap counter always moves), the two agree.
        if (result.trustedSidePolicyIds === undefined && result.outcome !== RoleOutcome.Repaired) {
          expect(fast).toBe(general);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps the row of a role found in sync again, as the steady state's scheduled run finds it", () => {
    const previous = {
      ...ROLE,
      observedHash: 'h1',
      lastResult: 'inSync',
      lastReconciledAt: NOW.toISOString(),
    } as const;
    const row: RoleStatus = { ...previous, failureCount: 0, flapCount: 0, version: 4 };
    const inSync: RoleResult = { role: ROLE, outcome: 'inSync', applied: [], planned: [], auditEvents: [] };
    expect(keepsStatus(row, { ...inSync, observedHash: 'h1' })).toBe(true);
    expect(keepsStatus(row, { ...inSync, observedHash: 'h2' })).toBe(false);
    expect(keepsStatus({ ...row, pausedReason: 'flapping' }, inSync, { resume: true })).toBe(false);
    expect(keepsStatus({ ...row, failureCount: 1 }, inSync)).toBe(false);
  });
});
