/**
 * Memos of the trust-policy algebra's pure functions. A fleet's roles mostly trust the same few accounts, so a run
 * builds, parses and diffs the same documents over and over; each of these results depends on its inputs alone and
 * is read-only, so the first one is handed to every later caller. Failures (a policy that does not parse, a grant
 * whose trust cannot be built) are never kept: they throw anew each time.
 */
import type { ParsedTrustPolicy, TrustDiff, TrustDiffContext } from './types.js';

/** How many results a memo keeps: a few hundred distinct trust documents cover a large fleet. */
export const MEMO_LIMIT = 512;

/** A map of at most `limit` results by key, forgetting the oldest first. */
export class BoundedMemo<T> {
  readonly #results = new Map<string, T>();

  constructor(private readonly limit: number = MEMO_LIMIT) {}

  /** The result kept for `key`, or `compute()` kept and returned (a throw keeps nothing). */
  get(key: string, compute: () => T): T {
    const kept = this.#results.get(key);
    if (kept !== undefined) return kept;
    const result = compute();
    if (this.#results.size >= this.limit) {
      const oldest = this.#results.keys().next();
      if (!oldest.done) this.#results.delete(oldest.value);
    }
    this.#results.set(key, result);
    return result;
  }

  /** How many results are kept. */
  get size(): number {
    return this.#results.size;
  }
}

/** A parse memoized by the document's text. */
export function memoizedParse(parse: (text: string) => ParsedTrustPolicy): (text: string) => ParsedTrustPolicy {
  const memo = new BoundedMemo<ParsedTrustPolicy>();
  return (text) => memo.get(text, () => parse(text));
}

type Diff = (desired: ParsedTrustPolicy, observed: ParsedTrustPolicy, context: TrustDiffContext) => TrustDiff;

/**
 * A diff memoized by the identity of its two (memoized, read-only) parsed policies and the owner account; results
 * go with their policies when those are collected.
 */
export function memoizedDiff(diff: Diff): Diff {
  const byDesired = new WeakMap<ParsedTrustPolicy, WeakMap<ParsedTrustPolicy, BoundedMemo<TrustDiff>>>();
  return (desired, observed, context) => {
    let byObserved = byDesired.get(desired);
    if (byObserved === undefined) {
      byObserved = new WeakMap();
      byDesired.set(desired, byObserved);
    }
    let byOwner = byObserved.get(observed);
    if (byOwner === undefined) {
      byOwner = new BoundedMemo(64);
      byObserved.set(observed, byOwner);
    }
    return byOwner.get(context.ownerAccountId, () => diff(desired, observed, context));
  };
}
