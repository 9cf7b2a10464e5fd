/**
 * The route roles of the RAM change route (docs/deploy.md, "Drift repaired in seconds"): the roles in the
 * automation account that owner accounts' EventBridge assumes to put their RAM change events onto its default bus.
 * One role's trust policy names one principal per owner account, and RAM refuses a trust policy beyond a length
 * it does not document, so the owners are spread over several route roles, each trust policy within
 * {@link ROUTE_ROLE_TRUST_BUDGET}. The assignment is planned from the route roles that exist: an owner a route role
 * already trusts stays there while it fits, new owners fill the lowest-numbered role with room, and a role left
 * with no owner is removed. Pure: no I/O, no SDK.
 */
import { isAlibabaAccountId } from './account-id.js';
import { eventBridgeServicePrincipal, RAM_CHANGE_ROUTE_ROLE_NAME } from './ram-change-event.js';

/**
 * The most characters setup lets a route role's trust policy (as sent, compact JSON) have: about 43 owners. RAM
 * documents no trust-policy length (only the error codes `InvalidParameter.AssumeRolePolicyDocument.Length` and
 * `InvalidParameter.NewAssumeRolePolicyDocument.Length`); 2,000 stays under the smallest policy-document limit RAM
 * documents (2,048 characters, a custom policy on the older limits page and STS's session policy) and at half the
 * 4,096 the local cloud assumes (docs/architecture.md, "Route roles for large fleets").
 */
export const ROUTE_ROLE_TRUST_BUDGET = 2_000;

/** The description setup gives every route role: dts-trust's ownership marker for them (the previous release's). */
export const ROUTE_ROLE_DESCRIPTION =
  "dts-trust: owner accounts' EventBridge puts their RAM change events onto this account's default bus";

/** The route role's trust policy document. */
export interface RouteRoleTrustPolicy {
  readonly Version: '1';
  readonly Statement: readonly [
    { readonly Effect: 'Allow'; readonly Action: 'sts:AssumeRole'; readonly Principal: { readonly Service: string[] } },
  ];
}

/**
 * The trust policy of a route role: EventBridge of each owner account (its service principal
 * `<owner>@eventbridge.aliyuncs.com`, which EventBridge's cross-account delivery presents), sorted, nothing else.
 */
export function routeRoleTrustPolicy(ownerAccountIds: Iterable<string>): RouteRoleTrustPolicy {
  return {
    Version: '1',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: [...new Set(ownerAccountIds)].sort().map(eventBridgeServicePrincipal) },
      },
    ],
  };
}

/** The trust policy's length in characters as setup sends it (compact JSON; the IDs are ASCII, so also bytes). */
export function routeTrustLength(ownerAccountIds: Iterable<string>): number {
  return JSON.stringify(routeRoleTrustPolicy(ownerAccountIds)).length;
}

/** The name of route role `index` (from 1): `dts-trust-event-route` (the previous release's one), then `-2`, `-3`... */
export function routeRoleName(index: number): string {
  return index === 1 ? RAM_CHANGE_ROUTE_ROLE_NAME : `${RAM_CHANGE_ROUTE_ROLE_NAME}-${index}`;
}

