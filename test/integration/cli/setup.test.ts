import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EventBridgeSdk from '@alicloud/eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SetupJson } from '../../../cli/json-documents.js';
import { runCli } from '../../../cli/main.js';
import { readEventBridgeEvents } from '../../../local/cloud/services/eventbridge/store.js';
import {
  LOCAL_AUTOMATION,
  LOCAL_EVENT_BUS,
  localCloudEnvironment,
  localTrustSettings,
} from '../../../local/harness/local-environment.js';
import { staticKeys } from '../../../shared/alicloud/credentials.js';
import { EventBridgeRules } from '../../../shared/alicloud/eventbridge-rules.js';
import { RamRoleDirectory } from '../../../shared/alicloud/ram.js';
import { StsCredentialBroker } from '../../../shared/alicloud/sts.js';
import {
  eventRoutePolicy,
  eventRouteSetupPolicy,
  eventRouteTrustPolicy,
  managementRolePolicy,
} from '../../../shared/deploy/permissions.js';
import { AuditEventType } from '../../../shared/domain/audit.js';
import {
  RAM_CHANGE_ROUTE_POLICY_NAME,
  RAM_CHANGE_ROUTE_ROLE_NAME,
  RAM_CHANGE_RULE_NAME,
} from '../../../shared/domain/ram-change-event.js';
import { ROUTE_TARGET_ID, ramChangeRuleSpec } from '../../../shared/usecases/ram-change-route.js';
import { EXAMPLE, exampleAccountsDocument, startTestCloud, type TestCloud } from '../../support/local-cloud.js';

/** An owner account that has nothing of dts-trust yet. */
const NEW_OWNER = {
  id: '3141592653589793',
  root: { accessKeyId: 'LTAI5tLocalNewOwnerRoot', accessKeySecret: 'local-new-owner-root-secret-0001' },
};
const TASK = EXAMPLE.taskCreator;
const AUTOMATION = LOCAL_AUTOMATION.accountId;

/**
 * Who runs setup in the automation account: the tables and the bus (full access, as the docs' step 5 asks),
 * AssumeRole into the management roles, and for the route role exactly {@link eventRouteSetupPolicy}.
 */
const DEPLOYER = { accessKeyId: 'LTAI5tLocalDtsTrustDeployer', accessKeySecret: 'local-dts-trust-deployer-secret-01' };
/** The same, without the route role's statement. */
const NARROW_DEPLOYER = {
  accessKeyId: 'LTAI5tLocalDtsTrustNarrow',
  accessKeySecret: 'local-dts-trust-narrow-secret-0001',
};
const deployerPolicies = [
  { name: 'AliyunOTSFullAccess', type: 'System' },
  { name: 'AliyunEventBridgeFullAccess', type: 'System' },
  { name: 'AliyunSTSAssumeRoleAccess', type: 'System' },
];

let cloud: TestCloud;
let env: Record<string, string>;
let credentialsFile: string;

async function cli(...argv: string[]) {
  const lines: string[] = [];
  const code = await runCli(argv, env, { line: (t) => lines.push(t), interactive: false });
  return { code, text: lines.join('\n') };
}

/** The RAM writes served so far, in every account or in one. */
const ramWrites = (accountId?: string) =>
  cloud.cloud.log.filter(
    (e) =>
      ['CreateRole', 'CreatePolicy', 'AttachPolicyToRole', 'UpdateRole'].includes(e.action) &&
      (accountId === undefined || e.accountId === accountId),
  );

beforeAll(async () => {
  const accounts = structuredClone(exampleAccountsDocument);
  const automation = accounts.accounts.find((a) => a.id === AUTOMATION) as unknown as {
    users: unknown[];
    customPolicies: Record<string, unknown>;
  };
  automation.customPolicies['dts-trust-event-route-setup'] = eventRouteSetupPolicy(AUTOMATION);
  automation.users.push(
    {
      name: 'dts-trust-deployer',
      accessKeys: [{ id: DEPLOYER.accessKeyId, secret: DEPLOYER.accessKeySecret }],
      policies: [...deployerPolicies, { name: 'dts-trust-event-route-setup', type: 'Custom' }],
    },
    {
      name: 'dts-trust-narrow-deployer',
      accessKeys: [{ id: NARROW_DEPLOYER.accessKeyId, secret: NARROW_DEPLOYER.accessKeySecret }],
      policies: deployerPolicies,
    },
  );
  accounts.accounts.push({
    id: NEW_OWNER.id,
    name: 'new-owner',
    accessKeys: [{ id: NEW_OWNER.root.accessKeyId, secret: NEW_OWNER.root.accessKeySecret }],
  });
  // No event bus yet, and new tables serve rows at once (readiness waiting has its own tests).
  cloud = await startTestCloud({ accounts, services: { tablestore: { tableLoadSeconds: 0 } } });
  env = {
    ...localCloudEnvironment(cloud.cloud, {
      DTS_TRUST_SETTINGS: JSON.stringify(
        localTrustSettings({ managementExternalIds: { [EXAMPLE.sourceOwner.id]: 'ext-source-owner' } }),
      ),
    }),
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEPLOYER.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEPLOYER.accessKeySecret,
  };
  credentialsFile = join(await mkdtemp(join(tmpdir(), 'dts-trust-setup-')), 'credentials.json');
  await writeFile(
    credentialsFile,
    JSON.stringify({
      accounts: {
        [NEW_OWNER.id]: NEW_OWNER.root,
        [TASK.id]: TASK.root,
        // Keys of another account under the source owner's id: setup must notice.
        [EXAMPLE.sourceOwner.id]: EXAMPLE.destinationOwner.root,
      },
    }),
  );
});

