import { describe, expect, it } from 'vitest';
import type { FindingData, ResolvedData } from '../../../shared/domain/finding.js';
import {
  livenessGap,
  RECONCILER_NOT_RUNNING_ID,
  reconcilerNotRunningFinding,
  reconcilerRunningAgain,
} from '../../../shared/domain/liveness.js';

const POLICY = { intervalMs: 15 * 60_000, allowedIntervals: 3 };
const NOW = new Date('2030-01-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

describe('livenessGap', () => {
  it('is fresh within the allowed intervals and stale beyond them', () => {
    expect(livenessGap(minutesAgo(45), NOW, POLICY)).toMatchObject({ stale: false, missedIntervals: 2 });
    expect(livenessGap(minutesAgo(46), NOW, POLICY)).toMatchObject({ stale: true, missedIntervals: 2 });
    expect(livenessGap(minutesAgo(120), NOW, POLICY)).toMatchObject({ stale: true, missedIntervals: 7 });
  });

  it('does not call a deployment stale that has never run', () => {
    expect(livenessGap(undefined, NOW, POLICY).stale).toBe(false);
  });
});

describe('reconcilerNotRunningFinding', () => {
  it('is critical, carries the gap as evidence, and keeps one findingId across outages that its resolution names', () => {
    const gap = livenessGap(minutesAgo(120), NOW, POLICY);
    const finding = reconcilerNotRunningFinding({
      id: 'e-1',
      time: NOW,
      correlationId: 'run',
      lastSucceededAt: minutesAgo(120),
      gap,
      policy: POLICY,
    });
    const data = finding.data as FindingData;
    expect(finding.type).toBe('dts-trust.finding.reconciler-not-running');
    expect(data).toMatchObject({ severity: 'critical', findingId: RECONCILER_NOT_RUNNING_ID });
    expect(data.evidence).toMatchObject({ gapMinutes: 120, missedIntervals: 7, allowedIntervals: 3 });
    const resolved = reconcilerRunningAgain({ id: 'e-2', time: NOW, correlationId: 'run' });
    expect((resolved.data as ResolvedData).findingId).toBe(data.findingId);
    expect(resolved.type).toBe('dts-trust.resolved.reconciler-not-running');
  });
});
