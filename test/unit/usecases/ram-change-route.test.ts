import { describe, expect, it } from 'vitest';
import type { ObservedRule } from '../../../shared/alicloud/eventbridge-rules.js';
import { eventRouteTrustPolicy } from '../../../shared/deploy/permissions.js';
import {
  planRuleChanges,
  ROUTE_TARGET_ID,
  ramChangeRouteRoleSpec,
  ramChangeRuleSpec,
  routeTrustToWrite,
} from '../../../shared/usecases/ram-change-route.js';

const AUTOMATION = '5820374619283746';
const OWNER = '1437508826153950';
const OTHER = '2222222222222222';
const spec = ramChangeRuleSpec('cn-hangzhou', AUTOMATION);
const asMade: ObservedRule = { filterPattern: spec.filterPattern, status: 'ENABLE', targets: spec.targets };

describe('planRuleChanges', () => {
  it('creates a rule that is not there', () => {
    expect(planRuleChanges(undefined, spec)).toEqual([{ action: 'CreateRule' }]);
  });

  it('changes nothing on a rule as made, whatever the pattern spelling and the parameters the service adds', () => {
    const respelled: ObservedRule = {
      ...asMade,
      filterPattern: JSON.stringify(JSON.parse(spec.filterPattern), null, 2),
      targets: [
        {
          ...spec.targets[0]!,
          params: [
            { resourceKey: 'IsBase64Encode', form: 'CONSTANT', value: 'false' },
            ...spec.targets[0]!.params,
          ].reverse(),
        },
      ],
    };
    expect(planRuleChanges(respelled, spec)).toEqual([]);
  });

  it('sets the pattern of a rule narrowed or disabled', () => {
    const update = [{ action: 'UpdateRule', filterPattern: spec.filterPattern }];
    expect(planRuleChanges({ ...asMade, filterPattern: '{"source":["acs.ecs"]}' }, spec)).toEqual(update);
    expect(planRuleChanges({ ...asMade, status: 'DISABLE' }, spec)).toEqual(update);
    expect(planRuleChanges({ ...asMade, filterPattern: 'not json' }, spec)).toEqual(update);
  });

  it('puts the target back when it lost its role, points elsewhere or is gone, and deletes targets it does not name', () => {
    const target = spec.targets[0]!;
    const put = { action: 'PutTargets', targets: spec.targets };
    const withoutRole = { ...target, params: target.params.filter((p) => p.resourceKey !== 'RAMRoleName') };
    expect(planRuleChanges({ ...asMade, targets: [withoutRole] }, spec)).toEqual([put]);
    const elsewhere = { ...target, endpoint: `acs:eventbridge:cn-hangzhou:${OTHER}:eventbus/default` };
    expect(planRuleChanges({ ...asMade, targets: [elsewhere] }, spec)).toEqual([put]);
    const foreign = { ...target, id: 'exfiltrate' };
    expect(planRuleChanges({ ...asMade, filterPattern: '{}', targets: [foreign] }, spec)).toEqual([
      { action: 'UpdateRule', filterPattern: spec.filterPattern },
      put,
      { action: 'DeleteTargets', targetIds: ['exfiltrate'] },
    ]);
    expect(spec.targets.map((t) => t.id)).toEqual([ROUTE_TARGET_ID]);
  });
});

describe('ramChangeRouteRoleSpec', () => {
  it("trusts the EventBridge of the Alibaba Cloud owners only: a Tencent owner's events cannot come by EventBridge", () => {
    const spec = ramChangeRouteRoleSpec('cn-hangzhou', AUTOMATION, [OWNER, '100012345678']);
    expect(JSON.parse(spec.trustPolicy)).toEqual(eventRouteTrustPolicy([OWNER]));
  });
});

describe('routeTrustToWrite', () => {
  const stored = (owners: string[]) => JSON.stringify(eventRouteTrustPolicy(owners));

  it('keeps a route role that trusts every owner already', () => {
    expect(routeTrustToWrite(stored([OWNER, OTHER]), [OWNER])).toBeUndefined();
  });

  it('adds the owners it lacks and drops none', () => {
    expect(routeTrustToWrite(stored([OTHER]), [OWNER])).toBe(stored([OWNER, OTHER]));
  });

  it('reports a route role that trusts anything but owners’ EventBridge', () => {
    const widened = (statement: Record<string, unknown>) =>
      JSON.stringify({ Version: '1', Statement: [...eventRouteTrustPolicy([OWNER]).Statement, statement] });
    const allow = { Effect: 'Allow', Action: 'sts:AssumeRole' };
    expect(routeTrustToWrite(widened({ ...allow, Principal: { RAM: [`acs:ram::${OTHER}:root`] } }), [OWNER])).toBe(
      'differs',
    );
    expect(routeTrustToWrite(widened({ ...allow, Principal: { Service: ['fc.aliyuncs.com'] } }), [OWNER])).toBe(
      'differs',
    );
    expect(
      routeTrustToWrite(
        widened({ ...allow, Action: 'sts:*', Principal: { Service: [`${OTHER}@eventbridge.aliyuncs.com`] } }),
        [OWNER],
      ),
    ).toBe('differs');
    expect(routeTrustToWrite('{', [OWNER])).toBe('differs');
  });
});
