import { describe, expect, it } from 'vitest';
import { compareRoleKeys, type RoleKey } from '../../../shared/domain/grant.js';
import type { RoleKeyFilter, RoleStatus } from '../../../shared/ports.js';
import { mergeRoleVisits, roleKeysAfter } from '../../../shared/reconcile/role-visits.js';

async function* stream<T>(items: T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}

const key = (ownerAccountId: string, roleName: string): RoleKey => ({ ownerAccountId, roleName });
const row = (ownerAccountId: string, roleName: string): RoleStatus => ({
  ownerAccountId,
  roleName,
  lastResult: 'inSync',
  lastReconciledAt: '2030-01-01T00:00:00Z',
  failureCount: 0,
  flapCount: 0,
  version: 1,
});

async function visits(roles: RoleKey[], rows: RoleStatus[]) {
  const out: { id: string; declared: boolean; status: boolean }[] = [];
  for await (const v of mergeRoleVisits(stream(roles), stream(rows))) {
    out.push({ id: `${v.ownerAccountId}/${v.roleName}`, declared: v.declared, status: v.status !== null });
  }
  return out;
}

describe('mergeRoleVisits', () => {
  it('pairs each declared role with its status row', async () => {
    expect(await visits([key('1', 'a'), key('1', 'b')], [row('1', 'a'), row('1', 'b')])).toEqual([
      { id: '1/a', declared: true, status: true },
      { id: '1/b', declared: true, status: true },
    ]);
  });

  it('visits a status row no grant declares any more, in order', async () => {
    expect(await visits([key('1', 'a'), key('2', 'a')], [row('1', 'a'), row('1', 'z'), row('2', 'a')])).toEqual([
      { id: '1/a', declared: true, status: true },
      { id: '1/z', declared: false, status: true },
      { id: '2/a', declared: true, status: true },
    ]);
  });

  it('visits a declared role that has no status row yet', async () => {
    expect(await visits([key('1', 'a'), key('3', 'b')], [row('2', 'x')])).toEqual([
      { id: '1/a', declared: true, status: false },
      { id: '2/x', declared: false, status: true },
      { id: '3/b', declared: true, status: false },
    ]);
  });

  it('orders role names by code unit, as Tablestore orders its keys', async () => {
    expect(await visits([key('1', 'B'), key('1', 'a')], [row('1', 'B')])).toEqual([
      { id: '1/B', declared: true, status: true },
      { id: '1/a', declared: true, status: false },
    ]);
  });

  it('yields nothing when both sides are empty', async () => {
    expect(await visits([], [])).toEqual([]);
  });
});

describe('roleKeysAfter', () => {
  /** The stores' key scans over these declared roles and status rows, each kept only after `after`. */
  const stores = (roles: RoleKey[], rows: RoleStatus[]) => {
    const isAfter = (k: RoleKey, a: RoleKey | undefined) => a === undefined || compareRoleKeys(k, a) > 0;
    return {
      grants: { listManagedRoles: (f?: RoleKeyFilter) => stream(roles.filter((r) => isAfter(r, f?.after))) },
      status: { listStatusKeys: (f?: RoleKeyFilter) => stream(rows.filter((r) => isAfter(r, f?.after)).map(keyOf)) },
    };
  };
  const keyOf = ({ ownerAccountId, roleName }: RoleKey): RoleKey => ({ ownerAccountId, roleName });
  const ids = async (keys: AsyncIterable<RoleKey>): Promise<string[]> => {
    const out: string[] = [];
    for await (const k of keys) out.push(`${k.ownerAccountId}/${k.roleName}`);
    return out;
  };

  it('lists each role after the key once, declared or known from its status row alone, in the order of the visits', async () => {
    const roles = [key('1', 'a'), key('1', 'b'), key('2', 'a'), key('3', 'c')];
    const rows = [row('1', 'a'), row('1', 'b'), row('1', 'z'), row('2', 'a'), row('2', 'q')];
    const listed = await ids(roleKeysAfter(stores(roles, rows), key('1', 'a')));
    expect(listed).toEqual(['1/b', '1/z', '2/a', '2/q', '3/c']);
    expect(listed).toEqual((await visits(roles, rows)).map((v) => v.id).slice(1));
  });

  it('lists nothing after the last role', async () => {
    expect(await ids(roleKeysAfter(stores([key('1', 'a')], [row('1', 'a')]), key('1', 'a')))).toEqual([]);
  });
});
