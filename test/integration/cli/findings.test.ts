import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FindingsJson } from '../../../cli/json-documents.js';
import { runCli } from '../../../cli/main.js';
import { LOCAL_AUTOMATION, LOCAL_EVENT_BUS, localCloudEnvironment } from '../../../local/harness/local-environment.js';
import { deliverAuditEvents } from '../../../shared/audit/deliver-audit-events.js';
import type { Services } from '../../../shared/composition/services.js';
import { type FindingData, newFindingEvent } from '../../../shared/domain/finding.js';
import { TIMER_RUN } from '../../../shared/evidence/liveness.js';
import { EXAMPLE, INSTANT_TABLES, startTestCloud, type TestCloud } from '../../support/local-cloud.js';
import { localRunnerServices } from '../../support/local-services.js';

let cloud: TestCloud;
let env: Record<string, string>;
let services: Services;

async function cli(...argv: string[]) {
  const lines: string[] = [];
  const code = await runCli(argv, env, { line: (t) => lines.push(t), interactive: false });
  return { code, text: lines.join('\n') };
}

const ROLE = `acs:ram::${EXAMPLE.sourceOwner.id}:role/ram-for-dts`;

function finding(kind: 'wildcard-principal-removed' | 'unowned-role-in-the-way', about: string) {
  return newFindingEvent({
    id: randomUUID(),
    kind,
    subject: ROLE,
    about,
    time: new Date(),
    correlationId: 'run-1',
    summary: `${kind} on ${ROLE}`,
    evidence: { about },
  });
}

beforeAll(async () => {
  cloud = await startTestCloud({ services: { eventbridge: { buses: [LOCAL_EVENT_BUS] }, ...INSTANT_TABLES } });
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

describe('npm run cli -- findings', () => {
  it('lists the open findings most severe first, filters by severity, and closes one with an audited reason', async () => {
    const wildcard = finding('wildcard-principal-removed', '["RAM *"]');
    const unowned = finding('unowned-role-in-the-way', 'RoleNotManaged');
    await services.outbox.record(unowned);
    await services.outbox.record(wildcard);
    await deliverAuditEvents(services.outbox, services.sink, {});
    const wildcardId = (wildcard.data as FindingData).findingId;
    const unownedId = (unowned.data as FindingData).findingId;

    const listed = await cli('findings');
    expect(listed.code).toBe(0);
    const lines = listed.text.split('\n');
    expect(lines[0]).toContain(wildcardId);
    expect(lines[0]).toContain('critical');
    expect(lines[1]).toContain(unownedId);
    expect(lines.at(-1)).toBe('2 open finding(s)');
    expect((await cli('findings', '--severity', 'high')).text).not.toContain(unownedId);

    const closed = await cli(
      'findings',
      'close',
      wildcardId,
      '--reason',
      'the console edit was reverted',
      '--by',
      'ana',
    );
    expect(closed.code).toBe(0);
    expect((await cli('findings')).text).not.toContain(wildcardId);
    const all = await cli('findings', '--all', '--json');
    const record = JSON.parse(all.text).findings.find((f: { findingId: string }) => f.findingId === wildcardId);
    expect(record).toMatchObject({ state: 'resolved', resolvedBy: 'ana', resolution: 'the console edit was reverted' });
    const trail = [];
    for await (const entry of services.history.trail(ROLE)) trail.push(entry.event.type);
    expect(trail).toContain('dts-trust.resolved.wildcard-principal-removed');
    expect((await cli('findings', 'close', wildcardId, '--reason', 'again', '--by', 'ana')).code).toBe(1);
  });

  it('records one resolution when a close is repeated before the first one is delivered', async () => {
    const removal = finding('wildcard-principal-removed', '["RAM acs:ram::*:root"]');
    await services.outbox.record(removal);
    await deliverAuditEvents(services.outbox, services.sink, {});
    const findingId = (removal.data as FindingData).findingId;

    cloud.cloud.setFaults({ outages: ['eventbridge'] });
    try {
      expect((await cli('findings', 'close', findingId, '--reason', 'reverted by hand', '--by', 'ana')).code).toBe(3);
      expect((await cli('findings', 'close', findingId, '--reason', 'reverted, checked', '--by', 'ana')).code).toBe(3);
    } finally {
      cloud.cloud.setFaults({});
    }
    const waiting = (await services.outbox.pending(1000)).filter(
      (e) => (e.data as Partial<FindingData>).findingId === findingId,
    );
    expect(waiting).toHaveLength(1);
    expect(waiting[0]?.data).toMatchObject({ summary: 'reverted, checked', resolvedBy: 'ana' });

    await deliverAuditEvents(services.outbox, services.sink, {});
    const resolutions = [];
    for await (const entry of services.history.trail(ROLE)) {
      if ((entry.event.data as Partial<FindingData>).findingId === findingId && entry.event.type.includes('resolved'))
        resolutions.push(entry.event.id);
    }
    expect(resolutions).toHaveLength(1);
    expect((await cli('findings', 'close', findingId, '--reason', 'third time', '--by', 'ana')).code).toBe(1);
  });

  it('judges the liveness of the timer against the clock: a stale heartbeat comes first and exits 1', async () => {
    await services.heartbeats.beat(TIMER_RUN, new Date(Date.now() - 2 * 3600 * 1000), 'run-old');
    const stale = await cli('findings');
    expect(stale.code).toBe(1);
    expect(stale.text.split('\n')[0]).toMatch(/critical reconciler-not-running .* no successful run for 120 minutes/);
    expect(stale.text).toContain('the reconciler is not running');
    expect(FindingsJson.parse(JSON.parse((await cli('findings', '--json')).text)).liveness).toMatchObject({
      stale: true,
      gapMinutes: 120,
    });

    await services.heartbeats.beat(TIMER_RUN, new Date(), 'run-now');
    const fresh = await cli('findings');
    expect(fresh.code).toBe(0);
    expect(fresh.text).not.toContain('reconciler-not-running');
  });

  it('refuses a severity it does not know, naming the option and the levels', async () => {
    const bad = await cli('findings', '--severity', 'urgent');
    expect(bad.code).toBe(2);
    expect(bad.text).toContain('severity');
    expect(bad.text).toContain('low, medium, high, critical');
  });
});
