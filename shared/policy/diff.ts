import { describeEntry, entryKey, granteeKey } from './entries.js';
import {
  accountOfDtsServicePrincipal,
  accountOfRamPrincipal,
  isBareDtsService,
  isWildcardPrincipal,
  STS_ASSUME_ROLE,
} from './principals.js';
import { ANY_ACCOUNT, trustedAccountsOf } from './trusted.js';
import {
  type ParsedTrustPolicy,
  PrincipalKind,
  type TrustDiff,
  type TrustDiffContext,
  type TrustEntry,
  TrustFindingKind,
  type TrustRemoval,
} from './types.js';

/** Why each finding means removal, as a person reads it in a summary. */
export const TrustFindingReason = {
  [TrustFindingKind.UndeclaredAccount]: 'account no grant declares',
  [TrustFindingKind.Wildcard]: 'wildcard principal',
  [TrustFindingKind.ServicePrincipalRewritten]: "service principal rewritten: the owner's own ID was entered",
  [TrustFindingKind.ForeignService]: 'service no grant declares',
  [TrustFindingKind.ConditionChanged]: 'condition changed',
  [TrustFindingKind.UndeclaredStatement]: 'statement no grant declares',
  [TrustFindingKind.UndeclaredPrincipal]: 'principal form no grant declares',
} as const satisfies Record<TrustFindingKind, string>;

/** What the classification of an unwanted entry needs to know about the desired side. */
export interface DeclaredTrust {
  readonly ownerAccountId: string;
  readonly accounts: ReadonlySet<string>;
  readonly grantees: ReadonlySet<string>;
}

/** Why an observed entry that the desired policy lacks must go (the most severe reason first). */
function findingOf(entry: TrustEntry, declared: DeclaredTrust): TrustFindingKind {
  if (entry.effect === 'Deny') return TrustFindingKind.UndeclaredStatement;
  if (isWildcardPrincipal(entry.principal)) return TrustFindingKind.Wildcard;
  if (entry.principalKind === PrincipalKind.Service) {
    const account = accountOfDtsServicePrincipal(entry.principal);
    if (isBareDtsService(entry.principal) || account === declared.ownerAccountId) {
      return TrustFindingKind.ServicePrincipalRewritten;
    }
    if (account === undefined || !declared.accounts.has(account)) return TrustFindingKind.ForeignService;
  } else {
    const account = accountOfRamPrincipal(entry.principal);
    if (account === undefined || !declared.accounts.has(account)) return TrustFindingKind.UndeclaredAccount;
  }
  if (declared.grantees.has(granteeKey(entry))) return TrustFindingKind.ConditionChanged;
  if (entry.action !== STS_ASSUME_ROLE) return TrustFindingKind.UndeclaredStatement;
  return TrustFindingKind.UndeclaredPrincipal;
}

function summaryOf(toAdd: readonly TrustEntry[], toRemove: readonly TrustRemoval[]): string {
  const parts: string[] = [];
  if (toAdd.length > 0) parts.push(`add ${toAdd.map(describeEntry).join(', ')}`);
  if (toRemove.length > 0) {
    const removals = toRemove.map((r) => `${describeEntry(r.entry)} (${TrustFindingReason[r.finding]})`);
    parts.push(`remove ${removals.join(', ')}`);
  }
  return parts.length === 0 ? 'up to date' : parts.join('; ');
}

/** Why a live entry the desired policy lacks must go, in one cloud's trust dialect. */
export type TrustFindingClassifier = (entry: TrustEntry, declared: DeclaredTrust) => TrustFindingKind;

/**
 * The semantic difference between two sets of entries: `toAdd` holds the desired entries the live policy lacks,
 * `toRemove` every live entry nothing declares, each with the finding `classify` gives it. Both clouds' diffs.
 */
export function diffTrustEntries(
  desired: ParsedTrustPolicy,
  observed: ParsedTrustPolicy,
  context: TrustDiffContext,
  classify: TrustFindingClassifier,
): TrustDiff {
  const desiredKeys = new Set(desired.entries.map(entryKey));
  const observedKeys = new Set(observed.entries.map(entryKey));
  const declared: DeclaredTrust = {
    ownerAccountId: context.ownerAccountId,
    accounts: new Set(trustedAccountsOf(desired).filter((account) => account !== ANY_ACCOUNT)),
    grantees: new Set(desired.entries.map(granteeKey)),
  };
  const toAdd = desired.entries.filter((entry) => !observedKeys.has(entryKey(entry)));
  const toRemove = observed.entries
    .filter((entry) => !desiredKeys.has(entryKey(entry)))
    .map((entry): TrustRemoval => ({ entry, finding: classify(entry, declared) }));
  return {
    upToDate: toAdd.length === 0 && toRemove.length === 0,
    toAdd,
    toRemove,
    summary: summaryOf(toAdd, toRemove),
  };
}

/**
 * The semantic difference between the desired and the observed RAM trust policy, compared as sets of entries:
 * `toAdd` holds the desired entries the live policy lacks, `toRemove` every live entry nothing declares,
 * each with the finding that explains it.
 */
export function diffTrust(
  desired: ParsedTrustPolicy,
  observed: ParsedTrustPolicy,
  context: TrustDiffContext,
): TrustDiff {
  return diffTrustEntries(desired, observed, context, findingOf);
}

/** True when both policies hold exactly the same entries (order, formatting and duplicates aside). */
export function isTrustUpToDate(desired: ParsedTrustPolicy, observed: ParsedTrustPolicy): boolean {
  const desiredKeys = new Set(desired.entries.map(entryKey));
  const observedKeys = new Set(observed.entries.map(entryKey));
  return desiredKeys.size === observedKeys.size && [...desiredKeys].every((key) => observedKeys.has(key));
}
