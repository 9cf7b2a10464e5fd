import { createHash } from 'node:crypto';
import type { DesiredRole } from '../domain/desired-role.js';
import { PolicyParseError } from '../domain/errors.js';
import type { RoleKey } from '../domain/grant.js';
import { isOwnedDescription } from '../domain/ownership.js';
import { entryKey, RamTrustDialect, type TrustDialect, trustDialectOf } from '../policy/index.js';
import { BoundedMemo } from '../policy/memo.js';
import type { ParsedTrustPolicy, TrustDiff } from '../policy/types.js';
import type { AccountCredentials, AttachedPolicy, ObservedRoleRecord, RoleDirectory } from '../ports.js';
import { type DesiredTrust, desiredTrustOf } from './desired-trust.js';
import { defaultPolicyType, type PolicyTypeResolver, policyChanges } from './policy-attachments.js';

/** What one role looks like in RAM, compared with what it should look like. Observing never writes. */
export interface RoleObservation {
  readonly role: RoleKey;
  readonly exists: boolean;
  /** The Description carries the dts-trust ownership marker. */
  readonly owned: boolean;
  /** GetRole's answer, when the role exists. */
  readonly record?: ObservedRoleRecord;
  /** The live trust policy, parsed; absent when the role does not exist or its document is unparseable. */
  readonly trust?: ParsedTrustPolicy;
  /** Why the live trust policy could not be parsed: drift to replace, never a crash. */
  readonly trustError?: string;
  readonly policies: readonly AttachedPolicy[];
  /** The trust-policy language of the role's cloud (RAM or CAM). */
  readonly dialect: TrustDialect;
  /** The trust policy the desired state asks for, when there is one and it can be built. */
  readonly desiredTrust?: DesiredTrust;
  /** Semantic difference between desired and live trust, when both are known. */
  readonly trustDiff?: TrustDiff;
  readonly policiesToAttach: readonly AttachedPolicy[];
  /** Live attachments no grant declares (all of them when nothing is desired). */
  readonly policiesToDetach: readonly AttachedPolicy[];
  /** Nothing to change: the role matches its desired state (or is absent, or not ours, with nothing desired). */
  readonly upToDate: boolean;
  /** A stable hash of the observed state, to notice when it changes between runs. */
  readonly hash: string;
}

/** Options of {@link observeRole}. */
export interface ObserveOptions {
  /** Types declared policy names (System or Custom). */
  readonly policyTypeOf?: PolicyTypeResolver;
}

/** The observed trust as the hash states it (its entries' keys, as JSON), once per parsed (memoized) policy. */
const trustStates = new WeakMap<ParsedTrustPolicy, string>();

/** Hashes by the state they hash: a fleet's roles mostly look alike, so most roles hash a state already seen. */
const stateHashes = new BoundedMemo<string>();

/**
 * A stable hash of what was observed: the SHA-256 of `{"exists":false}`, or of
 * `{"exists":true,"owned":…,"trust":…,"policies":[…]}` (the trust as its entries' keys, or the unparseable text;
 * the policies as sorted `type:name`), written out as `JSON.stringify` writes that object, so rows that earlier
 * releases wrote keep their hash.
 */
function hashOf(
  record: ObservedRoleRecord | undefined,
  trust: ParsedTrustPolicy | undefined,
  policies: readonly AttachedPolicy[],
): string {
  let state = '{"exists":false}';
  if (record !== undefined) {
    let trustState = trust === undefined ? JSON.stringify(record.trustPolicy) : trustStates.get(trust);
    if (trustState === undefined && trust !== undefined) {
      trustState = JSON.stringify(trust.entries.map(entryKey));
      trustStates.set(trust, trustState);
    }
    const attached = JSON.stringify(policies.map((p) => `${p.policyType}:${p.policyName}`).sort());
    state = `{"exists":true,"owned":${isOwnedDescription(record.description)},"trust":${trustState},"policies":${attached}}`;
  }
  return stateHashes.get(state, () => createHash('sha256').update(state).digest('hex'));
}

/** The dialect of a role: its grants' cloud, else (nothing declared) the cloud its ARN names. */
function dialectOf(desired: DesiredRole | undefined, record: ObservedRoleRecord | undefined): TrustDialect {
  if (desired !== undefined) return trustDialectOf(desired.cloud);
  return record?.arn.startsWith('qcs::') ? trustDialectOf('tencent') : RamTrustDialect;
}

function parseLiveTrust(text: string, dialect: TrustDialect): { trust?: ParsedTrustPolicy; trustError?: string } {
  try {
    return { trust: dialect.parse(text) };
  } catch (error) {
    if (error instanceof PolicyParseError) return { trustError: error.message };
    throw error;
  }
}

/**
 * Observe one role: GetRole, then ListPoliciesForRole when it exists (exactly two reads; one when it does not),
 * and compare with `desired`. Never writes. Directory errors (`CloudApiError`) propagate.
 */
export async function observeRole(
  directory: RoleDirectory,
  account: AccountCredentials,
  role: RoleKey,
  desired: DesiredRole | undefined,
  options: ObserveOptions = {},
): Promise<RoleObservation> {
  const record = await directory.getRole(account, role.roleName);
  const built = desired === undefined ? undefined : desiredTrustOf(desired);
  const desiredTrust = built?.ok === true ? built.trust : undefined;
  const dialect = dialectOf(desired, record);
  if (record === undefined) {
    const toAttach = desired === undefined ? [] : policyChanges(desired.policies, [], options.policyTypeOf).toAttach;
    return {
      role,
      exists: false,
      owned: false,
      policies: [],
      dialect,
      ...(desiredTrust === undefined ? {} : { desiredTrust }),
      policiesToAttach: toAttach,
      policiesToDetach: [],
      upToDate: desired === undefined,
      hash: hashOf(undefined, undefined, []),
    };
  }
  const policies = await directory.listAttachedPolicies(account, role.roleName);
  const owned = isOwnedDescription(record.description);
  const live = parseLiveTrust(record.trustPolicy, dialect);
  const changes =
    desired === undefined
      ? { toAttach: [], toDetach: [...policies] }
      : policyChanges(desired.policies, policies, options.policyTypeOf ?? defaultPolicyType);
  const trustDiff =
    desiredTrust !== undefined && live.trust !== undefined
      ? dialect.diff(desiredTrust.parsed, live.trust, { ownerAccountId: role.ownerAccountId })
      : undefined;
  const upToDate =
    desired === undefined
      ? !owned
      : owned && trustDiff?.upToDate === true && changes.toAttach.length === 0 && changes.toDetach.length === 0;
  return {
    role,
    exists: true,
    owned,
    record,
    ...live,
    policies,
    dialect,
    ...(desiredTrust === undefined ? {} : { desiredTrust }),
    ...(trustDiff === undefined ? {} : { trustDiff }),
    policiesToAttach: changes.toAttach,
    policiesToDetach: changes.toDetach,
    upToDate,
    hash: hashOf(record, live.trust, policies),
  };
}
