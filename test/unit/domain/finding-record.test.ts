import { describe, expect, it } from 'vitest';
import { AuditEventType, newAuditEvent } from '../../../shared/domain/audit.js';
import { type FindingData, newFindingEvent, newResolvedEvent } from '../../../shared/domain/finding.js';
import { foldFindingEvent } from '../../../shared/domain/finding-record.js';

const SUBJECT = 'acs:ram::1111111111111111:role/ram-for-dts';

const raised = (id: string, time: string) =>
  newFindingEvent({
    id,
    kind: 'tug-of-war',
    subject: SUBJECT,
    about: 'sig',
    time: new Date(time),
    correlationId: 'c',
    summary: `seen ${id}`,
    evidence: { id },
  });

const resolved = (time: string) =>
  newResolvedEvent({
    id: `r-${time}`,
    kind: 'tug-of-war',
    findingId: (raised('x', time).data as FindingData).findingId,
    subject: SUBJECT,
    time: new Date(time),
    correlationId: 'c',
    summary: 'resumed',
    resolvedBy: 'alice',
  });

describe('foldFindingEvent', () => {
  it('opens a finding on its first event with its kind, severity and evidence', () => {
    expect(foldFindingEvent(undefined, raised('a', '2030-01-01T00:00:00Z'))).toMatchObject({
      kind: 'tug-of-war',
      severity: 'high',
      state: 'open',
      occurrences: 1,
      evidence: { id: 'a' },
    });
  });

  it('counts a repeat, keeps the latest summary, and ignores a second delivery of the same event', () => {
    const first = foldFindingEvent(undefined, raised('a', '2030-01-01T00:00:00Z'));
    const second = foldFindingEvent(first, raised('b', '2030-01-01T01:00:00Z'));
    expect(second).toMatchObject({ occurrences: 2, summary: 'seen b', firstSeenAt: '2030-01-01T00:00:00.000Z' });
    expect(foldFindingEvent(second, raised('b', '2030-01-01T01:00:00Z'))).toBe(second);
  });

  it('resolves it, and reopens it only for an event after the resolution', () => {
    const open = foldFindingEvent(undefined, raised('a', '2030-01-01T00:00:00Z'));
    const done = foldFindingEvent(open, resolved('2030-01-01T02:00:00Z'));
    expect(done).toMatchObject({ state: 'resolved', resolvedBy: 'alice', resolution: 'resumed' });
    expect(foldFindingEvent(done, raised('late', '2030-01-01T01:00:00Z'))).toMatchObject({ state: 'resolved' });
    expect(foldFindingEvent(done, raised('again', '2030-01-01T03:00:00Z'))).toMatchObject({
      state: 'open',
      resolvedAt: undefined,
    });
  });

  it('ignores a resolution of a finding it never saw, and events that are not findings', () => {
    expect(foldFindingEvent(undefined, resolved('2030-01-01T00:00:00Z'))).toBeUndefined();
    const other = newAuditEvent({
      id: 'o',
      type: AuditEventType.RoleCreated,
      subject: SUBJECT,
      time: new Date(),
      data: { correlationId: 'c', outcome: 'created' },
    });
    expect(foldFindingEvent(undefined, other)).toBeUndefined();
  });
});
