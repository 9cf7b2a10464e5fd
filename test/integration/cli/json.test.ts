/**
 * `--json` and the exit codes of the operator commands against the local cloud: each command's stdout is one JSON
 * document that its schema in cli/json-documents.ts parses (strictly: a field the schema lacks fails), nothing else
 * is on stdout (errors and log lines go to the diagnostics, stderr in the CLI), and the exit code says what happened.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import TableStore from 'tablestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  CapLifetimesJson,
  CloseFindingJson,
  GrantsJson,
  PlanJson,
  ReconcileJson,
  ReplayJson,
  RevokeSystemJson,
  SetAsideJson,
  SetupJson,
} from '../../../cli/json-documents.js';
import { runCli } from '../../../cli/main.js';
import { editInConsole } from '../../../local/harness/console-edits.js';
import { LOCAL_AUTOMATION, LOCAL_EVENT_BUS, localCloudEnvironment } from '../../../local/harness/local-environment.js';
import { deliverAuditEvents } from '../../../shared/audit/deliver-audit-events.js';
import type { Services } from '../../../shared/composition/services.js';
import { AuditEventType, newAuditEvent } from '../../../shared/domain/audit.js';
import { type FindingData, newFindingEvent } from '../../../shared/domain/finding.js';
import { GrantSchema } from '../../../shared/domain/grant.js';
import type { OutboxEntry } from '../../../shared/ports.js';
import { EXAMPLE, INSTANT_TABLES, startTestCloud, type TestCloud } from '../../support/local-cloud.js';
import { localRunnerServices } from '../../support/local-services.js';

const OWNER = EXAMPLE.sourceOwner.id;
const TRUSTED = EXAMPLE.destinationOwner.id;
const ROLE = 'ram-for-dts-json';
/** The bus refuses events whose id starts with `poison-` for good, as it refuses one over its size limit. */
const BUS = {
  buses: [LOCAL_EVENT_BUS],
  rejectEntries: [{ idPrefix: 'poison-', code: 'EventSizeExceed', message: 'The event size exceeds the limit.' }],
};
/** PutEvents answers 503 to every call: audit events stay in the outbox, everything else works. */
const BUS_DOWN = { errors: { rate: 1, services: ['eventbridge'], actions: ['PutEvents'] } };

let cloud: TestCloud;
let services: Services;
let env: Record<string, string>;
let dir: string;

interface Run {
  readonly code: number;
  readonly stdout: string[];
  readonly stderr: string[];
}

/** Run the CLI as a script would: stdout and the diagnostics (stderr) kept apart; a person "watches" (bars on). */
async function cli(...argv: string[]): Promise<Run> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(argv, env, {
    line: (t) => stdout.push(t),
    diagnostic: (t) => stderr.push(t),
    interactive: true,
  });
  return { code, stdout, stderr };
}

/** The one JSON document on stdout, parsed by its schema. */
function documentOf<T extends z.ZodTypeAny>(schema: T, run: Run): z.output<T> {
  expect(run.stdout).toHaveLength(1);
  return schema.parse(JSON.parse(run.stdout[0] ?? ''));
}

async function whileBusDown<T>(work: () => Promise<T>): Promise<T> {
  cloud.cloud.setFaults(BUS_DOWN);
  try {
    return await work();
  } finally {
    cloud.cloud.setFaults({});
  }
}

const declare = (roleName: string, system = 'jira') =>
  services.grants.putGrant(
    GrantSchema.parse({
      ownerAccountId: OWNER,
      roleName,
      trustedAccountId: TRUSTED,
      ticket: { system, id: `${system}-1`, requester: 'ana', approver: 'ben' },
      origin: { system, keyId: `${system}-key`, messageId: `${roleName}-msg` },
    }),
  );

beforeAll(async () => {
  cloud = await startTestCloud({ services: { eventbridge: BUS, ...INSTANT_TABLES } });
  env = {
    ...localCloudEnvironment(cloud.cloud),
    ALIBABA_CLOUD_ACCESS_KEY_ID: LOCAL_AUTOMATION.runner.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: LOCAL_AUTOMATION.runner.accessKeySecret,
  };
  services = await localRunnerServices(cloud.cloud);
  dir = await mkdtemp(join(tmpdir(), 'dts-trust-json-'));
});

