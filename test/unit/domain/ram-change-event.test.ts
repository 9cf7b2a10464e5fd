import { describe, expect, it } from 'vitest';
import {
  ActionTrailEventType,
  eventsOfInvocation,
  foldRoleChanges,
  IgnoredBecause,
  type RoleChangeHint,
} from '../../../shared/domain/ram-change-event.js';
import { readRamChangeEvent } from '../../../shared/domain/ram-change-reading.js';

const OWNER = '1111111111111111';
const AUTOMATION = '9999999999999999';
const context = { managementRole: 'dts-trust-manager' };

/** An ActionTrail RAM event as EventBridge delivers it after the cross-account route (documented shape). */
function ramEvent(overrides: { data?: Record<string, unknown>; [key: string]: unknown } = {}): Record<string, unknown> {
  const { data, ...envelope } = overrides;
  return {
    id: 'evt-1',
    source: 'acs.actiontrail',
    specversion: '1.0',
    type: ActionTrailEventType.ConsoleOperation,
    aliyunaccountid: AUTOMATION,
    aliyunoriginalaccountid: OWNER,
    aliyuneventbusname: 'dts-trust-ram-changes',
    ...envelope,
    data: {
      eventId: 'A1',
      eventName: 'UpdateRole',
      serviceName: 'Ram',
      eventRW: 'Write',
      eventType: 'ConsoleOperation',
      userIdentity: { type: 'root-account', accountId: OWNER, principalId: OWNER, userName: 'root' },
      requestParameters: { RoleName: 'ram-for-dts' },
      referencedResources: { 'ACS::RAM::Role': ['ram-for-dts'] },
      ...data,
    },
  };
}

describe('readRamChangeEvent', () => {
  it('names the role of a console edit in the account the event was raised in', () => {
    expect(readRamChangeEvent(ramEvent(), context)).toEqual({
      kind: 'role',
      role: { ownerAccountId: OWNER, roleName: 'ram-for-dts' },
      eventId: 'evt-1',
      eventName: 'UpdateRole',
      via: 'console',
      actor: 'root',
    });
  });

  it('takes the bus account when the event was not routed from another account', () => {
    const reading = readRamChangeEvent(
      ramEvent({ aliyunoriginalaccountid: undefined, aliyunaccountid: OWNER }),
      context,
    );
    expect(reading).toMatchObject({ kind: 'role', role: { ownerAccountId: OWNER } });
  });

  it('falls back to the referenced role when the request parameters do not name it', () => {
    const reading = readRamChangeEvent(ramEvent({ data: { requestParameters: {} } }), context);
    expect(reading).toMatchObject({ kind: 'role', role: { roleName: 'ram-for-dts' } });
  });

  it.each(['CreateRole', 'UpdateRole', 'DeleteRole', 'AttachPolicyToRole', 'DetachPolicyFromRole'])(
    'reads %s as a role change',
    (eventName) => {
      expect(readRamChangeEvent(ramEvent({ data: { eventName } }), context)).toMatchObject({ kind: 'role', eventName });
    },
  );

  it('ignores a RAM event that does not change a role', () => {
    expect(readRamChangeEvent(ramEvent({ data: { eventName: 'CreateUser' } }), context)).toMatchObject({
      reason: IgnoredBecause.NotRoleChange,
    });
  });

  it('ignores a role change of another service', () => {
    expect(readRamChangeEvent(ramEvent({ data: { serviceName: 'Ecs' } }), context)).toMatchObject({
      reason: IgnoredBecause.NotRoleChange,
    });
  });

  it('ignores a call that failed', () => {
    expect(readRamChangeEvent(ramEvent({ data: { errorCode: 'NoPermission' } }), context)).toMatchObject({
      reason: IgnoredBecause.FailedCall,
    });
  });

  it("ignores a change made by the management role's own session, whatever the case of its name", () => {
    const userIdentity = { type: 'assumed-role', accountId: OWNER, userName: 'DTS-Trust-Manager:dts-trust' };
    expect(
      readRamChangeEvent(ramEvent({ type: ActionTrailEventType.ApiCall, data: { userIdentity } }), context),
    ).toEqual({ kind: 'ignored', reason: IgnoredBecause.OwnSession, eventId: 'evt-1' });
  });

  it('does not take another assumed role for its own session', () => {
    const userIdentity = { type: 'assumed-role', accountId: OWNER, userName: 'dts-trust-manager-2:dts-trust' };
    expect(readRamChangeEvent(ramEvent({ data: { userIdentity } }), context)).toMatchObject({ kind: 'role' });
  });

  it('ignores a forged event of another source, naming the field', () => {
    const reading = readRamChangeEvent(ramEvent({ source: 'my.app' }), context);
    expect(reading).toMatchObject({ kind: 'ignored', reason: IgnoredBecause.Malformed, eventId: 'evt-1' });
    expect(reading.kind === 'ignored' && reading.detail).toContain('event.source');
  });

  it('ignores an event whose account is not an account id', () => {
    const reading = readRamChangeEvent(ramEvent({ aliyunoriginalaccountid: '12' }), context);
    expect(reading).toMatchObject({ reason: IgnoredBecause.Malformed });
    expect(reading.kind === 'ignored' && reading.detail).toContain('aliyunoriginalaccountid');
  });

  it('ignores an event whose role name RAM would never accept', () => {
    const data = { requestParameters: { RoleName: '../other' }, referencedResources: {} };
    expect(readRamChangeEvent(ramEvent({ data }), context)).toMatchObject({
      reason: IgnoredBecause.Malformed,
      detail: expect.stringContaining('RoleName'),
    });
  });

  it.each([null, 'text', 42, [], {}])('ignores %j without throwing', (raw) => {
    expect(readRamChangeEvent(raw, context)).toMatchObject({ kind: 'ignored', reason: IgnoredBecause.Malformed });
  });
});

describe('eventsOfInvocation', () => {
  it('takes a batch as its events and a single event as a batch of one', () => {
    expect(eventsOfInvocation([1, 2])).toEqual([1, 2]);
    expect(eventsOfInvocation({ id: 'x' })).toEqual([{ id: 'x' }]);
  });
});

describe('foldRoleChanges', () => {
  const hint = (eventId: string, roleName: string, ownerAccountId = OWNER): RoleChangeHint => ({
    kind: 'role',
    role: { ownerAccountId, roleName },
    eventId,
    eventName: 'UpdateRole',
    via: 'console',
    actor: 'root',
  });

  it('folds a burst for one role into one entry, names compared as RAM compares them', () => {
    expect(foldRoleChanges([hint('a', 'ram-for-dts'), hint('b', 'RAM-for-DTS'), hint('c', 'ram-for-dts')])).toEqual([
      { role: { ownerAccountId: OWNER, roleName: 'ram-for-dts' }, eventIds: ['a', 'b', 'c'] },
    ]);
  });

  it('keeps roles of the same name in two accounts apart, in the order first named', () => {
    const other = '2222222222222222';
    expect(
      foldRoleChanges([hint('a', 'r', other), hint('b', 'r'), hint('c', 'r', other)]).map((c) => c.eventIds),
    ).toEqual([['a', 'c'], ['b']]);
  });
});
