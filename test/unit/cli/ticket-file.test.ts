import { describe, expect, it } from 'vitest';
import { parseTicketYaml, ticketBodies } from '../../../cli/ticket-file.js';
import { ValidationError } from '../../../shared/domain/errors.js';

function problemsOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.problems.map((p) => `${p.field} ${p.code}`);
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('parseTicketYaml', () => {
  it('turns YAML scalars, lists and maps into plain JSON values', () => {
    expect(parseTicketYaml('a: 1\nb: [x, true, null, 2.5]\nc: { "d": "é" }\n')).toEqual({
      a: 1,
      b: ['x', true, null, 2.5],
      c: { d: 'é' },
    });
  });

  it('refuses integers beyond ±(2^53-1), .nan and .inf, naming the field', () => {
    expect(problemsOf(() => parseTicketYaml('a:\n  b: 9007199254740993\nc: .nan\nd: -.inf\n'))).toEqual([
      'a.b NotIJson',
      'c NotIJson',
      'd NotIJson',
    ]);
  });

  it('refuses keys that are not strings and duplicate keys', () => {
    expect(problemsOf(() => parseTicketYaml('1: one\n'))).toEqual(['file NotIJson']);
    expect(problemsOf(() => parseTicketYaml('a: 1\na: 2\n'))).toEqual(['file MalformedTicketFile']);
  });

  it('refuses tagged values', () => {
    expect(problemsOf(() => parseTicketYaml('a: !!binary aGVsbG8=\n'))).not.toEqual([]);
  });
});

describe('ticketBodies', () => {
  it('names every problem of every ticket of a list', () => {
    const problems = problemsOf(() => ticketBodies([{ action: 'declare' }, 'text'], new Date()));
    expect(problems).toContain('tickets[0].ticket InvalidField');
    expect(problems).toContain('tickets[1] InvalidField');
  });

  it('fills in id and issuedAt, and keeps what the file says otherwise', () => {
    const [body] = ticketBodies(
      [
        {
          action: 'revoke',
          ticket: { system: 'jira', id: 'DBA-1', requester: 'a', approver: 'b' },
          relationship: {
            scenario: 'source',
            source: { accountId: '1437508826153950', databaseType: 'mysql', accessMethod: 'instance' },
            destination: { accountId: '1729364058172635', databaseType: 'mysql', accessMethod: 'instance' },
          },
        },
      ],
      new Date('2030-01-01T00:00:00.123Z'),
    );
    expect(body).toMatchObject({ issuedAt: '2030-01-01T00:00:00Z', action: 'revoke' });
    expect(body?.['id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(body?.['relationship']).not.toHaveProperty('policies');
  });
});