afterAll(async () => {
  await cloud?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('setup --json', () => {
  it('creates a management role, exits 3 while its audit events cannot reach the bus, and 0 once they have', async () => {
    const credentials = join(dir, 'credentials.json');
    await writeFile(credentials, JSON.stringify({ accounts: { [EXAMPLE.taskCreator.id]: EXAMPLE.taskCreator.root } }));
    const argv = ['setup', '--task-account', EXAMPLE.taskCreator.id, '--create-management-roles'];
    const stuck = await whileBusDown(() => cli(...argv, '--credentials', credentials, '--json'));
    expect(stuck.code).toBe(3);
    const first = documentOf(SetupJson, stuck);
    expect(first).toMatchObject({
      tables: expect.arrayContaining(['dts_trust_grants']),
      eventBus: { name: LOCAL_EVENT_BUS, outcome: 'exists' },
      managementRoles: [
        {
          accountId: EXAMPLE.taskCreator.id,
          kind: 'task',
          status: 'applied',
          parts: { policy: 'created', role: 'created', attachment: 'attached' },
          attention: false,
        },
      ],
      ramChangeRoutes: [],
      audit: { delivered: 0, callFailure: { code: 'ServiceUnavailable' } },
    });
    expect(first.audit?.pending).toBeGreaterThan(0);
    expect(stuck.stderr.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({ level: 'error', component: 'audit-delivery', code: 'ServiceUnavailable' }),
    );

    const again = await cli(...argv, '--credentials', credentials, '--json');
    expect(again.code).toBe(0);
    expect(documentOf(SetupJson, again)).toMatchObject({
      managementRoles: [{ parts: { policy: 'exists', role: 'exists', attachment: 'exists' } }],
      audit: { pending: 0, setAside: 0 },
    });
    expect(again.stderr).toEqual([]);
  });
});

describe('grants, plan and reconcile with --json', () => {
  it('lists each grant with its id and whether it is in force', async () => {
    await declare(ROLE);
    const run = await cli('grants', '--owner', OWNER, '--json');
    expect(run.code).toBe(0);
    expect(documentOf(GrantsJson, run).grants).toEqual([
      expect.objectContaining({
        id: `${OWNER}/${ROLE}/${TRUSTED}`,
        mode: 'enforce',
        active: true,
        ticket: expect.objectContaining({ system: 'jira', id: 'jira-1' }),
      }),
    ]);
  });

  it('plans the creation, reconciles it with the audit delivered, then plans nothing', async () => {
    const before = cloud.cloud.log.length;
    const plan = documentOf(PlanJson, await cli('plan', '--role', ROLE, '--json'));
    expect(plan).toMatchObject({ wouldChange: 1, unobservable: 0, failedAccounts: [] });
    expect(plan.roles).toEqual([
      expect.objectContaining({
        observed: true,
        roleName: ROLE,
        changes: true,
        actions: expect.arrayContaining([
          { kind: 'createRole', description: expect.stringContaining(`create role ${ROLE}`) },
        ]),
      }),
    ]);
    expect(cloud.cloud.log.slice(before).some((e) => e.action === 'CreateRole')).toBe(false);

    const run = await cli('reconcile', '--json');
    expect(run.code).toBe(0);
    const reconciled = documentOf(ReconcileJson, run);
    expect(reconciled).toMatchObject({
      roles: 1,
      outcomes: { created: 1 },
      failedAccounts: [],
      statusWriteFailures: 0,
    });
    expect(reconciled.results[0]).toMatchObject({ roleName: ROLE, outcome: 'created' });
    expect(reconciled.results[0]?.applied?.map((a) => a.kind)).toContain('createRole');
    expect(reconciled.audit).toMatchObject({ pending: 0, setAside: 0 });
    expect(reconciled.audit.delivered).toBeGreaterThan(0);

    const after = await cli('plan', '--json');
    expect(after.code).toBe(0);
    expect(documentOf(PlanJson, after)).toMatchObject({ wouldChange: 0, roles: [{ changes: false }] });
  });

  it('exits 3 with the events pending while the bus refuses them; the delivery logs on stderr, stdout holds the document', async () => {
    await editInConsole(cloud.cloud, {
      kind: 'detachPolicy',
      accountId: OWNER,
      roleName: ROLE,
      policyName: 'AliyunDTSRolePolicy',
    });
    const run = await whileBusDown(() => cli('reconcile', '--role', ROLE, '--json'));
    expect(run.code).toBe(3);
    const document = documentOf(ReconcileJson, run);
    expect(document.outcomes).toEqual({ repaired: 1 });
    expect(document.audit.pending).toBeGreaterThan(0);
    const logged = run.stderr.map((line) => JSON.parse(line) as { level: string; component?: string });
    expect(logged).toContainEqual(expect.objectContaining({ level: 'error', component: 'audit-delivery' }));

    const delivered = await cli('reconcile', '--role', ROLE, '--json');
    expect(delivered.code).toBe(0);
    expect(documentOf(ReconcileJson, delivered).audit).toMatchObject({ pending: 0 });
  });

  it('exits 1 when a role is in conflict (a role dts-trust does not own is in the way), and says so', async () => {
    await declare('ram-for-dts-json-taken');
    expect((await cli('reconcile', '--role', 'ram-for-dts-json-taken')).code).toBe(0);
    await editInConsole(cloud.cloud, {
      kind: 'setDescription',
      accountId: OWNER,
      roleName: 'ram-for-dts-json-taken',
      description: 'made by hand for the data team',
    });
    const run = await cli('reconcile', '--role', 'ram-for-dts-json-taken', '--json');
    expect(run.code).toBe(1);
    expect(documentOf(ReconcileJson, run).results).toEqual([
      expect.objectContaining({ roleName: 'ram-for-dts-json-taken', outcome: 'conflict' }),
    ]);
    const text = await cli('reconcile', '--role', 'ram-for-dts-json-taken');
    expect(text.code).toBe(1);
    expect(text.stdout.join('\n')).toMatch(/ram-for-dts-json-taken: conflict/);
    await services.grants.deleteGrant({
      ownerAccountId: OWNER,
      roleName: 'ram-for-dts-json-taken',
      trustedAccountId: TRUSTED,
    });
  });

  it('exits 1 when RAM cannot be reached: plan names the roles it could not observe, reconcile the failed roles', async () => {
    cloud.cloud.setFaults({ outages: ['ram'] });
    try {
      const plan = await cli('plan', '--role', ROLE, '--json');
      expect(plan.code).toBe(1);
      expect(documentOf(PlanJson, plan)).toMatchObject({
        unobservable: 1,
        roles: [{ observed: false, roleName: ROLE, error: { code: expect.any(String) } }],
      });
      const run = await cli('reconcile', '--role', ROLE, '--json');
      expect(run.code).toBe(1);
      expect(documentOf(ReconcileJson, run).results).toEqual([
        expect.objectContaining({
          roleName: ROLE,
          outcome: 'failed',
          error: expect.objectContaining({ code: expect.any(String) }),
        }),
      ]);
    } finally {
      cloud.cloud.setFaults({});
    }
  });
});

describe('revoke-system and cap-lifetimes with --json', () => {
  it('revokes every grant of a system and deletes its role, with the audit delivered', async () => {
    await declare('ram-for-dts-json-rogue', 'rogue');
    expect((await cli('reconcile', '--role', 'ram-for-dts-json-rogue')).code).toBe(0);
    const run = await cli('revoke-system', 'rogue', '--json');
    expect(run.code).toBe(0);
    expect(documentOf(RevokeSystemJson, run)).toMatchObject({
      system: 'rogue',
      revoked: [`${OWNER}/ram-for-dts-json-rogue/${TRUSTED}`],
      roles: [{ roleName: 'ram-for-dts-json-rogue', outcome: 'deleted' }],
      audit: { pending: 0, setAside: 0 },
    });
  });

  it('caps the lifetimes of grants without an expiry, and exits 3 when the bus refuses their events', async () => {
    const run = await whileBusDown(() => cli('cap-lifetimes', '--json'));
    expect(run.code).toBe(3);
    const capped = documentOf(CapLifetimesJson, run);
    expect(capped.capped).toContain(`${OWNER}/${ROLE}/${TRUSTED}`);
    expect(capped.maxGrantDays).toBe(services.config.guardrails.maxGrantDays);
    expect(capped.audit.pending).toBeGreaterThan(0);
    const again = await cli('cap-lifetimes', '--json');
    expect(again.code).toBe(0);
    expect(documentOf(CapLifetimesJson, again)).toMatchObject({ capped: [], audit: { pending: 0 } });
  });
});

describe('set-aside and replay with --json', () => {
  it('lists set-aside events and exits 3 while any is there; a replay the bus refuses again exits 1, one it takes 0', async () => {
    const poison = `poison-${randomUUID()}`;
    await services.outbox.record(
      newAuditEvent({
        id: poison,
        type: AuditEventType.RoleInSync,
        subject: `acs:ram::${OWNER}:role/${ROLE}`,
        time: new Date(),
        data: { correlationId: 'c-json', outcome: 'inSync' },
      }),
    );
    expect(await deliverAuditEvents(services.outbox, services.sink, {})).toMatchObject({ setAside: 1 });

    const listed = await cli('set-aside', '--json');
    expect(listed.code).toBe(3);
    expect(documentOf(SetAsideJson, listed).events).toEqual([
      expect.objectContaining({ eventId: poison, code: 'EventSizeExceed', type: 'dts-trust.role.in-sync' }),
    ]);

    const refused = await cli('replay', poison, '--json');
    expect(refused.code).toBe(1);
    expect(documentOf(ReplayJson, refused)).toMatchObject({ eventId: poison, replayed: true, audit: { setAside: 1 } });
    const unknown = await cli('replay', 'no-such-event', '--json');
    expect(unknown.code).toBe(1);
    expect(documentOf(ReplayJson, unknown)).toEqual({ eventId: 'no-such-event', replayed: false });

    // An event set aside after too many refusals that the bus now takes: the replay delivers it.
    const later = randomUUID();
    await services.outbox.record(
      newAuditEvent({
        id: later,
        type: AuditEventType.RoleInSync,
        subject: `acs:ram::${OWNER}:role/${ROLE}`,
        time: new Date(),
        data: { correlationId: 'c-json', outcome: 'inSync' },
      }),
    );
    let entry: OutboxEntry | undefined;
    for await (const page of services.outbox.entries(100)) entry ??= page.find((e) => e.eventId === later);
    await services.outbox.setAside(entry!, { code: 'Throttling', message: 'refused 5 times' }, new Date());
    const replayed = await cli('replay', later, '--json');
    expect(replayed.code).toBe(0);
    expect(documentOf(ReplayJson, replayed)).toMatchObject({ replayed: true, audit: { setAside: 0, pending: 0 } });

    await services.tablestore.deleteRow({
      tableName: services.config.tables.deadLetters,
      primaryKey: [{ eventId: poison }],
      condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
    });
    const empty = await cli('set-aside', '--json');
    expect(empty.code).toBe(0);
    expect(documentOf(SetAsideJson, empty)).toEqual({ events: [] });
  });
});

describe('findings close --json', () => {
  it('exits 3, not 1, when the closing event cannot reach the bus, and 1 when there is nothing to close', async () => {
    const event = newFindingEvent({
      id: randomUUID(),
      kind: 'wildcard-principal-removed',
      subject: `acs:ram::${OWNER}:role/${ROLE}`,
      about: '["RAM *"]',
      time: new Date(),
      correlationId: 'run-json',
      summary: 'wildcard principal removed',
      evidence: {},
    });
    await services.outbox.record(event);
    await deliverAuditEvents(services.outbox, services.sink, {});
    const findingId = (event.data as FindingData).findingId;

    const argv = ['findings', 'close', findingId, '--reason', 'the edit was reverted', '--by', 'ana', '--json'];
    const stuck = await whileBusDown(() => cli(...argv));
    expect(stuck.code).toBe(3);
    const closed = documentOf(CloseFindingJson, stuck);
    expect(closed).toMatchObject({ findingId, closed: true, eventId: expect.any(String) });
    expect(closed.audit?.pending).toBeGreaterThan(0);

    // The finding's state changes when its closing event reaches the bus: until then it is still open.
    const delivered = await cli(...argv);
    expect(delivered.code).toBe(0);
    expect(documentOf(CloseFindingJson, delivered).audit).toMatchObject({ pending: 0, setAside: 0 });
    const again = await cli(...argv);
    expect(again.code).toBe(1);
    expect(documentOf(CloseFindingJson, again)).toEqual({ findingId, closed: false, refusal: 'notOpen' });
  });
});

describe('errors with --json', () => {
  it('exits 2 on a bad option with the message on stderr and nothing on stdout', async () => {
    const run = await cli('grants', '--owner', '123', '--json');
    expect(run.code).toBe(2);
    expect(run.stdout).toEqual([]);
    expect(run.stderr.join('\n')).toContain('AliyunUidFormat');
  });

  it('exits 2 on a missing argument or an unknown option, as commander words it', async () => {
    const missing = await cli('replay', '--json');
    expect(missing.code).toBe(2);
    expect(missing.stdout).toEqual([]);
    expect(missing.stderr.join('\n')).toContain("missing required argument 'eventId'");
    expect((await cli('plan', '--jsn')).code).toBe(2);
  });

  it('exits 2 on a ticket file it cannot read, naming the file', async () => {
    const keyFile = join(dir, 'ticket.key');
    await writeFile(keyFile, 'a-ticket-key-secret-of-at-least-32-chars');
    const run = await cli('ticket', 'sign', join(dir, 'missing.yaml'), '--key-id', 'k', '--key-file', keyFile);
    expect(run.code).toBe(2);
    expect(run.stdout).toEqual([]);
    expect(run.stderr.join('\n')).toContain(`cannot read ${join(dir, 'missing.yaml')}`);
  });

  it('exits 1 when the tables cannot be reached: the cloud failed, not the input', async () => {
    cloud.cloud.setFaults({ outages: ['tablestore'] });
    try {
      const run = await cli('grants', '--json');
      expect(run.code).toBe(1);
      expect(run.stdout).toEqual([]);
      expect(run.stderr.join('\n')).toMatch(/^error: /);
    } finally {
      cloud.cloud.setFaults({});
    }
  });
});
