import RamSdk from '@alicloud/ram20150501';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clearEventBridgeEvents, readEventBridgeEvents } from '../../../local/cloud/services/eventbridge/store.js';
import { registerFcFunction } from '../../../local/cloud/services/fc/functions.js';
import { EventBusTrigger } from '../../../local/cloud/triggers/event-bus-trigger.js';
import { ramChangeTriggerFromSYaml } from '../../../local/harness/ram-change-route.js';
import { staticKeys } from '../../../shared/alicloud/credentials.js';
import { ensureRouteRule } from '../../../shared/alicloud/eventbridge-rules.js';
import { CloudApiError } from '../../../shared/domain/errors.js';
import { RAM_CHANGE_EVENT_PATTERN } from '../../../shared/domain/ram-change-event.js';
import { ramChangeRuleSpec } from '../../../shared/usecases/ram-change-route.js';
import { FakeClock } from '../../support/fake-clock.js';
import { EXAMPLE, startTestCloud, type TestCloud, testRuntime } from '../../support/local-cloud.js';

const OWNER = EXAMPLE.sourceOwner.id;
const AUTOMATION = EXAMPLE.automation.id;
const FUNCTION = 'ram-change-consumer';
const RAM_ROLE_CHANGES = JSON.stringify({
  source: ['acs.actiontrail'],
  data: { serviceName: ['Ram'], eventName: ['CreateRole', 'UpdateRole', 'DeleteRole'] },
});
let clock: FakeClock;
let cloud: TestCloud;
let calls: { at: number; events: Record<string, unknown>[] }[] = [];
let failNext = 0;

