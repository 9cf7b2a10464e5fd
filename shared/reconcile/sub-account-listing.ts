import { SUB_ACCOUNT_POLICY_PREFIX } from '../policy/tencent/index.js';
import type {
  AccountCredentials,
  ListedSubAccountPolicy,
  SubAccountPolicyDirectory,
  SubAccountPolicyListing,
  SubAccountPolicyRecord,
} from '../ports.js';

/** What a find of a sub-account policy answered, and whether a listing decided it. */
export interface FoundSubAccountPolicy {
  readonly live: SubAccountPolicyRecord | undefined;
  /**
   * True when the run's listing decided the answer (the policy missing from it, or its id taken from it): the listing
   * may be older than the moment it is used, so a change is planned again from a find of its own.
   */
  readonly listed: boolean;
}

/**
 * The sub-account policies one run looks at: each trusted account's policies named by dts-trust are listed once per
 * run, on first use (ListPolicies by the name prefix, 200 a call), and a policy is then read (its document and users)
 * only when the listing has it; a policy the listing lacks is absent without another call. A listing that fails is
 * given up for the run: each policy is then found on its own.
 */
export class RunSubAccountPolicies {
  readonly #lists = new Map<string, Promise<ReadonlyMap<string, ListedSubAccountPolicy> | undefined>>();

  constructor(
    private readonly directory: SubAccountPolicyDirectory,
    private readonly listing: SubAccountPolicyListing,
  ) {}

  /** The policy named `policyName` in the account of `account`. Read errors propagate. */
  async find(account: AccountCredentials, policyName: string): Promise<FoundSubAccountPolicy> {
    const listed = await this.#listOf(account);
    if (listed === undefined) return { live: await this.directory.findPolicy(account, policyName), listed: false };
    const entry = listed.get(policyName);
    return { live: entry === undefined ? undefined : await this.listing.readPolicy(account, entry), listed: true };
  }

  #listOf(account: AccountCredentials): Promise<ReadonlyMap<string, ListedSubAccountPolicy> | undefined> {
    let pending = this.#lists.get(account.accountId);
    if (!pending) {
      pending = this.listing.listPolicies(account, SUB_ACCOUNT_POLICY_PREFIX).then(
        (policies) => new Map(policies.map((p) => [p.policyName, p])),
        () => undefined,
      );
      this.#lists.set(account.accountId, pending);
    }
    return pending;
  }
}
