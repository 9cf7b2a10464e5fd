/**
 * What a Tencent steady-state run costs, counted in the local cloud's request log as the real SDKs send the
 * requests: per owner account one DescribeRoleList for up to 200 roles (their trust policies and descriptions),
 * one ListAttachedRolePolicies per role, per trusted account one ListPolicies for up to 200 of dts-trust's
 * sub-account policies and a GetPolicy and ListEntitiesForPolicy per policy, one AssumeRole per account entered,
 * and no write anywhere.
 */
import { describe, expect, it } from 'vitest';
import { TENCENT_FLEET_TASK, tencentFleet } from '../../../bench/tencent-fleet.js';
import { tencentSteadyFloor } from '../../../bench/tencent-steady-figures.js';
import { benchTencentSteadyState } from '../../../bench/tencent-steady-state.js';

const SIZE = { owners: 2, rolesPerOwner: 30 } as const;

describe('a Tencent steady-state run against the local cloud', () => {
  it('reads each owner’s roles in one listing, one attachment read per role, and writes nothing', async () => {
    const figures = await benchTencentSteadyState({ size: SIZE });
    expect(figures.outcomes).toEqual({ inSync: 60 });
    expect(figures.camWrites).toBe(0);
    expect(figures.camReadsByAction).toEqual(tencentSteadyFloor(SIZE, 30).camReadsByAction);
    // Per account: each owner lists its roles once and reads each role's attachments; the task account lists
    // dts-trust's policies once and reads each policy's document and users.
    const [first, second] = tencentFleet(SIZE).owners;
    const perOwner = { DescribeRoleList: 1, ListAttachedRolePolicies: 30 };
    expect(figures.camReadsByAccount).toEqual({
      [first ?? '']: perOwner,
      [second ?? '']: perOwner,
      [TENCENT_FLEET_TASK.uin]: { ListPolicies: 1, GetPolicy: 30, ListEntitiesForPolicy: 30 },
    });
    expect(figures.assumeRole).toBe(3);
    expect(figures.atFloor).toBe(true);
    // No status row is written either (the sub-account policy ids recorded by the settling run compare equal).
    expect(figures.tablestoreRequestsPerRole).toBeLessThan(0.5);
  }, 60_000);
});