const trustPolicy = (account: string) =>
  JSON.stringify({
    Version: '1',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${account}:root`] } }],
  });

function busTrigger(runOptions: Record<string, unknown> = {}): EventBusTrigger {
  return new EventBusTrigger(
    { core: cloud.cloud.core, endpoint: cloud.endpoint },
    {
      functionName: FUNCTION,
      triggerName: 'ram-changes',
      accountId: AUTOMATION,
      triggerConfig: {
        triggerEnable: true,
        asyncInvocationType: false,
        eventRuleFilterPattern: RAM_ROLE_CHANGES,
        eventSourceConfig: { eventSourceType: 'Default' },
        runOptions: { batchWindow: { CountBasedWindow: 10, TimeBasedWindow: 2 }, ...runOptions },
      },
    },
    { clock, random: () => 0.5 },
  );
}

async function route(): Promise<void> {
  const res = await fetch(`${cloud.cloud.url}/__admin/eventbridge/routes`, {
    method: 'POST',
    body: JSON.stringify({
      fromAccountId: OWNER,
      ruleName: 'dts-trust-ram-changes',
      pattern: JSON.parse(RAM_ROLE_CHANGES),
      toAccountId: AUTOMATION,
    }),
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  clock = new FakeClock(new Date());
  cloud = await startTestCloud({ clock });
  registerFcFunction(cloud.cloud.core, FUNCTION, {
    accountId: AUTOMATION,
    handler: (event: Buffer) => {
      const events = JSON.parse(event.toString('utf8')) as Record<string, unknown>[];
      calls.push({ at: clock.millis, events });
      if (failNext > 0) {
        failNext -= 1;
        throw new Error('the store is down');
      }
      return { received: events.length };
    },
  });
  await route();
});

beforeEach(() => {
  calls = [];
  failNext = 0;
  clearEventBridgeEvents(cloud.cloud.core);
});

afterAll(async () => {
  await cloud?.stop();
});

describe('ActionTrail of the local cloud', () => {
  it('publishes a RAM API write to the default bus of its account, naming the assumed role and its session', async () => {
    const keys = await cloud.assume(OWNER);
    await cloud
      .ram(keys)
      .createRoleWithOptions(
        new RamSdk.CreateRoleRequest({ roleName: 'at-api-role', assumeRolePolicyDocument: trustPolicy(AUTOMATION) }),
        testRuntime(),
      );
    const [own] = readEventBridgeEvents(cloud.cloud.core, { accountId: OWNER, bus: 'default' });
    expect(own?.event).toMatchObject({
      source: 'acs.actiontrail',
      type: 'actiontrail:ActionTrail:ApiCall',
      aliyunaccountid: OWNER,
      data: {
        eventName: 'CreateRole',
        serviceName: 'Ram',
        eventRW: 'Write',
        userIdentity: { type: 'assumed-role', accountId: OWNER, userName: `${EXAMPLE.managementRole}:dts-trust-test` },
        requestParameters: { RoleName: 'at-api-role' },
        referencedResources: { 'ACS::RAM::Role': ['at-api-role'] },
      },
    });
    expect(JSON.stringify(own?.event)).not.toContain(keys.accessKeySecret);
  });

  it('publishes a console edit as a console operation of the root account', async () => {
    const res = await fetch(`${cloud.cloud.url}/__admin/edits`, {
      method: 'POST',
      body: JSON.stringify({
        kind: 'setTrustPolicy',
        accountId: OWNER,
        roleName: 'at-api-role',
        trustPolicy: trustPolicy(EXAMPLE.destinationOwner.id),
      }),
    });
    expect(res.status).toBe(200);
    const [edit] = readEventBridgeEvents(cloud.cloud.core, { accountId: OWNER, bus: 'default' });
    expect(edit?.event).toMatchObject({
      type: 'actiontrail:ActionTrail:ConsoleOperation',
      data: { eventName: 'UpdateRole', userIdentity: { type: 'root-account', accountId: OWNER } },
    });
  });

  it('publishes nothing for a read or a failed write', async () => {
    const ram = cloud.ram(EXAMPLE.sourceOwner.root);
    await ram.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: 'at-api-role' }), testRuntime());
    await expect(
      ram.deleteRoleWithOptions(new RamSdk.DeleteRoleRequest({ roleName: 'no-such-role' }), testRuntime()),
    ).rejects.toThrow();
    expect(readEventBridgeEvents(cloud.cloud.core, { accountId: OWNER })).toEqual([]);
  });
});

describe('cross-account route and bus trigger', () => {
  it("routes an owner account's RAM event to the automation account's default bus, keeping the original account", async () => {
    await cloud
      .ram(EXAMPLE.sourceOwner.root)
      .updateRoleWithOptions(
        new RamSdk.UpdateRoleRequest({ roleName: 'at-api-role', newDescription: 'edited' }),
        testRuntime(),
      );
    const [routed] = readEventBridgeEvents(cloud.cloud.core, { accountId: AUTOMATION, bus: 'default' });
    expect(routed?.event).toMatchObject({
      aliyunaccountid: AUTOMATION,
      aliyunoriginalaccountid: OWNER,
      data: { eventName: 'UpdateRole', userIdentity: { type: 'root-account' } },
    });
  });

  it('pushes matching events in one batch after TimeBasedWindow seconds, and each event once', async () => {
    const ram = cloud.ram(EXAMPLE.sourceOwner.root);
    for (const description of ['a', 'b', 'c']) {
      await ram.updateRoleWithOptions(
        new RamSdk.UpdateRoleRequest({ roleName: 'at-api-role', newDescription: description }),
        testRuntime(),
      );
    }
    const trigger = busTrigger();
    const before = clock.millis;
    const deliveries = await trigger.drain();
    expect(deliveries.map((d) => [d.eventIds.length, d.outcome])).toEqual([[3, 'delivered']]);
    expect(calls[0]!.at - before).toBe(2000);
    expect(calls[0]!.events.map((e) => (e['data'] as { eventName: string }).eventName)).toEqual([
      'UpdateRole',
      'UpdateRole',
      'UpdateRole',
    ]);
    expect(await trigger.drain()).toEqual([]);
  });

  it('does not push events outside its pattern', async () => {
    await cloud.ram(EXAMPLE.sourceOwner.root).attachPolicyToRoleWithOptions(
      new RamSdk.AttachPolicyToRoleRequest({
        roleName: 'at-api-role',
        policyName: 'AliyunDTSRolePolicy',
        policyType: 'System',
      }),
      testRuntime(),
    );
    expect(readEventBridgeEvents(cloud.cloud.core, { accountId: OWNER })).toHaveLength(1);
    expect(await busTrigger().drain()).toEqual([]);
  });

  it('retries a failed push by its strategy and drops the batch after the last retry (errorsTolerance ALL)', async () => {
    await cloud
      .ram(EXAMPLE.sourceOwner.root)
      .updateRoleWithOptions(
        new RamSdk.UpdateRoleRequest({ roleName: 'at-api-role', newDescription: 'x' }),
        testRuntime(),
      );
    failNext = 10;
    const [delivery] = await busTrigger({ batchWindow: { CountBasedWindow: 1 } }).drain();
    expect(delivery?.invocations.map((i) => i.errorType)).toEqual(Array(4).fill('UnhandledInvocationError'));
    expect(delivery?.outcome).toBe('discarded');
  });

  it('refuses a trigger configuration it does not emulate, naming the field', () => {
    expect(
      () =>
        new EventBusTrigger(
          { core: cloud.cloud.core, endpoint: cloud.endpoint },
          {
            functionName: FUNCTION,
            triggerName: 'bad',
            accountId: AUTOMATION,
            triggerConfig: {
              asyncInvocationType: false,
              eventRuleFilterPattern: '{"source":"acs.actiontrail"}',
              eventSourceConfig: { eventSourceType: 'Default' },
            },
          },
        ),
    ).toThrow(/triggers\.bad\.triggerConfig\.eventRuleFilterPattern/);
  });
});

describe('EventBridge rules with a bus of another account as target (ensureRouteRule over the real SDK)', () => {
  const DESTINATION = EXAMPLE.destinationOwner.id;
  const where = (keys: { accessKeyId: string; accessKeySecret: string; securityToken?: string }) => ({
    endpoint: cloud.endpoint,
    protocol: 'http' as const,
    regionId: 'cn-hangzhou',
    keys: staticKeys(keys),
  });

  it('creates the rule once, finds it the second time, and routes what it matches', async () => {
    const spec = ramChangeRuleSpec('cn-hangzhou', AUTOMATION);
    const root = EXAMPLE.destinationOwner.root;
    expect(await ensureRouteRule(where(root), spec)).toBe('created');
    expect(await ensureRouteRule(where(root), spec)).toBe('exists');
    await cloud
      .ram(root)
      .createRoleWithOptions(
        new RamSdk.CreateRoleRequest({ roleName: 'routed-role', assumeRolePolicyDocument: trustPolicy(AUTOMATION) }),
        testRuntime(),
      );
    const routed = readEventBridgeEvents(cloud.cloud.core, { accountId: AUTOMATION, bus: 'default' });
    expect(routed.map((e) => e.event['aliyunoriginalaccountid'])).toContain(DESTINATION);
  });

  it('reports a rule of that name with another pattern as differing, and leaves it', async () => {
    const spec = { ...ramChangeRuleSpec('cn-hangzhou', AUTOMATION), filterPattern: '{"source":["acs.ecs"]}' };
    expect(await ensureRouteRule(where(EXAMPLE.destinationOwner.root), spec)).toBe('differs');
  });

  it('refuses a caller without eventbridge:CreateRule on the rule', async () => {
    const error = await ensureRouteRule(
      where(EXAMPLE.sourceOwner.auditor),
      ramChangeRuleSpec('cn-hangzhou', AUTOMATION),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudApiError);
    expect((error as CloudApiError).kind).toBe('noPermission');
  });
});

describe('the RAM change pattern', () => {
  it("is the same in the rule setup installs and in s.yaml's ram-changes trigger", () => {
    const declared = ramChangeTriggerFromSYaml().triggerConfig.eventRuleFilterPattern ?? '';
    expect(JSON.parse(declared)).toEqual(RAM_CHANGE_EVENT_PATTERN);
  });
});
