/**
 * Types of the trust-policy algebra. Implementations live beside this file and are re-exported from `index.ts`:
 * - `buildTrustPolicy(trustedAccountIds: readonly string[], options?: TrustPolicyOptions): TrustPolicyDocument`
 * - `renderTrustPolicy(doc: TrustPolicyDocument): string` (compact JSON, stable order)
 * - `parseTrustPolicy(text: string): ParsedTrustPolicy` (throws `PolicyParseError`)
 * - `diffTrust(desired: ParsedTrustPolicy, observed: ParsedTrustPolicy, context: TrustDiffContext): TrustDiff`
 */

/** The RAM trust-policy document as written (Version "1"). */
export interface TrustPolicyDocument {
  readonly Version: '1';
  readonly Statement: readonly TrustStatementDocument[];
}

/** One statement of a trust-policy document as written. */
export interface TrustStatementDocument {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Principal: Readonly<Record<string, string | readonly string[]>>;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** Options for building the desired trust policy. */
export interface TrustPolicyOptions {
  /** When set, every statement requires `sts:ExternalId` to equal it. */
  readonly externalId?: string;
}

/** Kinds of principal in a trust policy. */
export const PrincipalKind = {
  Ram: 'RAM',
  Service: 'Service',
  Federated: 'Federated',
  /** A Tencent Cloud CAM principal: `qcs::cam::uin/<uin>:root`, a sub-user, a role or a SAML provider. */
  Qcs: 'qcs',
} as const;
/** One of {@link PrincipalKind}. */
export type PrincipalKind = (typeof PrincipalKind)[keyof typeof PrincipalKind];

/**
 * One normalized grant of access: effect + action + one principal + its conditions.
 * A document is the set of these; order, whitespace, string-vs-array and key order are noise.
 */
export interface TrustEntry {
  readonly effect: 'Allow' | 'Deny';
  readonly action: string;
  readonly principalKind: PrincipalKind;
  readonly principal: string;
  /** Canonical JSON of the statement's Condition block (sorted keys, arrays sorted), `''` when none. */
  readonly condition: string;
}

/** A parsed trust policy: the normalized set of entries plus the original text. */
export interface ParsedTrustPolicy {
  readonly version: string;
  readonly entries: readonly TrustEntry[];
}

/** Why a principal present in the live trust policy must go. */
export const TrustFindingKind = {
  /** An account no active grant declares (a security finding). */
  UndeclaredAccount: 'undeclaredAccount',
  /** `*` or a wildcard principal (a security finding). */
  Wildcard: 'wildcard',
  /** RAM rewrote `<uid>@dts.aliyuncs.com` to bare `dts.aliyuncs.com`: the owner's own ID was entered. */
  ServicePrincipalRewritten: 'servicePrincipalRewritten',
  /** A service principal other than `<declared uid>@dts.aliyuncs.com`. */
  ForeignService: 'foreignService',
  /** The principal is declared, but its conditions (for example the external ID) differ. */
  ConditionChanged: 'conditionChanged',
  /** A Deny statement or an action other than sts:AssumeRole that nothing declares. */
  UndeclaredStatement: 'undeclaredStatement',
  /** A declared account in a form no grant declares (a role, a user, a provider, or the bare ID instead of `:root`). */
  UndeclaredPrincipal: 'undeclaredPrincipal',
} as const;
/** One of {@link TrustFindingKind}. */
export type TrustFindingKind = (typeof TrustFindingKind)[keyof typeof TrustFindingKind];

/** A live entry that must be removed, and why. */
export interface TrustRemoval {
  readonly entry: TrustEntry;
  readonly finding: TrustFindingKind;
}

/** Context the diff needs to classify findings. */
export interface TrustDiffContext {
  /** The account that owns the role (to recognise the rewritten service principal). */
  readonly ownerAccountId: string;
}

/** The semantic difference between the desired and the observed trust policy. */
export interface TrustDiff {
  readonly upToDate: boolean;
  readonly toAdd: readonly TrustEntry[];
  readonly toRemove: readonly TrustRemoval[];
  /** One line a person reads at a glance, e.g. `+RAM acs:ram::123...:root; -Service dts.aliyuncs.com (servicePrincipalRewritten)`. */
  readonly summary: string;
}
