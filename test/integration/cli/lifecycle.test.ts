/**
 * The lifecycle commands against the local cloud: the CLI builds and signs tickets as a ticketing system of its
 * own (`cli`), sends them with `@alicloud/mns`, and the queue trigger delivers them to the deployed intake; the
 * previews and `status` read the stores and RAM through the real SDKs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreviewJson, SentJson, StatusJson } from '../../../cli/json-documents.js';
import { runCli } from '../../../cli/main.js';
import { readEventBridgeEvents } from '../../../local/cloud/services/eventbridge/store.js';
import { deployLocally } from '../../../local/harness/local-deployment.js';
import {
  LOCAL_AUTOMATION,
  LOCAL_EVENT_BUS,
  localCloudEnvironment,
  localTrustSettings,
} from '../../../local/harness/local-environment.js';
import { DEMO_TICKET_KEY } from '../../../local/harness/sample-events.js';
import { deployTicketQueue, LOCAL_TICKET_SENDER, ticketTrigger } from '../../../local/harness/ticket-queue.js';
import type { Services } from '../../../shared/composition/services.js';
import { FakeClock } from '../../support/fake-clock.js';
import { EXAMPLE, INSTANT_TABLES, startTestCloud, type TestCloud } from '../../support/local-cloud.js';
import { localRunnerServices } from '../../support/local-services.js';

const CLI_KEY = { keyId: 'cli-2026', secret: 'cli-secret-for-the-lifecycle-suite-0001' } as const;
const SETTINGS = localTrustSettings({
  ticketSystems: {
    jira: { keys: { [DEMO_TICKET_KEY.keyId]: DEMO_TICKET_KEY.secret }, administrator: false, adoptRoleNames: [] },
    cli: { keys: { [CLI_KEY.keyId]: CLI_KEY.secret }, administrator: false, adoptRoleNames: [] },
  },
});
const ROLE = 'ram-for-dts-lifecycle';
const OWNER = EXAMPLE.sourceOwner.id;
const TRUSTED = EXAMPLE.destinationOwner.id;

let cloud: TestCloud;
let services: Services;
let dir: string;
let relationshipFile: string;
let env: Record<string, string>;

const relationshipYaml = `scenario: source
source: { accountId: "${OWNER}", databaseType: mysql, accessMethod: instance, roleName: ${ROLE} }
destination: { accountId: "${TRUSTED}", databaseType: mysql, accessMethod: instance }
`;

/** Run the CLI as an operator: the runner's keys read the stores and RAM. */
async function cli(argv: string[], keys: { accessKeyId: string; accessKeySecret: string } = LOCAL_AUTOMATION.runner) {
  const lines: string[] = [];
  const code = await runCli(
    argv,
    { ...env, ALIBABA_CLOUD_ACCESS_KEY_ID: keys.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: keys.accessKeySecret },
    { line: (t) => lines.push(t), interactive: false },
  );
  return { code, text: lines.join('\n'), lines };
}

const ticket = (id: string) => ['--ticket', id, '--approver', 'ben', '--requester', 'ana'];

/** Send as the ticketing system's RAM user, then let the trigger deliver; the intake's results. */
async function sendAndDeliver(argv: string[]): Promise<{ outcome: string; codes?: string[] }[]> {
  const sent = await cli([...argv, '--json'], LOCAL_TICKET_SENDER);
  expect(sent.code).toBe(0);
  expect(sent.lines).toHaveLength(1);
  expect(SentJson.parse(JSON.parse(sent.lines[0]!))).toMatchObject({ sent: [{ messageId: expect.any(String) }] });
  const deliveries = await ticketTrigger(cloud.cloud).drain();
  return deliveries.flatMap(
    (d) =>
      (d.invocations.at(-1)?.body as { results?: { outcome: string; codes?: string[] }[] } | undefined)?.results ?? [],
  );
}

async function status(): Promise<{ code: number; roles: Record<string, unknown>[] }> {
  const { code, lines } = await cli(['status', '--owner', OWNER, '--role', ROLE, '--json']);
  return { code, roles: StatusJson.parse(JSON.parse(lines[0]!)).roles as Record<string, unknown>[] };
}

beforeAll(async () => {
  cloud = await startTestCloud({ services: { eventbridge: { buses: [LOCAL_EVENT_BUS] }, ...INSTANT_TABLES } });
  const extra = { DTS_TRUST_SETTINGS: JSON.stringify(SETTINGS) };
  deployLocally(cloud.cloud, extra);
  await deployTicketQueue(cloud.cloud, { clock: new FakeClock(new Date()) });
  services = await localRunnerServices(cloud.cloud, { extra });
  dir = await mkdtemp(join(tmpdir(), 'dts-trust-lifecycle-'));
  relationshipFile = join(dir, 'relationship.yaml');
  await writeFile(relationshipFile, relationshipYaml, 'utf8');
  env = {
    ...localCloudEnvironment(cloud.cloud, extra),
    DTS_TRUST_TICKET_KEY_ID: CLI_KEY.keyId,
    DTS_TRUST_TICKET_KEY_SECRET: CLI_KEY.secret,
    DTS_TRUST_MNS_ENDPOINT: cloud.cloud.url,
  };
});

