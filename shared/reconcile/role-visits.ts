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
    const order = role.done ? 1 : row.done ? -1 : compareRoleKeys(role.value, row.value);
    if (order < 0 && !role.done) {
      yield { ownerAccountId: role.value.ownerAccountId, roleName: role.value.roleName, declared: true, status: null };
      role = await roles.next();
    } else if (order > 0 && !row.done) {
      yield {
        ownerAccountId: row.value.ownerAccountId,
        roleName: row.value.roleName,
        declared: false,
        status: row.value,
      };
      row = await rows.next();
    } else if (!role.done && !row.done) {
      yield {
        ownerAccountId: role.value.ownerAccountId,
        roleName: role.value.roleName,
        declared: true,
        status: row.value,
      };
      role = await roles.next();
      row = await rows.next();
    }
  }
}
