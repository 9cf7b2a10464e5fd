import { type DeclaredTrust, diffTrustEntries } from '../diff.js';
import { granteeKey } from '../entries.js';
import { isWildcardPrincipal, STS_ASSUME_ROLE } from '../principals.js';
import {
  type ParsedTrustPolicy,
  PrincipalKind,
  type TrustDiff,
  type TrustDiffContext,
  type TrustEntry,
  TrustFindingKind,
} from '../types.js';
import { accountOfQcsPrincipal } from './principals.js';

/**
 * Why a live CAM entry the desired policy lacks must go: a Deny or another action is an undeclared statement; a
 * wildcard, a service, or an account no grant declares is a security finding; a sub-user (`:uin/<other>`), a role
 * or a SAML provider of a declared account is a principal form no grant declares (DTS needs the root account).
 */
export function camFindingOf(entry: TrustEntry, declared: DeclaredTrust): TrustFindingKind {
  if (entry.effect === 'Deny') return TrustFindingKind.UndeclaredStatement;
  if (isWildcardPrincipal(entry.principal)) return TrustFindingKind.Wildcard;
  if (entry.principalKind === PrincipalKind.Service) return TrustFindingKind.ForeignService;
  const account = accountOfQcsPrincipal(entry.principal);
  if (account === undefined || !declared.accounts.has(account)) return TrustFindingKind.UndeclaredAccount;
  if (declared.grantees.has(granteeKey(entry))) return TrustFindingKind.ConditionChanged;
  if (entry.action !== STS_ASSUME_ROLE) return TrustFindingKind.UndeclaredStatement;
  return TrustFindingKind.UndeclaredPrincipal;
}

/**
 * The semantic difference between the desired and the observed CAM trust policy, compared as sets of normalized
 * entries (so CAM's rewrites never show as drift), each removal with the finding that explains it.
 */
export function diffCamTrust(
  desired: ParsedTrustPolicy,
  observed: ParsedTrustPolicy,
  context: TrustDiffContext,
): TrustDiff {
  return diffTrustEntries(desired, observed, context, camFindingOf);
}
