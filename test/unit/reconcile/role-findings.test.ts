import { describe, expect, it } from 'vitest';
import { CloudApiError, CloudErrorKind } from '../../../shared/domain/errors.js';
import type { FindingData } from '../../../shared/domain/finding.js';
import { createReconciler, type ReconcilerOptions } from '../../../shared/reconcile/reconciler.js';
import { grant, memoryPorts, OWNER, putOwnedRole, ROLE, STRANGER, TRUSTED, trustText } from './fixtures.js';

function engine(options: ReconcilerOptions = {}) {
  const ports = memoryPorts([grant()]);
  let ids = 0;
  const reconciler = createReconciler({
    ...ports,
    options: { ramCallsPerSecond: 1000, newId: () => `e${++ids}`, ...options },
  });
  return { ...ports, reconciler };
}

const findingsOf = (audit: { ofType(type: string): { data: unknown }[] }, kind: string) =>
  audit.ofType(`dts-trust.finding.${kind}`).map((e) => e.data as FindingData);

/** Put `extra` principals next to TRUSTED's RAM principal in the stored trust policy (a hand edit). */
function addPrincipals(directory: ReturnType<typeof memoryPorts>['directory'], extra: string): void {
  const stored = directory.role(OWNER, ROLE.roleName);
  if (stored)
    stored.trustPolicy = stored.trustPolicy.replace(
      `"acs:ram::${TRUSTED}:root"`,
      `"acs:ram::${TRUSTED}:root",${extra}`,
    );
}

