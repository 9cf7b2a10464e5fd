import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as RamSdk from '@alicloud/ram20150501';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAccountStates } from '../../../local/cloud/accounts.js';
import { rpcErrorReply, rpcJsonReply } from '../../../local/cloud/auth/index.js';
import type { CloudCall, ServiceModule } from '../../../local/cloud/contract.js';
import { LocalCloudError } from '../../../local/cloud/errors.js';
import { startLocalCloud } from '../../../local/cloud/server.js';
import {
  EXAMPLE,
  exampleAccountsDocument,
  sdkFailure,
  startTestCloud,
  type TestCloud,
  testRuntime,
} from '../../support/local-cloud.js';

const { sourceOwner, automation, managementRole } = EXAMPLE;
const rt = testRuntime;

let t: TestCloud;
beforeAll(async () => {
  t = await startTestCloud();
});
afterAll(() => t.stop());

const admin = (path: string, init?: RequestInit) => fetch(`${t.cloud.url}/__admin/${path}`, init);
const getManager = (keys = sourceOwner.root) =>
  t.ram(keys).getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: managementRole }), rt());

describe('startLocalCloud', () => {
  it('listens on 127.0.0.1 and reports its endpoint', () => {
    expect(t.cloud.url).toBe(`http://127.0.0.1:${t.cloud.port}`);
    expect(t.cloud.endpoint).toBe(`127.0.0.1:${t.cloud.port}`);
    expect(t.cloud.port).toBeGreaterThan(0);
  });

  it('logs each served call with service, action, account and status', async () => {
    t.cloud.log.length = 0;
    await getManager();
    await sdkFailure(
      t.ram(sourceOwner.root).getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: 'absent' }), rt()),
    );
    expect(
      t.cloud.log.map(({ service, action, accountId, status, code }) => ({ service, action, accountId, status, code })),
    ).toEqual([
      { service: 'ram', action: 'GetRole', accountId: sourceOwner.id, status: 200, code: undefined },
      { service: 'ram', action: 'GetRole', accountId: sourceOwner.id, status: 404, code: 'EntityNotExist.Role' },
    ]);
  });

  it('logs the resource a call names: the role of a RAM call, the role ARN of an AssumeRole', async () => {
    t.cloud.log.length = 0;
    await getManager();
    const keys = await t.assume(sourceOwner.id);
    await t
      .ram(keys)
      .listPoliciesForRoleWithOptions(new RamSdk.ListPoliciesForRoleRequest({ roleName: managementRole }), rt());
    expect(t.cloud.log.map(({ action, accessKeyId, resource }) => ({ action, accessKeyId, resource }))).toEqual([
      { action: 'GetRole', accessKeyId: sourceOwner.root.accessKeyId, resource: managementRole },
      {
        action: 'AssumeRole',
        accessKeyId: automation.runner.accessKeyId,
        resource: `acs:ram::${sourceOwner.id}:role/${managementRole}`,
      },
      { action: 'ListPoliciesForRole', accessKeyId: keys.accessKeyId, resource: managementRole },
    ]);
  });

  it('serves and clears the request log through the admin route', async () => {
    await getManager();
    const listed = (await (await admin('log')).json()) as { entries: unknown[] };
    expect(listed.entries.length).toBeGreaterThan(0);
    const cleared = await admin('log', { method: 'DELETE' });
    expect(cleared.status).toBe(200);
    expect(t.cloud.log).toHaveLength(0);
  });

  it('answers SignatureDoesNotMatch for a wrong secret and InvalidAccessKeyId.NotFound for an unknown key', async () => {
    const bad = await sdkFailure(getManager({ ...sourceOwner.root, accessKeySecret: 'not-the-secret' }));
    expect([bad.code, bad.statusCode]).toEqual(['SignatureDoesNotMatch', 400]);
    const unknown = await sdkFailure(getManager({ accessKeyId: 'LTAI5tNobodyHasThisKey', accessKeySecret: 'x' }));
    expect([unknown.code, unknown.statusCode]).toEqual(['InvalidAccessKeyId.NotFound', 404]);
  });

  it('refuses a request whose signed content was changed in transit', async () => {
    const tampered = await fetch(`${t.cloud.url}/?RoleName=${managementRole}`, {
      method: 'POST',
      headers: {
        'x-acs-action': 'GetRole',
        'x-acs-version': '2015-05-01',
        authorization: `ACS3-HMAC-SHA256 Credential=${sourceOwner.root.accessKeyId},SignedHeaders=host;x-acs-action;x-acs-version,Signature=${'0'.repeat(64)}`,
      },
    });
    expect(tampered.status).toBe(400);
    expect(((await tampered.json()) as { Code: string }).Code).toBe('SignatureDoesNotMatch');
  });

  it('answers an unknown API version with InvalidAction.NotFound', async () => {
    const res = await fetch(`${t.cloud.url}/?Action=Nope&Version=1999-01-01`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ Code: 'InvalidAction.NotFound' });
  });
});

