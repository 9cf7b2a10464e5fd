import { describe, expect, it } from 'vitest';
import type { RoleKey } from '../../../shared/domain/grant.js';
import type { RoleStatus } from '../../../shared/ports.js';
import { mergeRoleVisits } from '../../../shared/reconcile/role-visits.js';

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
