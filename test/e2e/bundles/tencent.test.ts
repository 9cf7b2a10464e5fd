/**
 * A Tencent Cloud relationship through the built bundles, as a deployment runs it: declared on the ticket queue
 * (the MNS trigger pushes it to the intake bundle), kept by the timer's drift-reconciler bundle, changed by mode and
 * resume tickets, expired and revoked; CAM edited in the "console" with the owner's root keys, and the local
 * Tencent DTS console's verdict (the cross-account instance listing, as the task root account and as its sub-user)
 * before and after each step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../../local/cloud/server.js';
import { readEventBridgeEvents } from '../../../local/cloud/services/eventbridge/store.js';
import { FunctionName, invokeLocally } from '../../../local/harness/deployment.js';
import { LOCAL_EVENT_BUS } from '../../../local/harness/local-environment.js';
import {
  SAMPLE_TENCENT,
  sampleRoleTicketBody,
  sampleTencentTicketBody,
  signedMessage,
} from '../../../local/harness/sample-events.js';
import { tencentInstanceListing } from '../../../local/harness/tencent-oracle.js';
import { deliverTickets, deployTicketQueue } from '../../../local/harness/ticket-queue.js';
import { FakeClock } from '../../support/fake-clock.js';
import { TENCENT, TencentApi, tencentClient } from '../../support/tencent-cloud.js';
import { startBundleCloud, timerEvent } from './bundle-cloud.js';

interface IntakeBody {
  results: { outcome: string; codes?: string[]; roles?: { outcome: string; error?: { code: string } }[] }[];
}

interface RunBody {
  outcomes?: Record<string, number>;
  expiredGrants?: number;
}

const ROLE = { ownerAccountId: SAMPLE_TENCENT.sourceOwner, roleName: SAMPLE_TENCENT.roleName };
const ARN = `qcs::cam::uin/${ROLE.ownerAccountId}:roleName/${ROLE.roleName}`;

let cloud: LocalCloud;

/** Put signed bodies on the ticket queue; the s.yaml trigger delivers them to the intake bundle. */
async function intake(...bodies: Parameters<typeof signedMessage>[0][]): Promise<IntakeBody> {
  const { answer, deliveries } = await deliverTickets(
    cloud,
    bodies.map((b) => signedMessage(b)),
  );
  expect(deliveries.map((d) => d.outcome)).toEqual(['delivered']);
  expect(answer.errorType).toBeUndefined();
  return answer.body as IntakeBody;
}

/** One timer run of the drift-reconciler bundle. */
async function timerRun(): Promise<RunBody> {
  const run = await invokeLocally(cloud, FunctionName.DriftReconciler, timerEvent(new Date()));
  expect(run.errorType).toBeUndefined();
  return run.body as RunBody;
}

/** What the DTS console says when the task root account (or its sub-user) lists the owner's instances. */
async function dts(caller: 'root' | 'subUser' = 'root', roleName: string = ROLE.roleName): Promise<string> {
  const keys = caller === 'root' ? TENCENT.task.root : TENCENT.task.operator.keys;
  const verdict = await tencentInstanceListing(cloud.endpoint, keys, { ownerUin: ROLE.ownerAccountId, roleName });
  return verdict.accepted ? 'ok' : (verdict.code ?? 'refused');
}

/** The owner's CAM, with its root keys: the "console". */
const camConsole = () => tencentClient(cloud.endpoint, TencentApi.cam, TENCENT.sourceOwner.root);

async function livePolicies(roleName: string = ROLE.roleName): Promise<string[]> {
  const answer = await camConsole().request('ListAttachedRolePolicies', { RoleName: roleName, Page: 1, Rp: 200 });
  return (answer.List as { PolicyName: string }[]).map((p) => p.PolicyName).sort();
}

async function liveTrust(): Promise<{ statement: { principal: { qcs: string[] | string } }[] }> {
  const { RoleInfo } = await camConsole().request('GetRole', { RoleName: ROLE.roleName });
  return JSON.parse(RoleInfo.PolicyDocument);
}

