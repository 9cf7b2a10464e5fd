/**
 * `setup` with a fleet too large for one route role, starting from what the previous release left: one route role
 * `dts-trust-event-route` trusting all 20 owners' EventBridge and in each owner account the management role and
 * the rule naming that role. The deployment keeps route roles to 600 characters (`DTS_TRUST_ROUTE_ROLE_TRUST_CHARS`,
 * 11 owners a role) so that a small fleet splits as a large one does at the default 2,000 (43 owners a role, as
 * test/unit/domain/route-roles.test.ts shows), and the last test has RAM's own limit refuse a role. Through the CLI,
 * the real SDKs and the local cloud, which checks every delivery's route role as EventBridge does.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SetupJson } from '../../../cli/json-documents.js';
import { runCli } from '../../../cli/main.js';
import type { RequestLogEntry } from '../../../local/cloud/contract.js';
import { deliveryProblem, listEventRoutes } from '../../../local/cloud/services/eventbridge/routes.js';
import { readEventBridgeEvents } from '../../../local/cloud/services/eventbridge/store.js';
import {
  LOCAL_AUTOMATION,
  LOCAL_EVENT_BUS,
  localCloudEnvironment,
  localTrustSettings,
} from '../../../local/harness/local-environment.js';
import { staticKeys } from '../../../shared/alicloud/credentials.js';
import { EventBridgeRules } from '../../../shared/alicloud/eventbridge-rules.js';
import {
  eventRoutePolicy,
  eventRouteSetupPolicy,
  eventRouteTrustPolicy,
  managementRolePolicy,
  managementRoleTrustPolicy,
} from '../../../shared/deploy/permissions.js';
import { AuditEventType } from '../../../shared/domain/audit.js';
import { RAM_CHANGE_ROUTE_POLICY_NAME, RAM_CHANGE_RULE_NAME } from '../../../shared/domain/ram-change-event.js';
import { ROUTE_ROLE_DESCRIPTION, routeTrustLength } from '../../../shared/domain/route-roles.js';
import { ramChangeRuleSpec } from '../../../shared/usecases/ram-change-route.js';
import { exampleAccountsDocument, startTestCloud, type TestCloud } from '../../support/local-cloud.js';

const AUTOMATION = LOCAL_AUTOMATION.accountId;
const ROLE_1 = 'dts-trust-event-route';
const ROLE_2 = 'dts-trust-event-route-2';
const ROLE_3 = 'dts-trust-event-route-3';
const DEPLOYER = { accessKeyId: 'LTAI5tLocalRouteSplitDeployer', accessKeySecret: 'local-route-split-deployer-01' };

/** Owner account `i` of the fleet and its root keys. */
const owner = (i: number) => ({
  id: String(7_000_000_000_000_000 + i),
  root: { accessKeyId: `LTAI5tLocalFleetOwner${i}`, accessKeySecret: `local-fleet-owner-secret-${i}` },
});
const fleet = (from: number, count: number) => Array.from({ length: count }, (_, i) => owner(from + i));
const FIRST = fleet(0, 20);
const BUDGET = '600';
const ids = (owners: readonly { id: string }[]) => owners.map((o) => o.id);

let cloud: TestCloud;
let env: Record<string, string>;
let credentialsFile: string;
/** Every moment (after each request the cloud served) an owner's rule named a route role that would refuse it. */
const gaps: string[] = [];
/** The owners whose deliveries are watched. */
let watched: string[] = [];

async function cli(...argv: string[]) {
  const lines: string[] = [];
  const code = await runCli(argv, env, { line: (t) => lines.push(t), interactive: false });
  return { code, text: lines.join('\n') };
}

const setup = (owners: readonly { id: string }[], ...more: string[]) =>
  cli('setup', '--owner', ...ids(owners), '--create-management-roles', '--credentials', credentialsFile, ...more);

/** The route role each watched owner's rule names, as the local EventBridge routes it. */
function routeRoleOf(ownerId: string): string | undefined {
  return listEventRoutes(cloud.cloud.core).find(
    (r) => r.fromAccountId === ownerId && r.ruleName === RAM_CHANGE_RULE_NAME,
  )?.roleName;
}

function routeRole(name: string) {
  return cloud.cloud.core.accounts.get(AUTOMATION)?.roles.get(name);
}

function trustedBy(name: string): string[] {
  const role = routeRole(name);
  if (!role) return [];
  const document = JSON.parse(role.trustPolicy) as { Statement: { Principal: { Service: string[] } }[] };
  return document.Statement.flatMap((s) => s.Principal.Service).map((p) => p.split('@')[0] ?? '');
}

