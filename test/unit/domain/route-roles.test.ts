import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type FoundRouteRole,
  planRouteRoles,
  ROUTE_ROLE_TRUST_BUDGET,
  type RoutePlan,
  readRouteTrust,
  routeRoleIndex,
  routeRoleName,
  routeRoleTrustPolicy,
  routeTrustLength,
} from '../../../shared/domain/route-roles.js';

/** `count` owner account IDs from `from` on, in order. */
const owners = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => String(1_000_000_000_000_000 + from + i));
/** The route roles as a plan leaves them at its end: what the next setup finds. */
const foundAfter = (plan: RoutePlan): FoundRouteRole[] =>
  plan.roles.filter((r) => r.final.length > 0).map((r) => ({ index: r.index, owners: r.final, frozen: r.frozen }));
const ownersArb = fc.uniqueArray(fc.stringMatching(/^[1-9]\d{15}$/), { maxLength: 150 });

describe('routeRoleName and routeRoleIndex', () => {
  it('name the first route role as the previous release did, and the others by number', () => {
    expect(routeRoleName(1)).toBe('dts-trust-event-route');
    expect(routeRoleName(2)).toBe('dts-trust-event-route-2');
    expect(routeRoleIndex('dts-trust-event-route')).toBe(1);
    expect(routeRoleIndex('DTS-Trust-Event-Route-12')).toBe(12);
  });

  it('read no number from other names, a policy name or a padded number', () => {
    for (const name of ['dts-trust-event-route-1', 'dts-trust-event-route-02', 'dts-trust-event-route-policy', 'x'])
      expect(routeRoleIndex(name)).toBeUndefined();
  });
});

describe('routeTrustLength', () => {
  it('counts the compact document setup sends: 44 characters an owner, 43 owners within the budget', () => {
    expect(routeTrustLength(owners(2)) - routeTrustLength(owners(1))).toBe(44);
    expect(routeTrustLength(owners(43))).toBeLessThanOrEqual(ROUTE_ROLE_TRUST_BUDGET);
    expect(routeTrustLength(owners(44))).toBeGreaterThan(ROUTE_ROLE_TRUST_BUDGET);
    expect(routeTrustLength(owners(3))).toBe(JSON.stringify(routeRoleTrustPolicy(owners(3))).length);
  });
});

describe('readRouteTrust', () => {
  const allow = { Effect: 'Allow', Action: 'sts:AssumeRole' };
  const withStatement = (statement: unknown) =>
    JSON.stringify({ Version: '1', Statement: [...routeRoleTrustPolicy(owners(2)).Statement, statement] });

  it('reads the owners of a route role trust policy, in a string or a list, pretty-printed or not', () => {
    const stored = JSON.stringify(routeRoleTrustPolicy(owners(2)), null, 4);
    expect(readRouteTrust(stored)).toEqual({ owners: owners(2), onlyOwners: true });
    const single = JSON.stringify({
      Version: '1',
      Statement: [{ ...allow, Principal: { Service: `${owners(1)[0]}@eventbridge.aliyuncs.com` } }],
    });
    expect(readRouteTrust(single)).toEqual({ owners: owners(1), onlyOwners: true });
  });

  it('says a policy that lets in anything else is not only owners, and still names the owners it lets in', () => {
    for (const statement of [
      { ...allow, Principal: { RAM: ['acs:ram::2222222222222222:root'] } },
      { ...allow, Principal: { Service: ['fc.aliyuncs.com'] } },
      { ...allow, Principal: { Service: ['2222222222222222@eventbridge.aliyuncs.com'] }, Condition: { a: { b: 'c' } } },
      { Effect: 'Allow', Action: 'sts:*', Principal: { Service: ['2222222222222222@eventbridge.aliyuncs.com'] } },
    ]) {
      const read = readRouteTrust(withStatement(statement));
      expect(read.onlyOwners).toBe(false);
      expect(read.owners).toEqual(expect.arrayContaining(owners(2)));
    }
    expect(readRouteTrust('{')).toEqual({ owners: [], onlyOwners: false });
    expect(readRouteTrust('{"Version":"1","Statement":[]}')).toEqual({ owners: [], onlyOwners: false });
  });
});

