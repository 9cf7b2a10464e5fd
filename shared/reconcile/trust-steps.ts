import {
  actionCoversAssumeRole,
  describeEntry,
  entryKey,
  type TrustDialect,
  TrustFindingReason,
} from '../policy/index.js';
import type { ParsedTrustPolicy, TrustDiff, TrustEntry } from '../policy/types.js';
import type { DesiredTrust } from './desired-trust.js';

/**
 * What one trust-policy update does to who can assume the role. `narrow` only takes principals away, `widen` only
 * adds declared ones, `replace` does both in one call (the planner runs it only once every undeclared policy is
 * detached, so it can only create declared (principal, policy) pairs).
 */
export const TrustChange = { Narrow: 'narrow', Widen: 'widen', Replace: 'replace' } as const;
/** One of {@link TrustChange}. */
export type TrustChange = (typeof TrustChange)[keyof typeof TrustChange];

/** One trust-policy update the planner schedules. */
export interface TrustStep {
  readonly change: TrustChange;
  /** The document sent to RAM. */
  readonly text: string;
  /** The document the step starts from (the live one, or the narrowed one before a widening). */
  readonly before: string;
  /** What the step adds and removes; absent when the live document could not be parsed. */
  readonly diff?: TrustDiff;
}

/** The trust updates that take the live policy to the desired one: one before the undeclared policies are detached, one after. */
export interface TrustSteps {
  /** Runs before any policy is detached: takes away every principal no grant declares, adds nothing. */
  readonly beforeDetach?: TrustStep;
  /** Runs after the undeclared policies are detached: the desired policy itself. */
  readonly afterDetach?: TrustStep;
}

/**
 * The desired entries the live policy already trusts with the same action and condition: what is left after
 * taking away every principal no grant declares, adding none. Empty when no declared principal is trusted yet.
 */
export function keptEntries(desired: ParsedTrustPolicy, live: ParsedTrustPolicy): TrustEntry[] {
  const keys = new Set(live.entries.map(entryKey));
  return desired.entries.filter((entry) => keys.has(entryKey(entry)));
}

/** The additions or the removals of a diff alone, with the summary of that half. */
function part(diff: TrustDiff, half: 'toAdd' | 'toRemove'): TrustDiff {
  const toAdd = half === 'toAdd' ? diff.toAdd : [];
  const toRemove = half === 'toRemove' ? diff.toRemove : [];
  const summary =
    half === 'toAdd'
      ? `add ${toAdd.map(describeEntry).join(', ')}`
      : `remove ${toRemove.map((r) => `${describeEntry(r.entry)} (${TrustFindingReason[r.finding]})`).join(', ')}`;
  return { upToDate: false, toAdd, toRemove, summary };
}

/** True when the live policy denies someone: taking a Deny away widens access, so such a policy is replaced whole. */
function hasDeny(live: ParsedTrustPolicy): boolean {
  return live.entries.some((entry) => entry.effect === 'Deny' && actionCoversAssumeRole(entry.action));
}

/**
 * Split the trust update of a role so that access narrows before it widens. A policy that only loses principals is
 * narrowed first; one that only gains declared principals is widened last; one that loses and gains is narrowed to
 * the declared principals it already trusts, then widened, or, when it trusts none of them (or holds a Deny, or
 * cannot be parsed), replaced in one call after the detaches. `live` is the parsed live policy and `liveText` its
 * text; `ownerAccountId` classifies the findings of each step's diff.
 */
export function trustSteps(
  live: ParsedTrustPolicy | undefined,
  liveText: string,
  desired: DesiredTrust,
  ownerAccountId: string,
): TrustSteps {
  const context = { ownerAccountId };
  if (live === undefined) return { afterDetach: { change: TrustChange.Replace, text: desired.text, before: liveText } };
  const diff = desired.dialect.diff(desired.parsed, live, context);
  const whole = (change: TrustChange): TrustStep => ({ change, text: desired.text, before: liveText, diff });
  if (diff.upToDate) return {};
  if (hasDeny(live)) return { afterDetach: whole(TrustChange.Replace) };
  if (diff.toAdd.length === 0) return { beforeDetach: whole(TrustChange.Narrow) };
  if (diff.toRemove.length === 0) return { afterDetach: whole(TrustChange.Widen) };
  const kept = keptEntries(desired.parsed, live);
  if (kept.length === 0) return { afterDetach: whole(TrustChange.Replace) };
  const keptText = desired.dialect.render(kept);
  return {
    beforeDetach: { change: TrustChange.Narrow, text: keptText, before: liveText, diff: part(diff, 'toRemove') },
    afterDetach: { change: TrustChange.Widen, text: desired.text, before: keptText, diff: part(diff, 'toAdd') },
  };
}

/**
 * The narrowing of a live trust to the entries naming declared accounts, whatever their action or condition: what
 * can still be removed when the desired trust cannot be built (the grants conflict). `undefined` when nothing
 * would go, when nothing would be left (RAM needs a principal), or when the live policy holds a Deny or cannot be
 * parsed (taking a Deny away widens).
 */
export function narrowToAccounts(
  live: ParsedTrustPolicy | undefined,
  liveText: string,
  accounts: readonly string[],
  ownerAccountId: string,
  dialect: TrustDialect,
): TrustStep | undefined {
  if (live === undefined || hasDeny(live)) return undefined;
  const declared = new Set(accounts);
  const kept = live.entries.filter((entry) => entry.effect === 'Allow' && dialect.namesAccount(entry, declared));
  if (kept.length === 0 || kept.length === live.entries.length) return undefined;
  const text = dialect.render(kept);
  const diff = dialect.diff(dialect.parse(text), live, { ownerAccountId });
  return {
    change: TrustChange.Narrow,
    text,
    before: liveText,
    diff: part(diff, 'toRemove'),
  };
}
