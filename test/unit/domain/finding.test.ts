import { describe, expect, it } from 'vitest';
import { deterministicEventId } from '../../../shared/domain/audit.js';
import {
  FINDING_KINDS,
  type FindingData,
  FindingSeverity,
  findingEventType,
  findingIdOf,
  isFindingEvent,
  newFindingEvent,
} from '../../../shared/domain/finding.js';

const EVENT_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,127}$/;

function finding(id: string, about = 'EventSizeExceed') {
  return newFindingEvent({
    id,
    kind: 'audit-event-set-aside',
    subject: 'dts-trust:audit-event/e-1',
    about,
    time: new Date('2030-01-01T00:00:00Z'),
    correlationId: 'c-1',
    summary: 'the bus refused an audit event for good',
    evidence: { code: about },
  });
}

describe('finding events', () => {
  it('are typed dts-trust.finding.<kind>, each type within the bus limit of 64 characters', () => {
    for (const kind of Object.keys(FINDING_KINDS) as (keyof typeof FINDING_KINDS)[]) {
      expect(findingEventType(kind)).toBe(`dts-trust.finding.${kind}`);
      expect(findingEventType(kind).length).toBeLessThanOrEqual(64);
    }
    expect(isFindingEvent(finding('a'))).toBe(true);
    expect(isFindingEvent({ type: 'dts-trust.role.created' })).toBe(false);
  });

  it("carry the kind's severity, a findingId and the evidence in their data", () => {
    const data = finding('a').data as FindingData;
    expect(data).toMatchObject({
      outcome: 'finding',
      kind: 'audit-event-set-aside',
      severity: FindingSeverity.High,
      evidence: { code: 'EventSizeExceed' },
    });
    expect(data.findingId).toMatch(/^fnd-[0-9a-f]{32}$/);
  });

  it('share the findingId across repeats while each event keeps its own id', () => {
    const first = finding('11111111-1111-4111-8111-111111111111');
    const repeat = finding('22222222-2222-4222-8222-222222222222');
    expect(first.id).not.toBe(repeat.id);
    expect((first.data as FindingData).findingId).toBe((repeat.data as FindingData).findingId);
    expect((finding('x', 'OtherCode').data as FindingData).findingId).not.toBe((first.data as FindingData).findingId);
  });

  it('derive findingIds from kind, subject and what they are about, each part counting', () => {
    const base = findingIdOf('audit-event-set-aside', 's', 'a');
    expect(findingIdOf('audit-event-set-aside', 's', 'a')).toBe(base);
    expect(findingIdOf('audit-delivery-failing', 's', 'a')).not.toBe(base);
    expect(findingIdOf('audit-event-set-aside', 's2', 'a')).not.toBe(base);
    expect(findingIdOf('audit-event-set-aside', 's', 'a2')).not.toBe(base);
  });

  it('let a caller raise the severity of one finding', () => {
    const event = newFindingEvent({
      id: 'b',
      kind: 'audit-delivery-failing',
      subject: 'dts-trust:event-bus/x',
      about: 'AccessDenied',
      time: new Date(),
      correlationId: 'c',
      summary: 's',
      evidence: {},
      severity: FindingSeverity.Critical,
    });
    expect((event.data as FindingData).severity).toBe('critical');
  });
});

describe('deterministicEventId', () => {
  it('is UUID shaped, valid for the bus, and the same for the same parts only', () => {
    const id = deterministicEventId('fnd-1', '2030-01-01T00');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(id).toMatch(EVENT_ID);
    expect(deterministicEventId('fnd-1', '2030-01-01T00')).toBe(id);
    expect(deterministicEventId('fnd-1', '2030-01-01T01')).not.toBe(id);
  });
});
