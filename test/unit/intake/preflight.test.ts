import { describe, expect, it } from 'vitest';
import { CloudApiError } from '../../../shared/domain/errors.js';
import { preflightQuestions } from '../../../shared/domain/preflight.js';
import { RelationshipSchema } from '../../../shared/domain/relationship.js';
import { AccountPreflight } from '../../../shared/intake/preflight.js';
import type { AccountCredentials } from '../../../shared/ports.js';
import { CloudErrors, cloudError } from '../../support/cloud-errors.js';

const OWNER = '1437508826153950';
const TASK = '1729364058172635';
const rel = RelationshipSchema.parse({
  scenario: 'source',
  source: { accountId: OWNER, databaseType: 'mysql', accessMethod: 'instance', roleName: 'ram-for-dts' },
  destination: { accountId: TASK, databaseType: 'mysql', accessMethod: 'instance' },
});
const questions = preflightQuestions(rel, 'relationship');

/** A preflight over accounts given as their roles and users, recording every read. */
function world(
  accounts: Record<string, { roles: string[]; users: string[] } | Error>,
  retry?: ConstructorParameters<typeof AccountPreflight>[0]['retry'],
) {
  const reads: string[] = [];
  const failures = new Map<string, Error[]>();
  const preflight = new AccountPreflight({
    broker: {
      credentialsFor: async (accountId) => {
        const account = accounts[accountId];
        if (account instanceof Error) throw account;
        return { accountId, accessKeyId: `key-${accountId}`, accessKeySecret: 's' };
      },
    },
    roles: {
      getRole: async (account: AccountCredentials, roleName: string) => {
        reads.push(`GetRole ${account.accountId} ${roleName}`);
        const fail = failures.get(account.accountId)?.shift();
        if (fail) throw fail;
        const known = accounts[account.accountId];
        return known && !(known instanceof Error) && known.roles.includes(roleName)
          ? { roleName, arn: '', description: '', trustPolicy: '{}' }
          : undefined;
      },
    },
    users: {
      userExists: async (account: AccountCredentials, userName: string) => {
        reads.push(`GetUser ${account.accountId} ${userName}`);
        const known = accounts[account.accountId];
        return Boolean(known && !(known instanceof Error) && known.users.includes(userName));
      },
    },
    ...(retry ? { retry } : {}),
  });
  return { preflight, reads, failures };
}

describe('AccountPreflight', () => {
  it('reads each question once per run, however many tickets ask it', async () => {
    const { preflight, reads } = world({
      [OWNER]: { roles: ['AliyunDTSDefaultRole'], users: [] },
      [TASK]: { roles: ['AliyunDTSDefaultRole'], users: [] },
    });
    expect(await preflight.check(questions)).toEqual({ problems: [], unchecked: [] });
    await preflight.check(questions);
    expect(reads).toEqual([
      `GetRole ${OWNER} AliyunDTSDefaultRole`,
      `GetUser ${OWNER} ram-for-dts`,
      `GetRole ${TASK} AliyunDTSDefaultRole`,
    ]);
  });

  it('fails an owner that has a RAM user by the role name and no AliyunDTSDefaultRole', async () => {
    const { preflight } = world({
      [OWNER]: { roles: [], users: ['ram-for-dts'] },
      [TASK]: { roles: ['AliyunDTSDefaultRole'], users: [] },
    });
    const verdict = await preflight.check(questions);
    expect(verdict.problems.map((p) => p.code)).toEqual(['AliyunUIDNotFound', 'RoleNameIsUser']);
  });

  it('reports an account without a management role as unchecked, with the reason', async () => {
    const noRole = cloudError('noPermission', 'ManagementRoleNotFound', 'sts:AssumeRole', 404);
    const { preflight } = world({ [OWNER]: { roles: ['AliyunDTSDefaultRole'], users: [] }, [TASK]: noRole });
    const verdict = await preflight.check(questions);
    expect(verdict.problems).toEqual([]);
    expect(verdict.unchecked.map((u) => `${u.accountId} ${u.reason.split(':')[0]}`)).toEqual([
      `${TASK} ManagementRoleNotFound`,
    ]);
  });

  it('throws for a throttled account and asks again on the next check, never guessing', async () => {
    const { preflight, reads, failures } = world({
      [OWNER]: { roles: ['AliyunDTSDefaultRole'], users: [] },
      [TASK]: { roles: ['AliyunDTSDefaultRole'], users: [] },
    });
    failures.set(OWNER, [CloudErrors.throttled('ram:GetRole')]);
    const error = await preflight.check(questions).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudApiError);
    expect((error as CloudApiError).retryable).toBe(true);
    expect(await preflight.check(questions)).toEqual({ problems: [], unchecked: [] });
    expect(reads.filter((r) => r === `GetRole ${OWNER} AliyunDTSDefaultRole`)).toHaveLength(2);
  });

  it('waits out a throttled read by the retry rule inside the invocation, so the message is not sent back', async () => {
    const slept: number[] = [];
    const retry = {
      policy: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
      clock: { sleep: async (ms: number) => void slept.push(ms) },
      random: { next: () => 0 },
    };
    const { preflight, reads, failures } = world(
      {
        [OWNER]: { roles: ['AliyunDTSDefaultRole'], users: [] },
        [TASK]: { roles: ['AliyunDTSDefaultRole'], users: [] },
      },
      retry,
    );
    failures.set(OWNER, [CloudErrors.throttled('ram:GetRole'), CloudErrors.throttled('ram:GetRole')]);
    expect(await preflight.check(questions)).toEqual({ problems: [], unchecked: [] });
    expect(reads.filter((r) => r === `GetRole ${OWNER} AliyunDTSDefaultRole`)).toHaveLength(3);
    expect(slept).toEqual([50, 100]);
  });

  it('throws the throttled read once the retry rule gives up, never guessing an answer', async () => {
    const retry = {
      policy: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 },
      clock: { sleep: async () => {} },
      random: { next: () => 0 },
    };
    const { preflight, failures } = world(
      {
        [OWNER]: { roles: ['AliyunDTSDefaultRole'], users: [] },
        [TASK]: { roles: ['AliyunDTSDefaultRole'], users: [] },
      },
      retry,
    );
    failures.set(OWNER, [CloudErrors.throttled('ram:GetRole'), CloudErrors.throttled('ram:GetRole')]);
    const error = await preflight.check(questions).catch((e: unknown) => e);
    expect((error as CloudApiError).retryable).toBe(true);
  });
});