afterAll(async () => {
  await cloud?.stop();
});

describe('npm run cli -- setup', () => {
  it('creates the tables and the missing event bus in the automation account, then finds them there', async () => {
    const first = await cli('setup');
    expect(first.code).toBe(0);
    expect(first.text).toContain('tables ready: dts_trust_grants');
    expect(first.text).toContain(`event bus ${LOCAL_EVENT_BUS}: created`);
    expect(cloud.cloud.log.some((e) => e.action === 'CreateTable')).toBe(true);
    const second = await cli('bootstrap');
    expect(second.text).toContain(`event bus ${LOCAL_EVENT_BUS}: exists`);
  });

  it('prints the management role of each owner account with its trust policy, policy and commands, and changes no RAM', async () => {
    const before = ramWrites().length;
    const { code, text } = await cli('setup', '--owner', NEW_OWNER.id, '--task-account', TASK.id);
    expect(code).toBe(0);
    expect(text).toContain(`account ${NEW_OWNER.id} (owner):`);
    expect(text).toContain(`"RAM":["acs:ram::${LOCAL_AUTOMATION.accountId}:root"]`);
    expect(text).toContain('aliyun ram CreateRole --RoleName dts-trust-manager');
    expect(text).toContain(`account ${TASK.id} (task-creating or trusted):`);
    expect(text).toContain(
      `automation account ${AUTOMATION}: route role ${RAM_CHANGE_ROUTE_ROLE_NAME} (receives the RAM change events of 1 owner account):`,
    );
    expect(text).toContain(`trust policy: ${JSON.stringify(eventRouteTrustPolicy([NEW_OWNER.id]))}`);
    expect(text).toContain(`aliyun ram CreateRole --RoleName ${RAM_CHANGE_ROUTE_ROLE_NAME}`);
    expect(ramWrites().length).toBe(before);
  });

  it('gives the route role in its --json document, described with both documents', async () => {
    const { text } = await cli('setup', '--owner', NEW_OWNER.id, '--json');
    const document = SetupJson.parse(JSON.parse(text));
    const described = {
      accountId: AUTOMATION,
      roleName: RAM_CHANGE_ROUTE_ROLE_NAME,
      policyName: RAM_CHANGE_ROUTE_POLICY_NAME,
      trustPolicy: JSON.stringify(eventRouteTrustPolicy([NEW_OWNER.id])),
      policy: JSON.stringify(eventRoutePolicy('cn-hangzhou', AUTOMATION)),
      owners: [NEW_OWNER.id],
      status: 'described',
      attention: false,
    };
    expect(document.ramChangeRouteRoles).toEqual([described]);
    expect(document.ramChangeRouteRole).toEqual(described);
  });

  it('puts the external ID of the trust settings into the trust policy it prints', async () => {
    const { text } = await cli('setup', '--owner', EXAMPLE.sourceOwner.id);
    expect(text).toContain('"sts:ExternalId":"ext-source-owner"');
  });

  it("creates the management role through each account's keys, so the automation account can assume it", async () => {
    const { code, text } = await cli(
      'setup',
      '--owner',
      NEW_OWNER.id,
      '--task-account',
      TASK.id,
      '--create-management-roles',
      '--credentials',
      credentialsFile,
    );
    expect(text).toContain(
      `account ${NEW_OWNER.id}: policy dts-trust-manager-policy created, role dts-trust-manager created, attachment attached`,
    );
    expect(text).toContain(`account ${TASK.id}: policy dts-trust-manager-policy created`);
    expect(text).toContain(
      `automation account ${AUTOMATION}: route role ${RAM_CHANGE_ROUTE_ROLE_NAME}: policy ${RAM_CHANGE_ROUTE_POLICY_NAME} created, role created, attachment attached`,
    );
    expect(text).toContain(`account ${NEW_OWNER.id}: rule dts-trust-ram-changes created`);
    expect(text).not.toContain(`account ${TASK.id}: rule`);
    expect(code).toBe(0);
    const where = { endpoint: cloud.endpoint, protocol: 'http' as const, regionId: 'cn-hangzhou' };
    const broker = new StsCredentialBroker({
      ...where,
      automationAccountId: LOCAL_AUTOMATION.accountId,
      managementRole: 'dts-trust-manager',
      ownKeys: async () => LOCAL_AUTOMATION.runner,
      clock: { now: () => new Date() },
    });
    const session = await broker.credentialsFor(NEW_OWNER.id);
    const directory = new RamRoleDirectory(where);
    // The management session itself reads its role: the least-privilege policy allows ram:GetRole.
    const role = await directory.getRole(session, 'dts-trust-manager');
    expect(role?.arn).toBe(`acs:ram::${NEW_OWNER.id}:role/dts-trust-manager`);
    expect(await directory.listAttachedPolicies(session, 'dts-trust-manager')).toEqual([
      { policyName: 'dts-trust-manager-policy', policyType: 'Custom' },
    ]);
    const events = readEventBridgeEvents(cloud.cloud.core, { bus: LOCAL_EVENT_BUS }).filter(
      (e) => e.event['type'] === AuditEventType.SetupChange,
    );
    type Detail = { accountId: string; action: string; document?: string };
    const details = events.map((e) => (e.event['data'] as { detail: Detail }).detail);
    // The outbox delivers in no particular order; each change was recorded (before it was made).
    expect(details.map((d) => `${d.accountId} ${d.action}`).sort()).toEqual(
      [
        ...[TASK.id, NEW_OWNER.id, AUTOMATION].flatMap((a) =>
          ['AttachPolicyToRole', 'CreatePolicy', 'CreateRole'].map((x) => `${a} ${x}`),
        ),
        `${NEW_OWNER.id} CreateRule`,
      ].sort(),
    );
    const ownerPolicy = details.find((d) => d.accountId === NEW_OWNER.id && d.action === 'CreatePolicy');
    expect(JSON.parse(ownerPolicy?.document ?? '{}')).toEqual(managementRolePolicy());
    const routePolicy = details.find((d) => d.accountId === AUTOMATION && d.action === 'CreatePolicy');
    expect(JSON.parse(routePolicy?.document ?? '{}')).toEqual(eventRoutePolicy('cn-hangzhou', AUTOMATION));
  });

  it("routes the new owner's RAM role changes to the automation account's default bus by the rule it installed", async () => {
    const res = await fetch(`${cloud.cloud.url}/__admin/edits`, {
      method: 'POST',
      body: JSON.stringify({
        kind: 'setDescription',
        accountId: NEW_OWNER.id,
        roleName: 'dts-trust-manager',
        description: 'edited by hand',
      }),
    });
    expect(res.status).toBe(200);
    const routed = readEventBridgeEvents(cloud.cloud.core, { accountId: LOCAL_AUTOMATION.accountId, bus: 'default' });
    expect(routed.map((e) => e.event)).toContainEqual(
      expect.objectContaining({
        aliyunoriginalaccountid: NEW_OWNER.id,
        data: expect.objectContaining({ eventName: 'UpdateRole' }),
      }),
    );
  });

  it('changes nothing when run again', async () => {
    const before = ramWrites().length;
    const { code, text } = await cli(
      'setup',
      '--owner',
      NEW_OWNER.id,
      '--create-management-roles',
      '--credentials',
      credentialsFile,
    );
    expect(text).toContain(
      `account ${NEW_OWNER.id}: policy dts-trust-manager-policy exists, role dts-trust-manager exists, attachment exists`,
    );
    expect(text).toContain(`account ${NEW_OWNER.id}: rule dts-trust-ram-changes exists`);
    expect(text).toContain(
      `route role ${RAM_CHANGE_ROUTE_ROLE_NAME}: policy ${RAM_CHANGE_ROUTE_POLICY_NAME} exists, role exists`,
    );
    expect(ramWrites().length).toBe(before);
    expect(cloud.cloud.log.some((e) => ['UpdateRule', 'PutTargets', 'DeleteTargets'].includes(e.action))).toBe(false);
    expect(code).toBe(0);
  });

  it("converges the owner's rule when its pattern, status or targets drifted, each change audited first, and then finds it as specified", async () => {
    const spec = ramChangeRuleSpec('cn-hangzhou', AUTOMATION);
    const owner = new EventBridgeRules({
      endpoint: cloud.endpoint,
      protocol: 'http',
      regionId: 'cn-hangzhou',
      keys: staticKeys(NEW_OWNER.root),
    });
    // Someone narrows the pattern, disables the rule, drops the role from our target and adds a target of their own.
    const client = new EventBridgeSdk.default(
      new EventBridgeSdk.Config({
        ...NEW_OWNER.root,
        endpoint: cloud.endpoint,
        protocol: 'http',
        regionId: 'cn-hangzhou',
      }),
    );
    await client.updateRule(
      new EventBridgeSdk.UpdateRuleRequest({
        eventBusName: 'default',
        ruleName: RAM_CHANGE_RULE_NAME,
        filterPattern: '{"source":["acs.ecs"]}',
        status: 'DISABLE',
      }),
    );
    const target = spec.targets[0]!;
    await owner.putTargets(spec, [
      { ...target, params: target.params.filter((p) => p.resourceKey !== 'RAMRoleName') },
      { ...target, id: 'elsewhere', endpoint: `acs:eventbridge:cn-hangzhou:${TASK.id}:eventbus/default` },
    ]);
    const audited = () =>
      readEventBridgeEvents(cloud.cloud.core, { bus: LOCAL_EVENT_BUS })
        .filter((e) => e.event['type'] === AuditEventType.SetupChange)
        .map((e) => (e.event['data'] as { detail: { accountId: string; action: string } }).detail)
        .filter((d) => d.accountId === NEW_OWNER.id && d.action !== 'CreateRule');
    const before = audited().length;
    const args = ['setup', '--owner', NEW_OWNER.id, '--create-management-roles', '--credentials', credentialsFile];
    const first = await cli(...args);
    expect(first.text).toContain(
      `account ${NEW_OWNER.id}: rule ${RAM_CHANGE_RULE_NAME} updated (UpdateRule, PutTargets, DeleteTargets)`,
    );
    expect(first.code).toBe(0);
    expect(
      audited()
        .slice(before)
        .map((d) => d.action)
        .sort(),
    ).toEqual(['DeleteTargets', 'PutTargets', 'UpdateRule']);
    const rule = await owner.get(spec);
    expect(rule).toMatchObject({ status: 'ENABLE', filterPattern: spec.filterPattern });
    expect(rule?.targets.map((t) => t.id)).toEqual([ROUTE_TARGET_ID]);
    const again = await cli(...args);
    expect(again.text).toContain(`account ${NEW_OWNER.id}: rule ${RAM_CHANGE_RULE_NAME} exists`);
  });

  it('adds a new owner to the route role it made, and reports a route role that trusts anything else', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'dts-trust-setup-')), 'credentials.json');
    await writeFile(file, JSON.stringify({ accounts: { [NEW_OWNER.id]: NEW_OWNER.root } }));
    const args = ['setup', '--owner', NEW_OWNER.id, TASK.id, '--create-management-roles', '--credentials', file];
    const widened = await cli(...args);
    expect(widened.text).toContain(
      `route role ${RAM_CHANGE_ROUTE_ROLE_NAME}: policy ${RAM_CHANGE_ROUTE_POLICY_NAME} exists, role updated`,
    );
    const role = cloud.cloud.core.accounts.get(AUTOMATION)?.roles.get(RAM_CHANGE_ROUTE_ROLE_NAME);
    expect(JSON.parse(role?.trustPolicy ?? '{}')).toEqual(eventRouteTrustPolicy([NEW_OWNER.id, TASK.id]));
    // By hand, someone lets a RAM identity of another account in: setup leaves it and says so.
    const foreign = {
      Version: '1',
      Statement: [
        ...eventRouteTrustPolicy([NEW_OWNER.id, TASK.id]).Statement,
        { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${TASK.id}:root`] } },
      ],
    };
    if (role) role.trustPolicy = JSON.stringify(foreign);
    const differs = await cli(...args);
    expect(differs.text).toContain(
      `route role ${RAM_CHANGE_ROUTE_ROLE_NAME}: left unchanged, not dts-trust's to change: its trust policy lets in more than owner accounts' EventBridge`,
    );
    // Its owners keep it (their rules name it), and no second route role is made for them.
    expect(differs.text).toContain(`rule ${RAM_CHANGE_RULE_NAME} exists (route role ${RAM_CHANGE_ROUTE_ROLE_NAME})`);
    expect(cloud.cloud.core.accounts.get(AUTOMATION)?.roles.has(`${RAM_CHANGE_ROUTE_ROLE_NAME}-2`)).toBe(false);
    expect(differs.code).toBe(1);
    expect(role?.trustPolicy).toBe(JSON.stringify(foreign));
    if (role) role.trustPolicy = JSON.stringify(eventRouteTrustPolicy([NEW_OWNER.id, TASK.id]));
  });

  it("needs exactly the route role's statement of the setup policy for the automation side, and fails without it", async () => {
    const statements = eventRouteSetupPolicy(AUTOMATION).Statement;
    const grants = statements.flatMap((s) => s.Action.flatMap((a) => s.Resource.map((r) => `${a} ${r}`))).sort();
    const route = `acs:ram:*:${AUTOMATION}:role/${RAM_CHANGE_ROUTE_ROLE_NAME}`;
    const policy = `acs:ram:*:${AUTOMATION}:policy/${RAM_CHANGE_ROUTE_POLICY_NAME}`;
    expect(grants).toEqual(
      [
        `ram:ListRoles acs:ram:*:${AUTOMATION}:role/*`,
        ...[
          'ram:GetRole',
          'ram:CreateRole',
          'ram:UpdateRole',
          'ram:ListPoliciesForRole',
          'ram:AttachPolicyToRole',
          'ram:DetachPolicyFromRole',
          'ram:DeleteRole',
        ].flatMap((a) => [`${a} ${route}`, `${a} ${route}-*`]),
        ...['ram:GetPolicy', 'ram:CreatePolicy', 'ram:AttachPolicyToRole', 'ram:DetachPolicyFromRole'].map(
          (a) => `${a} ${policy}`,
        ),
      ].sort(),
    );
    const narrow = {
      ...env,
      ALIBABA_CLOUD_ACCESS_KEY_ID: NARROW_DEPLOYER.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: NARROW_DEPLOYER.accessKeySecret,
    };
    const lines: string[] = [];
    const code = await runCli(
      ['setup', '--owner', NEW_OWNER.id, '--create-management-roles', '--credentials', credentialsFile],
      narrow,
      { line: (t) => lines.push(t), interactive: false },
    );
    const text = lines.join('\n');
    expect(text).toMatch(
      new RegExp(
        `automation account ${AUTOMATION}: route role ${RAM_CHANGE_ROUTE_ROLE_NAME}: .*(NoPermission|not authorized)`,
        'i',
      ),
    );
    expect(code).toBe(1);
  });

  it('refuses keys that belong to another account, and fails', async () => {
    const before = ramWrites(EXAMPLE.sourceOwner.id).length;
    const { code, text } = await cli(
      'setup',
      '--owner',
      EXAMPLE.sourceOwner.id,
      '--create-management-roles',
      '--credentials',
      credentialsFile,
    );
    expect(text).toContain(
      `account ${EXAMPLE.sourceOwner.id}: the keys in --credentials belong to account ${EXAMPLE.destinationOwner.id}; nothing created`,
    );
    expect(code).toBe(1);
    expect(ramWrites(EXAMPLE.sourceOwner.id).length).toBe(before);
  });

  it('reports an existing role whose trust policy differs instead of rewriting it', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'dts-trust-setup-')), 'credentials.json');
    await writeFile(file, JSON.stringify({ accounts: { [EXAMPLE.sourceOwner.id]: EXAMPLE.sourceOwner.root } }));
    const { code, text } = await cli(
      'setup',
      '--owner',
      EXAMPLE.sourceOwner.id,
      '--create-management-roles',
      '--credentials',
      file,
    );
    expect(text).toContain('role dts-trust-manager differs');
    expect(text).toContain('left unchanged');
    expect(code).toBe(1);
    expect(cloud.cloud.log.some((e) => e.action === 'UpdateRole' && e.accountId === EXAMPLE.sourceOwner.id)).toBe(
      false,
    );
  });

  it('validates its options and the credentials file', async () => {
    expect((await cli('setup', '--owner', '123')).text).toContain('16-digit');
    expect((await cli('setup', '--create-management-roles')).text).toContain('needs --credentials');
    const bad = join(await mkdtemp(join(tmpdir(), 'dts-trust-setup-')), 'bad.json');
    await writeFile(bad, JSON.stringify({ accounts: { [NEW_OWNER.id]: { accessKeyId: 'x' } } }));
    const { code, text } = await cli(
      'setup',
      '--owner',
      NEW_OWNER.id,
      '--create-management-roles',
      '--credentials',
      bad,
    );
    expect(code).toBe(2);
    expect(text).toContain(`accounts.${NEW_OWNER.id}.accessKeySecret`);
  });
});
