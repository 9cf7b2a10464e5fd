/**
 * The findings a reconcile run raises, end to end against the local cloud: `npm run cli -- reconcile` records them in
 * the audit outbox with the run's other events, delivers them to the bus, and `npm run cli -- findings` lists them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FindingsJson } from '../../../cli/json-documents.js';
import { runCli } from '../../../cli/main.js';
import { readEventBridgeEvents } from '../../../local/cloud/services/eventbridge/store.js';
import { LOCAL_AUTOMATION, LOCAL_EVENT_BUS, localCloudEnvironment } from '../../../local/harness/local-environment.js';
import type { Services } from '../../../shared/composition/services.js';
import { GrantSchema } from '../../../shared/domain/grant.js';
import { buildTrustPolicy, renderTrustPolicy } from '../../../shared/policy/index.js';
import { EXAMPLE, INSTANT_TABLES, startTestCloud, type TestCloud } from '../../support/local-cloud.js';
import { localRunnerServices } from '../../support/local-services.js';

let cloud: TestCloud;
let env: Record<string, string>;
let services: Services;
const owner = EXAMPLE.sourceOwner.id;
const trusted = EXAMPLE.destinationOwner.id;
const stranger = EXAMPLE.taskCreator.id;
const ownerRoot = { accountId: owner, ...EXAMPLE.sourceOwner.root };

async function cli(...argv: string[]) {
  const lines: string[] = [];
  const code = await runCli(argv, env, { line: (t) => lines.push(t), interactive: false });
  return { code, text: lines.join('\n') };
}

const grant = (ownerAccountId: string, roleName: string) =>
  GrantSchema.parse({
    ownerAccountId,
    roleName,
    trustedAccountId: trusted,
    ticket: { system: 'jira', id: `DBA-${roleName}`, requester: 'ana', approver: 'ben' },
  });

/** The open findings `findings --json` lists, by kind. */
async function openFindings(): Promise<Map<string, { subject: string; severity: string; findingId: string }>> {
  const listed = FindingsJson.parse(JSON.parse((await cli('findings', '--json')).text));
  return new Map(listed.findings.map((f) => [f.kind, f]));
}

const findingTypesOnBus = () =>
  readEventBridgeEvents(cloud.cloud.core, { accountId: LOCAL_AUTOMATION.accountId, bus: LOCAL_EVENT_BUS })
    .map((e) => String(e.event['type']))
    .filter((t) => t.startsWith('dts-trust.finding.'));

beforeAll(async () => {
  cloud = await startTestCloud({
    services: { eventbridge: { buses: [LOCAL_EVENT_BUS] }, ram: { detachSettleSeconds: 0 }, ...INSTANT_TABLES },
  });
  env = {
    ...localCloudEnvironment(cloud.cloud),
    ALIBABA_CLOUD_ACCESS_KEY_ID: LOCAL_AUTOMATION.runner.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: LOCAL_AUTOMATION.runner.accessKeySecret,
  };
  services = await localRunnerServices(cloud.cloud);
});

afterAll(async () => {
  await cloud?.stop();
});

describe('the findings of a reconcile run against the local cloud', () => {
  it('puts the removal of an undeclared principal on the bus, and findings lists it', async () => {
    await services.grants.putGrant(grant(owner, 'ram-for-dts-findings'));
    expect((await cli('reconcile')).code).toBe(0);
    // Someone adds an account no grant declares by hand (the console's trust-policy editor).
    await services.directory.updateTrustPolicy(
      ownerRoot,
      'ram-for-dts-findings',
      renderTrustPolicy(buildTrustPolicy([trusted, stranger])),
    );
    expect((await cli('reconcile')).text).toContain('"repaired":1');
    expect(findingTypesOnBus()).toContain('dts-trust.finding.undeclared-principal-removed');
    expect((await openFindings()).get('undeclared-principal-removed')).toMatchObject({
      subject: `acs:ram::${owner}:role/ram-for-dts-findings`,
      severity: 'high',
      findingId: expect.stringMatching(/^fnd-[0-9a-f]{32}$/),
    });
  });

  it('reports a role it did not create as an unowned role in the way, and leaves it as it is', async () => {
    await services.directory.createRole(ownerRoot, {
      roleName: 'hand-made-dts',
      description: 'made in the console',
      trustPolicy: renderTrustPolicy(buildTrustPolicy([trusted])),
      tags: {},
    });
    await services.grants.putGrant(grant(owner, 'hand-made-dts'));
    await cli('reconcile');
    expect((await services.directory.getRole(ownerRoot, 'hand-made-dts'))?.description).toBe('made in the console');
    expect(findingTypesOnBus()).toContain('dts-trust.finding.unowned-role-in-the-way');
    expect((await openFindings()).get('unowned-role-in-the-way')).toMatchObject({
      subject: `acs:ram::${owner}:role/hand-made-dts`,
      severity: 'medium',
    });
  });

  it('reports an owner account without a management role as management-role-broken', async () => {
    await services.grants.putGrant(grant(stranger, 'ram-for-dts'));
    await cli('reconcile');
    expect(findingTypesOnBus()).toContain('dts-trust.finding.management-role-broken');
    expect((await openFindings()).get('management-role-broken')).toMatchObject({
      subject: `acs:ram::${stranger}:root`,
      severity: 'high',
    });
  });
});
