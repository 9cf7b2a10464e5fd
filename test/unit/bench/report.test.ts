import { describe, expect, it } from 'vitest';
import type { SteadyFigures, TransportFigures } from '../../../bench/reconcile-bench.js';
import { formatTable, type Measured, memoryFigures, missedTargets, resultRows } from '../../../bench/report.js';

const transport = (over: Partial<TransportFigures> = {}): TransportFigures => ({
  transport: 'http',
  wallMs: 3000,
  cpuMsPerRole: 1.2,
  floorWallMs: 2500,
  floorCpuMsPerRole: 1,
  cpuToFloor: 1.2,
  cloudCpuMsPerRole: 1.5,
  floorCloudCpuMsPerRole: 1,
  ramCallsPerRole: 2,
  assumeRolePerAccount: 1,
  writes: 0,
  throttled: 0,
  tablestoreRequestsPerRole: 0.1,
  tablestoreByAction: { GetRange: 100 },
  eventbridgeRequests: 1,
  requests: 2200,
  connections: 40,
  tlsSessions: 0,
  outcomes: { inSync: 1000 },
  rounds: [{ cpuMsPerRole: 1.2, floorCpuMsPerRole: 1, cpuToFloor: 1.2 }],
  ...over,
});

const steady = (roles: number, over: Partial<TransportFigures> = {}): SteadyFigures => ({
  roles,
  accounts: roles / 10,
  transports: [
    transport({ outcomes: { inSync: roles }, ...over }),
    transport({ transport: 'https', tlsSessions: 40, outcomes: { inSync: roles }, ...over }),
  ],
});

const measured: Measured = {
  generatedAt: '2026-12-01T12:50:00.000Z',
  quick: true,
  machine: { cpus: 2, node: 'v20.20.2', platform: 'linux-x64', loadAverage: [0.4, 0.9] },
  settings: {
    ramLatencyMs: [20, 50],
    ratePerSecond: 20,
    accountConcurrency: 8,
    roleConcurrency: 4,
    heapLimitMiB: 256,
    driftFraction: 0.05,
    fleets: [
      { roles: 100, accounts: 10 },
      { roles: 1000, accounts: 100 },
    ],
    rateBound: { roles: 600, accounts: 2, ratePerSecond: 50 },
    intakeSingles: 10,
    intakeBatches: 3,
    coldStartSamples: 3,
  },
  steadyState: [steady(100), steady(1000)],
  peer: {
    wallMs: 7000,
    cpuMsPerRole: 1,
    reads: 2000,
    throttled: 0,
    waitedMs: 0,
    rolesLeftBehind: 0,
    wallToProduct: 2.3,
  },
  rateBound: {
    roles: 600,
    accounts: 2,
    wallMs: 11_500,
    boundMs: 11_000,
    toBound: 1.05,
    shards: 2,
    failedShards: 0,
    lastShardStartMs: 400,
    slowestShardMs: 11_000,
    throttled: 3,
    ramCallsPerRole: 2,
    writes: 0,
    rolesLeftBehind: 0,
    tablestoreRequestsPerRole: 0.1,
  },
  drift: {
    roles: 1000,
    drifted: 50,
    driftByKind: { roleDeleted: 8 },
    wallMs: 3200,
    outcomes: { inSync: 950, repaired: 42, created: 8 },
    ramWritesByAction: { UpdateRole: 26 },
    eventbridgeRequests: 8,
    remainingDrift: 0,
    repairedInOneRun: true,
  },
  intake: {
    single: { invocations: 10, tickets: 10, p50Ms: 150, p99Ms: 180, maxMs: 180 },
    batch10: { invocations: 3, tickets: 30, p50Ms: 1300, p99Ms: 1400, maxMs: 1400 },
    auditEventsDelivered: 90,
    tablestoreRequestsPerTicket: 6,
  },
  coldStart: {
    emptyProcessMs: 40,
    bundles: [
      {
        name: 'ticket-intake',
        bytes: 1_500_000,
        codePackageBytes: 8_000_000,
        loadMs: 60,
        shippedLoadMs: 20,
        overheadMs: 70,
        coldInvokeMs: 400,
        warmInvokeMs: 40,
        targetMs: 100,
        targetBytes: 2_000_000,
        withinTargets: true,
        cause: 'the SDKs load whole',
      },
    ],
  },
  memory: memoryFigures(
    { roles: 100, baselineRssMiB: 130, peakRssMiB: 150, peakHeapMiB: 60, retainedHeapMiB: 45 },
    { roles: 1000, baselineRssMiB: 130, peakRssMiB: 170, peakHeapMiB: 70, retainedHeapMiB: 50 },
  ),
};

const withSteady = (small: SteadyFigures, large: SteadyFigures): Measured => ({
  ...measured,
  steadyState: [small, large],
});

describe('memoryFigures', () => {
  it('calls memory flat when the peak grows far less than the roles', () => {
    expect(measured.memory).toMatchObject({ rolesRatio: 10 });
    expect(measured.memory.peakRatio).toBeCloseTo(1.133, 3);
    expect(measured.memory.flat).toBe(true);
  });

  it('calls memory proportional when the peak follows the roles', () => {
    const grown = memoryFigures(measured.memory.runs[0], { ...measured.memory.runs[1], peakRssMiB: 200 });
    expect(grown.flat).toBe(false);
  });
});

