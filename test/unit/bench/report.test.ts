import { describe, expect, it } from 'vitest';
import { formatTable, memoryFigures, missedTargets, resultRows } from '../../../bench/report.js';

const measured = {
  generatedAt: '2026-11-23T09:00:00.000Z',
  quick: true,
  machine: { cpus: 2, node: 'v20.20.2', platform: 'linux-x64' },
  settings: {
    roles: 1000,
    accounts: 100,
    ramLatencyMs: [20, 50] as [number, number],
    ratePerSecond: 20,
    accountConcurrency: 8,
    roleConcurrency: 4,
    heapLimitMiB: 256,
    driftFraction: 0.05,
    memoryRoles: [100, 1000] as [number, number],
    intakeSingles: 10,
    intakeBatches: 3,
    coldStartSamples: 3,
  },
  steadyState: {
    roles: 1000,
    accounts: 100,
    wallMs: 3000,
    ramCallsPerRole: 2,
    assumeRolePerAccount: 1,
    writes: 0,
    throttled: 0,
    tablestoreCallsPerRole: 2,
    boundMs: 2625,
    limitedBy: 'latency' as const,
    ratioToBound: 0.875,
    cpuShare: 0.6,
    outcomes: { inSync: 1000 },
  },
  drift: {
    roles: 1000,
    drifted: 50,
    driftByKind: { roleDeleted: 8 },
    wallMs: 3200,
    outcomes: { inSync: 950, repaired: 42, created: 8 },
    ramWritesByAction: { UpdateRole: 26 },
    auditEventsDelivered: 108,
    remainingDrift: 0,
    repairedInOneRun: true,
  },
  intake: {
    single: { invocations: 10, tickets: 10, p50Ms: 150, p99Ms: 180, maxMs: 180 },
    batch10: { invocations: 3, tickets: 30, p50Ms: 1300, p99Ms: 1400, maxMs: 1400 },
    auditEventsDelivered: 90,
  },
  coldStart: {
    emptyProcessMs: 40,
    bundles: [
      {
        name: 'ticket-intake',
        bytes: 1_500_000,
        codePackageBytes: 8_000_000,
        loadMs: 60,
        overheadMs: 70,
        coldInvokeMs: 400,
        warmInvokeMs: 40,
        withinTargets: true,
      },
    ],
  },
  memory: memoryFigures(
    { roles: 100, baselineRssMiB: 130, peakRssMiB: 150, peakHeapMiB: 60, retainedHeapMiB: 45 },
    { roles: 1000, baselineRssMiB: 130, peakRssMiB: 180, peakHeapMiB: 70, retainedHeapMiB: 50 },
  ),
};

describe('memoryFigures', () => {
  it('calls memory flat when the peak grows far less than the roles', () => {
    expect(measured.memory).toMatchObject({ rolesRatio: 10, peakRatio: 1.2, flat: true });
  });

  it('calls memory proportional when the peak follows the roles', () => {
    const grown = memoryFigures(
      { roles: 100, baselineRssMiB: 100, peakRssMiB: 100, peakHeapMiB: 50, retainedHeapMiB: 40 },
      { roles: 1000, baselineRssMiB: 100, peakRssMiB: 600, peakHeapMiB: 500, retainedHeapMiB: 400 },
    );
    expect(grown.flat).toBe(false);
  });
});

describe('missedTargets', () => {
  it('is empty when every target is met', () => {
    expect(missedTargets(measured)).toEqual([]);
  });

  it('names a ratio below target with what held it back', () => {
    const slow = {
      ...measured,
      steadyState: { ...measured.steadyState, ratioToBound: 0.5, heldBackBy: 'the reconciler is CPU-bound' },
    };
    expect(missedTargets(slow)).toEqual(['ratioToBound 0.50 < 0.8: the reconciler is CPU-bound']);
  });

  it('names a steady state that found roles out of sync', () => {
    const failing = { ...measured, steadyState: { ...measured.steadyState, outcomes: { inSync: 990, failed: 10 } } };
    expect(missedTargets(failing)).toEqual(['steady state found 10 of 1000 roles not in sync']);
  });

  it('names a bundle over its size or time budget', () => {
    const heavy = {
      ...measured,
      coldStart: {
        emptyProcessMs: 40,
        bundles: [
          {
            name: 'ticket-intake',
            bytes: 2_500_000,
            codePackageBytes: 9_000_000,
            loadMs: 200,
            overheadMs: 190,
            coldInvokeMs: 600,
            warmInvokeMs: 50,
            withinTargets: false,
          },
        ],
      },
    };
    expect(missedTargets(heavy)[0]).toMatch(
      /^cold start of ticket-intake: 190 ms over an empty process, 2500000 bytes/,
    );
  });
});

describe('resultRows', () => {
  it('prints every measure with its target and verdict', () => {
    const table = formatTable(resultRows(measured));
    expect(table).toMatch(/steady: ratioToBound\s+0\.88\s+>= 0\.8\s+ok/);
    expect(table).toMatch(/drift: repaired in one run\s+50 repaired, 0 left\s+50, 0 left\s+ok/);
    expect(table).toMatch(/memory: peak growth for 10x roles\s+1\.20x\s+<= 1\.5x\s+ok/);
  });
});
