import { describe, expect, it } from 'vitest';
import type { DtsJobRef } from '../../../shared/domain/dts-usage.js';
import type { Grant } from '../../../shared/domain/grant.js';
import {
  cachedJobDirectory,
  jobDirectory,
  TENCENT_DTS_JOBS_NOT_LISTED,
  takeDtsInventory,
} from '../../../shared/evidence/dts-inventory.js';
import {
  buildTrustPolicy,
  dtsTrustedAccountsOf,
  parsedFromDocument,
  parseTrustPolicy,
} from '../../../shared/policy/index.js';
import { MemoryGrantStore } from '../../support/memory-stores.js';

const A = '1111111111111111';
const B = '2222222222222222';

describe('cachedJobDirectory', () => {
  it('lists each task account once per run, in every configured region, through its own credentials', async () => {
    const calls: string[] = [];
    const lister = {
      async *listJobs(account: { accountId: string }, regions: readonly string[]): AsyncIterable<DtsJobRef> {
        calls.push(`${account.accountId}:${regions.join(',')}`);
        yield { dtsJobId: `job-of-${account.accountId}`, region: regions[0] ?? '', source: {}, destination: {} };
      },
    };
    const broker = {
      credentialsFor: async (accountId: string) => ({ accountId, accessKeyId: 'STS.x', accessKeySecret: 's' }),
    };
    const jobs = cachedJobDirectory(lister, broker, ['cn-hangzhou', 'cn-shanghai']);
    const [first, again, other] = await Promise.all([jobs.jobsOf(A), jobs.jobsOf(A), jobs.jobsOf(B)]);
    expect(first).toBe(again);
    expect(other?.[0]?.dtsJobId).toBe(`job-of-${B}`);
    expect(calls).toEqual([`${A}:cn-hangzhou,cn-shanghai`, `${B}:cn-hangzhou,cn-shanghai`]);
  });
});

const TENCENT_TASK = '100000000002';

describe('jobDirectory', () => {
  it('refuses a Tencent Cloud task account with its reason, entering no account and listing nothing', async () => {
    const calls: string[] = [];
    const lister = {
      // biome-ignore lint/correctness/useYield: a lister that must never be asked
      async *listJobs(account: { accountId: string }): AsyncIterable<DtsJobRef> {
        calls.push(`list ${account.accountId}`);
      },
    };
    const broker = {
      credentialsFor: async (accountId: string) => {
        calls.push(`enter ${accountId}`);
        return { accountId, accessKeyId: 'STS.x', accessKeySecret: 's' };
      },
    };
    await expect(jobDirectory(lister, broker, ['cn-hangzhou']).jobsOf(TENCENT_TASK)).rejects.toMatchObject({
      code: TENCENT_DTS_JOBS_NOT_LISTED,
      message: expect.stringContaining('Tencent Cloud UIN'),
    });
    expect(calls).toEqual([]);
  });
});

describe('takeDtsInventory', () => {
  const grantOf = (trustedAccountId: string, ownerAccountId: string, cloud: Grant['cloud']): Grant => ({
    ownerAccountId,
    roleName: 'dts-role',
    trustedAccountId,
    cloud,
    policies: [],
    mode: 'enforce',
    adopt: false,
    ticket: { system: 'jira', id: 'DBA-1', requester: 'ana', approver: 'ben' },
    revision: 0,
  });
  const alibaba = grantOf(B, A, 'alibaba');
  const tencent = grantOf(TENCENT_TASK, '100000000001', 'tencent');

  it('skips Tencent task accounts by design, judging neither their grants nor asking for their jobs', async () => {
    const listed: string[] = [];
    const grants = new MemoryGrantStore([alibaba, tencent]);
    const inventory = await takeDtsInventory(
      {
        grants,
        broker: { credentialsFor: async () => Promise.reject(new Error('no account is entered')) },
        directory: { getRole: async () => undefined },
        jobs: {
          jobsOf: async (accountId) => {
            listed.push(accountId);
            return [];
          },
        },
        clock: { now: () => new Date('2026-12-01T00:00:00Z') },
      },
      { extraTaskAccounts: ['100000000077'] },
    );
    expect(listed).toEqual([B]);
    expect(inventory.skipped.map((s) => [s.accountId, s.code])).toEqual([
      ['100000000002', TENCENT_DTS_JOBS_NOT_LISTED],
      ['100000000077', TENCENT_DTS_JOBS_NOT_LISTED],
    ]);
    expect(inventory.gaps).toEqual([]);
    expect(inventory.usage.unused).toEqual([alibaba]);
  });
});

describe('dtsTrustedAccountsOf', () => {
  it('names the accounts a trust lets DTS in for: RAM root and DTS service principal both, without a condition', () => {
    expect(dtsTrustedAccountsOf(parsedFromDocument(buildTrustPolicy([B, A])))).toEqual([A, B]);
    const ramOnly = parseTrustPolicy(
      JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${A}:root`] } }],
      }),
    );
    expect(dtsTrustedAccountsOf(ramOnly)).toEqual([]);
    expect(dtsTrustedAccountsOf(parsedFromDocument(buildTrustPolicy([A], { externalId: 'abc-123' })))).toEqual([]);
  });
});
