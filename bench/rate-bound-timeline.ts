/**
 * Where a rate-bound run's time went, per owner account, read from the local cloud's request log and the FC
 * invocation records (pure: no I/O). An account's RAM calls are replayed through the local cloud's own model of
 * its limit (one token bucket per account across RAM's APIs, refilled at the rate, holding a burst of as many
 * calls, full at the account's first call), which splits the time from its first RAM call to its last exactly:
 *
 *   last call - first call = (calls let through - burst) / rate + idle + lag
 *
 * `idle`: the bucket full while the account made no call (refill thrown away: the product did not keep up);
 * `lag`: tokens left in the bucket at the last call (the product paced below what the bucket allowed, without
 * letting it fill). Throttled calls take no token and cost no time of their own unless they leave the bucket idle.
 * What comes before the first RAM call is split by the shard's own requests: the fan-out (timer to shard start),
 * the instance starting (to its first request), its tables, scans and AssumeRole (to its first RAM call).
 */
import type { RequestLogEntry } from '../local/cloud/contract.js';
import { median } from './bound.js';

/** A request-log entry as the local cloud serves it (`GET /__admin/log`), optional parts possibly undefined. */
export type LoggedRequest = Pick<RequestLogEntry, 'time' | 'service' | 'action' | 'status'> & {
  readonly [K in 'durationMs' | 'accountId' | 'accessKeyId' | 'resource' | 'code']?: RequestLogEntry[K] | undefined;
};

/** An FC invocation record of a shard, with the owner accounts it was given. */
export interface ShardRecord {
  readonly ownerAccountIds: readonly string[];
  /** Epoch ms. */
  readonly startedAt: number;
  /** Epoch ms; absent while it ran. */
  readonly finishedAt?: number | undefined;
}

/** One owner account's run, ms from the timer's invocation. */
export interface AccountTimeline {
  readonly accountId: string;
  /** Its shard's invocation started (FC's record). */
  readonly shardStartMs?: number | undefined;
  /** The shard instance's first request of any kind (its process started, bundle loaded, handler entered). */
  readonly instanceFirstCallMs?: number | undefined;
  /** The AssumeRole into the account answered. */
  readonly assumeRoleAnsweredMs?: number | undefined;
  /** The account's first RAM call arrived at the cloud. */
  readonly firstRamCallMs: number;
  /** The account's last RAM call arrived, and was answered. */
  readonly lastRamCallMs: number;
  readonly lastRamAnswerMs: number;
  /** Its shard's invocation finished. */
  readonly shardEndMs?: number | undefined;
  /** RAM calls let through (each took a token) and throttled. */
  readonly ramCalls: number;
  readonly throttled: number;
  /** From each throttled answer to the same call's next arrival (the retry's wait), ms, in log order. */
  readonly retryWaitsMs: readonly number[];
  /** The bucket full while the account made no call, ms. */
  readonly idleMs: number;
  /** Tokens left in the bucket at the last call, as ms of the rate. */
  readonly lagMs: number;
  /** The longest time between two RAM call arrivals, ms. */
  readonly longestGapMs: number;
}

/** The bucket the local cloud keeps for one account (`per: 'account'` limits). */
export interface BucketModel {
  readonly ratePerSecond: number;
  /** Defaults to the rate. */
  readonly burst?: number | undefined;
}

const THROTTLED = 'Throttling.User';
/** STS's RoleArn of a role in an account. */
const ROLE_ARN = /^acs:ram::(\d+):role\//;

interface Timed {
  readonly entry: LoggedRequest;
  readonly arrivedAt: number;
  readonly answeredAt: number;
}

const timed = (entry: LoggedRequest): Timed => {
  const answeredAt = Date.parse(entry.time);
  return { entry, arrivedAt: answeredAt - (entry.durationMs ?? 0), answeredAt };
};

/**
 * Each owner account's timeline (accounts in id order; an account without a RAM call is left out), times relative
 * to `startedAt` (epoch ms, the timer's invocation). The shard instance of an account is the one whose keys signed
 * the AssumeRole into it (its `resource`, the role ARN).
 */
export function accountTimelines(
  log: readonly LoggedRequest[],
  shards: readonly ShardRecord[],
  startedAt: number,
  bucket: BucketModel,
): AccountTimeline[] {
  const rate = bucket.ratePerSecond;
  if (!(rate > 0)) throw new RangeError(`ratePerSecond must be positive, got ${rate}`);
  const burst = bucket.burst ?? rate;
  const calls = log.map(timed).sort((a, b) => a.arrivedAt - b.arrivedAt);
  const ramByAccount = new Map<string, Timed[]>();
  const instanceKeyOf = new Map<string, { key: string; answeredAt: number }>();
  const firstCallOfKey = new Map<string, number>();
  for (const call of calls) {
    const { service, action, accountId, accessKeyId, resource } = call.entry;
    if (accessKeyId !== undefined && !firstCallOfKey.has(accessKeyId)) firstCallOfKey.set(accessKeyId, call.arrivedAt);
    if (service === 'ram' && accountId !== undefined) {
      const list = ramByAccount.get(accountId) ?? [];
      list.push(call);
      ramByAccount.set(accountId, list);
    } else if (service === 'sts' && action === 'AssumeRole' && call.entry.status === 200 && accessKeyId) {
      const target = resource === undefined ? undefined : ROLE_ARN.exec(resource)?.[1];
      if (target !== undefined && !instanceKeyOf.has(target)) {
        instanceKeyOf.set(target, { key: accessKeyId, answeredAt: call.answeredAt });
      }
    }
  }
  const rel = (at: number | undefined): number | undefined => (at === undefined ? undefined : at - startedAt);
  return [...ramByAccount.keys()].sort().map((accountId) => {
    const ram = ramByAccount.get(accountId) as Timed[];
    const shard = shards.find((s) => s.ownerAccountIds.includes(accountId));
    const instance = instanceKeyOf.get(accountId);
    const replay = replayBucket(ram, rate, burst);
    const first = ram[0] as Timed;
    const last = ram.at(-1) as Timed;
    return {
      accountId,
      shardStartMs: rel(shard?.startedAt),
      instanceFirstCallMs: rel(instance === undefined ? undefined : firstCallOfKey.get(instance.key)),
      assumeRoleAnsweredMs: rel(instance?.answeredAt),
      firstRamCallMs: first.arrivedAt - startedAt,
      lastRamCallMs: last.arrivedAt - startedAt,
      lastRamAnswerMs: Math.max(...ram.map((c) => c.answeredAt)) - startedAt,
      shardEndMs: rel(shard?.finishedAt),
      ...replay,
      retryWaitsMs: retryWaits(ram),
    };
  });
}

