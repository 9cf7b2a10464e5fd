import { describe, expect, it } from 'vitest';
import { causeOfMiss, formatBreakdown, repairBreakdown } from '../../../bench/repair-breakdown.js';
import type { RequestLogEntry } from '../../../local/cloud/contract.js';

const T0 = Date.parse('2026-12-01T12:00:00.000Z');
/** A served request that started `start` ms after the push and took `duration` ms. */
const served = (service: string, action: string, start: number, duration: number, code?: string): RequestLogEntry => ({
  time: new Date(T0 + start + duration).toISOString(),
  durationMs: duration,
  service,
  action,
  status: code ? 400 : 200,
  ...(code ? { code } : {}),
});

const repair = [
  served('fc', 'InvokeFunction', 2, 400),
  served('tablestore', 'GetRange', 20, 2),
  served('tablestore', 'GetRange', 30, 2),
  served('ram', 'GetRole', 40, 35),
  served('ram', 'ListPoliciesForRole', 80, 35),
  served('tablestore', 'PutRow', 120, 2),
  served('ram', 'UpdateRole', 130, 35),
  // After the role was seen repaired: not part of the repair.
  served('tablestore', 'PutRow', 180, 2),
  served('eventbridge', 'PutEvents', 190, 5),
];

describe('repairBreakdown', () => {
  it("splits a repair into the wait for the first call, RAM, Tablestore and the time between, leaving out the trigger's invocation", () => {
    const b = repairBreakdown(repair, T0, T0 + 170);
    expect(b).toEqual({
      totalMs: 170,
      beforeFirstCallMs: 20,
      ramCalls: 3,
      ramRefused: [],
      ramMs: 105,
      storeCalls: 3,
      storeMs: 6,
      otherCalls: 0,
      otherMs: 0,
      betweenMs: 39,
    });
    expect(formatBreakdown(b)).toBe(
      '170 ms = before the first call 20 ms + RAM/STS 3 calls 105 ms + Tablestore 3 calls 6 ms + between calls 39 ms',
    );
  });

  it('counts the RAM requests refused (throttled, then retried) apart', () => {
    const throttled = [...repair, served('ram', 'UpdateRole', 100, 5, 'Throttling.User')];
    const b = repairBreakdown(throttled, T0, T0 + 170);
    expect(b.ramCalls).toBe(4);
    expect(b.ramRefused).toEqual(['UpdateRole:Throttling.User']);
    expect(formatBreakdown(b)).toContain('4 calls 110 ms, 1 refused (UpdateRole:Throttling.User)');
  });
});

describe('causeOfMiss', () => {
  const base = repairBreakdown(repair, T0, T0 + 170);

  it('blames refused and retried RAM requests first', () => {
    const b = { ...base, ramCalls: 4, ramRefused: ['GetRole:Throttling.User'] };
    expect(causeOfMiss(b, 315, 3)).toBe(
      'RAM/STS requests refused and retried (GetRole:Throttling.User): 4 calls for 3 round trips',
    );
  });

  it('blames RAM requests slower than the latency the target assumes, when they exceed their third by more', () => {
    expect(causeOfMiss({ ...base, totalMs: 365, ramMs: 300 }, 315, 3)).toBe(
      'RAM/STS requests took 300 ms, over the 105 ms the mean latency gives them',
    );
  });

  it('else blames the time beside RAM, naming its largest part', () => {
    expect(causeOfMiss({ ...base, totalMs: 435, betweenMs: 300 }, 315, 3)).toBe(
      'the time beside RAM, 330 ms, over its 210 ms; most of it between calls (the product, client overhead, the bench polling), 300 ms',
    );
    expect(causeOfMiss({ ...base, totalMs: 535, beforeFirstCallMs: 400 }, 315, 3)).toContain(
      "most of it before the function's first call",
    );
  });
});
