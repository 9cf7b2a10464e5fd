import { describe, expect, it } from 'vitest';
import { CloudApiError, CloudErrorKind } from '../../../shared/domain/errors.js';
import { roleArn } from '../../../shared/domain/ownership.js';
import type { AccountCredentials, ObservedRoleRecord, OwnedRoleListing } from '../../../shared/ports.js';
import { createReconciler } from '../../../shared/reconcile/reconciler.js';
import type { MemoryRoleDirectory } from '../../support/memory-role-directory.js';
import { grant, memoryPorts, OWNER, putOwnedRole, ROLE, TRUSTED, trustText } from './fixtures.js';

const NAMES = ['dts-a', 'dts-b', 'dts-c'];

/** A listing of the memory directory's roles (read without counting a GetRole), and how often it was asked. */
function listingOf(directory: MemoryRoleDirectory, fail?: CloudApiError) {
  const asked: string[] = [];
  const listing: OwnedRoleListing = {
    covers: (accountId) => accountId === OWNER,
    listOwnedRoles: async (account: AccountCredentials): Promise<ObservedRoleRecord[]> => {
      asked.push(account.accountId);
      if (fail) throw fail;
      return NAMES.flatMap((roleName) => {
        const role = directory.role(account.accountId, roleName);
        if (role === undefined) return [];
        const arn = roleArn({ ownerAccountId: account.accountId, roleName });
        return [{ roleName, arn, description: role.description, trustPolicy: role.trustPolicy }];
      });
    },
  };
  return { listing, asked };
}

function world(fail?: CloudApiError) {
  const ports = memoryPorts(NAMES.map((roleName) => grant({ roleName })));
  for (const roleName of NAMES) putOwnedRole(ports.directory, [TRUSTED], { ...ROLE, roleName });
  const { listing, asked } = listingOf(ports.directory, fail);
  const reconciler = createReconciler({
    ...ports,
    listing,
    options: { ramCallsPerSecond: 1000, retry: { maxAttempts: 2 } },
  });
  ports.directory.resetCalls();
  return { ...ports, reconciler, asked };
}

describe('a sweep over an account the listing covers', () => {
  it('observes every role from one listing: no GetRole, one attachment read each, one listing call counted', async () => {
    const { reconciler, directory, asked } = world();
    const run = await reconciler.reconcileAll({ correlationId: 'sweep' });
    expect(run.outcomes).toEqual({ inSync: 3 });
    expect(asked).toEqual([OWNER]);
    expect(directory.count('getRole')).toBe(0);
    expect(directory.count('listAttachedPolicies')).toBe(3);
    expect(run.apiCalls.ram).toBe(4);
  });

  it('reads each role on its own when the listing keeps failing, and changes nothing', async () => {
    const denied = new CloudApiError({
      api: 'cam:DescribeRoleList',
      code: 'UnauthorizedOperation',
      kind: CloudErrorKind.NoPermission,
      message: 'not allowed',
    });
    const { reconciler, directory, asked } = world(denied);
    const run = await reconciler.reconcileAll({ correlationId: 'sweep' });
    expect(run.outcomes).toEqual({ inSync: 3 });
    expect(asked).toEqual([OWNER]);
    expect(directory.count('getRole')).toBe(3);
    expect(directory.writes()).toEqual([]);
  });

  it('repairs from a read of the role, not from the listing that showed the drift', async () => {
    const { reconciler, directory } = world();
    const drifted = directory.role(OWNER, 'dts-b');
    if (drifted === undefined) throw new Error('no role dts-b');
    drifted.trustPolicy = trustText([TRUSTED, '9999999999999999']);
    const run = await reconciler.reconcileAll({ correlationId: 'sweep' });
    expect(run.outcomes).toEqual({ inSync: 2, repaired: 1 });
    expect(directory.count('getRole')).toBe(1);
  });

  it('never lists for one role reconciled on its own, nor for roles named explicitly', async () => {
    const { reconciler, directory, asked } = world();
    await reconciler.reconcileRole({ ...ROLE, roleName: 'dts-a' }, { correlationId: 'one' });
    await reconciler.reconcileRoles(
      (async function* () {
        yield { ...ROLE, roleName: 'dts-b' };
      })(),
      { correlationId: 'named' },
    );
    expect(asked).toEqual([]);
    expect(directory.count('getRole')).toBe(2);
  });
});
