import { describe, expect, it } from 'vitest';
import { runExitCode } from '../../../cli/commands.js';
import { ExitCode } from '../../../cli/exit-codes.js';

const run = (over: Partial<Parameters<typeof runExitCode>[0]> = {}) => ({
  outcomes: { inSync: 2, created: 1 },
  failedAccounts: [],
  statusWriteFailures: 0,
  ...over,
});
const delivered = { delivered: 4, pending: 0, setAside: 0, failureCodes: [] };

describe('runExitCode', () => {
  it('is 0 for a run whose roles all ended as declared, its audit delivered', () => {
    expect(runExitCode(run(), delivered)).toBe(ExitCode.Ok);
  });

  it.each([
    ['a role failed', run({ outcomes: { created: 1, failed: 1 } })],
    ['a role ended in a conflict', run({ outcomes: { conflict: 1 } })],
    [
      'an owner account could not be entered',
      run({ failedAccounts: [{ accountId: '1', code: 'NoPermission', message: 'm' }] }),
    ],
    ['a status row could not be written', run({ statusWriteFailures: 1 })],
  ])('is 1 when %s', (_, result) => {
    expect(runExitCode(result, delivered)).toBe(ExitCode.Failed);
    expect(runExitCode(result, { ...delivered, pending: 3 })).toBe(ExitCode.Failed);
  });

  it('is 3 when the run was clean but audit events wait in the outbox or were set aside', () => {
    expect(runExitCode(run(), { ...delivered, pending: 2 })).toBe(ExitCode.AuditUndelivered);
    expect(runExitCode(run(), { ...delivered, setAside: 1 })).toBe(ExitCode.AuditUndelivered);
  });
});