afterAll(async () => {
  await cloud?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the lifecycle through the CLI', () => {
  it('previews a declaration role by role and sends nothing', async () => {
    const { code, text } = await cli(['declare', relationshipFile, ...ticket('CHG-1'), '--preview']);
    expect(code).toBe(0);
    expect(text).toMatch(/ROLE\s+TRUSTED NOW\s+TRUSTED AFTER/);
    expect(text).toContain(`${OWNER}/${ROLE}  -            ${TRUSTED}`);
    expect(text).toContain('create role');
    expect(text).toContain('preview only, nothing sent');
    expect(await ticketTrigger(cloud.cloud).drain()).toEqual([]);
    expect(cloud.cloud.log.some((e) => e.action === 'CreateRole')).toBe(false);
  });

  it('declares through the queue as the cli system, and the outcome reaches the bus with the ticket', async () => {
    expect((await sendAndDeliver(['declare', relationshipFile, ...ticket('CHG-1')])).map((r) => r.outcome)).toEqual([
      'declared',
    ]);
    expect(
      await services.grants.getGrant({ ownerAccountId: OWNER, roleName: ROLE, trustedAccountId: TRUSTED }),
    ).toMatchObject({ ticket: { system: 'cli', id: 'CHG-1', requester: 'ana', approver: 'ben' } });
    const outcome = readEventBridgeEvents(cloud.cloud.core, { bus: LOCAL_EVENT_BUS }).find(
      (e) => e.event.type === 'dts-trust.ticket.processed' && e.event.subject === 'dts-trust:ticket/cli/CHG-1',
    );
    expect(outcome?.event.data).toMatchObject({
      outcome: 'declared',
      ticket: { system: 'cli', id: 'CHG-1' },
      detail: { system: 'cli', action: 'declare', roles: [{ role: `${OWNER}/${ROLE}`, outcome: 'created' }] },
    });
  });

  it('shows the role in status: its grant, in sync, created, and when it expires', async () => {
    const table = await cli(['status', '--owner', OWNER, '--role', ROLE]);
    expect(table.code).toBe(0);
    expect(table.lines[0]).toMatch(/^ROLE\s+MODE\s+GRANTS\s+LIVE\s+LAST\s+NEXT EXPIRY\s+NOTE$/);
    expect(table.text).toContain(`${TRUSTED} cli:CHG-1`);
    const { roles } = await status();
    expect(roles).toEqual([
      expect.objectContaining({
        roleName: ROLE,
        mode: 'enforce',
        live: { state: 'inSync', details: [] },
        last: expect.objectContaining({ result: 'created', failureCount: 0 }),
        nextExpiry: expect.any(String),
        attention: false,
      }),
    ]);
  });

  it("switches the role's grants to observe with a signed mode ticket, previewed first", async () => {
    const preview = await cli(['mode', 'observe', '--owner', OWNER, '--role', ROLE, ...ticket('CHG-2'), '--preview']);
    expect(preview.code).toBe(0);
    expect(preview.text).toContain('enforce -> observe');
    expect(
      (await sendAndDeliver(['mode', 'observe', '--owner', OWNER, '--role', ROLE, ...ticket('CHG-2')]))[0],
    ).toMatchObject({ outcome: 'modeChanged' });
    expect((await status()).roles[0]).toMatchObject({ mode: 'observe' });
  });

  it('resumes a flap-paused role with a signed ticket, and status stops asking for attention', async () => {
    const row = await services.status.getStatus({ ownerAccountId: OWNER, roleName: ROLE });
    await services.status.putStatus({ ...row!, pausedReason: 'the same drift was repaired 3 times' }, row!.version);
    const paused = await status();
    expect(paused.code).toBe(1);
    expect(paused.roles[0]).toMatchObject({ attention: true, last: { pausedReason: expect.any(String) } });
    const preview = await cli(['resume', '--owner', OWNER, '--role', ROLE, ...ticket('CHG-3'), '--preview']);
    expect(preview.text).toContain('clears the flap pause');
    expect((await sendAndDeliver(['resume', '--owner', OWNER, '--role', ROLE, ...ticket('CHG-3')]))[0]).toMatchObject({
      outcome: 'resumed',
    });
    const resumed = await status();
    expect(resumed.code).toBe(0);
    expect(resumed.roles[0]?.['last']).not.toHaveProperty('pausedReason');
  });

  it('previews a ticket the intake would refuse as rejected, naming each problem, and sends nothing', async () => {
    const before = (await status()).roles;
    const { code, lines } = await cli([
      'declare',
      relationshipFile,
      ...ticket('CHG-X'),
      '--expires-at',
      '2099-01-01T00:00:00Z',
      '--preview',
      '--json',
    ]);
    const preview = PreviewJson.parse(JSON.parse(lines[0]!));
    expect({ code, rejected: preview.rejected, roles: preview.roles }).toEqual({ code: 1, rejected: true, roles: [] });
    expect(preview.problems).toEqual([expect.objectContaining({ field: expect.stringContaining('expiresAt') })]);
    expect(await ticketTrigger(cloud.cloud).drain()).toEqual([]);
    expect((await status()).roles).toEqual(before);
  });

  it('previews a revocation as the role losing its trusted account and being deleted, then revokes it', async () => {
    const { code, lines } = await cli(['revoke', relationshipFile, ...ticket('CHG-4'), '--preview', '--json']);
    expect(code).toBe(0);
    expect(PreviewJson.parse(JSON.parse(lines[0]!))).toMatchObject({
      action: 'revoke',
      rejected: false,
      roles: [
        {
          roleName: ROLE,
          trustedBefore: [TRUSTED],
          trustedAfter: [],
          changes: expect.arrayContaining([expect.stringContaining('delete role')]),
        },
      ],
    });
    expect((await sendAndDeliver(['revoke', relationshipFile, ...ticket('CHG-4')]))[0]).toMatchObject({
      outcome: 'revoked',
    });
    expect(cloud.cloud.log.some((e) => e.action === 'DeleteRole')).toBe(true);
  });

  it('shows a ticket the intake would refuse as refused, with its codes, exits 1 and sends nothing', async () => {
    const { code, text } = await cli([
      'mode',
      'paused',
      '--owner',
      OWNER,
      '--role',
      'nobody-declared',
      ...ticket('CHG-5'),
      '--preview',
    ]);
    expect(code).toBe(1);
    expect(text).toContain('REJECTED');
    expect(text).toContain('RoleNotDeclared');
    expect(await ticketTrigger(cloud.cloud).drain()).toEqual([]);
  });

  it('refuses a ticket without its ticket reference or with a bad mode, naming the option, and exits 2', async () => {
    const missing = await cli(['resume', '--owner', OWNER, '--role', ROLE, '--approver', 'ben']);
    expect(missing.code).toBe(2);
    expect(missing.text).toContain('options.ticket');
    const mode = await cli(['mode', 'off', '--owner', OWNER, '--role', ROLE, ...ticket('CHG-6')]);
    expect(mode.code).toBe(2);
    expect(mode.text).toContain('options.mode');
  });

  it('exits 3 when the work is done but the audit events could not reach the bus, and 0 once they do', async () => {
    cloud.cloud.setFaults({ outages: ['eventbridge'] });
    try {
      expect((await sendAndDeliver(['declare', relationshipFile, ...ticket('CHG-7')]))[0]).toMatchObject({
        outcome: 'declared',
      });
      const stuck = await cli(['reconcile', '--role', ROLE]);
      expect(stuck.text).toMatch(/pending: [1-9]/);
      expect(stuck.code).toBe(3);
    } finally {
      cloud.cloud.setFaults({});
    }
    const delivered = await cli(['reconcile', '--role', ROLE]);
    expect(delivered.text).toContain('pending: 0');
    expect(delivered.code).toBe(0);
  });

  it('plans the deletion of a role whose grant rows are gone but whose status row remains, as the run then does', async () => {
    await services.grants.deleteGrant({ ownerAccountId: OWNER, roleName: ROLE, trustedAccountId: TRUSTED });
    const deletions = (from: number) => cloud.cloud.log.slice(from).filter((e) => e.action === 'DeleteRole').length;
    const beforePlan = cloud.cloud.log.length;
    const plan = await cli(['plan', '--owner', OWNER]);
    expect(plan.text).toContain(`${OWNER}/${ROLE}`);
    expect(plan.text).toContain('delete role');
    expect(deletions(beforePlan)).toBe(0);
    const beforeRun = cloud.cloud.log.length;
    const run = await cli(['reconcile', '--owner', OWNER]);
    expect(run.code).toBe(0);
    expect(deletions(beforeRun)).toBeGreaterThan(0);
  });
});

