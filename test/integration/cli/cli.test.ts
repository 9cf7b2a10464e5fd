import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/main.js';
import { readEventBridgeEvents } from '../../../local/cloud/services/eventbridge/store.js';
import { editInConsole } from '../../../local/harness/console-edits.js';
import { LOCAL_AUTOMATION, LOCAL_EVENT_BUS, localCloudEnvironment } from '../../../local/harness/local-environment.js';
import { createServices } from '../../../shared/composition/services.js';
import { loadConfig } from '../../../shared/config/config.js';
import { GrantSchema } from '../../../shared/domain/grant.js';
import { EXAMPLE, startTestCloud, type TestCloud } from '../../support/local-cloud.js';

let cloud: TestCloud;
let env: Record<string, string>;

async function cli(...argv: string[]) {
  const lines: string[] = [];
  const code = await runCli(argv, env, { line: (t) => lines.push(t), interactive: false });
  return { code, text: lines.join('\n') };
}

beforeAll(async () => {
  cloud = await startTestCloud({ services: { eventbridge: { buses: [LOCAL_EVENT_BUS] } } });
  env = {
    ...localCloudEnvironment(cloud.cloud),
    ALIBABA_CLOUD_ACCESS_KEY_ID: LOCAL_AUTOMATION.runner.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: LOCAL_AUTOMATION.runner.accessKeySecret,
  };
  const services = createServices(loadConfig(env), {
    tablestoreKeys: LOCAL_AUTOMATION.runner,
    ownKeys: async () => LOCAL_AUTOMATION.runner,
  });
  await services.ensureTables();
  await services.grants.putGrant(
    GrantSchema.parse({
      ownerAccountId: EXAMPLE.sourceOwner.id,
      roleName: 'ram-for-dts-cli',
      trustedAccountId: EXAMPLE.destinationOwner.id,
      ticket: { system: 'jira', id: 'DBA-7', requester: 'ana', approver: 'ben' },
    }),
  );
});

afterAll(async () => {
  await cloud?.stop();
});

describe('dts-trust CLI', () => {
  it('creates the tables idempotently', async () => {
    expect(await cli('setup')).toMatchObject({ code: 0 });
  });

  it('lists the declared grants', async () => {
    const { code, text } = await cli('grants', '--owner', EXAMPLE.sourceOwner.id);
    expect(code).toBe(0);
    expect(text).toContain(`${EXAMPLE.sourceOwner.id}/ram-for-dts-cli/${EXAMPLE.destinationOwner.id}`);
  });

  it('plans the creation without making it, then reconciles, then plans nothing', async () => {
    const plan = await cli('plan');
    expect(plan.text).toMatch(/create/i);
    expect(plan.text).toContain('1 role(s) would change');
    expect(cloud.cloud.log.some((e) => e.action === 'CreateRole')).toBe(false);
    const run = await cli('reconcile');
    expect(run.code).toBe(0);
    expect(run.text).toContain('"created":1');
    expect((await cli('plan')).text).toContain('0 role(s) would change');
  });

  it('shows a console edit as a planned repair and repairs one role by name', async () => {
    await editInConsole(cloud.cloud, {
      kind: 'detachPolicy',
      accountId: EXAMPLE.sourceOwner.id,
      roleName: 'ram-for-dts-cli',
      policyName: 'AliyunDTSRolePolicy',
    });
    expect((await cli('plan', '--role', 'ram-for-dts-cli')).text).toContain('1 role(s) would change');
    const run = await cli('reconcile', '--role', 'ram-for-dts-cli');
    expect(run.text).toContain('ram-for-dts-cli: repaired');
  });

  it('revokes every grant of a compromised ticketing system, removes its roles now and leaves the others', async () => {
    const services = createServices(loadConfig(env), {
      tablestoreKeys: LOCAL_AUTOMATION.runner,
      ownKeys: async () => LOCAL_AUTOMATION.runner,
    });
    const declared = (roleName: string, system: string) =>
      GrantSchema.parse({
        ownerAccountId: EXAMPLE.sourceOwner.id,
        roleName,
        trustedAccountId: EXAMPLE.destinationOwner.id,
        ticket: { system, id: `${system}-1`, requester: 'ana', approver: 'ben' },
        origin: { system, keyId: `${system}-key`, messageId: `${roleName}-msg` },
      });
    await services.grants.putGrant(declared('ram-for-dts-rogue', 'rogue'));
    await services.grants.putGrant(declared('ram-for-dts-kept', 'servicenow'));
    expect((await cli('reconcile')).code).toBe(0);
    const run = await cli('revoke-system', 'rogue');
    expect(run.code).toBe(0);
    expect(run.text).toContain('1 grant(s) of rogue revoked');
    expect(run.text).toContain('ram-for-dts-rogue: deleted');
    const left = (await cli('grants')).text;
    expect(left).not.toContain('ram-for-dts-rogue');
    expect(left).toContain('ram-for-dts-kept');
    const revoked = readEventBridgeEvents(cloud.cloud.core, { bus: LOCAL_EVENT_BUS }).filter(
      (e) => e.event.type === 'dts-trust.grant.revoked',
    );
    expect(revoked.map((e) => (e.event.data as { grantIds: string[] }).grantIds[0])).toEqual([
      `${EXAMPLE.sourceOwner.id}/ram-for-dts-rogue/${EXAMPLE.destinationOwner.id}`,
    ]);
    expect((await cli('revoke-system', 'rogue')).text).toContain('0 grant(s) of rogue revoked');
  });

  it('gives the grants an earlier release stored without an expiry the maximum lifetime, once', async () => {
    const before = Date.now();
    const run = await cli('cap-lifetimes');
    expect(run.code).toBe(0);
    expect(run.text).toContain(`capped ${EXAMPLE.sourceOwner.id}/ram-for-dts-cli/${EXAMPLE.destinationOwner.id}`);
    const services = createServices(loadConfig(env), {
      tablestoreKeys: LOCAL_AUTOMATION.runner,
      ownKeys: async () => LOCAL_AUTOMATION.runner,
    });
    const stored = await services.grants.getGrant({
      ownerAccountId: EXAMPLE.sourceOwner.id,
      roleName: 'ram-for-dts-cli',
      trustedAccountId: EXAMPLE.destinationOwner.id,
    });
    const days = (Date.parse(stored?.expiresAt ?? '') - before) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThan(90.1);
    const capped = readEventBridgeEvents(cloud.cloud.core, { bus: LOCAL_EVENT_BUS }).filter(
      (e) => (e.event.data as { outcome?: string }).outcome === 'lifetimeCapped',
    );
    expect(capped.length).toBeGreaterThan(0);
    expect((await cli('cap-lifetimes')).text).toContain('0 grant(s) without an expiry');
  });

  it('refuses a system name that is not one', async () => {
    const { code, text } = await cli('revoke-system', '../etc');
    expect(code).toBe(2);
    expect(text).toContain('ticketing system name');
  });

  it('refuses a malformed owner account with the DTS code', async () => {
    const { code, text } = await cli('grants', '--owner', '123');
    expect(code).toBe(2);
    expect(text).toContain('AliyunUidFormat');
  });

  it('names every bad environment variable', async () => {
    const lines: string[] = [];
    const code = await runCli(
      ['grants'],
      { ...env, DTS_TRUST_PROTOCOL: 'ftp' },
      { line: (t) => lines.push(t), interactive: false },
    );
    expect(code).toBe(2);
    expect(lines.join('\n')).toContain('DTS_TRUST_PROTOCOL');
  });
});
