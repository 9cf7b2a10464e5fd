import type { Services } from '../composition/services.js';
import { isGrantActive } from '../domain/desired-role.js';
import type { Grant } from '../domain/grant.js';
import type { RoleSelection } from './reconcile-now.js';

/** A declared grant and whether it is still in force. */
export interface ListedGrant {
  readonly grant: Grant;
  /** False once the grant is past its `expiresAt` (its row goes after its role is reconciled). */
  readonly active: boolean;
}

/** The declared grants of the selected roles, role by role in key order (one scan of the grant store). */
export async function* listGrants(services: Services, selection: RoleSelection): AsyncIterable<ListedGrant> {
  const now = services.clock.now();
  const name = selection.role?.toLowerCase();
  const filter = selection.owner === undefined ? undefined : { ownerAccountId: selection.owner };
  for await (const { role, grants } of services.grants.listRoleGrants(filter)) {
    if (name !== undefined && role.roleName.toLowerCase() !== name) continue;
    for (const grant of grants) yield { grant, active: isGrantActive(grant, now) };
  }
}
