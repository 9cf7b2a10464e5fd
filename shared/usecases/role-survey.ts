import type { RoleVisit } from '../reconcile/index.js';
import { KeptVisits } from './kept-visits.js';
import type { Shard } from './shards.js';

/** The roles of a run as one read of the grant and status stores found them. */
export type RoleSurvey =
  /** Few enough for one invocation: the visits themselves, by account, in order. */
  | { readonly fits: true; readonly visits: KeptVisits; readonly rolesByAccount: ReadonlyMap<string, number> }
  /**
   * Too many: only their count per owner account, to cut shards by, and the accounts already handed to a shard
   * of their own during the read.
   */
  | {
      readonly fits: false;
      readonly rolesByAccount: ReadonlyMap<string, number>;
      readonly handedOut: ReadonlySet<string>;
    };

/**
 * Read every role a run visits once (declared roles and roles left with only a status row), keeping the visits
 * while there are at most `threshold` of them (at most `threshold` in memory), and only counting beyond. Once
 * there are more than `threshold`, each owner account with at least `threshold` roles is handed to `ownShard` as
 * soon as its count is final (the visits come sorted by owner account, so when the next account's first visit
 * comes, or the read ends): however the other accounts are cut, such an account is a shard of its own
 * ({@link planShards} never adds to a shard that is full), so its shard need not wait for the rest of the read.
 * An account seen again after it was handed out only grows, and stays a shard of its own.
 */
export async function surveyRoles(
  visits: AsyncIterable<RoleVisit>,
  threshold: number,
  ownShard?: (shard: Shard) => void,
): Promise<RoleSurvey> {
  const kept = new KeptVisits();
  const rolesByAccount = new Map<string, number>();
  const handedOut = new Set<string>();
  const complete: string[] = [];
  let roles = 0;
  let current: string | undefined;
  const handOut = (): void => {
    if (ownShard === undefined || roles <= threshold) return;
    for (const accountId of complete.splice(0)) {
      const count = rolesByAccount.get(accountId) ?? 0;
      if (count < threshold || handedOut.has(accountId)) continue;
      handedOut.add(accountId);
      ownShard({ ownerAccountIds: [accountId], roles: count });
    }
  };
  for await (const visit of visits) {
    if (visit.ownerAccountId !== current) {
      if (current !== undefined) complete.push(current);
      current = visit.ownerAccountId;
    }
    roles += 1;
    rolesByAccount.set(visit.ownerAccountId, (rolesByAccount.get(visit.ownerAccountId) ?? 0) + 1);
    if (roles <= threshold) kept.add(visit);
    else if (roles === threshold + 1) kept.clear();
    handOut();
  }
  return roles <= threshold ? { fits: true, visits: kept, rolesByAccount } : { fits: false, rolesByAccount, handedOut };
}
