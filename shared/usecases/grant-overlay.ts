import { compareRoleKeys, type Grant, type GrantKey, type RoleKey } from '../domain/grant.js';
import { grantId, roleId } from '../domain/ownership.js';
import type { GrantStore, RoleGrants, RoleKeyFilter } from '../ports.js';
import { ReadOnlyStoreError } from './errors.js';

/**
 * The grants as they would be after some writes, without making them: reads of `base` with `put` rows written
 * over and `remove` keys taken out. Read-only (a dry run plans against it); a write throws.
 */
export class GrantOverlay implements GrantStore {
  readonly #base: GrantStore;
  readonly #put: ReadonlyMap<string, Grant>;
  readonly #removed: ReadonlySet<string>;

  constructor(base: GrantStore, changes: { readonly put: readonly Grant[]; readonly remove: readonly GrantKey[] }) {
    this.#base = base;
    this.#put = new Map(changes.put.map((g) => [grantId(g), g]));
    this.#removed = new Set(changes.remove.map(grantId));
  }

  #hidden(key: GrantKey): boolean {
    const id = grantId(key);
    return this.#removed.has(id) || this.#put.has(id);
  }

  async getGrant(key: GrantKey): Promise<Grant | undefined> {
    const id = grantId(key);
    if (this.#removed.has(id)) return undefined;
    return this.#put.get(id) ?? (await this.#base.getGrant(key));
  }

  async listGrantsForRole(role: RoleKey): Promise<Grant[]> {
    const kept = (await this.#base.listGrantsForRole(role)).filter((g) => !this.#hidden(g));
    const added = [...this.#put.values()].filter((g) => roleId(g) === roleId(role));
    return [...kept, ...added];
  }

  async *listManagedRoles(filter?: RoleKeyFilter): AsyncIterable<RoleKey> {
    const roles = new Map<string, RoleKey>();
    for await (const role of this.#base.listManagedRoles(filter)) roles.set(roleId(role), role);
    for (const g of this.#put.values()) {
      const owned = filter?.ownerAccountId === undefined || g.ownerAccountId === filter.ownerAccountId;
      if (owned && (filter?.after === undefined || compareRoleKeys(g, filter.after) > 0)) {
        roles.set(roleId(g), { ownerAccountId: g.ownerAccountId, roleName: g.roleName });
      }
    }
    for (const role of [...roles.values()].sort(compareRoleKeys)) {
      if ((await this.listGrantsForRole(role)).length > 0) yield role;
    }
  }

  async *listRoleGrants(filter?: { ownerAccountId?: string }): AsyncIterable<RoleGrants> {
    for await (const role of this.listManagedRoles(filter)) yield { role, grants: await this.listGrantsForRole(role) };
  }

  async putGrant(grant: Grant): Promise<Grant> {
    throw new ReadOnlyStoreError(`a preview writes no grant (${grantId(grant)})`);
  }

  async deleteGrant(key: GrantKey): Promise<void> {
    throw new ReadOnlyStoreError(`a preview removes no grant (${grantId(key)})`);
  }
}
