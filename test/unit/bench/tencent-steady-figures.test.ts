import { describe, expect, it } from 'vitest';
import { figuresOf, tencentSteadyChecks, tencentSteadyFloor } from '../../../bench/tencent-steady-figures.js';

const SIZE = { owners: 2, rolesPerOwner: 250 };
const entries = (service: string, action: string, n: number) => Array.from({ length: n }, () => ({ service, action }));
/** The log of a run at the floor: 500 roles, 250 sub-account policies in one task account. */
const floorLog = [
  ...entries('cam', 'DescribeRoleList', 4),
  ...entries('cam', 'ListAttachedRolePolicies', 500),
  ...entries('cam', 'ListPolicies', 2),
  ...entries('cam', 'GetPolicy', 250),
  ...entries('cam', 'ListEntitiesForPolicy', 250),
  ...entries('tencent-sts', 'AssumeRole', 3),
  ...entries('tablestore', 'GetRange', 2),
];

describe('tencentSteadyFloor', () => {
  it('pages the role and policy listings by 200 and reads each sub-account policy twice', () => {
    expect(tencentSteadyFloor(SIZE, 250)).toEqual({
      camReadsByAction: {
        DescribeRoleList: 4,
        ListAttachedRolePolicies: 500,
        ListPolicies: 2,
        GetPolicy: 250,
        ListEntitiesForPolicy: 250,
      },
      camReads: 1006,
      assumeRole: 3,
    });
  });
});

describe('tencentSteadyChecks', () => {
  it('meets every bar for a run at the floor', () => {
    const figures = figuresOf(SIZE, { subUserRoles: 250 }, { outcomes: { inSync: 500 } }, floorLog);
    expect(figures.atFloor).toBe(true);
    expect(figures.tablestoreRequestsPerRole).toBeCloseTo(0.004);
    expect(tencentSteadyChecks(figures).filter((c) => c.met === false)).toEqual([]);
  });

  it('misses the reads bar naming the action off the floor, and the writes bar for a write', () => {
    const log = [...floorLog, ...entries('cam', 'GetRole', 500), ...entries('cam', 'UpdatePolicy', 1)];
    const figures = figuresOf(SIZE, { subUserRoles: 250 }, { outcomes: { inSync: 500 } }, log);
    const missed = tencentSteadyChecks(figures).filter((c) => c.met === false);
    expect(missed.map((c) => c.measure)).toEqual([
      'tencent steady state: CAM reads per role',
      'tencent steady state: CAM writes',
    ]);
    expect(missed[0]?.cause).toContain('GetRole not in the floor');
  });
});
