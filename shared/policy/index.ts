/**
 * The trust-policy algebra: build the desired RAM trust policy, render it, parse what RAM returns, and diff the two
 * semantically. Pure: no SDK, no I/O.
 */

export { buildTrustPolicy, renderTrustPolicy } from './build.js';
export { type ConditionBlock, canonicalCondition } from './condition.js';
export {
  type BuiltTrust,
  CamTrustDialect,
  RamTrustDialect,
  ramDocumentOf,
  type TrustDialect,
  trustDialectOf,
} from './dialect.js';
export {
  type DeclaredTrust,
  diffTrust,
  diffTrustEntries,
  isTrustUpToDate,
  type TrustFindingClassifier,
  TrustFindingReason,
} from './diff.js';
export { describeEntry, entryKey, uniqueSortedEntries } from './entries.js';
export { parsedFromDocument, parseTrustPolicy } from './parse.js';
export {
  accountOfDtsServicePrincipal,
  accountOfRamPrincipal,
  actionCoversAssumeRole,
  DTS_SERVICE_DOMAIN,
  dtsServicePrincipal,
  ExternalIdCondition,
  isBareDtsService,
  isWildcardPrincipal,
  ramRootPrincipal,
  STS_ASSUME_ROLE,
} from './principals.js';
export { ANY_ACCOUNT, accountOfEntry, dtsTrustedAccountsOf, trustedAccountsOf } from './trusted.js';
export * from './types.js';
