/** The calls of one run, counted in the local cloud's request log (pure: no I/O). */

/** One entry of the local cloud's request log, as its admin route answers it. */
export interface LoggedCall {
  readonly service: string;
  readonly action: string;
  readonly accountId?: string | undefined;
  readonly status: number;
  readonly code?: string | undefined;
}

/** RAM actions that only read. */
const RAM_READS = new Set(['GetRole', 'ListPoliciesForRole']);

/** Calls counted in the request log. */
export interface CallCounts {
  /** Every request served (all services). */
  readonly requests: number;
  readonly ramReads: number;
  readonly ramWrites: number;
  readonly ramWritesByAction: Readonly<Record<string, number>>;
  readonly assumeRole: number;
  /** Calls answered `Throttling.User`. */
  readonly throttled: number;
  readonly tablestore: number;
  readonly tablestoreByAction: Readonly<Record<string, number>>;
  readonly eventbridge: number;
  /** Per owner account, the RAM reads answered 200, by action (each role needs one GetRole and one listing). */
  readonly readsAnsweredByAccount: Readonly<Record<string, { getRole: number; listPolicies: number }>>;
}

const bump = (counts: Record<string, number>, key: string): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** Count the calls of one run. */
export function countCalls(log: readonly LoggedCall[]): CallCounts {
  let ramReads = 0;
  let ramWrites = 0;
  let assumeRole = 0;
  let throttled = 0;
  let tablestore = 0;
  let eventbridge = 0;
  const ramWritesByAction: Record<string, number> = {};
  const tablestoreByAction: Record<string, number> = {};
  const answered: Record<string, { getRole: number; listPolicies: number }> = {};
  for (const entry of log) {
    if (entry.code === 'Throttling.User') throttled += 1;
    if (entry.service === 'ram') {
      if (RAM_READS.has(entry.action)) {
        ramReads += 1;
        if (entry.status === 200 && entry.accountId !== undefined) {
          answered[entry.accountId] ??= { getRole: 0, listPolicies: 0 };
          const account = answered[entry.accountId] as { getRole: number; listPolicies: number };
          if (entry.action === 'GetRole') account.getRole += 1;
          else account.listPolicies += 1;
        }
      } else {
        ramWrites += 1;
        bump(ramWritesByAction, entry.action);
      }
    } else if (entry.service === 'sts' && entry.action === 'AssumeRole') assumeRole += 1;
    else if (entry.service === 'tablestore') {
      tablestore += 1;
      bump(tablestoreByAction, entry.action);
    } else if (entry.service === 'eventbridge') eventbridge += 1;
  }
  return {
    requests: log.length,
    ramReads,
    ramWrites,
    ramWritesByAction,
    assumeRole,
    throttled,
    tablestore,
    tablestoreByAction,
    eventbridge,
    readsAnsweredByAccount: answered,
  };
}

/**
 * Roles of the fleet whose two reads were never answered: per account, the roles minus the fewer of its answered
 * GetRole and ListPoliciesForRole calls (0 when every role was read).
 */
export function rolesLeftBehind(
  counts: Pick<CallCounts, 'readsAnsweredByAccount'>,
  rolesByAccount: ReadonlyMap<string, number>,
): number {
  let behind = 0;
  for (const [accountId, roles] of rolesByAccount) {
    const reads = counts.readsAnsweredByAccount[accountId] ?? { getRole: 0, listPolicies: 0 };
    behind += Math.max(0, roles - Math.min(reads.getRole, reads.listPolicies));
  }
  return behind;
}