/** The setup.change records for the automation account's RAM since event `from` (delivered in no given order). */
function routeChanges(from: number): string[] {
  return readEventBridgeEvents(cloud.cloud.core, { bus: LOCAL_EVENT_BUS })
    .slice(from)
    .filter((e) => e.event['type'] === AuditEventType.SetupChange)
    .map((e) => (e.event['data'] as { detail: { accountId: string; action: string; roleName: string } }).detail)
    .filter((d) => d.accountId === AUTOMATION)
    .map((d) => `${d.action} ${d.roleName}`)
    .sort();
}

const ROLE_WRITES = ['CreateRole', 'UpdateRole', 'AttachPolicyToRole', 'DetachPolicyFromRole', 'DeleteRole'];
/** The RAM writes the automation account served since request `from`, in the order it served them. */
const automationWrites = (from: number) =>
  cloud.cloud.log
    .slice(from)
    .filter((e) => e.accountId === AUTOMATION && ROLE_WRITES.includes(e.action))
    .map((e) => e.action);

beforeAll(async () => {
  const accounts = structuredClone(exampleAccountsDocument) as unknown as {
    accounts: Record<string, unknown>[];
  };
  const automation = accounts.accounts.find((a) => a['id'] === AUTOMATION) as {
    users: unknown[];
    customPolicies: Record<string, unknown>;
    roles: unknown[];
  };
  automation.customPolicies['dts-trust-event-route-setup'] = eventRouteSetupPolicy(AUTOMATION);
  automation.customPolicies[RAM_CHANGE_ROUTE_POLICY_NAME] = eventRoutePolicy('cn-hangzhou', AUTOMATION);
  automation.users.push({
    name: 'dts-trust-deployer',
    accessKeys: [{ id: DEPLOYER.accessKeyId, secret: DEPLOYER.accessKeySecret }],
    policies: [
      { name: 'AliyunOTSFullAccess', type: 'System' },
      { name: 'AliyunEventBridgeFullAccess', type: 'System' },
      { name: 'AliyunSTSAssumeRoleAccess', type: 'System' },
      { name: 'dts-trust-event-route-setup', type: 'Custom' },
    ],
  });
  // The previous release's one route role, trusting the whole fleet.
  automation.roles.push({
    name: ROLE_1,
    description: ROUTE_ROLE_DESCRIPTION,
    trustPolicy: eventRouteTrustPolicy(ids(FIRST)),
    policies: [{ name: RAM_CHANGE_ROUTE_POLICY_NAME, type: 'Custom' }],
  });
  // Each owner as the previous release's setup left it: the management role with its documents.
  for (const o of fleet(0, 40)) {
    accounts.accounts.push({
      id: o.id,
      name: `fleet-owner-${o.id}`,
      accessKeys: [{ id: o.root.accessKeyId, secret: o.root.accessKeySecret }],
      customPolicies: { 'dts-trust-manager-policy': managementRolePolicy() },
      roles: [
        {
          name: 'dts-trust-manager',
          description: 'dts-trust management role: the automation account reconciles DTS roles here',
          trustPolicy: managementRoleTrustPolicy(AUTOMATION),
          policies: [{ name: 'dts-trust-manager-policy', type: 'Custom' }],
        },
      ],
    });
  }
  cloud = await startTestCloud({
    accounts,
    services: { tablestore: { tableLoadSeconds: 0 }, ram: { detachSettleSeconds: 0 } },
  });
  // ...and the rule it installed in each of the first 60, naming the one route role.
  for (const o of FIRST) {
    const rules = new EventBridgeRules({
      endpoint: cloud.endpoint,
      protocol: 'http',
      regionId: 'cn-hangzhou',
      keys: staticKeys(o.root),
    });
    await rules.create(ramChangeRuleSpec('cn-hangzhou', AUTOMATION));
  }
  env = {
    ...localCloudEnvironment(cloud.cloud, {
      DTS_TRUST_SETTINGS: JSON.stringify(localTrustSettings()),
      DTS_TRUST_ROUTE_ROLE_TRUST_CHARS: BUDGET,
    }),
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEPLOYER.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEPLOYER.accessKeySecret,
  };
  credentialsFile = join(await mkdtemp(join(tmpdir(), 'dts-trust-route-split-')), 'credentials.json');
  await writeFile(
    credentialsFile,
    JSON.stringify({ accounts: Object.fromEntries(fleet(0, 40).map((o) => [o.id, o.root])) }),
  );
  // Watch every watched owner's delivery after each request the cloud serves, for the whole test.
  const log = cloud.cloud.log;
  const push = log.push.bind(log);
  log.push = (...entries: RequestLogEntry[]) => {
    for (const ownerId of watched) {
      const route = listEventRoutes(cloud.cloud.core).find(
        (r) => r.fromAccountId === ownerId && r.ruleName === RAM_CHANGE_RULE_NAME,
      );
      const problem = route ? deliveryProblem(cloud.cloud.core, route) : { code: 'NoRoute', message: 'no rule' };
      if (problem) gaps.push(`${ownerId} after ${entries.map((e) => e.action).join(',')}: ${problem.message}`);
    }
    return push(...entries);
  };
  watched = ids(FIRST);
});

