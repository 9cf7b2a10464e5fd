import { describe, expect, it } from 'vitest';
import type { FindingData } from '../../../shared/domain/finding.js';
import { buildTrustPolicy, diffTrust, parsedFromDocument, parseTrustPolicy } from '../../../shared/policy/index.js';
import {
  managementRoleFinding,
  roleFindings,
  trustRemovalFindings,
  tugOfWarFinding,
  unownedRoleFinding,
} from '../../../shared/reconcile/findings.js';
import { RoleOutcome, type RoleResult } from '../../../shared/reconcile/outcome.js';
import { TrustChange } from '../../../shared/reconcile/trust-steps.js';
import { NOW, OWNER, ROLE, STRANGER, TRUSTED } from './fixtures.js';

let ids = 0;
const ctx = { newId: () => `e-${++ids}`, time: NOW, correlationId: 'run-1' };

/** A repaired result whose one applied trust update turned `live` into the declared trust of TRUSTED. */
function repairedFrom(live: unknown): RoleResult {
  const desired = parsedFromDocument(buildTrustPolicy([TRUSTED]));
  const observed = parseTrustPolicy(JSON.stringify(live));
  const diff = diffTrust(desired, observed, { ownerAccountId: OWNER });
  const action = {
    kind: 'updateTrust',
    change: TrustChange.Replace,
    before: JSON.stringify(live),
    after: '{}',
    diff,
  } as const;
  return { role: ROLE, outcome: RoleOutcome.Repaired, applied: [action], planned: [action], auditEvents: [] };
}

function liveTrust(ram: string[], service: string[]) {
  return {
    Version: '1',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: ram, Service: service } }],
  };
}

const dataOf = (event: { data: unknown }) => event.data as FindingData;

describe('trustRemovalFindings', () => {
  it('raises an undeclared-principal-removed finding naming the account taken out of the trust', () => {
    const result = repairedFrom(
      liveTrust(
        [`acs:ram::${TRUSTED}:root`, `acs:ram::${STRANGER}:root`],
        [`${TRUSTED}@dts.aliyuncs.com`, `${STRANGER}@dts.aliyuncs.com`],
      ),
    );
    const [finding, ...rest] = trustRemovalFindings(result, ctx);
    expect(rest).toEqual([]);
    expect(finding?.type).toBe('dts-trust.finding.undeclared-principal-removed');
    expect(finding?.subject).toBe(`acs:ram::${OWNER}:role/ram-for-dts`);
    expect(dataOf(finding!)).toMatchObject({ severity: 'high', correlationId: 'run-1' });
    expect(dataOf(finding!).evidence['removed']).toEqual([
      `RAM acs:ram::${STRANGER}:root`,
      `Service ${STRANGER}@dts.aliyuncs.com`,
    ]);
  });

  it('raises a critical wildcard finding apart from the undeclared account, one event per kind', () => {
    const result = repairedFrom(
      liveTrust([`acs:ram::${TRUSTED}:root`, '*', `acs:ram::${STRANGER}:root`], [`${TRUSTED}@dts.aliyuncs.com`]),
    );
    const findings = trustRemovalFindings(result, ctx);
    expect(findings.map((f) => [f.type, dataOf(f).severity]).sort()).toEqual([
      ['dts-trust.finding.undeclared-principal-removed', 'high'],
      ['dts-trust.finding.wildcard-principal-removed', 'critical'],
    ]);
  });

  it('raises a service-principal-rewritten finding when RAM had turned the service principal into dts.aliyuncs.com', () => {
    const result = repairedFrom(liveTrust([`acs:ram::${TRUSTED}:root`], ['dts.aliyuncs.com']));
    const [finding] = trustRemovalFindings(result, ctx);
    expect(finding?.type).toBe('dts-trust.finding.service-principal-rewritten');
    expect(dataOf(finding!).severity).toBe('medium');
  });

  it('gives the same findingId whenever the same access is removed from the same role again', () => {
    const live = liveTrust([`acs:ram::${TRUSTED}:root`, `acs:ram::${STRANGER}:root`], [`${TRUSTED}@dts.aliyuncs.com`]);
    const [first] = trustRemovalFindings(repairedFrom(live), ctx);
    const [again] = trustRemovalFindings(repairedFrom(live), ctx);
    expect(first?.id).not.toBe(again?.id);
    expect(dataOf(first!).findingId).toBe(dataOf(again!).findingId);
  });

  it('raises nothing for changes that were only planned, not applied', () => {
    const result = repairedFrom(liveTrust([`acs:ram::${STRANGER}:root`], []));
    expect(trustRemovalFindings({ ...result, applied: [], outcome: RoleOutcome.Failed }, ctx)).toEqual([]);
  });
});

describe('unownedRoleFinding', () => {
  it('raises unowned-role-in-the-way for a RoleNotManaged conflict, and nothing otherwise', () => {
    const conflict = { kind: 'conflict', code: 'RoleNotManaged', message: 'not ours' } as const;
    const result: RoleResult = {
      role: ROLE,
      outcome: RoleOutcome.Conflict,
      applied: [],
      planned: [conflict],
      auditEvents: [],
    };
    expect(unownedRoleFinding(result, ctx)?.type).toBe('dts-trust.finding.unowned-role-in-the-way');
    expect(roleFindings(result, ctx)).toHaveLength(1);
    expect(unownedRoleFinding({ ...result, planned: [{ ...conflict, code: 'RoleProtected' }] }, ctx)).toBeUndefined();
  });
});

describe('tugOfWarFinding', () => {
  it('names the flap count and signature of a role paused for flapping', () => {
    const finding = tugOfWarFinding(
      {
        ...ROLE,
        lastResult: 'repaired',
        lastReconciledAt: NOW.toISOString(),
        failureCount: 0,
        flapCount: 3,
        flapSignature: 'sig-1',
        pausedReason: 'flapping',
        version: 4,
      },
      ctx,
    );
    expect(finding.type).toBe('dts-trust.finding.tug-of-war');
    expect(dataOf(finding).evidence).toMatchObject({ flapCount: 3, flapSignature: 'sig-1' });
  });
});

describe('managementRoleFinding', () => {
  it('raises management-role-broken for a missing or untrusting management role, not for an outage', () => {
    const broken = managementRoleFinding({ accountId: OWNER, code: 'ManagementRoleNotFound', message: 'no role' }, ctx);
    expect(broken?.type).toBe('dts-trust.finding.management-role-broken');
    expect(broken?.subject).toBe(`acs:ram::${OWNER}:root`);
    expect(
      managementRoleFinding({ accountId: OWNER, code: 'ServiceUnavailable', message: 'down' }, ctx),
    ).toBeUndefined();
  });
});
