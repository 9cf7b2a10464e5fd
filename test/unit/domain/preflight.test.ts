import { describe, expect, it } from 'vitest';
import {
  DTS_DEFAULT_ROLE_NAME,
  judgePreflight,
  type PreflightAnswer,
  preflightQuestions,
  questionKey,
} from '../../../shared/domain/preflight.js';
import { A, B, C, relationship } from './fixtures.js';

/** `check account name @field` of each question. */
function asked(over: Parameters<typeof relationship>[0]): string[] {
  return preflightQuestions(relationship(over), 'relationship').map(
    (q) => `${q.check} ${q.accountId} ${q.name} @${q.field}`,
  );
}

describe('preflightQuestions', () => {
  it('asks the source owner for the DTS role and a user by the role name, and the task account for the DTS role', () => {
    expect(asked({ scenario: 'source' })).toEqual([
      `dtsAuthorized ${A} ${DTS_DEFAULT_ROLE_NAME} @relationship.source.accountId`,
      `noUserByRoleName ${A} src-role @relationship.source.roleName`,
      `dtsAuthorized ${B} ${DTS_DEFAULT_ROLE_NAME} @relationship.destination.accountId`,
    ]);
  });

  it('asks both owners and the third account of a both relationship', () => {
    expect(asked({ scenario: 'both', taskAccountId: C })).toEqual([
      `dtsAuthorized ${A} ${DTS_DEFAULT_ROLE_NAME} @relationship.source.accountId`,
      `noUserByRoleName ${A} src-role @relationship.source.roleName`,
      `dtsAuthorized ${B} ${DTS_DEFAULT_ROLE_NAME} @relationship.destination.accountId`,
      `noUserByRoleName ${B} dst-role @relationship.destination.roleName`,
      `dtsAuthorized ${C} ${DTS_DEFAULT_ROLE_NAME} @relationship.taskAccountId`,
    ]);
  });

  it('names the source owner as the task account of a cross-account destination', () => {
    expect(asked({ scenario: 'destination' }).at(-1)).toBe(
      `dtsAuthorized ${A} ${DTS_DEFAULT_ROLE_NAME} @relationship.source.accountId`,
    );
  });
});

describe('judgePreflight', () => {
  const questions = preflightQuestions(relationship({ scenario: 'source' }), 'relationship');
  const answer = (over: Record<number, PreflightAnswer>) =>
    new Map(questions.map((q, i) => [questionKey(q), over[i] ?? ({ kind: i === 1 ? 'absent' : 'present' } as const)]));

  it('passes accounts that authorized DTS and hold no user by the role name', () => {
    expect(judgePreflight(questions, answer({}))).toEqual({ problems: [], unchecked: [] });
  });

  it('refuses an owner without AliyunDTSDefaultRole with AliyunUIDNotFound and how to open DTS', () => {
    const { problems } = judgePreflight(questions, answer({ 0: { kind: 'absent' } }));
    expect(problems.map((p) => `${p.code}@${p.field}`)).toEqual(['AliyunUIDNotFound@relationship.source.accountId']);
    expect(problems[0]?.fix).toContain(`sign in to the DTS console once with account ${A}`);
    expect(problems[0]?.message).toContain('prerequisites');
  });

  it('refuses a task account that never opened DTS', () => {
    const { problems } = judgePreflight(questions, answer({ 2: { kind: 'absent' } }));
    expect(problems.map((p) => `${p.code}@${p.field}`)).toEqual([
      'AliyunUIDNotFound@relationship.destination.accountId',
    ]);
  });

  it('refuses a role name that is the name of a RAM user in the owner account', () => {
    const { problems } = judgePreflight(questions, answer({ 1: { kind: 'present' } }));
    expect(problems.map((p) => `${p.code}@${p.field}`)).toEqual(['RoleNameIsUser@relationship.source.roleName']);
    expect(problems[0]?.message).toContain('"src-role" is the name of a RAM user');
  });

  it('reports a question it could not answer as unchecked, never as passed or failed', () => {
    const verdict = judgePreflight(questions, answer({ 2: { kind: 'unchecked', reason: 'ManagementRoleNotFound' } }));
    expect(verdict.problems).toEqual([]);
    expect(verdict.unchecked).toEqual([
      { accountId: B, check: 'dtsAuthorized', name: DTS_DEFAULT_ROLE_NAME, reason: 'ManagementRoleNotFound' },
    ]);
  });
});
