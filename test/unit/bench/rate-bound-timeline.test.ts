import { describe, expect, it } from 'vitest';
import {
  accountTimelines,
  formatTimeline,
  slowestAccount,
  timelineMedians,
} from '../../../bench/rate-bound-timeline.js';
import type { RequestLogEntry } from '../../../local/cloud/contract.js';

const T0 = Date.parse('2026-12-01T12:00:00.000Z');
const OWNER = '7000000000000000';
const OTHER = '7000000000000001';

/** A request that arrived `at` ms after the timer's invocation and took `took` ms. */
const call = (
  service: string,
  action: string,
  at: number,
  took: number,
  extra: Partial<RequestLogEntry> = {},
): RequestLogEntry => ({
  time: new Date(T0 + at + took).toISOString(),
  durationMs: took,
  service,
  action,
  status: extra.code ? 400 : 200,
  ...extra,
});

const ram = (accountId: string, at: number, resource: string, extra: Partial<RequestLogEntry> = {}) =>
  call('ram', extra.action ?? 'GetRole', at, 30, {
    accountId,
    accessKeyId: `STS.ram-${accountId}`,
    resource,
    ...extra,
  });

/** A shard instance's start: a table check, then AssumeRole into `accountId` with the instance's keys. */
const instance = (accountId: string, at: number): RequestLogEntry[] => [
  call('tablestore', 'DescribeTable', at, 2, { accessKeyId: `STS.fc-${accountId}` }),
  call('sts', 'AssumeRole', at + 10, 5, {
    accessKeyId: `STS.fc-${accountId}`,
    resource: `acs:ram::${accountId}:role/dts-trust-management`,
  }),
];

describe('accountTimelines', () => {
  it('splits an account at the rate with its burst used at once into no idle time and no lag', () => {
    // Rate 2/s, burst 2: two calls at once, then one every 500 ms: 6 calls take (6 - 2) / 2 = 2 s.
    const log = [
      ...instance(OWNER, 300),
      ...[0, 0, 500, 1000, 1500, 2000].map((d, i) => ram(OWNER, 400 + d, `role-${i}`)),
    ];
    const [t] = accountTimelines(log, [{ ownerAccountIds: [OWNER], startedAt: T0 + 100, finishedAt: T0 + 2500 }], T0, {
      ratePerSecond: 2,
    });
    expect(t).toEqual({
      accountId: OWNER,
      shardStartMs: 100,
      instanceFirstCallMs: 300,
      assumeRoleAnsweredMs: 315,
      firstRamCallMs: 400,
      lastRamCallMs: 2400,
      lastRamAnswerMs: 2430,
      shardEndMs: 2500,
      ramCalls: 6,
      throttled: 0,
      retryWaitsMs: [],
      idleMs: 0,
      lagMs: 0,
      longestGapMs: 500,
    });
  });

  it('counts the bucket full and unused as idle, and tokens left at the last call as lag', () => {
    // Rate 2/s, burst 2. A pause of 2 s after two calls: the bucket refills in 1 s, then sits full for 1 s.
    // The last call comes 750 ms after the one before it, with 1.5 tokens in the bucket: 250 ms of lag.
    const log = [0, 0, 2000, 2000, 2750].map((d, i) => ram(OWNER, d, `role-${i}`));
    const [t] = accountTimelines(log, [], T0, { ratePerSecond: 2 });
    expect(t?.idleMs).toBe(1000);
    expect(t?.lagMs).toBe(250);
    // (5 calls - burst 2) / rate 2 = 1.5 s, + 1 s idle + 0.25 s lag = the 2.75 s from the first call to the last.
    expect((t?.lastRamCallMs ?? 0) - (t?.firstRamCallMs ?? 0)).toBe(1500 + 1000 + 250);
  });

  it('takes no token for a throttled call and times its retry to the same call arriving again', () => {
    const log = [
      ram(OWNER, 0, 'role-0'),
      ram(OWNER, 0, 'role-1', { code: 'Throttling.User' }),
      ram(OWNER, 150, 'role-2', { action: 'ListPoliciesForRole' }),
      ram(OWNER, 330, 'role-1'),
    ];
    const [t] = accountTimelines(log, [], T0, { ratePerSecond: 1, burst: 1 });
    expect(t).toMatchObject({ ramCalls: 3, throttled: 1, retryWaitsMs: [300] });
  });

  it('keeps accounts apart, in id order, and finds each shard by the accounts it was given', () => {
    const log = [
      ...instance(OTHER, 50),
      ram(OTHER, 100, 'a'),
      ...instance(OWNER, 60),
      ram(OWNER, 200, 'b'),
      ram(OWNER, 900, 'c'),
    ];
    const shards = [
      { ownerAccountIds: [OTHER], startedAt: T0 + 20 },
      { ownerAccountIds: [OWNER], startedAt: T0 + 30, finishedAt: T0 + 1000 },
    ];
    const timelines = accountTimelines(log, shards, T0, { ratePerSecond: 10 });
    expect(timelines.map((t) => [t.accountId, t.shardStartMs, t.instanceFirstCallMs, t.shardEndMs])).toEqual([
      [OWNER, 30, 60, 1000],
      [OTHER, 20, 50, undefined],
    ]);
    expect(slowestAccount(timelines)?.accountId).toBe(OWNER);
    expect(timelineMedians(timelines)).toMatchObject({ shardStartMs: 20, firstRamCallMs: 100 });
  });

  it('refuses a rate that is not positive', () => {
    expect(() => accountTimelines([], [], T0, { ratePerSecond: 0 })).toThrow(RangeError);
  });
});

describe('formatTimeline', () => {
  it('names each part of an account’s run, with the waits of its throttled calls', () => {
    const log = [
      ...instance(OWNER, 300),
      ram(OWNER, 400, 'a'),
      ram(OWNER, 400, 'b', { code: 'Throttling.User' }),
      ram(OWNER, 700, 'b'),
    ];
    const [t] = accountTimelines(log, [{ ownerAccountIds: [OWNER], startedAt: T0 + 100, finishedAt: T0 + 800 }], T0, {
      ratePerSecond: 1,
    });
    expect(formatTimeline(t as NonNullable<typeof t>)).toBe(
      `account ${OWNER}: shard started 100 ms, its first request 300 ms, AssumeRole answered 315 ms, first RAM call 400 ms; ` +
        '2 calls to 700 ms with the bucket idle 0 ms and 0 ms of tokens unused at the end, 1 throttled (retried after 270-270 ms), ' +
        'longest gap 300 ms; last answer 730 ms, shard ended 800 ms',
    );
  });
});
