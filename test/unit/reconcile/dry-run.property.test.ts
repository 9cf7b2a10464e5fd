/**
 * Property-based test of the dry run: over generated fleets (grants of every mode, some expired or adopting; roles
 * absent, owned and in sync, owned with drift, or hand-made; status rows plain, flap-paused, backing off, or left
 * without a grant), what a dry run reports role by role is exactly what the real run then applies, with the same
 * outcome, and the dry run itself changes nothing: no RAM write, no audit record, no status row, no grant removed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Grant, GrantSchema, type RoleKey } from '../../../shared/domain/grant.js';
import { ownedRoleDescription } from '../../../shared/domain/ownership.js';
import type { AttachedPolicy, RoleStatus } from '../../../shared/ports.js';
import { describeAction } from '../../../shared/reconcile/describe-plan.js';
import type { RunResult } from '../../../shared/reconcile/index.js';
import { createReconciler } from '../../../shared/reconcile/reconciler.js';
import { memoryPorts, OTHER_OWNER, OWNER, SECOND, STRANGER, TRUSTED, trustText } from './fixtures.js';

const OWNERS = [OWNER, OTHER_OWNER] as const;
const ROLE_NAMES = ['dts-a', 'dts-b', 'dts-c'] as const;
const TRUSTABLE = [TRUSTED, SECOND] as const;
const DTS: AttachedPolicy = { policyName: 'AliyunDTSRolePolicy', policyType: 'System' };
const ADMIN: AttachedPolicy = { policyName: 'AdministratorAccess', policyType: 'System' };
/** Expiries around the test's clock (2030-01-01): one past, one to come. */
const EXPIRIES = [undefined, '2029-06-01T00:00:00Z', '2031-01-01T00:00:00Z'] as const;

/** How a generated role stands in RAM before the runs. */
const LiveState = { Absent: 'absent', InSync: 'inSync', Drifted: 'drifted', HandMade: 'handMade' } as const;
type LiveState = (typeof LiveState)[keyof typeof LiveState];

/** How a generated role's status row stands. */
const StatusState = { None: 'none', Plain: 'plain', FlapPaused: 'flapPaused', BackingOff: 'backingOff' } as const;
type StatusState = (typeof StatusState)[keyof typeof StatusState];

interface GeneratedRole {
  readonly role: RoleKey;
  readonly grants: readonly {
    trusted: string;
    mode: 'enforce' | 'observe' | 'paused';
    expiresAt?: string | undefined;
    adopt: boolean;
  }[];
  readonly live: LiveState;
  readonly drift: { readonly stranger: boolean; readonly admin: boolean; readonly dtsDetached: boolean };
  readonly status: StatusState;
}

const generatedRole = (role: RoleKey): fc.Arbitrary<GeneratedRole> =>
  fc.record({
    role: fc.constant(role),
    grants: fc.uniqueArray(
      fc.record({
        trusted: fc.constantFrom(...TRUSTABLE),
        mode: fc.constantFrom('enforce' as const, 'enforce' as const, 'observe' as const, 'paused' as const),
        expiresAt: fc.constantFrom(...EXPIRIES),
        adopt: fc.boolean(),
      }),
      { maxLength: 2, selector: (g) => g.trusted },
    ),
    live: fc.constantFrom(...Object.values(LiveState)),
    drift: fc.record({ stranger: fc.boolean(), admin: fc.boolean(), dtsDetached: fc.boolean() }),
    status: fc.constantFrom(...Object.values(StatusState)),
  });

/** A fleet: some of the roles of two owner accounts, each in one generated state. */
const fleet: fc.Arbitrary<GeneratedRole[]> = fc
  .subarray(
    OWNERS.flatMap((ownerAccountId) => ROLE_NAMES.map((roleName) => ({ ownerAccountId, roleName }))),
    { minLength: 1 },
  )
  .chain((roles) => fc.tuple(...roles.map(generatedRole)));

function grantsOf(generated: GeneratedRole): Grant[] {
  return generated.grants.map((g) =>
    GrantSchema.parse({
      ...generated.role,
      trustedAccountId: g.trusted,
      mode: g.mode,
      adopt: g.adopt,
      ...(g.expiresAt === undefined ? {} : { expiresAt: g.expiresAt }),
      ticket: { system: 'jira', id: 'DTS-1', requester: 'ana', approver: 'ben' },
    }),
  );
}

