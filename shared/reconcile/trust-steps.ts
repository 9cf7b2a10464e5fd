import {
  accountOfDtsServicePrincipal,
  accountOfRamPrincipal,
  actionCoversAssumeRole,
  describeEntry,
  diffTrust,
  entryKey,
  parsedFromDocument,
  renderTrustPolicy,
  TrustFindingReason,
} from '../policy/index.js';
import {
  type ParsedTrustPolicy,
  PrincipalKind,
  type TrustDiff,
  type TrustEntry,
  type TrustPolicyDocument,
  type TrustStatementDocument,
} from '../policy/types.js';
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

function keepOnly(statement: TrustStatementDocument, live: ReadonlySet<string>): TrustStatementDocument | undefined {
  const principal: Record<string, string[]> = {};
  for (const [kind, values] of Object.entries(statement.Principal)) {
    const kept = (typeof values === 'string' ? [values] : values).filter((value) => {
      const single: TrustPolicyDocument = {
        Version: '1',
        Statement: [{ ...statement, Principal: { [kind]: [value] } }],
      };
      return parsedFromDocument(single).entries.every((entry) => live.has(entryKey(entry)));
    });
    if (kept.length > 0) principal[kind] = kept;
  }
  return Object.keys(principal).length === 0 ? undefined : { ...statement, Principal: principal };
}

/**
 * The desired document cut down to the principals the live policy already trusts with the same action and
 * condition: what is left after taking away every principal no grant declares, adding none. `undefined` when no
 * declared principal is trusted yet (RAM refuses a trust policy without a statement).
 */
export function keptTrust(desired: TrustPolicyDocument, live: ParsedTrustPolicy): TrustPolicyDocument | undefined {
  const keys = new Set(live.entries.map(entryKey));
  const statements = desired.Statement.map((s) => keepOnly(s, keys)).filter((s) => s !== undefined);
  return statements.length === 0 ? undefined : { Version: desired.Version, Statement: statements };
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
  const diff = diffTrust(desired.parsed, live, context);
  const whole = (change: TrustChange): TrustStep => ({ change, text: desired.text, before: liveText, diff });
  if (diff.upToDate) return {};
  if (hasDeny(live)) return { afterDetach: whole(TrustChange.Replace) };
  if (diff.toAdd.length === 0) return { beforeDetach: whole(TrustChange.Narrow) };
  if (diff.toRemove.length === 0) return { afterDetach: whole(TrustChange.Widen) };
  const kept = keptTrust(desired.document, live);
  if (kept === undefined) return { afterDetach: whole(TrustChange.Replace) };
  const keptText = renderTrustPolicy(kept);
  return {
    beforeDetach: { change: TrustChange.Narrow, text: keptText, before: liveText, diff: part(diff, 'toRemove') },
    afterDetach: { change: TrustChange.Widen, text: desired.text, before: keptText, diff: part(diff, 'toAdd') },
  };
}

/** The document of a set of entries: one statement per effect, action and condition. */
/** A canonical condition back as a Condition block, a one-element list written as its value. */
function conditionOf(canonical: string): NonNullable<TrustStatementDocument['Condition']> {
  const blocks = JSON.parse(canonical) as Record<string, Record<string, string[]>>;
  return Object.fromEntries(
    Object.entries(blocks).map(([operator, keys]) => [
      operator,
      Object.fromEntries(Object.entries(keys).map(([key, values]) => [key, values.length === 1 ? values[0] : values])),
    ]),
  ) as NonNullable<TrustStatementDocument['Condition']>;
}

function documentOf(entries: readonly TrustEntry[]): TrustPolicyDocument {
  const statements = new Map<string, { statement: TrustStatementDocument; principal: Record<string, string[]> }>();
  for (const entry of entries) {
    const key = JSON.stringify([entry.effect, entry.action, entry.condition]);
    let group = statements.get(key);
    if (group === undefined) {
      const principal: Record<string, string[]> = {};
      group = {
        principal,
        statement: {
          Effect: entry.effect,
          Action: entry.action,
          Principal: principal,
          ...(entry.condition === '' ? {} : { Condition: conditionOf(entry.condition) }),
        },
      };
      statements.set(key, group);
    }
    group.principal[entry.principalKind] = [...(group.principal[entry.principalKind] ?? []), entry.principal];
  }
  return { Version: '1', Statement: [...statements.values()].map((g) => g.statement) };
}

/** True when the entry lets one of `accounts` in as DTS expects: its `:root` RAM principal or its DTS service. */
function namesAccount(entry: TrustEntry, accounts: ReadonlySet<string>): boolean {
  if (entry.principalKind === PrincipalKind.Ram) {
    return /^acs:ram::\d+:root$/i.test(entry.principal) && accounts.has(accountOfRamPrincipal(entry.principal) ?? '');
  }
  if (entry.principalKind === PrincipalKind.Service) {
    return accounts.has(accountOfDtsServicePrincipal(entry.principal) ?? '');
  }
  return false;
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
): TrustStep | undefined {
  if (live === undefined || hasDeny(live)) return undefined;
  const declared = new Set(accounts);
  const kept = live.entries.filter((entry) => entry.effect === 'Allow' && namesAccount(entry, declared));
  if (kept.length === 0 || kept.length === live.entries.length) return undefined;
  const document = documentOf(kept);
  const diff = diffTrust(parsedFromDocument(document), live, { ownerAccountId });
  return {
    change: TrustChange.Narrow,
    text: renderTrustPolicy(document),
    before: liveText,
    diff: part(diff, 'toRemove'),
  };
}
