/**
 * The operators' commands for Tencent Cloud accounts, against the local cloud through the real tencentcloud SDKs.
 * `setup`: the CAM management role described, created with the account's own keys, proved least-privilege through
 * the hub sub-user's session, found again unchanged, and repaired after a hand edit; each change audited first.
 * `inventory`: Tencent task accounts skipped with the reason, never treated as Alibaba ones.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryJson, SetupJson } from '../../../cli/json-documents.js';
import { runCli } from '../../../cli/main.js';
import { readEventBridgeEvents } from '../../../local/cloud/services/eventbridge/store.js';
import { tencentWorld } from '../../../local/cloud/services/tencent/world.js';
import {
  LOCAL_EVENT_BUS,
  LOCAL_TENCENT,
  localCloudEnvironment,
  localTrustSettings,
  WITHOUT_TENCENT,
} from '../../../local/harness/local-environment.js';
import { camManagementRolePolicy, camManagementRoleTrustPolicy } from '../../../shared/deploy/tencent-permissions.js';
import { AuditEventType } from '../../../shared/domain/audit.js';
import { GrantSchema } from '../../../shared/domain/grant.js';
import type { AccountCredentials } from '../../../shared/ports.js';
import { CAM_ROLE_DIRECTORY_ACTIONS, CamRoleDirectory } from '../../../shared/tencentcloud/cam.js';
import { CAM_SUB_ACCOUNT_POLICY_ACTIONS, CamSubAccountPolicies } from '../../../shared/tencentcloud/cam-policies.js';
import { tencentEndpoints } from '../../../shared/tencentcloud/endpoint.js';
import { TencentCredentialBroker } from '../../../shared/tencentcloud/sts.js';
import { EXAMPLE, exampleAccountsDocument, startTestCloud, type TestCloud } from '../../support/local-cloud.js';
import { localRunnerServices } from '../../support/local-services.js';
import { assumeTencentRole, TENCENT, TencentApi, tencentClient, tencentCodeOf } from '../../support/tencent-cloud.js';

/** A Tencent owner account with nothing of dts-trust yet. */
const OWNER = {
  uin: '100000000011',
  root: { secretId: 'AKIDLocalTencentNewOwner001', secretKey: 'local-tencent-new-owner-secret-0001' },
  externalId: 'ext-new-owner',
};
/** A Tencent trusted account whose sub-user runs tasks, with nothing of dts-trust yet. */
const TRUSTED = {
  uin: '100000000012',
  root: { secretId: 'AKIDLocalTencentNewTrust001', secretKey: 'local-tencent-new-trust-secret-0001' },
  operator: '200000000012',
  externalId: 'ext-new-trusted',
};
/** An owner the trust settings give no external ID. */
const UNLISTED = TENCENT.stranger.uin;
const HUB = { rootUin: TENCENT.hub.uin, userUin: TENCENT.hub.user.uin };
const ROLE = LOCAL_TENCENT.managementRole;

let cloud: TestCloud;
let env: Record<string, string>;
let credentialsFile: string;

async function cli(argv: string[], environment = env) {
  const lines: string[] = [];
  const code = await runCli(argv, environment, { line: (t) => lines.push(t), interactive: false });
  return { code, text: lines.join('\n') };
}

const CAM_WRITES = ['CreateRole', 'CreatePolicy', 'AttachRolePolicy', 'UpdateAssumeRolePolicy', 'UpdatePolicy'];
/** The CAM writes served so far in `uin`. */
const camWrites = (uin: string) =>
  cloud.cloud.log.filter((e) => e.service === 'cam' && CAM_WRITES.includes(e.action) && e.accountId === uin);

/** The `setup.change` audit events on the bus for Tencent account `uin`. */
const setupChanges = (uin: string) =>
  readEventBridgeEvents(cloud.cloud.core, { bus: LOCAL_EVENT_BUS })
    .filter((e) => e.event['type'] === AuditEventType.SetupChange)
    .map((e) => e.event['data'] as { detail: Record<string, unknown> & { accountId: string; action: string } })
    .map((d) => d.detail)
    .filter((d) => d.accountId === uin);

const apply = (...accounts: string[]) => [
  'setup',
  '--owner',
  ...accounts,
  '--task-account',
  TRUSTED.uin,
  '--create-management-roles',
  '--credentials',
  credentialsFile,
];

