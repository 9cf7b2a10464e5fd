import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../shared/domain/audit.js';
import { type FindingRecord, foldFindingEvent } from '../../../shared/domain/finding-record.js';
import { checkPreviousRun, recordSuccessfulRun, TIMER_RUN } from '../../../shared/evidence/liveness.js';
import type { FindingLedger, Heartbeat, Heartbeats } from '../../../shared/ports.js';

const POLICY = { intervalMs: 15 * 60_000, allowedIntervals: 3 };

/** Heartbeats, a findings ledger folding what is recorded at once, and an audit log, all in memory. */
function world(lastRunMinutesAgo: number | undefined, now = new Date('2030-01-01T12:00:00Z')) {
  const beats = new Map<string, Heartbeat>();
  if (lastRunMinutesAgo !== undefined) {
    beats.set(TIMER_RUN, {
      component: TIMER_RUN,
      succeededAt: new Date(now.getTime() - lastRunMinutesAgo * 60_000),
      correlationId: 'old',
    });
  }
  const heartbeats: Heartbeats = {
    last: async (c) => beats.get(c),
    beat: async (component, at, correlationId) => {
      beats.set(component, { component, succeededAt: at, correlationId });
    },
  };
  const records = new Map<string, FindingRecord>();
  const findings: FindingLedger = {
    apply: async () => {},
    get: async (id) => records.get(id),
    list: async function* () {
      yield* records.values();
    },
  };
  const recorded: AuditEvent[] = [];
  const audit = {
    record: async (event: AuditEvent) => {
      recorded.push(event);
      const id = (event.data as { findingId?: string }).findingId;
      if (id) {
        const next = foldFindingEvent(records.get(id), event);
        if (next) records.set(id, next);
      }
    },
  };
  let n = 0;
  const deps = { heartbeats, findings, audit, clock: { now: () => now }, newId: () => `e-${++n}`, policy: POLICY };
  return { deps, recorded, beats, records };
}

describe('the liveness check of a timer run', () => {
  it('records reconciler-not-running when the previous success is older than the allowed intervals, and resolves it when the run succeeds', async () => {
    const w = world(120);
    const gap = await checkPreviousRun(w.deps, 'run-1');
    expect(gap.stale).toBe(true);
    await recordSuccessfulRun(w.deps, 'run-1', gap.stale);
    expect(w.recorded.map((e) => e.type)).toEqual([
      'dts-trust.finding.reconciler-not-running',
      'dts-trust.resolved.reconciler-not-running',
    ]);
    expect(w.beats.get(TIMER_RUN)?.correlationId).toBe('run-1');
    expect([...w.records.values()][0]?.state).toBe('resolved');
  });

  it('records nothing but the heartbeat when the previous run is recent, or when there was none', async () => {
    for (const minutes of [30, undefined]) {
      const w = world(minutes);
      const gap = await checkPreviousRun(w.deps, 'run-1');
      await recordSuccessfulRun(w.deps, 'run-1', gap.stale);
      expect(w.recorded).toEqual([]);
      expect(w.beats.get(TIMER_RUN)?.correlationId).toBe('run-1');
    }
  });
});
