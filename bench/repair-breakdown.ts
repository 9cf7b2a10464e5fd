/**
 * Where the function's part of one event-driven repair went (the trigger's push to the role repaired), read from
 * the local cloud's request log: the wait before the function's first call (FC's invocation, the function starting),
 * the RAM and STS requests, the Tablestore requests, other requests, and the time between requests (the product's
 * own work, client overhead, the bench's polling). A miss of the target is put down to what exceeded its share.
 */
import type { RequestLogEntry } from '../local/cloud/contract.js';

/** One repair's time, by part (milliseconds), with the requests it made. */
export interface RepairBreakdown {
  /** From the push to the role repaired. */
  readonly totalMs: number;
  /** From the push to the start of the function's first request. */
  readonly beforeFirstCallMs: number;
  /** RAM and STS requests: how many, how many of them refused (throttled or failed, then retried), their time. */
  readonly ramCalls: number;
  readonly ramRefused: readonly string[];
  readonly ramMs: number;
  readonly storeCalls: number;
  readonly storeMs: number;
  readonly otherCalls: number;
  readonly otherMs: number;
  /** What is left: between requests. */
  readonly betweenMs: number;
}

const RAM_SERVICES: ReadonlySet<string> = new Set(['ram', 'sts']);

/**
 * The breakdown of the repair pushed at `pushedAt` and seen repaired at `repairedAt` (epoch ms), from the requests
 * the log holds between the two (the trigger's own InvokeFunction, which spans the whole, left out).
 */
export function repairBreakdown(
  log: readonly RequestLogEntry[],
  pushedAt: number,
  repairedAt: number,
): RepairBreakdown {
  const calls = log
    .filter((e) => !(e.service === 'fc' && e.action === 'InvokeFunction'))
    .map((e) => {
      const end = Date.parse(e.time);
      return { entry: e, start: end - (e.durationMs ?? 0), end };
    })
    .filter((c) => c.start >= pushedAt && c.end <= repairedAt)
    .sort((a, b) => a.start - b.start);
  const sum = (pick: (e: RequestLogEntry) => boolean) => {
    const chosen = calls.filter((c) => pick(c.entry));
    return { count: chosen.length, ms: chosen.reduce((total, c) => total + (c.end - c.start), 0), chosen };
  };
  const ram = sum((e) => RAM_SERVICES.has(e.service));
  const store = sum((e) => e.service === 'tablestore');
  const other = sum((e) => !RAM_SERVICES.has(e.service) && e.service !== 'tablestore');
  const totalMs = Math.max(0, repairedAt - pushedAt);
  const beforeFirstCallMs = calls.length === 0 ? totalMs : calls[0]!.start - pushedAt;
  return {
    totalMs,
    beforeFirstCallMs,
    ramCalls: ram.count,
    ramRefused: ram.chosen.filter((c) => c.entry.code !== undefined).map((c) => `${c.entry.action}:${c.entry.code}`),
    ramMs: ram.ms,
    storeCalls: store.count,
    storeMs: store.ms,
    otherCalls: other.count,
    otherMs: other.ms,
    betweenMs: Math.max(0, totalMs - beforeFirstCallMs - ram.ms - store.ms - other.ms),
  };
}

/** One line: each part of a repair. */
export function formatBreakdown(b: RepairBreakdown): string {
  const refused = b.ramRefused.length > 0 ? `, ${b.ramRefused.length} refused (${b.ramRefused.join(', ')})` : '';
  return (
    `${Math.round(b.totalMs)} ms = before the first call ${Math.round(b.beforeFirstCallMs)} ms` +
    ` + RAM/STS ${b.ramCalls} calls ${Math.round(b.ramMs)} ms${refused}` +
    ` + Tablestore ${b.storeCalls} calls ${Math.round(b.storeMs)} ms` +
    (b.otherCalls > 0 ? ` + other ${b.otherCalls} calls ${Math.round(b.otherMs)} ms` : '') +
    ` + between calls ${Math.round(b.betweenMs)} ms`
  );
}

/**
 * Why a repair took longer than `targetMs` (3 x its round trips at the mean RAM latency, so one third for the RAM
 * requests and two thirds for everything else): RAM requests refused and retried; else whichever share was
 * exceeded by more, the RAM requests (slower than the latency the target assumes) or the rest (named by its
 * largest part).
 */
export function causeOfMiss(b: RepairBreakdown, targetMs: number, roundTrips: number): string {
  if (b.ramRefused.length > 0) {
    return `RAM/STS requests refused and retried (${b.ramRefused.join(', ')}): ${b.ramCalls} calls for ${roundTrips} round trips`;
  }
  const ramShare = targetMs / 3;
  const restMs = b.totalMs - b.ramMs;
  if (b.ramMs - ramShare >= restMs - 2 * ramShare) {
    return `RAM/STS requests took ${Math.round(b.ramMs)} ms, over the ${Math.round(ramShare)} ms the mean latency gives them`;
  }
  const parts: [string, number][] = [
    ["before the function's first call (FC invocation, function start)", b.beforeFirstCallMs],
    [`Tablestore (${b.storeCalls} calls)`, b.storeMs],
    ['between calls (the product, client overhead, the bench polling)', b.betweenMs],
    [`other requests (${b.otherCalls})`, b.otherMs],
  ];
  const [name, ms] = parts.reduce((a, c) => (c[1] > a[1] ? c : a));
  return `the time beside RAM, ${Math.round(restMs)} ms, over its ${Math.round(2 * ramShare)} ms; most of it ${name}, ${Math.round(ms)} ms`;
}
