import { compareRoleKeys, type Grant, type RoleKey } from '../domain/grant.js';
import type { GrantStore, RoleGrants, RoleStatus, StatusStore } from '../ports.js';
import { HoldReason } from './plan.js';
import { isDeferred } from './status.js';

/** A role a run visits: declared by grant rows, known from a status row, or both. */
export interface RoleVisit extends RoleKey {
  /** True when grant rows exist for the role (active or expired). */
  readonly declared: boolean;
  /** The role's status row, or null when it has none. */
  readonly status: RoleStatus | null;
  /** The role's grant rows as the run's scan read them; absent when the scan read only the role's key. */
  readonly grants?: readonly Grant[];
}

/**
 * A declared role as the grant store lists it: its key (`listManagedRoles`), or its key with the grant rows the
 * scan read (`listRoleGrants`).
 */
export type DeclaredRole = RoleKey | RoleGrants;

/** The key of a declared role as either listing hands it out. */
const keyOf = (declared: DeclaredRole): RoleKey => ('role' in declared ? declared.role : declared);

/**
 * Merge the declared roles and the status rows, both sorted by {@link compareRoleKeys}, into one sorted stream of
 * visits. A status row without grants is a role the product managed and must still clean up (its grants were
 * revoked while its account was unreachable, for example). Streams: holds one item of each side at a time.
 */
export async function* mergeRoleVisits(
  declared: AsyncIterable<DeclaredRole>,
  statuses: AsyncIterable<RoleStatus>,
): AsyncIterable<RoleVisit> {
  // The grant store's own stream is read as it is (no generator step per role to reshape its items).
  const roles = declared[Symbol.asyncIterator]();
  const rows = statuses[Symbol.asyncIterator]();
  // Both first pages at once: a run (and an event's reconcile) waits for one round trip to the stores, not two.
  let [role, row] = await Promise.all([roles.next(), rows.next()]);
  while (!role.done || !row.done) {
    // Negative: only the declared role comes next; positive: only the status row; zero: both, for one role.
    const declaredKey = role.done ? undefined : keyOf(role.value);
    const order = declaredKey === undefined ? 1 : row.done ? -1 : compareRoleKeys(declaredKey, row.value);
    const key: RoleKey = order <= 0 ? (declaredKey as RoleKey) : (row.value as RoleStatus);
    const grants = order <= 0 && 'grants' in role.value ? (role.value as RoleGrants).grants : undefined;
    yield {
      ownerAccountId: key.ownerAccountId,
      roleName: key.roleName,
      declared: order <= 0,
      status: order >= 0 ? (row.value as RoleStatus) : null,
      ...(grants === undefined ? {} : { grants }),
    };
    if (order <= 0) role = await roles.next();
    if (order >= 0) row = await rows.next();
  }
}

/**
 * The roles a run visits, each with its grant rows and its status row: one scan of each store, merged (one stream
 * per owner account when `ownerAccountIds` is given, a shard's accounts); the two scans start together.
 */
export function listRoleVisits(
  stores: { readonly grants: GrantStore; readonly status: StatusStore },
  ownerAccountIds?: readonly string[],
): AsyncIterable<RoleVisit> {
  // Every role: the merge itself, not a generator stepping through it (a step per role less).
  if (ownerAccountIds === undefined) {
    return mergeRoleVisits(stores.grants.listRoleGrants(), stores.status.listStatuses());
  }
  return accountsRoleVisits(stores, ownerAccountIds);
}

/**
 * The keys of the roles a run visits after `after` (declared roles and roles with only a status row, each once, in
 * the order of {@link listRoleVisits}): one key scan of each store, merged. A survey past its threshold only
 * counts roles, so it reads on from here without the grant and status documents.
 */
export async function* roleKeysAfter(
  stores: {
    readonly grants: Pick<GrantStore, 'listManagedRoles'>;
    readonly status: Pick<StatusStore, 'listStatusKeys'>;
  },
  after: RoleKey,
): AsyncIterable<RoleKey> {
  const roles = stores.grants.listManagedRoles({ after })[Symbol.asyncIterator]();
  const rows = stores.status.listStatusKeys({ after })[Symbol.asyncIterator]();
  let [role, row] = await Promise.all([roles.next(), rows.next()]);
  while (!role.done || !row.done) {
    const order = role.done ? 1 : row.done ? -1 : compareRoleKeys(role.value, row.value);
    yield (order <= 0 ? role.value : row.value) as RoleKey;
    if (order <= 0) role = await roles.next();
    if (order >= 0) row = await rows.next();
  }
}

async function* accountsRoleVisits(
  stores: { readonly grants: GrantStore; readonly status: StatusStore },
  ownerAccountIds: readonly string[],
): AsyncIterable<RoleVisit> {
  for (const ownerAccountId of ownerAccountIds) {
    yield* mergeRoleVisits(
      stores.grants.listRoleGrants({ ownerAccountId }),
      stores.status.listStatuses({ ownerAccountId }),
    );
  }
}

/** The hold a status row puts on a scheduled reconcile: a flap pause, or a failure backoff still running. */
export function statusHold(status: RoleStatus, now: Date): HoldReason | undefined {
  if (status.pausedReason !== undefined) return HoldReason.Flapping;
  if (isDeferred(status, now)) return HoldReason.Backoff;
  return undefined;
}