afterAll(async () => {
  await cloud?.stop();
});

describe('setup with more owners than one route role holds', () => {
  it("starts from the previous release's one route role, beyond the budget, delivering for all", () => {
    expect(routeTrustLength(ids(FIRST))).toBe(980);
    expect(trustedBy(ROLE_1)).toEqual(ids(FIRST));
    expect(ids(FIRST).map(routeRoleOf)).toEqual(ids(FIRST).map(() => ROLE_1));
    expect(gaps).toEqual([]);
  });

  it('moves the owners beyond the budget to a second route role without a moment in which any delivery would fail', async () => {
    const from = readEventBridgeEvents(cloud.cloud.core, { bus: LOCAL_EVENT_BUS }).length;
    const served = cloud.cloud.log.length;
    const { code, text } = await setup(FIRST);
    expect(code).toBe(0);
    expect(gaps).toEqual([]);
    expect(trustedBy(ROLE_1)).toEqual(ids(FIRST.slice(0, 11)));
    expect(trustedBy(ROLE_2)).toEqual(ids(FIRST.slice(11)));
    expect(ids(FIRST).map(routeRoleOf)).toEqual([...Array(11).fill(ROLE_1), ...Array(9).fill(ROLE_2)]);
    expect(text).toContain(`route role ${ROLE_2}: policy ${RAM_CHANGE_ROUTE_POLICY_NAME} exists, role created`);
    expect(text).toContain(`route role ${ROLE_1}: policy ${RAM_CHANGE_ROUTE_POLICY_NAME} exists, role exists`);
    expect(text).toContain(`, narrowed (owners ${ids(FIRST.slice(11)).join(', ')} left it)`);
    expect(text).toContain(
      `account ${FIRST[19]?.id}: rule ${RAM_CHANGE_RULE_NAME} updated (PutTargets) (route role ${ROLE_2})`,
    );
    expect(text).toContain(`account ${FIRST[0]?.id}: rule ${RAM_CHANGE_RULE_NAME} exists (route role ${ROLE_1})`);
    // The new role with its policy, then (after the rules moved) the old one narrowed; each recorded.
    expect(automationWrites(served)).toEqual(['CreateRole', 'AttachPolicyToRole', 'UpdateRole']);
    expect(routeChanges(from)).toEqual([
      `AttachPolicyToRole ${ROLE_2}`,
      `CreateRole ${ROLE_2}`,
      `UpdateRole ${ROLE_1}`,
    ]);
    for (const name of [ROLE_1, ROLE_2]) expect(routeRole(name)?.trustPolicy.length).toBeLessThanOrEqual(600);
  });

  it("routes a console edit in a moved owner's account to the automation account through its new route role", async () => {
    const moved = FIRST[19]!.id;
    const res = await fetch(`${cloud.cloud.url}/__admin/edits`, {
      method: 'POST',
      body: JSON.stringify({
        kind: 'setDescription',
        accountId: moved,
        roleName: 'dts-trust-manager',
        description: 'by hand',
      }),
    });
    expect(res.status).toBe(200);
    const routed = readEventBridgeEvents(cloud.cloud.core, { accountId: AUTOMATION, bus: 'default' });
    expect(routed.map((e) => e.event)).toContainEqual(
      expect.objectContaining({
        aliyunoriginalaccountid: moved,
        data: expect.objectContaining({ eventName: 'UpdateRole' }),
      }),
    );
  });

  it('changes nothing when run again', async () => {
    const writes = () => cloud.cloud.log.filter((e) => [...ROLE_WRITES, 'PutTargets', 'UpdateRule'].includes(e.action));
    const before = writes().length;
    const { code } = await setup(FIRST);
    expect(code).toBe(0);
    expect(writes().length).toBe(before);
  });

  it('gives new owners the room the roles have and a third role, never moving an owner that was placed', async () => {
    const grown = fleet(0, 30);
    watched = ids(grown);
    const { code, text } = await setup(grown, '--json');
    expect(code).toBe(0);
    const document = SetupJson.parse(JSON.parse(text));
    expect(document.ramChangeRouteRoles.map((r) => [r.roleName, r.owners.length, r.end])).toEqual([
      [ROLE_1, 11, 'unchanged'],
      [ROLE_2, 11, 'unchanged'],
      [ROLE_3, 8, 'unchanged'],
    ]);
    expect(trustedBy(ROLE_1)).toEqual(ids(FIRST.slice(0, 11)));
    expect(trustedBy(ROLE_2)).toEqual(ids(grown.slice(11, 22)));
    expect(ids(grown).map(routeRoleOf)).toEqual([
      ...Array(11).fill(ROLE_1),
      ...Array(11).fill(ROLE_2),
      ...Array(8).fill(ROLE_3),
    ]);
    // Before this setup, the 10 new owners had no rule: their deliveries start with it.
    expect(gaps.filter((g) => !ids(fleet(20, 10)).some((id) => g.startsWith(id)))).toEqual([]);
    gaps.length = 0;
  });

  it('frees the room of owners that left the fleet, and removes a route role left with none (detached first)', async () => {
    const remaining = fleet(1, 21);
    watched = ids(remaining);
    const from = readEventBridgeEvents(cloud.cloud.core, { bus: LOCAL_EVENT_BUS }).length;
    const served = cloud.cloud.log.length;
    const { code, text } = await setup(remaining);
    expect(code).toBe(0);
    expect(gaps).toEqual([]);
    expect(trustedBy(ROLE_1)).toEqual(ids(remaining.slice(0, 10)));
    expect(routeRole(ROLE_3)).toBeUndefined();
    expect(text).toContain(
      `route role ${ROLE_3}: policy ${RAM_CHANGE_ROUTE_POLICY_NAME} exists, role exists, attachment exists, removed`,
    );
    expect(automationWrites(served)).toEqual(['UpdateRole', 'DetachPolicyFromRole', 'DeleteRole']);
    expect(routeChanges(from)).toEqual([
      `DeleteRole ${ROLE_3}`,
      `DetachPolicyFromRole ${ROLE_3}`,
      `UpdateRole ${ROLE_1}`,
    ]);
    // The next owner to come takes the room the one that left freed.
    const next = await setup([...remaining, owner(29)]);
    expect(next.code).toBe(0);
    expect(routeRoleOf(owner(29).id)).toBe(ROLE_1);
  });

  it("leaves a route role that lost dts-trust's ownership marker as it is, with its owners, and says so", async () => {
    const role = routeRole(ROLE_2);
    if (role) role.description = 'someone else';
    const before = role?.trustPolicy;
    const { code, text } = await setup([...fleet(1, 21), owner(29)]);
    expect(code).toBe(1);
    expect(text).toContain(`route role ${ROLE_2}: left unchanged, not dts-trust's to change: its Description`);
    expect(routeRole(ROLE_2)?.trustPolicy).toBe(before);
    expect(gaps).toEqual([]);
    if (role) role.description = ROUTE_ROLE_DESCRIPTION;
  });

  it('says how to fix a route role RAM refuses as too long, and points no rule at it', async () => {
    // A budget above RAM's limit, and more owners than fit it: route role 1 would trust 107 owners (4,808 characters).
    const strangers = Array.from({ length: 95 }, (_, i) => ({ id: String(8_000_000_000_000_000 + i) }));
    const newcomer = owner(35);
    const lines: string[] = [];
    const code = await runCli(
      [
        'setup',
        '--owner',
        ...ids([...fleet(1, 21), owner(29), newcomer, ...strangers]),
        '--create-management-roles',
        '--credentials',
        credentialsFile,
      ],
      { ...env, DTS_TRUST_ROUTE_ROLE_TRUST_CHARS: '6144' },
      { line: (t) => lines.push(t), interactive: false },
    );
    const text = lines.join('\n');
    expect(code).toBe(1);
    expect(text).toContain(
      `route role ${ROLE_1}: ram:UpdateRole failed with InvalidParameter.NewAssumeRolePolicyDocument.Length`,
    );
    expect(text).toContain('set DTS_TRUST_ROUTE_ROLE_TRUST_CHARS below 4808 and run setup again');
    expect(text).toContain(
      `account ${newcomer.id}: rule ${RAM_CHANGE_RULE_NAME} failed (route role ${ROLE_1}) (not changed`,
    );
    expect(routeRoleOf(newcomer.id)).toBeUndefined();
    expect(trustedBy(ROLE_1)).toEqual(ids([...fleet(1, 10), owner(29)]));
    expect(gaps).toEqual([]);
  });
});
