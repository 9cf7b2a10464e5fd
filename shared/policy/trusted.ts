import {
  accountOfDtsServicePrincipal,
  accountOfRamPrincipal,
  actionCoversAssumeRole,
  isWildcardPrincipal,
  ramRootPrincipal,
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

/**
 * The accounts whose DTS tasks the trust lets in: for each, an Allow entry covering `sts:AssumeRole` without a
 * condition for its RAM root principal `acs:ram::<uid>:root` and one for its service principal
 * `<uid>@dts.aliyuncs.com`, as DTS needs both (a condition such as an external ID cannot be met: ConfigureDtsJob has
 * no field for it). Deny entries are not subtracted; sorted and unique.
 */
export function dtsTrustedAccountsOf(parsed: ParsedTrustPolicy): string[] {
  const ram = new Set<string>();
  const service = new Set<string>();
  for (const entry of parsed.entries) {
    if (entry.effect !== 'Allow' || !actionCoversAssumeRole(entry.action) || entry.condition !== '') continue;
    if (entry.principalKind === PrincipalKind.Service) {
      const account = accountOfDtsServicePrincipal(entry.principal);
      if (account !== undefined) service.add(account);
    } else if (entry.principalKind === PrincipalKind.Ram) {
      const account = accountOfRamPrincipal(entry.principal);
      if (account !== undefined && entry.principal === ramRootPrincipal(account)) ram.add(account);
    }
  }
  return [...ram].filter((a) => service.has(a)).sort();
}
