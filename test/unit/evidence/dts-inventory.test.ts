import { describe, expect, it } from 'vitest';
import type { DtsJobRef } from '../../../shared/domain/dts-usage.js';
import { cachedJobDirectory } from '../../../shared/evidence/dts-inventory.js';
import {
  buildTrustPolicy,
  dtsTrustedAccountsOf,
  parsedFromDocument,
  parseTrustPolicy,
} from '../../../shared/policy/index.js';

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