/** The hub sub-user's session in `uin`, entered as the product enters it (the broker, with the external ID). */
async function hubSession(uin: string, externalId: string): Promise<AccountCredentials> {
  const broker = new TencentCredentialBroker({
    endpoints: tencentEndpoints(cloud.endpoint),
    clock: { now: () => new Date(), sleep: async () => undefined },
    hubKeys: async () => TENCENT.hub.user.keys,
    managementRole: ROLE,
    externalId,
  });
  return broker.credentialsFor(uin);
}

beforeAll(async () => {
  const accounts = structuredClone(exampleAccountsDocument) as typeof exampleAccountsDocument & {
    tencent: { accounts: unknown[] };
  };
  accounts.tencent.accounts.push(
    { uin: OWNER.uin, name: 'tencent-new-owner', keys: [{ id: OWNER.root.secretId, secret: OWNER.root.secretKey }] },
    {
      uin: TRUSTED.uin,
      name: 'tencent-new-trusted',
      keys: [{ id: TRUSTED.root.secretId, secret: TRUSTED.root.secretKey }],
      subUsers: [{ uin: TRUSTED.operator, name: 'dts-runner', policies: ['QcloudDTSFullAccess'] }],
    },
  );
  cloud = await startTestCloud({ accounts, services: { tablestore: { tableLoadSeconds: 0 } } });
  const settings = localTrustSettings();
  env = {
    ...localCloudEnvironment(cloud.cloud, {
      DTS_TRUST_SETTINGS: JSON.stringify({
        ...settings,
        tencentManagementExternalIds: {
          ...settings.tencentManagementExternalIds,
          [OWNER.uin]: OWNER.externalId,
          [TRUSTED.uin]: TRUSTED.externalId,
        },
      }),
    }),
    ALIBABA_CLOUD_ACCESS_KEY_ID: EXAMPLE.automation.root.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: EXAMPLE.automation.root.accessKeySecret,
  };
  credentialsFile = join(await mkdtemp(join(tmpdir(), 'dts-trust-tencent-setup-')), 'credentials.json');
  await writeFile(
    credentialsFile,
    JSON.stringify({
      accounts: {
        [OWNER.uin]: OWNER.root,
        [TRUSTED.uin]: TRUSTED.root,
        [TENCENT.sourceOwner.uin]: TENCENT.sourceOwner.root,
        // Keys of another account under the stranger's UIN: setup must notice.
        [TENCENT.stranger.uin]: TENCENT.task.root,
      },
    }),
  );
});

afterAll(async () => {
  await cloud?.stop();
});