async function breakServicePolicy(): Promise<void> {
  await camConsole().request('DetachRolePolicy', {
    PolicyName: 'QcloudAccessForMySQLRole',
    DetachRoleName: ROLE.roleName,
  });
}

/** The audit events about the role on the bus, in the order they were recorded (each event's `time`). */
function roleEvents(): { type: string; time: string }[] {
  return readEventBridgeEvents(cloud.core, { bus: LOCAL_EVENT_BUS })
    .map((e) => e.event as { type: string; subject?: string; time: string })
    .filter((e) => e.subject === ARN)
    .sort((a, b) => a.time.localeCompare(b.time));
}

/** Every change of `events` was recorded (`change.planned`) no later than the outcome event `outcome` reports it. */
function expectRecordedFirst(events: readonly { type: string; time: string }[], outcome: string): void {
  const planned = events.filter((e) => e.type === 'dts-trust.change.planned');
  const done = events.find((e) => e.type === outcome);
  expect(planned.length).toBeGreaterThan(0);
  expect(done).toBeDefined();
  for (const p of planned) expect(Date.parse(p.time)).toBeLessThanOrEqual(Date.parse(done?.time ?? ''));
}

/** The sub-users' AssumeRole policy in the task account, with the users attached. */
async function subAccountPolicyUsers(): Promise<string[] | undefined> {
  const cam = tencentClient(cloud.endpoint, TencentApi.cam, TENCENT.task.root);
  const listed = await cam.request('ListPolicies', { Rp: 200, Page: 1, Scope: 'Local' });
  const policy = (listed.List as { PolicyId: number; PolicyName: string }[]).find(
    (p) => p.PolicyName === `dts-trust-${ROLE.ownerAccountId}-${ROLE.roleName}`,
  );
  if (policy === undefined) return undefined;
  const entities = await cam.request('ListEntitiesForPolicy', { PolicyId: policy.PolicyId, Rp: 200, Page: 1 });
  return (entities.List as { Uin: number | string }[]).map((e) => String(e.Uin)).sort();
}

beforeAll(async () => {
  // A flap limit of 2 keeps the flap case short; everything else is the deployment's default.
  cloud = await startBundleCloud({ DTS_TRUST_FLAP_LIMIT: '2' });
  await deployTicketQueue(cloud, { clock: new FakeClock(new Date()) });
});

afterAll(async () => {
  await cloud?.stop();
});