/** The world a fleet stands for: grants, roles in RAM and status rows, over in-memory ports. */
async function worldOf(roles: readonly GeneratedRole[]) {
  const ports = memoryPorts(roles.flatMap(grantsOf));
  const now = ports.clock.now();
  for (const generated of roles) {
    const { role, live, drift } = generated;
    if (live !== LiveState.Absent) {
      const declared = generated.grants.map((g) => g.trusted);
      const trusted = live === LiveState.InSync ? declared : [...declared, ...(drift.stranger ? [STRANGER] : [])];
      const policies = [
        ...(live === LiveState.Drifted && drift.dtsDetached ? [] : [DTS]),
        ...(live === LiveState.Drifted && drift.admin ? [ADMIN] : []),
      ];
      ports.directory.putRole(role.ownerAccountId, {
        roleName: role.roleName,
        description: live === LiveState.HandMade ? 'made by hand' : ownedRoleDescription(role),
        trustPolicy: trustText(trusted.length > 0 ? trusted : [STRANGER]),
        policies,
      });
    }
    if (generated.status !== StatusState.None) {
      const row: RoleStatus = {
        ...role,
        lastResult: 'repaired',
        lastReconciledAt: new Date(now.getTime() - 3600_000).toISOString(),
        failureCount: generated.status === StatusState.BackingOff ? 3 : 0,
        ...(generated.status === StatusState.BackingOff
          ? { nextAttemptAt: new Date(now.getTime() + 3600_000).toISOString() }
          : {}),
        flapCount: generated.status === StatusState.FlapPaused ? 3 : 0,
        ...(generated.status === StatusState.FlapPaused ? { pausedReason: 'flapping' } : {}),
        version: 0,
      };
      await ports.status.putStatus(row, 0);
    }
  }
  let ids = 0;
  const reconciler = createReconciler({ ...ports, options: { ramCallsPerSecond: 1000, newId: () => `e${++ids}` } });
  return { ...ports, reconciler };
}

/** Per role: its outcome and the changes, as a person reads them. */
function byRole(run: RunResult): Record<string, { outcome: string; changes: string[] }> {
  return Object.fromEntries(
    run.results.map((r) => [
      `${r.role.ownerAccountId}/${r.role.roleName}`,
      { outcome: r.outcome, changes: r.applied.map(describeAction) },
    ]),
  );
}

/** What the stores and RAM hold, to show a dry run left them as they were. */
async function snapshot(world: Awaited<ReturnType<typeof worldOf>>) {
  const statuses: RoleStatus[] = [];
  for await (const row of world.status.listStatuses()) statuses.push(row);
  const grants: Grant[] = [];
  for await (const role of world.grants.listManagedRoles())
    grants.push(...(await world.grants.listGrantsForRole(role)));
  return { statuses, grants };
}

describe('a dry run', () => {
  it('reports, role by role, exactly what the scheduled run then applies, and changes nothing itself', async () => {
    await fc.assert(
      fc.asyncProperty(fleet, async (roles) => {
        const world = await worldOf(roles);
        const before = await snapshot(world);
        const dry = await world.reconciler.reconcileAll({ correlationId: 'plan', dryRun: true, expireGrants: true });
        expect(world.directory.writes()).toEqual([]);
        expect(world.audit.events).toEqual([]);
        expect(await snapshot(world)).toEqual(before);
        const real = await world.reconciler.reconcileAll({ correlationId: 'reconcile', expireGrants: true });
        expect(byRole(dry)).toEqual(byRole(real));
        expect(dry.roles).toBe(roles.filter((r) => r.grants.length > 0 || r.status !== StatusState.None).length);
      }),
      { numRuns: 150 },
    );
  });

  it('reports, role by role, exactly what reconciling the roles by name then applies', async () => {
    await fc.assert(
      fc.asyncProperty(fleet, async (roles) => {
        const world = await worldOf(roles);
        const named = async function* () {
          for (const { role } of roles) yield role;
        };
        const dry = await world.reconciler.reconcileRoles(named(), { correlationId: 'plan', dryRun: true });
        expect(world.directory.writes()).toEqual([]);
        const real = await world.reconciler.reconcileRoles(named(), { correlationId: 'reconcile' });
        expect(byRole(dry)).toEqual(byRole(real));
      }),
      { numRuns: 100 },
    );
  });
});
