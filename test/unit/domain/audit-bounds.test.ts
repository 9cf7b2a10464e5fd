import { describe, expect, it } from 'vitest';
import { AuditEventType, boundAuditEvent, newAuditEvent } from '../../../shared/domain/audit.js';
import { AUDIT_BOUNDS, boundAuditData, cutText } from '../../../shared/domain/audit-bounds.js';

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** The data of a rejection of a 47 KB message whose body is made of unknown keys the sender named. */
function hostileRejection() {
  const problems = Array.from({ length: 1200 }, (_, i) => ({
    code: 'InvalidField',
    field: `message.body.${'k'.repeat(30)}${i}`,
    message: `${'k'.repeat(30)}${i} is not a known field`,
    fix: `remove ${'k'.repeat(30)}${i} or correct its spelling`,
  }));
  return {
    correlationId: 'c-1',
    outcome: 'rejected',
    codes: ['InvalidField'],
    ticket: { system: 'jira', id: 'T-1', requester: 'r'.repeat(47 * 1024), approver: 'a' },
    diff: problems,
  };
}

describe('boundAuditData', () => {
  it('returns data that fits as the very same object', () => {
    const data = { correlationId: 'c', outcome: 'created', codes: ['A'], detail: { n: 1 } };
    expect(boundAuditData(data)).toBe(data);
  });

  it('holds a rejection of a hostile 47 KB message to 16 KB, cutting text with a marker and capping the problem list with a count of the rest', () => {
    const data = hostileRejection();
    expect(bytes(data)).toBeGreaterThan(47 * 1024);
    const bounded = boundAuditData(data);
    expect(bytes(bounded)).toBeLessThanOrEqual(AUDIT_BOUNDS.maxDataBytes);
    expect(bounded.correlationId).toBe('c-1');
    expect(bounded.codes).toEqual(['InvalidField']);
    expect(bounded.ticket.requester).toMatch(/^r+…\[cut \d+ chars\]$/);
    expect(bounded.diff.length).toBeLessThan(1200);
    expect(bounded.diff[0]).toMatchObject({ code: 'InvalidField' });
    expect(bounded.truncated?.omitted).toContainEqual({ at: 'diff', count: 1200 - bounded.diff.length });
    expect(bounded.truncated?.originalBytes).toBe(bytes(data));
  });

  it('gives the same object back when bounding what it already bounded', () => {
    const once = boundAuditData(hostileRejection());
    expect(boundAuditData(once)).toBe(once);
  });

  it('fits strings that JSON escapes to six bytes a character', () => {
    const data = { correlationId: 'c', outcome: 'failed', detail: { message: '\u0001'.repeat(40_000) } };
    const bounded = boundAuditData(data);
    expect(bytes(bounded)).toBeLessThanOrEqual(AUDIT_BOUNDS.maxDataBytes);
    expect(bounded.truncated?.cutStrings).toBe(1);
  });

  it('cuts key names the sender chose and replaces what is nested too deep', () => {
    let deep: Record<string, unknown> = { leaf: 'x' };
    for (let i = 0; i < 40; i += 1) deep = { [`${'n'.repeat(300)}${i}`]: deep };
    const bounded = boundAuditData({ correlationId: 'c', outcome: 'rejected', detail: deep });
    const text = JSON.stringify(bounded);
    expect(text).toContain('…[nested too deep]');
    expect(text).not.toContain('n'.repeat(AUDIT_BOUNDS.maxKeyChars + 1));
    expect(bounded.truncated?.cutStrings).toBeGreaterThan(0);
  });

  it('keeps only the identifying fields when no level of limits makes the data fit', () => {
    const leaf = '\u0001'.repeat(100);
    const inner = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, leaf]));
    const detail = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, Array(5).fill(inner)]));
    const data = {
      correlationId: 'c',
      outcome: 'rejected',
      codes: ['A', 'B'],
      grantIds: ['1/r/2'],
      ticket: { system: 's', id: 'i', requester: 'q'.repeat(5000), approver: 'p' },
      detail,
    };
    const bounded = boundAuditData(data);
    expect(bytes(bounded)).toBeLessThanOrEqual(AUDIT_BOUNDS.maxDataBytes);
    expect(bounded).toMatchObject({ correlationId: 'c', outcome: 'rejected', codes: ['A', 'B'], grantIds: ['1/r/2'] });
    expect(bounded.truncated?.minimal).toBe(true);
    expect(bounded.ticket.requester.length).toBeLessThanOrEqual(128);
    expect('detail' in bounded).toBe(false);
  });
});

describe('cutText', () => {
  it('never splits a surrogate pair', () => {
    const cut = cutText('😀'.repeat(100), 51);
    expect(cut).toMatch(/^(😀)+…\[cut \d+ chars\]$/u);
  });

  it('leaves a string within the limit alone', () => {
    expect(cutText('short', 10)).toBe('short');
  });
});

describe('newAuditEvent', () => {
  it('bounds every event it builds: subject at 512 characters, data at 16 KB', () => {
    const event = newAuditEvent({
      id: 'e-1',
      type: AuditEventType.GrantRejected,
      subject: `dts-trust:message/${'m'.repeat(5000)}`,
      time: new Date('2030-01-01T00:00:00Z'),
      data: hostileRejection(),
    });
    expect(event.subject.length).toBeLessThanOrEqual(AUDIT_BOUNDS.maxSubjectChars);
    expect(bytes(event.data)).toBeLessThanOrEqual(AUDIT_BOUNDS.maxDataBytes);
    expect(bytes(event)).toBeLessThan(64 * 1024);
    expect(boundAuditEvent(event)).toBe(event);
  });
});