describe('planRouteRoles', () => {
  it('puts a first fleet into as few route roles as the budget allows, in order', () => {
    const plan = planRouteRoles({ found: [], owners: owners(100), complete: true });
    expect(plan.roles.map((r) => [r.roleName, r.final.length, r.exists])).toEqual([
      ['dts-trust-event-route', 43, false],
      ['dts-trust-event-route-2', 43, false],
      ['dts-trust-event-route-3', 14, false],
    ]);
    expect(plan.assignment.get(owners(1)[0]!)).toBe(1);
    expect(plan.assignment.get(owners(1, 99)[0]!)).toBe(3);
  });

  it('gives a Tencent owner no route role', () => {
    const plan = planRouteRoles({ found: [], owners: ['100012345678', ...owners(1)], complete: true });
    expect([...plan.assignment.keys()]).toEqual(owners(1));
  });

  it('never moves an owner when the fleet grows, and fills the room the roles have first', () => {
    const first = planRouteRoles({ found: [], owners: owners(50), complete: true });
    const grown = planRouteRoles({ found: foundAfter(first), owners: owners(120), complete: true });
    for (const owner of owners(50)) expect(grown.assignment.get(owner)).toBe(first.assignment.get(owner));
    const second = grown.roles.find((r) => r.index === 2);
    expect(second?.final.length).toBe(43);
    expect(grown.roles.every((r) => r.during.length === r.final.length)).toBe(true);
  });

  it('frees the room of an owner that left the fleet, and gives it to a new owner on the next setup', () => {
    const first = planRouteRoles({ found: [], owners: owners(43), complete: true });
    const leaving = owners(1, 5)[0]!;
    const fleet = owners(43).filter((o) => o !== leaving);
    const shrink = planRouteRoles({ found: foundAfter(first), owners: [...fleet, owners(1, 500)[0]!], complete: true });
    const role1 = shrink.roles.find((r) => r.index === 1);
    expect(role1?.final).not.toContain(leaving);
    // The newcomer waits in role 2 this time: role 1 still holds the leaving owner until the end of the setup.
    expect(shrink.assignment.get(owners(1, 500)[0]!)).toBe(2);
    const next = planRouteRoles({ found: foundAfter(shrink), owners: [...fleet, owners(1, 600)[0]!], complete: true });
    expect(next.assignment.get(owners(1, 600)[0]!)).toBe(1);
  });

  it('keeps an owner no longer listed when the fleet is not known whole', () => {
    const found: FoundRouteRole[] = [{ index: 1, owners: owners(3), frozen: false }];
    const plan = planRouteRoles({ found, owners: owners(1), complete: false });
    expect(plan.roles[0]?.final).toEqual(owners(3));
    expect([...plan.assignment.keys()]).toEqual(owners(1));
  });

  it("moves the owners beyond the budget out of the previous release's one route role, keeping the first ones in place", () => {
    const previous: FoundRouteRole[] = [{ index: 1, owners: owners(85), frozen: false }];
    const plan = planRouteRoles({ found: previous, owners: owners(85), complete: true });
    const [role1, role2] = plan.roles;
    expect(role1?.final).toEqual(owners(43));
    expect(role1?.during).toEqual(owners(85));
    expect(role2).toMatchObject({ roleName: 'dts-trust-event-route-2', exists: false, final: owners(42, 43) });
    expect(role2?.during).toEqual(owners(42, 43));
  });

  it('leaves a frozen route role its owners, gives it no other, and skips its number', () => {
    const found: FoundRouteRole[] = [{ index: 1, owners: owners(2), frozen: true }];
    const plan = planRouteRoles({ found, owners: owners(3), complete: true });
    expect(plan.roles).toEqual([
      expect.objectContaining({ index: 1, frozen: true, during: owners(2), final: owners(2) }),
      expect.objectContaining({ index: 2, frozen: false, during: owners(1, 2), final: owners(1, 2) }),
    ]);
  });

  it('keeps an owner two route roles trust in the lower-numbered one only', () => {
    const found: FoundRouteRole[] = [
      { index: 1, owners: owners(2), frozen: false },
      { index: 2, owners: owners(2, 1), frozen: false },
    ];
    const plan = planRouteRoles({ found, owners: owners(3), complete: true });
    expect(plan.assignment.get(owners(1, 1)[0]!)).toBe(1);
    expect(plan.roles[1]?.final).toEqual(owners(1, 2));
  });

  it('keeps every trust policy within the budget, gives each listed owner one route role trusting it, in any order', () => {
    fc.assert(
      fc.property(
        ownersArb,
        ownersArb,
        fc.boolean(),
        fc.integer({ min: 300, max: 2_000 }),
        (a, b, complete, budget) => {
          const first = planRouteRoles({ found: [], owners: a, complete: true, budget });
          const plan = planRouteRoles({ found: foundAfter(first), owners: b, complete, budget });
          const reversed = planRouteRoles({
            found: foundAfter(first).reverse(),
            owners: [...b].reverse(),
            complete,
            budget,
          });
          expect(reversed).toEqual(plan);
          for (const role of plan.roles) {
            expect(routeTrustLength(role.during)).toBeLessThanOrEqual(Math.max(budget, routeTrustLength(role.current)));
            expect(routeTrustLength(role.final)).toBeLessThanOrEqual(budget);
          }
          for (const owner of b) {
            const index = plan.assignment.get(owner);
            const role = plan.roles.find((r) => r.index === index);
            expect(role?.final).toContain(owner);
            expect(role?.during).toContain(owner);
          }
          // Stable: an owner both fleets list stays where it was.
          for (const owner of b.filter((o) => a.includes(o)))
            expect(plan.assignment.get(owner)).toBe(first.assignment.get(owner));
        },
      ),
      { numRuns: 150 },
    );
  });
});
