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
  work: (role: T) => Promise<void>,
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
      void work(role)
        .catch(() => undefined)
        .finally(() => {
          lane.running -= 1;
          pump(account, lane);
          if (lane.running === 0 && lane.queue.length === 0 && lanes.get(account) === lane) {
            lanes.delete(account);
            accountSlots.release();
            inFlight -= 1;
            if (inFlight === 0) allDone?.();
          }
        });
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