describe('missedTargets', () => {
  it('is empty when every target is met', () => {
    expect(missedTargets(measured)).toEqual([]);
  });

  it('names CPU above the floor with what the reconciler does that the floor does not', () => {
    const heavy = withSteady(steady(100), steady(1000, { cpuMsPerRole: 3, cpuToFloor: 3 }));
    const missed = missedTargets(heavy);
    expect(missed).toHaveLength(3);
    expect(missed[0]).toMatch(
      /^steady 1000 roles http: reconciler CPU: 3\.00 ms\/role \(floor 1\.00 ms\/role, 3\.00x\) \(target <= 1\.3x floor\): 2\.00 ms\/role above the floor's 1\.00 ms\/role: 0\.10 Tablestore requests per role \(GetRange 0\.10\)/,
    );
    expect(missed[1]).toMatch(
      /^steady 1000 roles http: reconciler CPU per role: 3\.00 ms\/role \(target <= 2\.5 ms\/role\)/,
    );
  });

  it('holds no CPU bar below 1,000 roles, where the fixed costs dominate', () => {
    const small = withSteady(steady(100, { cpuMsPerRole: 9, cpuToFloor: 4 }), steady(1000));
    expect(missedTargets(small)).toEqual([]);
  });

  it('names the Tablestore requests per role above the bar', () => {
    const chatty = withSteady(steady(100), steady(1000, { tablestoreRequestsPerRole: 3 }));
    expect(missedTargets(chatty).join('\n')).toMatch(/Tablestore requests per role: 3\.00 .*\(target <= 0\.2\)/);
  });

  it('names a rate-bound run over the bound, with how late the last shard started and how far the slowest ran over', () => {
    const slow = {
      ...measured,
      rateBound: { ...measured.rateBound, accounts: 4, toBound: 3.2, wallMs: 45_000, slowestShardMs: 40_000 },
    };
    expect(missedTargets(slow)).toEqual([
      expect.stringMatching(
        /^rate-bound 600 roles in 4 accounts: run \/ rate bound: 45,000 ms \/ 11,000 ms = 3\.20x \(target <= 1\.1x\): 3 calls throttled and retried; the last shard started 400 ms into the run \(counting scan, fan-out\) and the slowest took 40,000 ms, 29,000 ms beyond the bound/,
      ),
    ]);
  });

  it("names where the slowest account's time went, when the run measured it", () => {
    const slowestAccount = {
      accountId: '7000000000000001',
      shardStartMs: 400,
      instanceFirstCallMs: 900,
      assumeRoleAnsweredMs: 1_100,
      firstRamCallMs: 1_150,
      lastRamCallMs: 12_400,
      lastRamAnswerMs: 12_430,
      shardEndMs: 12_600,
      ramCalls: 600,
      throttled: 1,
      retryWaitsMs: [150],
      idleMs: 200,
      lagMs: 50,
      longestGapMs: 180,
    };
    const slow = { ...measured, rateBound: { ...measured.rateBound, toBound: 1.15, wallMs: 12_650, slowestAccount } };
    expect(missedTargets(slow).join('\n')).toMatch(
      /; the slowest account 7000000000000001: shard started 400 ms, its first request 900 ms, AssumeRole answered 1,100 ms, first RAM call 1,150 ms; 600 calls to 12,400 ms with the bucket idle 200 ms/,
    );
  });

  it('names a bundle over its budget with its cause', () => {
    const bundle = { ...measured.coldStart.bundles[0]!, overheadMs: 190, withinTargets: false, cause: 'big SDKs' };
    const heavy = { ...measured, coldStart: { emptyProcessMs: 40, bundles: [bundle] } };
    expect(missedTargets(heavy)).toEqual([
      'cold start: ticket-intake (load 60 ms): 190 ms, 1.50 MB (target <= 100 ms, <= 2 MB): big SDKs',
    ]);
  });

  it('names https runs that open a TLS session for most of their calls', () => {
    const fresh = withSteady(steady(100), steady(1000, { tlsSessions: 2000 }));
    expect(missedTargets(fresh).join('\n')).toMatch(/TLS sessions \/ requests: 2000 \/ 2200 \(target <= 10%\)/);
  });
});

describe('resultRows', () => {
  it('prints every measure with its target and verdict', () => {
    const table = formatTable(resultRows(measured));
    expect(table).toMatch(
      /steady 1000 roles http: reconciler CPU\s+1\.20 ms\/role \(floor 1\.00 ms\/role, 1\.20x\)\s+<= 1\.3x floor\s+ok/,
    );
    expect(table).toMatch(
      /peer \(Terraform-style refresh\) of 1000 roles: wall, x the reconciler's\s+7,000 ms, 2\.30x/,
    );
    expect(table).toMatch(/drift: repaired in one run\s+50 repaired, 0 left\s+50, 0 left\s+ok/);
    expect(table).toMatch(/memory: peak growth for 10x roles\s+1\.13x\s+<= 1\.2x\s+ok/);
  });
});