describe('the findings a reconcile run raises', () => {
  it('raises undeclared-principal-removed and wildcard-principal-removed when a run takes them out of the trust', async () => {
    const { reconciler, directory, audit } = engine();
    putOwnedRole(directory, [TRUSTED, STRANGER]);
    addPrincipals(directory, '"*"');
    expect((await reconciler.reconcileAll({ correlationId: 'run-1' })).outcomes).toEqual({ repaired: 1 });
    expect(directory.role(OWNER, ROLE.roleName)?.trustPolicy).toBe(trustText([TRUSTED]));
    const [undeclared, ...more] = findingsOf(audit, 'undeclared-principal-removed');
    expect(more).toEqual([]);
    expect(undeclared).toMatchObject({
      severity: 'high',
      correlationId: 'run-1',
      findingId: expect.stringMatching(/^fnd-[0-9a-f]{32}$/),
    });
    expect(undeclared?.evidence['removed']).toEqual([
      `RAM acs:ram::${STRANGER}:root`,
      `Service ${STRANGER}@dts.aliyuncs.com`,
    ]);
    expect(findingsOf(audit, 'wildcard-principal-removed').map((f) => f.severity)).toEqual(['critical']);
  });

  it('records the findings after the change they are about, as events of the role', async () => {
    const { reconciler, directory, audit } = engine();
    putOwnedRole(directory, [TRUSTED, STRANGER]);
    const run = await reconciler.reconcileAll({ correlationId: 'run-1' });
    const types = audit.events.map((e) => e.type);
    expect(types.indexOf('dts-trust.finding.undeclared-principal-removed')).toBeGreaterThan(
      types.indexOf('dts-trust.role.repaired'),
    );
    expect(run.results[0]?.auditEvents.map((e) => e.type)).toContain('dts-trust.finding.undeclared-principal-removed');
  });

  it('gives the same findingId when the same access is removed from the same role on a later run', async () => {
    const { reconciler, directory, audit } = engine();
    for (const run of ['run-1', 'run-2']) {
      putOwnedRole(directory, [TRUSTED, STRANGER]);
      await reconciler.reconcileAll({ correlationId: run });
    }
    const ids = findingsOf(audit, 'undeclared-principal-removed').map((f) => f.findingId);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
  });

  it('raises service-principal-rewritten when RAM had rewritten the DTS service principal', async () => {
    const { reconciler, directory, audit } = engine();
    putOwnedRole(directory);
    const stored = directory.role(OWNER, ROLE.roleName);
    if (stored) stored.trustPolicy = stored.trustPolicy.replace(`"${TRUSTED}@dts.aliyuncs.com"`, '"dts.aliyuncs.com"');
    await reconciler.reconcileAll({ correlationId: 'run-1' });
    expect(findingsOf(audit, 'service-principal-rewritten').map((f) => f.severity)).toEqual(['medium']);
  });

  it('raises unowned-role-in-the-way for a role it did not create, and changes nothing', async () => {
    const { reconciler, directory, audit } = engine();
    directory.putRole(OWNER, {
      roleName: ROLE.roleName,
      description: 'made by hand',
      trustPolicy: trustText([TRUSTED]),
      policies: [],
    });
    directory.resetCalls();
    expect((await reconciler.reconcileAll({ correlationId: 'run-1' })).outcomes).toEqual({ conflict: 1 });
    expect(directory.writes()).toEqual([]);
    expect(findingsOf(audit, 'unowned-role-in-the-way').map((f) => f.evidence['code'])).toEqual(['RoleNotManaged']);
  });

  it('raises tug-of-war once, in the run that pauses a role whose declared access keeps being taken away', async () => {
    const { reconciler, directory, audit, status } = engine({ status: { flapLimit: 3 } });
    putOwnedRole(directory);
    for (let i = 0; i < 6; i++) {
      directory.role(OWNER, ROLE.roleName)?.policies.splice(0);
      await reconciler.reconcileAll({ correlationId: `r${i}` });
    }
    expect((await status.getStatus(ROLE))?.pausedReason).toBeDefined();
    const [paused] = audit.ofType('dts-trust.role.paused');
    const tug = audit.ofType('dts-trust.finding.tug-of-war');
    expect(tug.map((e) => e.data.correlationId)).toEqual([paused?.data.correlationId]);
    expect(tug[0]).toMatchObject({ subject: `acs:ram::${OWNER}:role/ram-for-dts`, data: { severity: 'high' } });
  });

  it('raises management-role-broken once when a run cannot enter an owner account through its management role', async () => {
    const { reconciler, broker, audit } = engine();
    broker.fail(
      OWNER,
      new CloudApiError({
        api: 'sts:AssumeRole',
        code: 'ManagementRoleNotFound',
        kind: CloudErrorKind.NoPermission,
        message: 'no role',
      }),
    );
    await reconciler.reconcileAll({ correlationId: 'run-1' });
    const broken = audit.ofType('dts-trust.finding.management-role-broken');
    expect(broken.map((e) => e.subject)).toEqual([`acs:ram::${OWNER}:root`]);
    expect(broken[0]?.data).toMatchObject({ severity: 'high', evidence: { code: 'ManagementRoleNotFound' } });
    const types = audit.events.map((e) => e.type);
    expect(types.indexOf('dts-trust.account.failed')).toBeLessThan(
      types.indexOf('dts-trust.finding.management-role-broken'),
    );
  });

  it('raises no management-role-broken for an account that is only throttled or unavailable', async () => {
    const { reconciler, broker, audit } = engine({ retry: { maxAttempts: 1 } });
    broker.fail(
      OWNER,
      new CloudApiError({
        api: 'sts:AssumeRole',
        code: 'ServiceUnavailable',
        kind: CloudErrorKind.Unavailable,
        message: 'down',
      }),
    );
    await reconciler.reconcileAll({ correlationId: 'run-1' });
    expect(audit.ofType('dts-trust.account.failed')).toHaveLength(1);
    expect(audit.ofType('dts-trust.finding.management-role-broken')).toEqual([]);
  });

  it('raises no finding in a steady state', async () => {
    const { reconciler, directory, audit } = engine();
    putOwnedRole(directory);
    await reconciler.reconcileAll({ correlationId: 'run-1' });
    expect(audit.events.filter((e) => e.type.startsWith('dts-trust.finding.'))).toEqual([]);
  });
});