describe('admin edits', () => {
  it('edits a trust policy as the console would, applying the RAM save quirk', async () => {
    const res = await admin('edits', {
      method: 'POST',
      body: JSON.stringify({
        kind: 'setTrustPolicy',
        accountId: sourceOwner.id,
        roleName: managementRole,
        trustPolicy: {
          Version: '1',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'sts:AssumeRole',
              Principal: { RAM: [`acs:ram::${automation.id}:root`], Service: [`${sourceOwner.id}@dts.aliyuncs.com`] },
            },
          ],
        },
      }),
    });
    expect(res.status).toBe(200);
    const doc = JSON.parse((await getManager()).body?.role?.assumeRolePolicyDocument ?? '');
    expect(doc.Statement[0].Principal.Service).toEqual(['dts.aliyuncs.com']);
  });

  it('detaches a policy and deletes a role out of band', async () => {
    const edit = (body: unknown) => admin('edits', { method: 'POST', body: JSON.stringify(body) });
    const ram = t.ram(sourceOwner.root);
    const trust = JSON.stringify({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: automation.id } }],
    });
    await ram.createRoleWithOptions(
      new RamSdk.CreateRoleRequest({ roleName: 'console-victim', assumeRolePolicyDocument: trust }),
      rt(),
    );
    await ram.attachPolicyToRoleWithOptions(
      new RamSdk.AttachPolicyToRoleRequest({
        roleName: 'console-victim',
        policyName: 'AliyunDTSRolePolicy',
        policyType: 'System',
      }),
      rt(),
    );
    const detach = {
      kind: 'detachPolicy',
      accountId: sourceOwner.id,
      roleName: 'console-victim',
      policyName: 'AliyunDTSRolePolicy',
    };
    expect((await edit(detach)).status).toBe(200);
    const policies = await ram.listPoliciesForRoleWithOptions(
      new RamSdk.ListPoliciesForRoleRequest({ roleName: 'console-victim' }),
      rt(),
    );
    expect(policies.body?.policies?.policy).toEqual([]);
    expect((await edit(detach)).status).toBe(404);
    expect((await edit({ kind: 'deleteRole', accountId: sourceOwner.id, roleName: 'console-victim' })).status).toBe(
      200,
    );
    const gone = await sdkFailure(
      ram.getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: 'console-victim' }), rt()),
    );
    expect(gone.code).toBe('EntityNotExist.Role');
  });

  it('refuses an invalid edit naming the field, and a malformed trust policy', async () => {
    const invalid = await admin('edits', {
      method: 'POST',
      body: JSON.stringify({ kind: 'deleteRole', accountId: '12', roleName: 'x' }),
    });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { Message: string }).Message).toContain('accountId');
    const malformed = await admin('edits', {
      method: 'POST',
      body: JSON.stringify({
        kind: 'setTrustPolicy',
        accountId: sourceOwner.id,
        roleName: managementRole,
        trustPolicy: '{"Version":"1"}',
      }),
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { Code: string }).Code).toBe('MalformedPolicyDocument');
  });

  it('shows a role’s stored state and answers unknown routes with 404', async () => {
    const role = await admin(`accounts/${sourceOwner.id}/roles/${managementRole}`);
    expect(((await role.json()) as { name: string }).name).toBe(managementRole);
    expect((await admin('no-such-route')).status).toBe(404);
  });
});

