import type { AccountFailure } from './account-sessions.js';
import type { RoleOutcome, RoleResult } from './outcome.js';

/** How a run was carried out. */
export const RunMode = {
  /** Every role in one invocation (or one operator command). */
  Inline: 'inline',
  /**
   * The coordinator: the roles were handed to shards, but for the accounts it reconciled itself while the run might
   * still have fit (none when the shard threshold is at most the survey's read-ahead, as shipped).
   */
  Sharded: 'sharded',
  /** One shard worker: the roles of some owner accounts. */
  Shard: 'shard',
} as const;
/** One of {@link RunMode}. */
export type RunMode = (typeof RunMode)[keyof typeof RunMode];

/** What one run did: a timer run, its coordinator or one of its shards, or an operator's reconcile or dry run. */
export interface RunResult {
  readonly correlationId: string;
  readonly mode: RunMode;
  /** True for a dry run: nothing was changed, `results` say what a run would do. */
  readonly dryRun: boolean;
  /** Roles seen (in a sharded run: the roles handed to the shards and those it reconciled itself). */
  readonly roles: number;
  /** Roles by outcome. */
  readonly outcomes: Readonly<Partial<Record<RoleOutcome, number>>>;
  readonly failedAccounts: readonly AccountFailure[];
  /** Run time by the injected clock. */
  readonly durationMs: number;
  readonly apiCalls: { readonly ram: number; readonly assumeRole: number };
  /** Status rows that could not be written (they are written again on the next run). */
  readonly statusWriteFailures: number;
  /** Grant rows removed because they expired (after their role was reconciled). */
  readonly expiredGrants: number;
  /** Per-role results, at most `maxResults` of them. */
  readonly results: readonly RoleResult[];
  /** True when results were left out because of `maxResults`. */
  readonly resultsTruncated: boolean;
  /** The shards a sharded run handed its roles to. */
  readonly shards?: number;
  /** The owner accounts of a shard. */
  readonly ownerAccountIds?: readonly string[];
}

/** Counts the roles of a run as they finish; keeps at most `maxResults` results (the counts are always complete). */
export class RunTally {
  readonly #outcomes: Partial<Record<RoleOutcome, number>> = {};
  readonly #results: RoleResult[] = [];
  #roles = 0;
  #truncated = false;
  #statusWriteFailures = 0;
  #expiredGrants = 0;

  constructor(private readonly maxResults: number) {}

  /** Count one finished role. */
  add(result: RoleResult): void {
    this.#roles += 1;
    this.#outcomes[result.outcome] = (this.#outcomes[result.outcome] ?? 0) + 1;
    if (this.#results.length < this.maxResults) this.#results.push(result);
    else this.#truncated = true;
  }

  /** Count a status row that could not be written. */
  statusWriteFailed(): void {
    this.#statusWriteFailures += 1;
  }

  /** Count grant rows removed because they expired. */
  grantsExpired(count: number): void {
    this.#expiredGrants += count;
  }

  /** The counts so far. */
  get counts(): Pick<
    RunResult,
    'roles' | 'outcomes' | 'results' | 'resultsTruncated' | 'statusWriteFailures' | 'expiredGrants'
  > {
    return {
      roles: this.#roles,
      outcomes: { ...this.#outcomes },
      results: [...this.#results],
      resultsTruncated: this.#truncated,
      statusWriteFailures: this.#statusWriteFailures,
      expiredGrants: this.#expiredGrants,
    };
  }
}