describe('a Tencent relationship from the CLI', () => {
  const UIN = '100000000001';
  const TASK_UIN = '100000000002';
  const TENCENT_ROLE = 'DTS-cli';

  it("is declared, switched to observe and shown in status by the owner's UIN", async () => {
    const file = join(dir, 'tencent.yaml');
    await writeFile(
      file,
      `cloud: tencent
scenario: source
source: { accountId: "${UIN}", databaseType: mysql, accessMethod: instance, roleName: ${TENCENT_ROLE} }
destination: { accountId: "${TASK_UIN}", databaseType: mysql, accessMethod: instance }
`,
      'utf8',
    );
    expect((await sendAndDeliver(['declare', file, ...ticket('CHG-T1')])).map((r) => r.outcome)).toEqual(['declared']);
    expect(
      (await sendAndDeliver(['mode', 'observe', '--owner', UIN, '--role', TENCENT_ROLE, ...ticket('CHG-T2')]))[0],
    ).toMatchObject({ outcome: 'modeChanged' });
    const { code, lines } = await cli(['status', '--owner', UIN, '--role', TENCENT_ROLE, '--json']);
    expect(code).toBe(0);
    expect(StatusJson.parse(JSON.parse(lines[0]!)).roles).toEqual([
      expect.objectContaining({ roleName: TENCENT_ROLE, mode: 'observe', live: { state: 'inSync', details: [] } }),
    ]);
  });
});