describe('npm run cli -- setup, for Tencent Cloud accounts', () => {
  it("prints each Tencent account's CAM management role, trusting the hub sub-user with its external ID, with tccli commands, and changes nothing", async () => {
    const { code, text } = await cli(['setup', '--owner', OWNER.uin, '--task-account', TRUSTED.uin]);
    expect(text).toContain(`Tencent account ${OWNER.uin} (owner):`);
    expect(text).toContain(`Tencent account ${TRUSTED.uin} (trusted, sub-user policies):`);
    expect(text).toContain(
      `management role ${ROLE}, trust policy: ${JSON.stringify(camManagementRoleTrustPolicy(HUB, OWNER.externalId))}`,
    );
    expect(text).toContain(`"qcs::cam::uin/${HUB.rootUin}:uin/${HUB.userUin}"`);
    expect(text).toContain(`tccli cam CreateRole --RoleName ${ROLE}`);
    expect(text).toContain(`tccli cam AttachRolePolicy --PolicyName ${ROLE}-policy --AttachRoleName ${ROLE}`);
    // No Alibaba management role is described for a Tencent UIN.
    expect(text).not.toMatch(new RegExp(`^account ${OWNER.uin}`, 'm'));
    expect(text).not.toContain('aliyun ram CreateRole');
    expect(code).toBe(0);
    expect(camWrites(OWNER.uin)).toEqual([]);
  });

  it('gives each Tencent role in its --json document, with the least-privilege policy of its duties', async () => {
    const { text } = await cli(['setup', '--owner', OWNER.uin, '--task-account', TRUSTED.uin, '--json']);
    const document = SetupJson.parse(JSON.parse(text));
    expect(document.managementRoles).toEqual([]);
    expect(document.tencentManagementRoles).toEqual([
      {
        accountId: OWNER.uin,
        duties: ['roles'],
        roleName: ROLE,
        policyName: `${ROLE}-policy`,
        trustPolicy: JSON.stringify(camManagementRoleTrustPolicy(HUB, OWNER.externalId)),
        policy: JSON.stringify(camManagementRolePolicy(OWNER.uin, ['roles'])),
        status: 'described',
        attention: false,
      },
      expect.objectContaining({
        accountId: TRUSTED.uin,
        duties: ['subAccountPolicies'],
        policy: JSON.stringify(camManagementRolePolicy(TRUSTED.uin, ['subAccountPolicies'])),
        status: 'described',
      }),
    ]);
  });

  it('refuses a Tencent account the trust settings give no external ID, naming the field, and fails', async () => {
    const { code, text } = await cli(['setup', '--owner', UNLISTED]);
    expect(text).toContain(
      `Tencent account ${UNLISTED}: no external ID for ${UNLISTED} in tencentManagementExternalIds`,
    );
    expect(code).toBe(1);
  });

  it('says a deployment without Tencent configuration cannot set up a Tencent account, and fails', async () => {
    const { code, text } = await cli(['setup', '--owner', OWNER.uin], { ...env, ...WITHOUT_TENCENT });
    expect(text).toContain('TencentNotConfigured');
    expect(code).toBe(1);
  });

  it('refuses hub keys of the hub root account: a role trusting it would let every identity of the hub in', async () => {
    const rootHub = JSON.stringify({ secretId: TENCENT.hub.root.secretId, secretKey: TENCENT.hub.root.secretKey });
    const { code, text } = await cli(['setup', '--owner', OWNER.uin], { ...env, DTS_TRUST_TENCENT_HUB_KEYS: rootHub });
    expect(text).toContain(`Tencent account ${OWNER.uin}: the hub sub-user could not be identified`);
    expect(text).toContain('not to a sub-user');
    expect(text).not.toContain(TENCENT.hub.root.secretKey);
    expect(code).toBe(1);
  });

  it("creates the policy, the role and the attachment with each account's keys, each audited first, and the hub sub-user can then enter with the external ID only", async () => {
    const { code, text } = await cli(apply(OWNER.uin));
    expect(text).toContain(
      `Tencent account ${OWNER.uin}: policy ${ROLE}-policy created, role ${ROLE} created, attachment attached`,
    );
    expect(text).toContain(`Tencent account ${TRUSTED.uin}: policy ${ROLE}-policy created`);
    expect(code).toBe(0);
    expect(
      setupChanges(OWNER.uin)
        .map((d) => d.action)
        .sort(),
    ).toEqual(['AttachRolePolicy', 'CreatePolicy', 'CreateRole']);
    const created = setupChanges(OWNER.uin).find((d) => d.action === 'CreatePolicy');
    expect(JSON.parse(String(created?.['document']))).toEqual(camManagementRolePolicy(OWNER.uin, ['roles']));
    // The role carries no ownership tag: the engine never takes the management role for a DTS role.
    expect(tencentWorld(cloud.cloud.core).accounts.get(OWNER.uin)?.roles.get(ROLE)?.tags).toEqual({});
    await expect(hubSession(OWNER.uin, OWNER.externalId)).resolves.toMatchObject({ accountId: OWNER.uin });
    expect(await tencentCodeOf(assumeTencentRole(cloud.endpoint, OWNER.uin))).toBe('InternalError.GetRoleError');
    expect(
      await tencentCodeOf(
        assumeTencentRole(cloud.endpoint, OWNER.uin, ROLE, { keys: TENCENT.hub.root, externalId: OWNER.externalId }),
      ),
    ).toBe('InternalError.GetRoleError');
  });

  it('allows through the management role exactly the CAM actions the Tencent adapters call, and refuses the rest', async () => {
    const endpoints = tencentEndpoints(cloud.endpoint);
    const clock = { now: () => new Date(), sleep: async () => undefined };
    const owner = await hubSession(OWNER.uin, OWNER.externalId);
    const trusted = await hubSession(TRUSTED.uin, TRUSTED.externalId);
    // A user group and a role of the trusted account, for the adapter to detach the policy from.
    const trustedRoot = tencentClient(cloud.endpoint, TencentApi.cam, TRUSTED.root);
    const { GroupId } = await trustedRoot.request('CreateGroup', { GroupName: 'probe-group' });
    await trustedRoot.request('CreateRole', {
      RoleName: 'probe-holder',
      PolicyDocument: JSON.stringify({
        version: '2.0',
        statement: [
          { action: 'name/sts:AssumeRole', effect: 'allow', principal: { qcs: [`qcs::cam::uin/${TRUSTED.uin}:root`] } },
        ],
      }),
    });
    const { RoleInfo: holder } = await trustedRoot.request('GetRole', { RoleName: 'probe-holder' });
    const from = cloud.cloud.log.length;
    const roles = new CamRoleDirectory(endpoints, clock);
    const trust = JSON.stringify({
      version: '2.0',
      statement: [
        {
          action: 'name/sts:AssumeRole',
          effect: 'allow',
          principal: { qcs: [`qcs::cam::uin/${TRUSTED.uin}:root`] },
        },
      ],
    });
    await roles.createRole(owner, {
      roleName: 'DTS-probe',
      trustPolicy: trust,
      description: 'probe',
      tags: { 'dts-trust': 'managed' },
    });
    expect(await roles.getRole(owner, 'DTS-probe')).toMatchObject({ roleName: 'DTS-probe' });
    expect(await roles.listTaggedRoles(owner, 'dts-trust', 'managed')).toHaveLength(1);
    await roles.updateTrustPolicy(owner, 'DTS-probe', trust);
    await roles.updateDescription(owner, 'DTS-probe', 'probe, again');
    await roles.attachPolicy(owner, 'DTS-probe', { policyName: 'QcloudDTSReadOnlyAccess', policyType: 'System' });
    expect(await roles.listAttachedPolicies(owner, 'DTS-probe')).toHaveLength(1);
    await roles.detachPolicy(owner, 'DTS-probe', { policyName: 'QcloudDTSReadOnlyAccess', policyType: 'System' });
    await roles.deleteRole(owner, 'DTS-probe');
    const policies = new CamSubAccountPolicies(endpoints, clock);
    const document = JSON.stringify({
      version: '2.0',
      statement: [{ effect: 'allow', action: ['name/sts:AssumeRole'], resource: ['*'] }],
    });
    const policyId = await policies.createPolicy(trusted, 'dts-trust-probe', document, 'probe');
    await policies.updatePolicy(trusted, policyId, document);
    await policies.attachUser(trusted, policyId, TRUSTED.operator);
    expect(await policies.findPolicy(trusted, 'dts-trust-probe')).toMatchObject({ userUins: [TRUSTED.operator] });
    await policies.detachUser(trusted, policyId, TRUSTED.operator);
    await policies.detachEntity(trusted, policyId, { kind: 'group', id: String(GroupId), name: 'probe-group' });
    await policies.detachEntity(trusted, policyId, { kind: 'role', id: holder.RoleId, name: 'probe-holder' });
    await policies.deletePolicy(trusted, policyId);

    const served = cloud.cloud.log.slice(from).filter((e) => e.service === 'cam');
    expect(served.filter((e) => e.code !== undefined)).toEqual([]);
    const called = (uin: string) => [...new Set(served.filter((e) => e.accountId === uin).map((e) => e.action))].sort();
    const allowed = (uin: string, duty: 'roles' | 'subAccountPolicies') =>
      camManagementRolePolicy(uin, [duty])
        .statement.flatMap((s) => s.action)
        .map((a) => a.replace(/^name\/cam:/, ''))
        .sort();
    expect(called(OWNER.uin)).toEqual(allowed(OWNER.uin, 'roles'));
    expect(called(OWNER.uin)).toEqual([...CAM_ROLE_DIRECTORY_ACTIONS].sort());
    expect(called(TRUSTED.uin)).toEqual(allowed(TRUSTED.uin, 'subAccountPolicies'));
    expect(called(TRUSTED.uin)).toEqual([...CAM_SUB_ACCOUNT_POLICY_ACTIONS].sort());

    // Each account's role allows its own duty only.
    const ownerCam = tencentClient(cloud.endpoint, TencentApi.cam, {
      secretId: owner.accessKeyId,
      secretKey: owner.accessKeySecret,
      token: owner.securityToken ?? '',
    });
    expect(await tencentCodeOf(ownerCam.request('CreatePolicy', { PolicyName: 'x', PolicyDocument: document }))).toBe(
      'UnauthorizedOperation',
    );
    const trustedCam = tencentClient(cloud.endpoint, TencentApi.cam, {
      secretId: trusted.accessKeyId,
      secretKey: trusted.accessKeySecret,
      token: trusted.securityToken ?? '',
    });
    expect(await tencentCodeOf(trustedCam.request('CreateRole', { RoleName: 'x', PolicyDocument: trust }))).toBe(
      'UnauthorizedOperation',
    );
  });

  it('changes nothing when run again', async () => {
    const before = camWrites(OWNER.uin).length + camWrites(TRUSTED.uin).length;
    const { code, text } = await cli(apply(OWNER.uin));
    expect(text).toContain(
      `Tencent account ${OWNER.uin}: policy ${ROLE}-policy exists, role ${ROLE} exists, attachment exists`,
    );
    expect(text).toContain(
      `Tencent account ${TRUSTED.uin}: policy ${ROLE}-policy exists, role ${ROLE} exists, attachment exists`,
    );
    expect(code).toBe(0);
    expect(camWrites(OWNER.uin).length + camWrites(TRUSTED.uin).length).toBe(before);
  });

  it('repairs a trust policy and a policy edited by hand, each audited first with what it replaced, and then finds them as specified', async () => {
    const root = tencentClient(cloud.endpoint, TencentApi.cam, OWNER.root);
    const wide = JSON.stringify({
      version: '2.0',
      statement: [
        { action: 'name/sts:AssumeRole', effect: 'allow', principal: { qcs: [`qcs::cam::uin/${HUB.rootUin}:root`] } },
      ],
    });
    await root.request('UpdateAssumeRolePolicy', { RoleName: ROLE, PolicyDocument: wide });
    const world = tencentWorld(cloud.cloud.core);
    const policy = [...(world.accounts.get(OWNER.uin)?.policies.values() ?? [])].find(
      (p) => p.policyName === `${ROLE}-policy`,
    );
    const widened = JSON.stringify({
      version: '2.0',
      statement: [{ effect: 'allow', action: ['cam:*'], resource: ['*'] }],
    });
    await root.request('UpdatePolicy', { PolicyId: policy?.policyId, PolicyDocument: widened });
    const audited = setupChanges(OWNER.uin).length;

    const { code, text } = await cli(apply(OWNER.uin));
    expect(text).toContain(
      `Tencent account ${OWNER.uin}: policy ${ROLE}-policy updated, role ${ROLE} updated, attachment exists`,
    );
    expect(code).toBe(0);
    const changes = setupChanges(OWNER.uin).slice(audited);
    expect(changes.map((d) => d.action).sort()).toEqual(['UpdateAssumeRolePolicy', 'UpdatePolicy']);
    expect(changes.find((d) => d.action === 'UpdateAssumeRolePolicy')?.['previous']).toContain(`uin/${HUB.rootUin}`);
    await expect(hubSession(OWNER.uin, OWNER.externalId)).resolves.toMatchObject({ accountId: OWNER.uin });
    expect(
      await tencentCodeOf(
        assumeTencentRole(cloud.endpoint, OWNER.uin, ROLE, { keys: TENCENT.hub.root, externalId: OWNER.externalId }),
      ),
    ).toBe('InternalError.GetRoleError');
    const again = await cli(apply(OWNER.uin));
    expect(again.text).toContain(
      `Tencent account ${OWNER.uin}: policy ${ROLE}-policy exists, role ${ROLE} exists, attachment exists`,
    );
  });

  it('reports another policy attached to the management role for a person to detach, detaches nothing, and fails', async () => {
    const { code, text } = await cli(apply(TENCENT.sourceOwner.uin));
    expect(text).toContain(`Tencent account ${TENCENT.sourceOwner.uin}: policy ${ROLE}-policy created`);
    expect(text).toContain('also attached: QcloudCamFullAccess: wider than dts-trust needs; detach them');
    expect(code).toBe(1);
    const attached = tencentWorld(cloud.cloud.core).accounts.get(TENCENT.sourceOwner.uin)?.roles.get(ROLE)?.attached;
    expect(attached?.map((a) => a.policyName).sort()).toEqual(['QcloudCamFullAccess', `${ROLE}-policy`]);
  });

  it('refuses keys that belong to another Tencent account, and fails', async () => {
    const { code, text } = await cli(apply(TENCENT.stranger.uin));
    expect(text).toContain(
      `Tencent account ${TENCENT.stranger.uin}: no external ID for ${TENCENT.stranger.uin} in tencentManagementExternalIds`,
    );
    expect(code).toBe(1);
    const settings = JSON.parse(env['DTS_TRUST_SETTINGS'] ?? '{}');
    settings.tencentManagementExternalIds[TENCENT.stranger.uin] = 'ext-stranger';
    const withStranger = { ...env, DTS_TRUST_SETTINGS: JSON.stringify(settings) };
    const wrong = await cli(apply(TENCENT.stranger.uin), withStranger);
    expect(wrong.text).toContain(
      `Tencent account ${TENCENT.stranger.uin}: the keys in --credentials belong to account ${TENCENT.task.uin}; nothing created`,
    );
    expect(wrong.code).toBe(1);
    expect(camWrites(TENCENT.stranger.uin)).toEqual([]);
  });

  it("validates a Tencent account's keys in the credentials file by its cloud, naming the field, and does nothing", async () => {
    const bad = join(await mkdtemp(join(tmpdir(), 'dts-trust-tencent-setup-')), 'bad.json');
    await writeFile(
      bad,
      JSON.stringify({ accounts: { [OWNER.uin]: { accessKeyId: 'LTAI5tX', accessKeySecret: 'y' } } }),
    );
    const { code, text } = await cli([
      'setup',
      '--owner',
      OWNER.uin,
      '--create-management-roles',
      '--credentials',
      bad,
    ]);
    expect(code).toBe(2);
    expect(text).toContain(`accounts.${OWNER.uin}.secretId`);
    expect(text).not.toContain('LTAI5tX');
  });

  it('sets up the owner of each stored Tencent grant, and the trusted account of a grant naming its sub-users', async () => {
    const services = await localRunnerServices(cloud.cloud);
    await services.grants.putGrant(
      GrantSchema.parse({
        cloud: 'tencent',
        ownerAccountId: TENCENT.sourceOwner.uin,
        roleName: 'DTS-orders',
        trustedAccountId: TRUSTED.uin,
        policies: ['QcloudDTSReadOnlyAccess', 'QcloudAccessForMySQLRole'],
        subAccountUins: [TRUSTED.operator],
        ticket: { system: 'jira', id: 'DBA-77', requester: 'ana', approver: 'ben' },
      }),
    );
    const { text } = await cli(['setup', '--json']);
    const document = SetupJson.parse(JSON.parse(text));
    expect(document.tencentManagementRoles.map((r) => [r.accountId, r.duties, r.status])).toEqual([
      [TENCENT.sourceOwner.uin, ['roles'], 'described'],
      [TRUSTED.uin, ['subAccountPolicies'], 'described'],
    ]);
    expect(document.managementRoles).toEqual([]);
  });
});

