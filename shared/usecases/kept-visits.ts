import type { RoleVisit } from '../reconcile/index.js';

/**
 * The role visits a timer run read and reconciles itself, kept by owner account in the order they came (the visits
 * stream sorted by account). Each account is handed out as a stream once, and a visit is forgotten as it is handed
 * out: what the run holds falls as its roles are reconciled, instead of every visit living to the run's end (10,000
 * visits a major collection marks again and again; docs/benchmarks.md, "CPU per role").
 */
export class KeptVisits {
  #accounts: RoleVisit[][] = [];

  /** Keep one more visit. */
  add(visit: RoleVisit): void {
    const last = this.#accounts.at(-1);
    if (last?.[0]?.ownerAccountId === visit.ownerAccountId) last.push(visit);
    else this.#accounts.push([visit]);
  }

  /** Forget every visit kept. */
  clear(): void {
    this.#accounts = [];
  }

  /** One stream per owner account, in order; the visits are no longer kept here, and each forgets what it yields. */
  takeStreams(): AsyncIterable<RoleVisit>[] {
    const accounts = this.#accounts;
    this.#accounts = [];
    return accounts.map(forgetting);
  }
}

/** A stream of `items` that drops its hold on each item as it yields it. */
function forgetting<T>(items: (T | undefined)[]): AsyncIterable<T> {
  let next = 0;
  return {
    [Symbol.asyncIterator]: () => ({
      next: async (): Promise<IteratorResult<T, undefined>> => {
        if (next >= items.length) return { done: true, value: undefined };
        const value = items[next] as T;
        items[next] = undefined;
        next += 1;
        return { done: false, value };
      },
    }),
  };
}