describe('a Tencent relationship through the built bundles', () => {
  it('is declared through the queue: the intake creates the CAM role with its trust and policies, and the sub-user’s AssumeRole policy', async () => {
    expect(await dts()).toBe('InternalError.GetRoleError');
    const body = await intake(sampleTencentTicketBody(new Date()));
    expect(body.results[0]).toMatchObject({ outcome: 'declared', roles: [{ outcome: 'created' }] });
    const trust = await liveTrust();
    expect(trust.statement.flatMap((s) => [s.principal.qcs].flat())).toEqual([
      expect.stringMatching(new RegExp(`^qcs::cam::uin/${SAMPLE_TENCENT.task}:(root|uin/${SAMPLE_TENCENT.task})$`)),
    ]);
    expect(await livePolicies()).toEqual(['QcloudAccessForMySQLRole', 'QcloudDTSReadOnlyAccess']);
    expect(await subAccountPolicyUsers()).toEqual([SAMPLE_TENCENT.operator]);
    expect(await dts()).toBe('ok');
    expect(await dts('subUser')).toBe('ok');
    expectRecordedFirst(roleEvents(), 'dts-trust.role.created');
  });

  it('is found in sync by the timer despite CAM’s rewrites', async () => {
    const run = await timerRun();
    expect(run.outcomes).toMatchObject({ inSync: 1 });
    expect(run.outcomes?.repaired ?? 0).toBe(0);
  });

  it('is repaired by the next timer run after a console edit in CAM, each change recorded before it is made', async () => {
    await breakServicePolicy();
    await camConsole().request('AttachRolePolicy', {
      PolicyName: 'QcloudCamFullAccess',
      AttachRoleName: ROLE.roleName,
    });
    expect(await dts()).toBe('InternalError.InternalInnerCommonError');
    const before = roleEvents().length;
    const run = await timerRun();
    expect(run.outcomes).toMatchObject({ repaired: 1 });
    expect(await livePolicies()).toEqual(['QcloudAccessForMySQLRole', 'QcloudDTSReadOnlyAccess']);
    expect(await dts()).toBe('ok');
    const events = roleEvents().slice(before);
    expect(events.filter((e) => e.type === 'dts-trust.change.planned').length).toBeGreaterThanOrEqual(2);
    expectRecordedFirst(events, 'dts-trust.role.repaired');
  });

  it('gets the sub-user’s AssumeRole policy back when it is detached in the task account', async () => {
    const cam = tencentClient(cloud.endpoint, TencentApi.cam, TENCENT.task.root);
    const listed = await cam.request('ListPolicies', { Rp: 200, Page: 1, Scope: 'Local' });
    const policy = (listed.List as { PolicyId: number; PolicyName: string }[]).find((p) =>
      p.PolicyName.startsWith('dts-trust-'),
    );
    await cam.request('DetachUserPolicy', { PolicyId: policy?.PolicyId, DetachUin: Number(SAMPLE_TENCENT.operator) });
    expect(await dts('subUser')).not.toBe('ok');
    const before = readEventBridgeEvents(cloud.core, { bus: LOCAL_EVENT_BUS }).length;
    // A repair of the trusted side only is a repair: the run and the role's outcome record say so, not in sync.
    expect((await timerRun()).outcomes).toMatchObject({ repaired: 1 });
    expect(await subAccountPolicyUsers()).toEqual([SAMPLE_TENCENT.operator]);
    const events = readEventBridgeEvents(cloud.core, { bus: LOCAL_EVENT_BUS })
      .slice(before)
      .map((e) => e.event as { type: string; subject?: string; time: string });
    const attached = events.find((e) => e.type === 'dts-trust.sub-account-policy.change');
    const repaired = events.find((e) => e.type === 'dts-trust.role.repaired' && e.subject === ARN);
    expect(Date.parse(attached?.time ?? '')).toBeLessThanOrEqual(Date.parse(repaired?.time ?? ''));
    expect(await dts('subUser')).toBe('ok');
    expect(
      readEventBridgeEvents(cloud.core, { bus: LOCAL_EVENT_BUS }).some(
        (e) => (e.event as { type: string }).type === 'dts-trust.sub-account-policy.change',
      ),
    ).toBe(true);
  });

  it('is paused after the same console edit is repaired twice (flap limit 2), and repaired again once resumed', async () => {
    await breakServicePolicy();
    expect((await timerRun()).outcomes).toMatchObject({ repaired: 1 });
    await breakServicePolicy();
    await timerRun();
    expect(roleEvents().map((e) => e.type)).toContain('dts-trust.role.paused');
    await breakServicePolicy();
    expect((await timerRun()).outcomes).toMatchObject({ paused: 1 });
    expect(await dts()).toBe('InternalError.InternalInnerCommonError');
    const resumed = await intake(sampleRoleTicketBody(new Date(), ROLE, { action: 'resume' }));
    expect(resumed.results[0]).toMatchObject({ outcome: 'resumed', roles: [{ outcome: 'repaired' }] });
    expect(await dts()).toBe('ok');
  });

  it('in observe mode reports a console edit and repairs nothing declared, yet removes an undeclared account', async () => {
    expect(
      (await intake(sampleRoleTicketBody(new Date(), ROLE, { action: 'mode', mode: 'observe' }))).results[0],
    ).toMatchObject({ outcome: 'modeChanged' });
    await breakServicePolicy();
    const run = await timerRun();
    expect(run.outcomes).toMatchObject({ driftObserved: 1 });
    expect(await livePolicies()).toEqual(['QcloudDTSReadOnlyAccess']);
    expect(await dts()).toBe('InternalError.InternalInnerCommonError');
    await camConsole().request('UpdateAssumeRolePolicy', {
      RoleName: ROLE.roleName,
      PolicyDocument: JSON.stringify({
        version: '2.0',
        statement: [
          {
            action: 'name/sts:AssumeRole',
            effect: 'allow',
            principal: {
              qcs: [`qcs::cam::uin/${SAMPLE_TENCENT.task}:root`, `qcs::cam::uin/${TENCENT.stranger.uin}:root`],
            },
          },
        ],
      }),
    });
    await timerRun();
    expect(JSON.stringify(await liveTrust())).not.toContain(TENCENT.stranger.uin);
    expect(await livePolicies()).toEqual(['QcloudDTSReadOnlyAccess']);
  });

  it('in paused mode is left as it is, and enforce repairs it at once', async () => {
    await intake(sampleRoleTicketBody(new Date(), ROLE, { action: 'mode', mode: 'paused' }));
    expect((await timerRun()).outcomes).toMatchObject({ paused: 1 });
    expect(await dts()).toBe('InternalError.InternalInnerCommonError');
    const enforced = await intake(sampleRoleTicketBody(new Date(), ROLE, { action: 'mode', mode: 'enforce' }));
    expect(enforced.results[0]).toMatchObject({ outcome: 'modeChanged', roles: [{ outcome: 'repaired' }] });
    expect(await dts()).toBe('ok');
  });

  it('is revoked: the role, its policies and the sub-user’s AssumeRole policy are gone, and DTS refuses', async () => {
    const body = await intake(sampleTencentTicketBody(new Date(), { action: 'revoke' }));
    expect(body.results[0]).toMatchObject({ outcome: 'revoked', roles: [{ outcome: 'deleted' }] });
    expect(await subAccountPolicyUsers()).toBeUndefined();
    expect(await dts()).toBe('InternalError.GetRoleError');
    expect(await dts('subUser')).not.toBe('ok');
  });

  it('expires: the timer run after its expiry deletes the role and the grant', async () => {
    const roleName = 'DTS-role-expiring';
    // Long enough for intake to build the role on a busy machine; the wait below is measured from the expiry.
    const expiry = Date.now() + 3_000;
    const declared = sampleTencentTicketBody(new Date(), { expiresAt: new Date(expiry).toISOString() });
    const relationship = declared.relationship as unknown as {
      source: { roleName: string };
      subAccountUins?: string[];
    };
    relationship.source.roleName = roleName;
    delete relationship.subAccountUins;
    expect((await intake(declared)).results[0]).toMatchObject({ outcome: 'declared', roles: [{ outcome: 'created' }] });
    expect(await dts('root', roleName)).toBe('ok');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiry - Date.now()) + 100));
    const run = await timerRun();
    expect(run.expiredGrants).toBe(1);
    expect(await dts('root', roleName)).toBe('InternalError.GetRoleError');
  });
});

describe('a deployment without Tencent configuration', () => {
  let bare: LocalCloud;

  beforeAll(async () => {
    bare = await startBundleCloud({ DTS_TRUST_TENCENT_HUB_KEYS: '', DTS_TRUST_TENCENT_ENDPOINT: '' });
    await deployTicketQueue(bare, { clock: new FakeClock(new Date()) });
  });

  afterAll(async () => {
    await bare?.stop();
  });

  it('refuses a Tencent ticket with TencentNotConfigured and creates nothing in CAM', async () => {
    const { answer } = await deliverTickets(bare, [signedMessage(sampleTencentTicketBody(new Date()))]);
    expect((answer.body as IntakeBody).results[0]).toMatchObject({
      outcome: 'rejected',
      codes: ['TencentNotConfigured'],
    });
    const cam = tencentClient(bare.endpoint, TencentApi.cam, TENCENT.sourceOwner.root);
    await expect(cam.request('GetRole', { RoleName: ROLE.roleName })).rejects.toMatchObject({
      code: 'InvalidParameter.RoleNotExist',
    });
  });
});
