import { describe, expect, it } from 'vitest';
import type { RoleStatus } from '../../../shared/ports.js';
import type { RoleResult } from '../../../shared/reconcile/outcome.js';
import { isDeferred, nextRoleStatus } from '../../../shared/reconcile/status.js';
import { DTS_POLICY, NOW, ROLE } from './fixtures.js';

const policy = { failureBackoffMs: 60_000, maxFailureBackoffMs: 600_000, flapWindowMs: 3_600_000, flapLimit: 0 };
const result = (outcome: RoleResult['outcome']): RoleResult => ({
  role: ROLE,
  outcome,
  applied: outcome === 'repaired' ? [{ kind: 'attachPolicy', policy: DTS_POLICY }] : [],
  planned: [],
  auditEvents: [],
  observedHash: 'h1',
});

function statusAfter(outcomes: RoleResult['outcome'][], stepMs = 1000): RoleStatus | undefined {
  let status: RoleStatus | undefined;
  let t = NOW.getTime();
  for (const outcome of outcomes) {
    status = {
      ...nextRoleStatus(ROLE, status, result(outcome), new Date(t), policy),
      version: (status?.version ?? 0) + 1,
    };
    t += stepMs;
  }
  return status;
}

describe('nextRoleStatus', () => {
  it('records the outcome, time and observed hash', () => {
    expect(statusAfter(['inSync'])).toMatchObject({
      lastResult: 'inSync',
      lastReconciledAt: NOW.toISOString(),
      observedHash: 'h1',
      failureCount: 0,
    });
  });

  it.each([
    { failures: 1, backoff: undefined },
    { failures: 2, backoff: 60_000 },
    { failures: 3, backoff: 120_000 },
    { failures: 8, backoff: 600_000 },
  ])('after $failures failures in a row backs off $backoff ms', ({ failures, backoff }) => {
    const status = statusAfter(Array(failures).fill('failed'), 0);
    expect(status?.failureCount).toBe(failures);
    const wait = status?.nextAttemptAt === undefined ? undefined : Date.parse(status.nextAttemptAt) - NOW.getTime();
    expect(wait).toBe(backoff);
  });

  it('resets the failure count on success', () => {
    expect(statusAfter(['failed', 'failed', 'inSync'])).toMatchObject({ failureCount: 0 });
    expect(statusAfter(['failed', 'failed', 'inSync'])?.nextAttemptAt).toBeUndefined();
  });

  it('counts repeated repairs of the same drift within the window as flapping', () => {
    expect(statusAfter(['repaired', 'inSync', 'repaired', 'repaired'])?.flapCount).toBe(3);
    expect(statusAfter(['repaired', 'repaired'], 2 * 3_600_000)?.flapCount).toBe(1);
  });

  it('pauses a role when the same drift was repaired flapLimit times within the window', () => {
    let status: RoleStatus | undefined;
    for (let i = 0; i < 3; i++) {
      status = {
        ...nextRoleStatus(ROLE, status, result('repaired'), NOW, { ...policy, flapLimit: 3 }),
        version: i + 1,
      };
      expect(status.pausedReason === undefined).toBe(i < 2);
    }
    expect(status?.pausedReason).toMatch(/repaired 3 times within 60 minutes/);
    expect(nextRoleStatus(ROLE, status, result('inSync'), NOW, policy).pausedReason).toBeDefined();
    expect(nextRoleStatus(ROLE, status, result('inSync'), NOW, policy, { resume: true }).pausedReason).toBeUndefined();
  });

  it('keeps the version read, for the conditional write', () => {
    const previous = statusAfter(['inSync']);
    expect(nextRoleStatus(ROLE, previous, result('inSync'), NOW, policy).version).toBe(previous?.version);
  });

  it('records the sub-account policy ids a reconcile reports, drops an account whose policy went, keeps the rest', () => {
    const previous = statusAfter(['inSync']);
    expect(previous?.subAccountPolicyIds).toBeUndefined();
    const news = (ids: Record<string, string | null>) => ({ ...result('inSync'), trustedSidePolicyIds: ids });
    const first = nextRoleStatus(ROLE, previous, news({ '100000000002': '7', '100000000003': null }), NOW, policy);
    expect(first.subAccountPolicyIds).toEqual({ '100000000002': '7' });
    const quiet = nextRoleStatus(ROLE, first, result('inSync'), NOW, policy);
    expect(quiet.subAccountPolicyIds).toEqual({ '100000000002': '7' });
    const gone = nextRoleStatus(ROLE, quiet, news({ '100000000002': null }), NOW, policy);
    expect(gone.subAccountPolicyIds).toEqual({});
  });
});

describe('isDeferred', () => {
  it('defers a role whose backoff has not run out', () => {
    const status = statusAfter(['failed', 'failed'], 0);
    expect(isDeferred(status, NOW)).toBe(true);
    expect(isDeferred(status, new Date(NOW.getTime() + 60_000))).toBe(false);
    expect(isDeferred(undefined, NOW)).toBe(false);
  });
});
