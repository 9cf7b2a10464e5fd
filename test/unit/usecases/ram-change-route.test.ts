import { describe, expect, it } from 'vitest';
import type { ObservedRule } from '../../../shared/alicloud/eventbridge-rules.js';
import { planRuleChanges, ROUTE_TARGET_ID, ramChangeRuleSpec } from '../../../shared/usecases/ram-change-route.js';
import { ownersToRemove } from '../../../shared/usecases/route-roles.js';

const AUTOMATION = '5820374619283746';
const OWNER = '1437508826153950';
const OTHER = '2222222222222222';
const THIRD = '3333333333333333';
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

describe('ramChangeRuleSpec', () => {
  it("names the owner's own route role in its target, the first one unless given", () => {
    const roleOf = (rule: typeof spec) => rule.targets[0]?.params.find((p) => p.resourceKey === 'RAMRoleName')?.value;
    expect(roleOf(spec)).toBe('dts-trust-event-route');
    expect(roleOf(ramChangeRuleSpec('cn-hangzhou', AUTOMATION, 'dts-trust-event-route-3'))).toBe(
      'dts-trust-event-route-3',
    );
  });

  it('moves a rule to another route role by putting its target again', () => {
    const moved = ramChangeRuleSpec('cn-hangzhou', AUTOMATION, 'dts-trust-event-route-2');
    expect(planRuleChanges(asMade, moved)).toEqual([{ action: 'PutTargets', targets: moved.targets }]);
  });
});

describe('ownersToRemove', () => {
  const role = {
    index: 1,
    roleName: 'dts-trust-event-route',
    exists: true,
    frozen: false,
    current: [OWNER, OTHER, THIRD],
    during: [OWNER, OTHER, THIRD],
    final: [OWNER],
  };

  it('lets go of an owner out of the fleet, and of one whose rule now names its new route role', () => {
    const assignment = new Map([
      [OWNER, 1],
      [OTHER, 2],
    ]);
    expect(ownersToRemove(role, assignment, new Set([OTHER]))).toEqual([OTHER, THIRD]);
  });

  it('keeps an owner whose rule could not be moved, so its deliveries go on', () => {
    const assignment = new Map([
      [OWNER, 1],
      [OTHER, 2],
      [THIRD, 2],
    ]);
    expect(ownersToRemove(role, assignment, new Set([THIRD]))).toEqual([THIRD]);
  });
});