describe('service module routing', () => {
  const echo: ServiceModule = {
    name: 'echo',
    accepts: (call: CloudCall) => call.headers['x-acs-version'] === '2000-01-01',
    identify: (call: CloudCall) => ({
      service: 'echo',
      action: String(call.headers['x-acs-action']),
      accountId: '1234567890123456',
    }),
    async handle(call: CloudCall) {
      if (call.headers['x-acs-action'] === 'Fail') throw new LocalCloudError(409, 'Echo.Conflict', 'conflict');
      if (call.headers['x-acs-action'] === 'Crash') throw new Error('boom');
      return rpcJsonReply({ Echo: call.body.toString('utf8') });
    },
    faultReply: (fault) => rpcErrorReply(fault.status, fault.code, `echo: ${fault.message}`),
    async admin(_call, subpath) {
      return subpath === 'ping' ? { status: 200, body: 'pong' } : undefined;
    },
  };

  it('routes to the module, turns thrown errors into its fault replies, and delegates admin sub-routes', async () => {
    const cloud = await startLocalCloud({ accounts: exampleAccountsDocument, modules: [echo] });
    try {
      const call = (action: string) =>
        fetch(cloud.url, {
          method: 'POST',
          headers: { 'x-acs-version': '2000-01-01', 'x-acs-action': action },
          body: 'hi',
        });
      expect(await (await call('Say')).json()).toMatchObject({ Echo: 'hi' });
      const failed = await call('Fail');
      expect([failed.status, ((await failed.json()) as { Code: string }).Code]).toEqual([409, 'Echo.Conflict']);
      const crashed = await call('Crash');
      expect([crashed.status, ((await crashed.json()) as { Code: string }).Code]).toEqual([500, 'InternalError']);
      expect(await (await fetch(`${cloud.url}/__admin/echo/ping`)).text()).toBe('pong');
      expect((await fetch(`${cloud.url}/__admin/echo/other`)).status).toBe(404);
      expect(cloud.log.map((e) => [e.action, e.status, e.code])).toEqual([
        ['Say', 200, undefined],
        ['Fail', 409, 'Echo.Conflict'],
        ['Crash', 500, 'InternalError'],
      ]);
    } finally {
      await cloud.stop();
    }
  });
});

describe('state persistence', () => {
  it('saves roles on stop and reloads them on start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'local-cloud-state-'));
    try {
      const statePath = join(dir, 'state.json');
      const first = await startTestCloud({ statePath });
      const trust = JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: automation.id } }],
      });
      await first
        .ram(sourceOwner.root)
        .createRoleWithOptions(
          new RamSdk.CreateRoleRequest({ roleName: 'persisted', assumeRolePolicyDocument: trust }),
          rt(),
        );
      const keys = await first.assume(sourceOwner.id);
      await first.stop();
      const second = await startTestCloud({ statePath });
      try {
        const got = await second
          .ram(keys)
          .getRoleWithOptions(new RamSdk.GetRoleRequest({ roleName: 'persisted' }), rt());
        expect(got.body?.role?.roleName).toBe('persisted');
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('accounts file', () => {
  it.each([
    [{ accounts: [{ id: '123', name: 'short' }] }, 'accounts.0.id'],
    [{ accounts: [] }, 'accounts'],
    [
      { accounts: [{ id: '1234567890123456', name: 'x', roles: [{ name: 'bad name', trustPolicy: '{}' }] }] },
      'accounts.0.roles.0.name',
    ],
    [
      { accounts: [{ id: '1234567890123456', name: 'x', roles: [{ name: 'r', trustPolicy: '{"Version":"2"}' }] }] },
      'accounts.0.roles.0.trustPolicy',
    ],
  ])('refuses %j naming %s', (doc, field) => {
    expect(() => buildAccountStates(doc, new Date())).toThrow(field);
  });

  it('loads the shipped example: automation runner, two owners with the management role, a task account', () => {
    const accounts = buildAccountStates(exampleAccountsDocument, new Date());
    expect(accounts.size).toBe(4);
    for (const owner of [EXAMPLE.sourceOwner.id, EXAMPLE.destinationOwner.id]) {
      const role = accounts.get(owner)?.roles.get(managementRole);
      expect(JSON.parse(role?.trustPolicy ?? '').Statement[0].Principal.RAM).toEqual([
        `acs:ram::${automation.id}:root`,
      ]);
      expect(role?.policies.map((p) => p.name)).toEqual(['AliyunRAMFullAccess']);
    }
    expect(
      accounts
        .get(automation.id)
        ?.users.get('dts-trust-runner')
        ?.policies.map((p) => p.name),
    ).toContain('AliyunSTSAssumeRoleAccess');
  });
});

describe('local-cloud CLI', () => {
  it('prints exactly one ready line and stops cleanly on SIGTERM', async () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'local/harness/local-cloud-main.ts',
        '--port',
        '0',
        '--accounts',
        'local/accounts.example.json',
      ],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const ready = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line; stderr: ${stderr}`)), 20_000);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('\n')) {
          clearTimeout(timer);
          resolve(stdout);
        }
      });
    });
    expect(ready).toMatch(/^local cloud listening on http:\/\/127\.0\.0\.1:\d+\n$/);
    const url = ready.trim().split(' ').pop() ?? '';
    expect((await fetch(`${url}/__admin/health`)).status).toBe(200);
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
  });
});
