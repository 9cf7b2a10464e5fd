import {
  accountOfDtsServicePrincipal,
  accountOfRamPrincipal,
  actionCoversAssumeRole,
  isWildcardPrincipal,
} from './principals.js';
import { type ParsedTrustPolicy, PrincipalKind } from './types.js';

/** What {@link trustedAccountsOf} returns for a wildcard principal: everyone is let in. */
export const ANY_ACCOUNT = '*';

/**
 * The account IDs the Allow entries whose action covers `sts:AssumeRole` let in, sorted and unique:
 * the account of every RAM or Federated principal (any form) and of every `<uid>@dts.aliyuncs.com` service
 * principal; {@link ANY_ACCOUNT} when a principal is a wildcard. Conditions are not evaluated; Deny entries are
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
    const account =
      entry.principalKind === PrincipalKind.Service
        ? accountOfDtsServicePrincipal(entry.principal)
        : accountOfRamPrincipal(entry.principal);
    if (account !== undefined) accounts.add(account);
  }
  return [...accounts].sort();
}
