import RamSdk from '@alicloud/ram20150501';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readDeliveryFailures } from '../../../local/cloud/services/eventbridge/routes.js';
import { clearEventBridgeEvents, readEventBridgeEvents } from '../../../local/cloud/services/eventbridge/store.js';
import { registerFcFunction } from '../../../local/cloud/services/fc/functions.js';
import { EventBusTrigger } from '../../../local/cloud/triggers/event-bus-trigger.js';
import { ramChangeTriggerFromSYaml } from '../../../local/harness/ram-change-route.js';
import { staticKeys } from '../../../shared/alicloud/credentials.js';
import { EventBridgeRules } from '../../../shared/alicloud/eventbridge-rules.js';
import { eventRoutePolicy, eventRouteTrustPolicy } from '../../../shared/deploy/permissions.js';
import { CloudApiError } from '../../../shared/domain/errors.js';
import {
  RAM_CHANGE_EVENT_PATTERN,
  RAM_CHANGE_ROUTE_POLICY_NAME,
  RAM_CHANGE_ROUTE_ROLE_NAME,
} from '../../../shared/domain/ram-change-event.js';
import { planRuleChanges, ROUTE_TARGET_ID, ramChangeRuleSpec } from '../../../shared/usecases/ram-change-route.js';
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

/** Route the owner's RAM role changes to the automation account through `roleName` (`null`: name no role). */
async function route(fromAccountId = OWNER, roleName: string | null = RAM_CHANGE_ROUTE_ROLE_NAME): Promise<void> {
  const res = await fetch(`${cloud.cloud.url}/__admin/eventbridge/routes`, {
    method: 'POST',
    body: JSON.stringify({
      fromAccountId,
      ruleName: 'dts-trust-ram-changes',
      pattern: JSON.parse(RAM_ROLE_CHANGES),
      toAccountId: AUTOMATION,
      ...(roleName ? { roleName } : {}),
    }),
  });
  expect(res.status).toBe(200);
}

