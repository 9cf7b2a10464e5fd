import {
  accountOfDtsServicePrincipal,
  accountOfRamPrincipal,
  actionCoversAssumeRole,
  isWildcardPrincipal,
} from './principals.js';
import { accountOfQcsPrincipal } from './tencent/principals.js';
import { type ParsedTrustPolicy, PrincipalKind, type TrustEntry } from './types.js';

/** The account an entry's principal belongs to, whatever its kind; `undefined` when it names none. */
export function accountOfEntry(entry: TrustEntry): string | undefined {
  switch (entry.principalKind) {
    case PrincipalKind.Service:
      return accountOfDtsServicePrincipal(entry.principal);
    case PrincipalKind.Qcs:
      return accountOfQcsPrincipal(entry.principal);
    default:
      return accountOfRamPrincipal(entry.principal);
  }
}

/** What {@link trustedAccountsOf} returns for a wildcard principal: everyone is let in. */
export const ANY_ACCOUNT = '*';

/**
 * The account IDs the Allow entries whose action covers `sts:AssumeRole` let in, sorted and unique:
 * the account of every RAM or Federated principal (any form), of every `<uid>@dts.aliyuncs.com` service
 * principal and of every CAM `qcs` principal; {@link ANY_ACCOUNT} when a principal is a wildcard. Conditions are not evaluated; Deny entries are
 * not subtracted.
 */
export function trustedAccountsOf(parsed: ParsedTrustPolicy): string[] {
  const accounts = new Set<string>();
  for (const entry of parsed.entries) {
    if (entry.effect !== 'Allow' || !actionCoversAssumeRole(entry.action)) continue;
    if (isWildcardPrincipal(entry.principal)) {
      accounts.add(ANY_ACCOUNT);
      continue;
    }
    const account = accountOfEntry(entry);
    if (account !== undefined) accounts.add(account);
  }
  return [...accounts].sort();
}
