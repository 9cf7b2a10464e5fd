import type { RoleKey } from '../domain/grant.js';
import { Semaphore } from './semaphore.js';

/** Limits of {@link processByAccount}. */
export interface LaneLimits {
  /** Owner accounts processed at the same time. */
  readonly accounts: number;
  /** Roles of one account in flight at the same time. */
  readonly rolesPerAccount: number;
  /** Roles read from the stream but not started yet, at most (back-pressure on the stream). */
  readonly queuedRoles: number;
}

interface Lane<T> {
  readonly queue: T[];
  running: number;
}

/**
 * Process a stream of roles grouped by owner account: up to `accounts` accounts at once, up to `rolesPerAccount`
 * roles of one account in flight, and never more than `queuedRoles` roles read ahead of processing, so a stream of
 * any length is never held in memory. A failing stream is rethrown once the roles already started are done. `work` should not throw: failures belong in its result (a rejection is ignored).
 */
export async function processByAccount<T extends RoleKey>(
  roles: AsyncIterable<T>,
  limits: LaneLimits,
  work: (role: T) => Promise<unknown>,
): Promise<void> {
  const accountSlots = new Semaphore(limits.accounts);
  const readAhead = new Semaphore(limits.queuedRoles);
  const lanes = new Map<string, Lane<T>>();
  let inFlight = 0;
  let allDone: (() => void) | undefined;

  const pump = (account: string, lane: Lane<T>): void => {
    while (lane.running < limits.rolesPerAccount && lane.queue.length > 0) {
      const role = lane.queue.shift() as T;
      lane.running += 1;
      readAhead.release();
      const done = (): void => {
        lane.running -= 1;
        pump(account, lane);
        if (lane.running === 0 && lane.queue.length === 0 && lanes.get(account) === lane) {
          lanes.delete(account);
          accountSlots.release();
          inFlight -= 1;
          if (inFlight === 0) allDone?.();
        }
      };
      // Settled either way, one step (a rejection is ignored, as documented).
      void work(role).then(done, done);
    }
  };

  try {
    for await (const role of roles) {
      await readAhead.acquire();
      const existing = lanes.get(role.ownerAccountId);
      if (existing) {
        existing.queue.push(role);
        pump(role.ownerAccountId, existing);
        continue;
      }
      await accountSlots.acquire();
      // Only this loop creates lanes, so none appeared for this account while we waited.
      const fresh: Lane<T> = { queue: [role], running: 0 };
      lanes.set(role.ownerAccountId, fresh);
      inFlight += 1;
      pump(role.ownerAccountId, fresh);
    }
  } finally {
    // Even when the stream fails, let the roles already started finish before returning or rethrowing.
    if (inFlight > 0) await new Promise<void>((resolve) => (allDone = resolve));
  }
}

/** Limits of {@link processAccountStreams}. */
export interface AccountStreamLimits {
  /** Owner accounts processed at the same time. */
  readonly accounts: number;
  /** Roles of one account in flight at the same time. */
  readonly rolesPerAccount: number;
}

/**
 * Process several owner accounts, each from a stream of its own roles: up to `accounts` accounts side by side,
 * each read on its own as its roles start (one role read ahead of its `rolesPerAccount` in flight), so an account
 * with many roles never holds back the others; each is paced only by its own limits (the work's token bucket).
 * Accounts are taken in the order given, from a list or as they come (an asynchronous source: a lane that is free
 * waits for the next account). A failing stream stops taking further accounts and is rethrown once the roles
 * already started are done (the other accounts' streams run to their end). `work` should not throw: failures
 * belong in its result (a rejection is ignored).
 */
export async function processAccountStreams<T>(
  accounts: Iterable<AsyncIterable<T>> | AsyncIterable<AsyncIterable<T>>,
  limits: AccountStreamLimits,
  work: (role: T) => Promise<unknown>,
): Promise<void> {
  const pending: Iterator<AsyncIterable<T>> | AsyncIterator<AsyncIterable<T>> =
    Symbol.asyncIterator in accounts ? accounts[Symbol.asyncIterator]() : accounts[Symbol.iterator]();
  let failure: { error: unknown } | undefined;
  const runAccount = async (roles: AsyncIterable<T>): Promise<void> => {
    const slots = new Semaphore(limits.rolesPerAccount);
    let inFlight = 0;
    let drained: (() => void) | undefined;
    // A role settled either way (a rejection is ignored, as documented): one step, not a catch and a finally.
    const settled = (): void => {
      slots.release();
      inFlight -= 1;
      if (inFlight === 0) drained?.();
    };
    try {
      for await (const role of roles) {
        await slots.acquire();
        inFlight += 1;
        void work(role).then(settled, settled);
      }
    } catch (error) {
      failure ??= { error };
    } finally {
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
    }
  };
  const lane = async (): Promise<void> => {
    while (failure === undefined) {
      const next = await pending.next();
      if (next.done) return;
      await runAccount(next.value);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.floor(limits.accounts)) }, lane));
  if (failure) throw failure.error;
}
