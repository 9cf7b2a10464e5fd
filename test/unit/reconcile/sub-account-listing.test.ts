import { describe, expect, it } from 'vitest';
import { CloudApiError, CloudErrorKind } from '../../../shared/domain/errors.js';
import type {
  AccountCredentials,
  ListedSubAccountPolicy,
  SubAccountPolicyDirectory,
  SubAccountPolicyListing,
  SubAccountPolicyRecord,
} from '../../../shared/ports.js';
import { RunSubAccountPolicies } from '../../../shared/reconcile/sub-account-listing.js';

const TASK = '100000000002';
const account: AccountCredentials = { accountId: TASK, accessKeyId: 'k', accessKeySecret: 's' };
const record = (policyName: string): SubAccountPolicyRecord => ({
  policyId: `id-${policyName}`,
  policyName,
  description: '',
  document: '{}',
  userUins: ['200'],
  otherEntities: [],
});

/** CAM's policies of the task account in memory, every call counted by name. */
function cam(names: string[], options: { failListing?: boolean } = {}) {
  const calls: string[] = [];
  const listing: SubAccountPolicyListing = {
    listPolicies: async (_a, prefix) => {
      calls.push(`list ${prefix}`);
      if (options.failListing) {
        throw new CloudApiError({
          api: 'cam:ListPolicies',
          code: 'UnauthorizedOperation',
          kind: CloudErrorKind.NoPermission,
          message: 'no',
        });
      }
      return names.map((policyName): ListedSubAccountPolicy => ({ policyId: `id-${policyName}`, policyName }));
    },
    readPolicy: async (_a, listed) => {
      calls.push(`read ${listed.policyName}`);
      return record(listed.policyName);
    },
  };
  const directory = {
    findPolicy: async (_a: AccountCredentials, name: string) => {
      calls.push(`find ${name}`);
      return names.includes(name) ? record(name) : undefined;
    },
  } as unknown as SubAccountPolicyDirectory;
  return { calls, run: new RunSubAccountPolicies(directory, listing) };
}

describe('RunSubAccountPolicies', () => {
  it('lists a trusted account’s dts-trust policies once per run and reads only those it has', async () => {
    const { calls, run } = cam(['dts-trust-1-a', 'dts-trust-1-b']);
    expect(await run.find(account, 'dts-trust-1-a')).toEqual({ live: record('dts-trust-1-a'), listed: true });
    expect(await run.find(account, 'dts-trust-1-c')).toEqual({ live: undefined, listed: true });
    expect(await run.find(account, 'dts-trust-1-b')).toEqual({ live: record('dts-trust-1-b'), listed: true });
    expect(calls).toEqual(['list dts-trust-', 'read dts-trust-1-a', 'read dts-trust-1-b']);
  });

  it('finds each policy on its own once the listing failed, and lists no more in the run', async () => {
    const { calls, run } = cam(['dts-trust-1-a'], { failListing: true });
    expect(await run.find(account, 'dts-trust-1-a')).toEqual({ live: record('dts-trust-1-a'), listed: false });
    expect(await run.find(account, 'dts-trust-1-c')).toEqual({ live: undefined, listed: false });
    expect(calls).toEqual(['list dts-trust-', 'find dts-trust-1-a', 'find dts-trust-1-c']);
  });
});