/** Replay an account's calls (sorted by arrival) through its bucket: what it let through, idle and lag. */
function replayBucket(
  ram: readonly Timed[],
  rate: number,
  burst: number,
): Pick<AccountTimeline, 'ramCalls' | 'throttled' | 'idleMs' | 'lagMs' | 'longestGapMs'> {
  let tokens = burst;
  let at = (ram[0] as Timed).arrivedAt;
  let idleMs = 0;
  let longestGapMs = 0;
  let throttled = 0;
  let before = tokens;
  for (const call of ram) {
    longestGapMs = Math.max(longestGapMs, call.arrivedAt - at);
    tokens += ((call.arrivedAt - at) / 1000) * rate;
    if (tokens > burst) {
      idleMs += ((tokens - burst) / rate) * 1000;
      tokens = burst;
    }
    at = call.arrivedAt;
    before = tokens;
    if (call.entry.code === THROTTLED) throttled += 1;
    else tokens -= 1;
  }
  return {
    ramCalls: ram.length - throttled,
    throttled,
    idleMs,
    lagMs: (Math.max(0, before - 1) / rate) * 1000,
    longestGapMs,
  };
}

/** For each throttled call, the time from its answer to the next arrival of the same action on the same resource. */
function retryWaits(ram: readonly Timed[]): number[] {
  const waits: number[] = [];
  ram.forEach((call, i) => {
    if (call.entry.code !== THROTTLED) return;
    const again = ram
      .slice(i + 1)
      .find((c) => c.entry.action === call.entry.action && c.entry.resource === call.entry.resource);
    if (again !== undefined) waits.push(again.arrivedAt - call.answeredAt);
  });
  return waits;
}

/** The account whose last RAM call was answered last (the one that ended the run), or undefined for none. */
export function slowestAccount(timelines: readonly AccountTimeline[]): AccountTimeline | undefined {
  return timelines.reduce<AccountTimeline | undefined>(
    (slowest, t) => (slowest === undefined || t.lastRamAnswerMs > slowest.lastRamAnswerMs ? t : slowest),
    undefined,
  );
}

/** Medians over the accounts of the parts of a run. */
export interface TimelineMedians {
  readonly shardStartMs: number;
  readonly instanceFirstCallMs: number;
  readonly firstRamCallMs: number;
  readonly idleMs: number;
  readonly lagMs: number;
  readonly throttled: number;
}

/** The median of each part over the accounts (NaN where no account has it). */
export function timelineMedians(timelines: readonly AccountTimeline[]): TimelineMedians {
  const of = (pick: (t: AccountTimeline) => number | undefined): number =>
    median(timelines.map(pick).filter((v): v is number => v !== undefined));
  return {
    shardStartMs: of((t) => t.shardStartMs),
    instanceFirstCallMs: of((t) => t.instanceFirstCallMs),
    firstRamCallMs: of((t) => t.firstRamCallMs),
    idleMs: of((t) => t.idleMs),
    lagMs: of((t) => t.lagMs),
    throttled: of((t) => t.throttled),
  };
}

const ms = (v: number | undefined): string => (v === undefined ? '-' : `${Math.round(v).toLocaleString('en-US')} ms`);

/** One line: where an account's time went. */
export function formatTimeline(t: AccountTimeline): string {
  const waits = t.retryWaitsMs;
  const retried =
    t.throttled === 0
      ? 'none throttled'
      : `${t.throttled} throttled (retried after ${waits.length > 0 ? `${Math.round(Math.min(...waits))}-${Math.round(Math.max(...waits))} ms` : '-'})`;
  return (
    `account ${t.accountId}: shard started ${ms(t.shardStartMs)}, its first request ${ms(t.instanceFirstCallMs)}, ` +
    `AssumeRole answered ${ms(t.assumeRoleAnsweredMs)}, first RAM call ${ms(t.firstRamCallMs)}; ` +
    `${t.ramCalls} calls to ${ms(t.lastRamCallMs)} with the bucket idle ${ms(t.idleMs)} and ${ms(t.lagMs)} of tokens ` +
    `unused at the end, ${retried}, longest gap ${ms(t.longestGapMs)}; last answer ${ms(t.lastRamAnswerMs)}, ` +
    `shard ended ${ms(t.shardEndMs)}`
  );
}
