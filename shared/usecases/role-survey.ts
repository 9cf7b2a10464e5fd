import type { RoleKey } from '../domain/grant.js';
import type { RoleVisit, RunResult } from '../reconcile/index.js';
import { KeptVisits } from './kept-visits.js';
import type { Shard } from './shards.js';

/** Visits a survey holds for the run here before it waits for the run to take them (about 1.3 KiB each). */
export const SURVEY_READ_AHEAD = 500;

/** What a survey is given. */
export interface SurveyOptions {
  /** Roles one invocation reconciles at most (`DTS_TRUST_SHARD_THRESHOLD`). */
  readonly threshold: number;
  /** Visits held for the run here at most before the read waits (plus the account being read); default {@link SURVEY_READ_AHEAD}. */
  readonly readAhead?: number;
  /** Hand an account of at least `threshold` roles to a shard of its own, as soon as its count is final. */
  readonly ownShard?: ((shard: Shard) => void) | undefined;
  /** Start the run here over the accounts the survey keeps for it, as they come; called at most once. */
  readonly reconcileHere: (accounts: KeptVisits) => Promise<RunResult>;
  /**
   * The keys of the roles after one (the stores' key scans, `roleKeysAfter`): once the run is known not to fit,
   * the roles after the first one past the threshold are counted from these and the visits' stream is left there.
   */
  readonly keysAfter?: ((last: RoleKey) => AsyncIterable<RoleKey>) | undefined;
}

/** The roles of a run as one read of the grant and status stores found them. */
export interface RoleSurvey {
  /** True when there were at most `threshold` roles: every account was reconciled here. */
  readonly fits: boolean;
  /** Roles per owner account, every account read. */
  readonly rolesByAccount: ReadonlyMap<string, number>;
  /** The accounts reconciled here: all of them when the run fits, else those kept while it still might. */
  readonly here: ReadonlySet<string>;
  /** The accounts handed to a shard of their own during the read (a run that does not fit). */
  readonly handedOut: ReadonlySet<string>;
  /** The run here (ended when the survey returns); undefined when no account was reconciled here. */
  readonly run: RunResult | undefined;
}

/**
 * Read every role a run visits once (declared roles and roles left with only a status row) and reconcile here
 * what fits, without reading a role twice: while there are at most `threshold` roles, each owner account's visits
 * are kept once the account is read whole (the visits come sorted by owner account), and once more than
 * `readAhead` are kept the run here starts on them ({@link SurveyOptions.reconcileHere}) and the read goes on at
 * the pace the run takes them. When the run turns out not to fit, the accounts already given to the run here are
 * reconciled here (at most `threshold` roles, each account whole) and the rest only counted, to be cut into
 * shards; each owner account with at least `threshold` roles is handed to `ownShard` as soon as its count is
 * final: however the other accounts are cut, such an account is a shard of its own ({@link planShards} never adds
 * to a shard that is full), so its shard need not wait for the rest of the read. With `keysAfter`, the roles after
 * the first one past the threshold are counted from their keys alone, so the grant and status documents of a
 * fleet cut into shards are not read here only to be counted (the shards read them). With `threshold` at most
 * `readAhead` (as shipped), nothing is reconciled here until the read has ended and fits. If the read fails, the
 * accounts given to the run here are reconciled before the failure is rethrown.
 */
export async function surveyRoles(visits: AsyncIterable<RoleVisit>, options: SurveyOptions): Promise<RoleSurvey> {
  const { threshold, ownShard } = options;
  const readAhead = options.readAhead ?? SURVEY_READ_AHEAD;
  const rolesByAccount = new Map<string, number>();
  const handedOut = new Set<string>();
  const here = new Set<string>();
  const complete: string[] = [];
  let roles = 0;
  let currentId: string | undefined;
  /** The account being read, while the run may fit. */
  let current: RoleVisit[] = [];
  /** Accounts read whole while the run may fit, not yet given to the run here. */
  let pending: RoleVisit[][] = [];
  let pendingVisits = 0;
  let kept: KeptVisits | undefined;
  let run: Promise<RunResult> | undefined;

  const startHere = (): KeptVisits => {
    const accounts = new KeptVisits(readAhead);
    const started = options.reconcileHere(accounts);
    // A run that fails as a whole must not hold the read back; its failure is met where the run is awaited.
    started.catch(() => accounts.abandon());
    kept = accounts;
    run = started;
    return accounts;
  };
  const giveHere = async (accounts: KeptVisits): Promise<void> => {
    const given = pending;
    pending = [];
    pendingVisits = 0;
    for (const account of given) {
      here.add((account[0] as RoleVisit).ownerAccountId);
      await accounts.addAccount(account);
    }
  };
  /** An account read whole while the run may fit: kept, and given to the run here once enough are kept. */
  const keep = async (account: RoleVisit[]): Promise<void> => {
    if (account.length === 0) return;
    pending.push(account);
    pendingVisits += account.length;
    if (kept !== undefined || pendingVisits > readAhead) await giveHere(kept ?? startHere());
  };
  const handOut = (): void => {
    if (ownShard === undefined || roles <= threshold) return;
    for (const accountId of complete.splice(0)) {
      const count = rolesByAccount.get(accountId) ?? 0;
      if (count < threshold || handedOut.has(accountId) || here.has(accountId)) continue;
      handedOut.add(accountId);
      ownShard({ ownerAccountIds: [accountId], roles: count });
    }
  };

  /** The roles past the threshold, counted from their keys alone: a run that does not fit only counts them. */
  const countKeys = async (keys: AsyncIterable<RoleKey>): Promise<void> => {
    for await (const { ownerAccountId } of keys) {
      if (ownerAccountId !== currentId) {
        if (currentId !== undefined) complete.push(currentId);
        currentId = ownerAccountId;
      }
      roles += 1;
      rolesByAccount.set(ownerAccountId, (rolesByAccount.get(ownerAccountId) ?? 0) + 1);
      handOut();
    }
  };

  try {
    for await (const visit of visits) {
      if (visit.ownerAccountId !== currentId) {
        if (currentId !== undefined) complete.push(currentId);
        if (roles <= threshold) await keep(current);
        current = [];
        currentId = visit.ownerAccountId;
      }
      roles += 1;
      rolesByAccount.set(visit.ownerAccountId, (rolesByAccount.get(visit.ownerAccountId) ?? 0) + 1);
      if (roles <= threshold) current.push(visit);
      else if (roles === threshold + 1) {
        // It does not fit: what the run here has is all it gets; the rest goes to shards.
        current = [];
        pending = [];
        pendingVisits = 0;
        kept?.close();
      }
      handOut();
      if (roles === threshold + 1 && options.keysAfter !== undefined) {
        await countKeys(options.keysAfter(visit));
        break;
      }
    }
    if (roles <= threshold) {
      await keep(current);
      current = [];
      const accounts = kept ?? startHere();
      await giveHere(accounts);
      accounts.close();
    }
  } catch (error) {
    kept?.close();
    await run?.catch(() => undefined);
    throw error;
  }
  return { fits: roles <= threshold, rolesByAccount, here, handedOut, run: run === undefined ? undefined : await run };
}