/** The index of a route role's name (RAM compares names case-insensitively), or `undefined` for any other name. */
export function routeRoleIndex(roleName: string): number | undefined {
  const name = roleName.toLowerCase();
  if (name === RAM_CHANGE_ROUTE_ROLE_NAME) return 1;
  const match = /^dts-trust-event-route-([2-9]|[1-9]\d{1,2})$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** What a stored route role trust policy lets in. */
export interface RouteTrust {
  /** The owner accounts whose EventBridge an Allow statement lets in, sorted. */
  readonly owners: readonly string[];
  /**
   * It lets in nothing else: every statement Allow, only `sts:AssumeRole`, only `Service` principals
   * `<16 digits>@eventbridge.aliyuncs.com`, no condition. Unreadable JSON reads as no owners and not only owners.
   */
  readonly onlyOwners: boolean;
}

/** Read a stored route role trust policy (see {@link RouteTrust}). */
export function readRouteTrust(stored: string): RouteTrust {
  let document: unknown;
  try {
    document = JSON.parse(stored);
  } catch {
    return { owners: [], onlyOwners: false };
  }
  const statements = (document as { Statement?: unknown } | null)?.Statement;
  if (!Array.isArray(statements)) return { owners: [], onlyOwners: false };
  const owners: string[] = [];
  let onlyOwners = statements.length > 0;
  for (const statement of statements as unknown[]) {
    if (typeof statement !== 'object' || statement === null) {
      onlyOwners = false;
      continue;
    }
    const st = statement as Record<string, unknown>;
    const principal = (
      typeof st['Principal'] === 'object' && st['Principal'] !== null ? st['Principal'] : {}
    ) as Record<string, unknown>;
    const actions = ([] as unknown[]).concat(st['Action']);
    const onlyAssume = actions.length === 1 && actions[0] === 'sts:AssumeRole';
    const keys = Object.keys(principal);
    if (!onlyAssume || st['Condition'] !== undefined || keys.length !== 1 || keys[0] !== 'Service') onlyOwners = false;
    if (st['Effect'] !== 'Allow') {
      onlyOwners = false;
      continue;
    }
    for (const service of ([] as unknown[]).concat(principal['Service'] ?? [])) {
      const match = typeof service === 'string' ? /^(\d{16})@eventbridge\.aliyuncs\.com$/.exec(service) : null;
      if (match) owners.push(match[1] as string);
      else onlyOwners = false;
    }
  }
  return { owners: [...new Set(owners)].sort(), onlyOwners };
}

/** A route role as found in the automation account. */
export interface FoundRouteRole {
  readonly index: number;
  /** The owners whose EventBridge its trust policy lets in. */
  readonly owners: readonly string[];
  /**
   * Not dts-trust's to change: no ownership marker ({@link ROUTE_ROLE_DESCRIPTION}), or a trust policy that lets in
   * anything but owners' EventBridge. Its owners keep their place (their rules keep naming it, so delivery goes on),
   * it gets no owner and is never removed; a person decides.
   */
  readonly frozen: boolean;
}

/** What the plan does with one route role. */
export interface RouteRolePlan {
  readonly index: number;
  readonly roleName: string;
  /** It exists now (it is created otherwise). */
  readonly exists: boolean;
  /** Found {@link FoundRouteRole.frozen}: nothing is written to it. */
  readonly frozen: boolean;
  /** The owners it trusts now (empty for a new role). */
  readonly current: readonly string[];
  /**
   * What it trusts while the rules move (step 1): `current` and the owners coming in, nobody removed yet, so no
   * owner is without a route role that trusts it while its rule still names the old one.
   */
  readonly during: readonly string[];
  /** What it trusts at the end (step 3): the owners assigned to it; empty when it is removed. */
  readonly final: readonly string[];
}

/** The whole plan: each owner's route role, and each route role's steps. */
export interface RoutePlan {
  /** The route role (its index) each listed owner's rule names. */
  readonly assignment: ReadonlyMap<string, number>;
  /** The route roles found or created, by index. */
  readonly roles: readonly RouteRolePlan[];
}

/** What {@link planRouteRoles} plans from. */
export interface RoutePlanInput {
  /** The route roles found in the automation account. */
  readonly found: readonly FoundRouteRole[];
  /** The owner accounts the route serves; only Alibaba Cloud ones are given a route role. */
  readonly owners: readonly string[];
  /** Whether `owners` is the whole fleet: only then are owners no longer listed removed from their route role. */
  readonly complete: boolean;
  /** The longest trust policy a role may get (default {@link ROUTE_ROLE_TRUST_BUDGET}). */
  readonly budget?: number;
}

/** Thrown when one owner alone does not fit the budget (a budget set below the envelope); a programming error. */
export class RouteBudgetError extends Error {
  override readonly name = 'RouteBudgetError';
}

/**
 * Assign each owner to a route role (see the module's description). Deterministic: the same roles and owners give
 * the same plan, in any order. Stable: an owner a role trusts stays there unless the role is over the budget (it
 * then keeps the longest run of its owners in sorted order that fits, and the rest move); adding owners never moves
 * one. An owner two roles trust stays in the lower-numbered one. A frozen role keeps its owners and gets no other.
 * Space an owner frees (removed, or moved) is given to others only by the next setup, once the trust policy shrank:
 * a role never has to hold the leaving and the coming at once.
 */
export function planRouteRoles(input: RoutePlanInput): RoutePlan {
  const budget = input.budget ?? ROUTE_ROLE_TRUST_BUDGET;
  if (routeTrustLength(['0000000000000000']) > budget) throw new RouteBudgetError(`budget ${budget} fits no owner`);
  // A Tencent owner's changes cannot come by EventBridge (its UIN would make the trust policy malformed).
  const wanted = new Set(input.owners.filter(isAlibabaAccountId));
  const roles = new Map<number, { current: string[]; kept: string[]; incoming: string[]; frozen: boolean }>();
  const placed = new Map<string, number>();
  for (const role of [...input.found].sort((a, b) => a.index - b.index)) {
    const current = [...new Set(role.owners)].sort();
    const candidates = current.filter((o) => !placed.has(o) && (wanted.has(o) || !input.complete));
    const kept: string[] = [];
    for (const owner of candidates) {
      if (!role.frozen && routeTrustLength([...kept, owner]) > budget) break;
      kept.push(owner);
      if (wanted.has(owner)) placed.set(owner, role.index);
    }
    roles.set(role.index, { current, kept: role.frozen ? current : kept, incoming: [], frozen: role.frozen });
  }
  for (const owner of [...wanted].filter((o) => !placed.has(o)).sort()) {
    for (let index = 1; ; index += 1) {
      let role = roles.get(index);
      if (role?.frozen) continue;
      if (routeTrustLength([...(role?.current ?? []), ...(role?.incoming ?? []), owner]) > budget) continue;
      if (!role) {
        role = { current: [], kept: [], incoming: [], frozen: false };
        roles.set(index, role);
      }
      role.incoming.push(owner);
      placed.set(owner, index);
      break;
    }
  }
  const plans = [...roles.entries()]
    .sort(([a], [b]) => a - b)
    .map(
      ([index, role]): RouteRolePlan => ({
        index,
        roleName: routeRoleName(index),
        exists: input.found.some((r) => r.index === index),
        frozen: role.frozen,
        current: role.current,
        during: [...new Set([...role.current, ...role.incoming])].sort(),
        final: [...new Set([...role.kept, ...role.incoming])].sort(),
      }),
    );
  return { assignment: placed, roles: plans };
}
