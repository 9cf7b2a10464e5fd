import { compareRoleKeys, type RoleKey } from '../domain/grant.js';
import type { RoleStatus } from '../ports.js';

/** A role a run visits: declared by grant rows, known from a status row, or both. */
export interface RoleVisit extends RoleKey {
  /** True when grant rows exist for the role (active or expired). */
  readonly declared: boolean;
  /** The role's status row, or null when it has none. */
  readonly status: RoleStatus | null;
}

/**
 * Merge the declared roles and the status rows, both sorted by {@link compareRoleKeys}, into one sorted stream of
 * visits. A status row without grants is a role the product managed and must still clean up (its grants were
 * revoked while its account was unreachable, for example). Streams: holds one item of each side at a time.
 */
export async function* mergeRoleVisits(
  declared: AsyncIterable<RoleKey>,
  statuses: AsyncIterable<RoleStatus>,
): AsyncIterable<RoleVisit> {
  const roles = declared[Symbol.asyncIterator]();
  const rows = statuses[Symbol.asyncIterator]();
  let role = await roles.next();
  let row = await rows.next();
  while (!role.done || !row.done) {
    // Negative: only the declared role comes next; positive: only the status row; zero: both, for one role.
    const order = role.done ? 1 : row.done ? -1 : compareRoleKeys(role.value, row.value);
    const key: RoleKey = order <= 0 ? (role.value as RoleKey) : (row.value as RoleStatus);
    yield {
      ownerAccountId: key.ownerAccountId,
      roleName: key.roleName,
      declared: order <= 0,
      status: order >= 0 ? (row.value as RoleStatus) : null,
    };
    if (order <= 0) role = await roles.next();
    if (order >= 0) row = await rows.next();
  }
}
