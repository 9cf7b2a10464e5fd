import { describe, expect, it } from 'vitest';
import { RoleOutcome } from '../../../shared/reconcile/outcome.js';
import { HoldReason } from '../../../shared/reconcile/plan.js';
import type { TrustedSideResult, TrustedSideStep } from '../../../shared/reconcile/trusted-side.js';
import { outcomeWithTrustedSide } from '../../../shared/reconcile/trusted-side-outcome.js';

const attach: TrustedSideStep = { kind: 'attachUser', uin: '200', trustedAccountId: '100000000002' };
const side = (over: Partial<TrustedSideResult> = {}): TrustedSideResult => ({
  steps: [],
  heldBack: [],
  events: [],
  conflicts: [],
  policyIds: {},
  ...over,
});
const conflict = {
  code: 'SubAccountPolicyNotManaged' as const,
  trustedAccountId: '100000000002',
  policyName: 'dts-trust-1-r',
  policyId: '7',
  description: 'ours',
  message: 'm',
};

describe('outcomeWithTrustedSide', () => {
  it('makes a role otherwise in sync (or held) repaired when a sub-account policy was changed', () => {
    for (const outcome of [RoleOutcome.InSync, RoleOutcome.Paused, RoleOutcome.DriftObserved, RoleOutcome.Deferred]) {
      expect(outcomeWithTrustedSide(outcome, side({ steps: [attach] }), undefined)).toBe(RoleOutcome.Repaired);
    }
  });

  it('keeps what the role itself came to when it changed or failed', () => {
    for (const outcome of [RoleOutcome.Created, RoleOutcome.Repaired, RoleOutcome.Deleted, RoleOutcome.Failed]) {
      expect(outcomeWithTrustedSide(outcome, side({ steps: [attach] }), undefined)).toBe(outcome);
    }
    expect(outcomeWithTrustedSide(RoleOutcome.InSync, side(), undefined)).toBe(RoleOutcome.InSync);
  });

  it('is a conflict when a trusted account holds a policy dts-trust does not own, whatever else changed', () => {
    expect(outcomeWithTrustedSide(RoleOutcome.Created, side({ conflicts: [conflict] }), undefined)).toBe(
      RoleOutcome.Conflict,
    );
    expect(outcomeWithTrustedSide(RoleOutcome.Failed, side({ conflicts: [conflict] }), undefined)).toBe(
      RoleOutcome.Failed,
    );
  });

  it('reports trusted-side drift a hold kept back as the hold reports the role’s own', () => {
    const held = side({ heldBack: [attach] });
    expect(outcomeWithTrustedSide(RoleOutcome.InSync, held, HoldReason.Observe)).toBe(RoleOutcome.DriftObserved);
    expect(outcomeWithTrustedSide(RoleOutcome.InSync, held, HoldReason.Flapping)).toBe(RoleOutcome.Paused);
    expect(outcomeWithTrustedSide(RoleOutcome.InSync, held, HoldReason.Paused)).toBe(RoleOutcome.Paused);
    expect(outcomeWithTrustedSide(RoleOutcome.InSync, held, HoldReason.Backoff)).toBe(RoleOutcome.Deferred);
  });
});