/** The automation account's route role as setup creates it (trusting the two owners' EventBridge), by RAM API. */
async function createRouteRole(): Promise<void> {
  const ram = cloud.ram(EXAMPLE.automation.root);
  await ram.createPolicyWithOptions(
    new RamSdk.CreatePolicyRequest({
      policyName: RAM_CHANGE_ROUTE_POLICY_NAME,
      policyDocument: JSON.stringify(eventRoutePolicy('cn-hangzhou', AUTOMATION)),
    }),
    testRuntime(),
  );
  await ram.createRoleWithOptions(
    new RamSdk.CreateRoleRequest({
      roleName: RAM_CHANGE_ROUTE_ROLE_NAME,
      assumeRolePolicyDocument: JSON.stringify(eventRouteTrustPolicy([OWNER, EXAMPLE.destinationOwner.id])),
    }),
    testRuntime(),
  );
  await ram.attachPolicyToRoleWithOptions(
    new RamSdk.AttachPolicyToRoleRequest({
      policyName: RAM_CHANGE_ROUTE_POLICY_NAME,
      policyType: 'Custom',
      roleName: RAM_CHANGE_ROUTE_ROLE_NAME,
    }),
    testRuntime(),
  );
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
  await createRouteRole();
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

describe("cross-account delivery through the automation account's route role", () => {
  const editOwnerRole = () =>
    cloud
      .ram(EXAMPLE.sourceOwner.root)
      .updateRoleWithOptions(
        new RamSdk.UpdateRoleRequest({ roleName: 'at-api-role', newDescription: `edited ${Math.random()}` }),
        testRuntime(),
      );
  const routed = () => readEventBridgeEvents(cloud.cloud.core, { accountId: AUTOMATION, bus: 'default' });
  const ram = () => cloud.ram(EXAMPLE.automation.root);
  const setTrust = (document: unknown) =>
    ram().updateRoleWithOptions(
      new RamSdk.UpdateRoleRequest({
        roleName: RAM_CHANGE_ROUTE_ROLE_NAME,
        newAssumeRolePolicyDocument: JSON.stringify(document),
      }),
      testRuntime(),
    );

  /** Edit a role of the owner account with the route's automation side broken by `breakIt`, then mend it. */
  async function failsWith(breakIt: () => Promise<unknown>, mend: () => Promise<unknown>): Promise<string | undefined> {
    await breakIt();
    clearEventBridgeEvents(cloud.cloud.core);
    const before = readDeliveryFailures(cloud.cloud.core).length;
    await editOwnerRole();
    const failures = readDeliveryFailures(cloud.cloud.core).slice(before);
    const delivered = routed().filter((e) => e.event['aliyunoriginalaccountid'] === OWNER);
    await mend();
    expect(delivered).toEqual([]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ fromAccountId: OWNER, toAccountId: AUTOMATION, toBus: 'default' });
    return failures[0]?.code;
  }

  it('delivers nothing when the route names no role of the automation account', async () => {
    expect(
      await failsWith(
        () => route(OWNER, null),
        () => route(),
      ),
    ).toBe('InvalidArgument');
  });

  it('delivers nothing when the route role does not exist', async () => {
    expect(
      await failsWith(
        () => route(OWNER, 'no-such-route-role'),
        () => route(),
      ),
    ).toBe('EntityNotExist.Role');
  });

  it('delivers nothing when the route role trusts the owner account itself but not its EventBridge', async () => {
    const rootOnly = {
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${OWNER}:root`] } }],
    };
    const code = await failsWith(
      () => setTrust(rootOnly),
      () => setTrust(eventRouteTrustPolicy([OWNER, EXAMPLE.destinationOwner.id])),
    );
    expect(code).toBe('NoPermission');
  });

  it('delivers nothing when the route role may not put events onto the default bus', async () => {
    const detach = new RamSdk.DetachPolicyFromRoleRequest({
      policyName: RAM_CHANGE_ROUTE_POLICY_NAME,
      policyType: 'Custom',
      roleName: RAM_CHANGE_ROUTE_ROLE_NAME,
    });
    const attach = new RamSdk.AttachPolicyToRoleRequest({ ...detach });
    const code = await failsWith(
      () => ram().detachPolicyFromRoleWithOptions(detach, testRuntime()),
      () => ram().attachPolicyToRoleWithOptions(attach, testRuntime()),
    );
    expect(code).toBe('AccessDenied');
  });

  it('delivers again once the automation side is mended', async () => {
    await editOwnerRole();
    expect(routed().map((e) => e.event['aliyunoriginalaccountid'])).toContain(OWNER);
  });
});

describe('EventBridge rules over the real SDK (CreateRule, GetRule, UpdateRule, PutTargets, DeleteTargets)', () => {
  const SENDER = EXAMPLE.destinationOwner.id;
  const rules = (
    keys: { accessKeyId: string; accessKeySecret: string; securityToken?: string } = EXAMPLE.destinationOwner.root,
  ) =>
    new EventBridgeRules({
      endpoint: cloud.endpoint,
      protocol: 'http',
      regionId: 'cn-hangzhou',
      keys: staticKeys(keys),
    });
  const spec = ramChangeRuleSpec('cn-hangzhou', AUTOMATION);
  const editSenderRole = (roleName: string) =>
    cloud
      .ram(EXAMPLE.destinationOwner.root)
      .createRoleWithOptions(
        new RamSdk.CreateRoleRequest({ roleName, assumeRolePolicyDocument: trustPolicy(AUTOMATION) }),
        testRuntime(),
      );
  const routedFromSender = () =>
    readEventBridgeEvents(cloud.cloud.core, { accountId: AUTOMATION, bus: 'default' }).filter(
      (e) => e.event['aliyunoriginalaccountid'] === SENDER,
    );

  it('creates the rule with its target through the route role, reads it back as made, and routes what it matches', async () => {
    expect(await rules().get(spec)).toBeUndefined();
    expect(await rules().create(spec)).toBe('created');
    const observed = await rules().get(spec);
    expect(planRuleChanges(observed, spec)).toEqual([]);
    expect(observed?.targets[0]?.params).toContainEqual({
      resourceKey: 'RAMRoleName',
      form: 'CONSTANT',
      value: RAM_CHANGE_ROUTE_ROLE_NAME,
    });
    expect(await rules().create(spec)).toBe('exists');
    await editSenderRole('routed-role');
    expect(routedFromSender()).toHaveLength(1);
  });

  it('sets a pattern with UpdateRule and routes by the new one at once', async () => {
    await rules().updatePattern(spec, '{"source":["acs.ecs"]}');
    const drifted = await rules().get(spec);
    expect(planRuleChanges(drifted, spec)).toEqual([{ action: 'UpdateRule', filterPattern: spec.filterPattern }]);
    await editSenderRole('not-routed-role');
    expect(routedFromSender()).toEqual([]);
    await rules().updatePattern(spec, spec.filterPattern);
    expect(planRuleChanges(await rules().get(spec), spec)).toEqual([]);
  });

  it('replaces a target of the same id with PutTargets, and removes another with DeleteTargets', async () => {
    const wrong = {
      ...spec.targets[0]!,
      params: spec.targets[0]!.params.filter((p) => p.resourceKey !== 'RAMRoleName'),
    };
    const extra = {
      ...spec.targets[0]!,
      id: 'someone-elses',
      endpoint: `acs:eventbridge:cn-hangzhou:${OWNER}:eventbus/default`,
    };
    await rules().putTargets(spec, [wrong, extra]);
    const drifted = await rules().get(spec);
    expect(drifted?.targets.map((t) => t.id)).toEqual([ROUTE_TARGET_ID, 'someone-elses']);
    expect(planRuleChanges(drifted, spec)).toEqual([
      { action: 'PutTargets', targets: spec.targets },
      { action: 'DeleteTargets', targetIds: ['someone-elses'] },
    ]);
    // Without a role neither target delivers.
    const before = readDeliveryFailures(cloud.cloud.core).length;
    await editSenderRole('unrouted-role');
    expect(readDeliveryFailures(cloud.cloud.core).length).toBe(before + 2);
    await rules().putTargets(spec, spec.targets);
    await rules().deleteTargets(spec, ['someone-elses']);
    expect(planRuleChanges(await rules().get(spec), spec)).toEqual([]);
    clearEventBridgeEvents(cloud.cloud.core);
    await editSenderRole('routed-again-role');
    expect(routedFromSender()).toHaveLength(1);
  });

  it('answers a target it refuses as an error entry, which the adapter raises', async () => {
    const http = { id: 'webhook', type: 'http', endpoint: 'https://example.invalid/hook', params: [] };
    const error = await rules()
      .putTargets(spec, [http])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudApiError);
    expect((error as CloudApiError).message).toContain('webhook');
    expect(error).toBeInstanceOf(CloudApiError);
    expect(
      await rules()
        .deleteTargets(spec, ['nothing-here'])
        .catch((e: unknown) => e),
    ).toBeInstanceOf(CloudApiError);
  });

  it('refuses a caller without the rule actions on the rule', async () => {
    for (const call of [
      () => rules(EXAMPLE.sourceOwner.auditor).create(spec),
      () => rules(EXAMPLE.sourceOwner.auditor).updatePattern(spec, spec.filterPattern),
      () => rules(EXAMPLE.sourceOwner.auditor).putTargets(spec, spec.targets),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CloudApiError);
      expect((error as CloudApiError).kind).toBe('noPermission');
    }
  });
});

describe('the RAM change pattern', () => {
  it("is the same in the rule setup installs and in s.yaml's ram-changes trigger", () => {
    const declared = ramChangeTriggerFromSYaml().triggerConfig as { eventRuleFilterPattern: string };
    expect(JSON.parse(declared.eventRuleFilterPattern)).toEqual(RAM_CHANGE_EVENT_PATTERN);
  });
});
