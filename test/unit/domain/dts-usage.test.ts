import { describe, expect, it } from 'vitest';
import {
  type DtsJobRef,
  judgeDtsUsage,
  type RoleAsSeen,
  roleKeyOf,
  roleUsesOf,
} from '../../../shared/domain/dts-usage.js';
import { GrantSchema } from '../../../shared/domain/grant.js';

const OWNER = '1111111111111111';
const PEER = '3333333333333333';
const TASK = '2222222222222222';

const grant = (roleName: string, trustedAccountId = TASK) =>
  GrantSchema.parse({
    ownerAccountId: OWNER,
    roleName,
    trustedAccountId,
    ticket: { system: 'jira', id: 'DBA-1', requester: 'ana', approver: 'ben' },
  });

const job = (over: Partial<DtsJobRef> = {}): DtsJobRef => ({
  dtsJobId: 'job-1',
  status: 'Migrating',
  region: 'cn-hangzhou',
  source: { aliyunUid: OWNER, roleName: 'ram-for-dts' },
  destination: {},
  ...over,
});

const trusting = (...accounts: string[]): RoleAsSeen => ({ exists: true, dtsTrusted: new Set(accounts) });

describe('roleUsesOf', () => {
  it('names every cross-account endpoint of a job and of its reverse half, and skips same-account endpoints', () => {
    const uses = roleUsesOf(
      TASK,
      job({
        destination: { aliyunUid: TASK, roleName: 'own' },
        reverse: {
          dtsJobId: 'job-1-r',
          status: 'Synchronizing',
          source: { aliyunUid: PEER, roleName: 'ram-for-dts' },
          destination: { aliyunUid: OWNER, roleName: 'ram-for-dts' },
        },
      }),
    );
    expect(uses.map((u) => [u.dtsJobId, u.direction, u.side, u.ownerAccountId])).toEqual([
      ['job-1', 'forward', 'source', OWNER],
      ['job-1-r', 'reverse', 'source', PEER],
      ['job-1-r', 'reverse', 'destination', OWNER],
    ]);
  });
});

describe('judgeDtsUsage', () => {
  const role = { ownerAccountId: OWNER, roleName: 'ram-for-dts' };

  it('finds nothing wrong with a declared role a live job uses and whose trust lets the task account in', () => {
    const usage = judgeDtsUsage({
      activeGrants: [grant('ram-for-dts')],
      uses: roleUsesOf(TASK, job()),
      roles: new Map([[roleKeyOf(role), trusting(TASK)]]),
    });
    expect(usage).toEqual({ broken: [], undeclared: [], unused: [], unknownRoles: [] });
  });

  it('calls a job broken whose role is missing or does not trust its task account, declared or not', () => {
    const missing = judgeDtsUsage({
      activeGrants: [grant('ram-for-dts')],
      uses: roleUsesOf(TASK, job()),
      roles: new Map([[roleKeyOf(role), { exists: false }]]),
    });
    expect(missing.broken).toEqual([
      expect.objectContaining({ dtsJobId: 'job-1', reason: 'RoleMissing', declared: true }),
    ]);
    const untrusted = judgeDtsUsage({
      activeGrants: [],
      uses: roleUsesOf(TASK, job()),
      roles: new Map([[roleKeyOf(role), trusting(PEER)]]),
    });
    expect(untrusted.broken).toEqual([expect.objectContaining({ reason: 'NotTrusted', declared: false })]);
    expect(untrusted.undeclared.map((u) => u.dtsJobId)).toEqual(['job-1']);
  });

  it('lists declared roles no live job of the trusted account uses; a finished job uses nothing', () => {
    const usage = judgeDtsUsage({
      activeGrants: [grant('ram-for-dts'), grant('RAM-FOR-DTS', PEER), grant('idle')],
      uses: roleUsesOf(TASK, job({ status: 'Finished' })),
      roles: new Map([[roleKeyOf(role), trusting(TASK)]]),
    });
    expect(usage.unused.map((g) => `${g.roleName}/${g.trustedAccountId}`)).toEqual([
      `ram-for-dts/${TASK}`,
      `RAM-FOR-DTS/${PEER}`,
      `idle/${TASK}`,
    ]);
    expect(usage.broken).toEqual([]);
  });

  it('matches role names case-insensitively, as RAM does', () => {
    const usage = judgeDtsUsage({
      activeGrants: [grant('Ram-For-DTS')],
      uses: roleUsesOf(TASK, job()),
      roles: new Map([[roleKeyOf(role), trusting(TASK)]]),
    });
    expect(usage.unused).toEqual([]);
    expect(usage.undeclared).toEqual([]);
  });

  it('reports a role it could not read instead of judging its jobs', () => {
    const usage = judgeDtsUsage({
      activeGrants: [grant('ram-for-dts')],
      uses: roleUsesOf(TASK, job()),
      roles: new Map([[roleKeyOf(role), { unknown: 'ManagementRoleNotFound: no role' }]]),
    });
    expect(usage.broken).toEqual([]);
    expect(usage.unknownRoles).toEqual([{ ...role, reason: 'ManagementRoleNotFound: no role' }]);
  });
});