describe('npm run cli -- inventory, with Tencent grants', () => {
  it('skips the Tencent task account with the reason, judges none of its grants, calls nothing for it, and does not fail for it', async () => {
    const from = cloud.cloud.log.length;
    const { code, text } = await cli(['inventory']);
    expect(text).toContain(
      `skipped     account ${TRUSTED.uin}: TencentDtsJobsNotListed account ${TRUSTED.uin} is a Tencent Cloud UIN`,
    );
    expect(text).not.toContain('unused      ');
    expect(text).toContain('1 Tencent account(s) skipped');
    expect(code).toBe(0);
    const calls = cloud.cloud.log.slice(from);
    expect(calls.filter((e) => e.accountId === TRUSTED.uin || e.accountId === TENCENT.sourceOwner.uin)).toEqual([]);
    expect(calls.some((e) => e.action === 'AssumeRole')).toBe(false);
    const json = InventoryJson.parse(JSON.parse((await cli(['inventory', '--json'])).text));
    expect(json.skipped).toEqual([
      expect.objectContaining({ accountId: TRUSTED.uin, code: 'TencentDtsJobsNotListed' }),
    ]);
    expect(json.unused).toEqual([]);
    expect(json.gaps).toEqual([]);
  });

  it('refuses a Tencent UIN as --task-account, naming the reason, and does nothing', async () => {
    const { code, text } = await cli(['inventory', '--task-account', TENCENT.task.uin]);
    expect(code).toBe(2);
    expect(text).toContain(
      `${TENCENT.task.uin} is a Tencent Cloud UIN: the inventory lists Alibaba Cloud DTS jobs only`,
    );
  });
});
