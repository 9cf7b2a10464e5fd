/**
 * A Tencent relationship reconciled by the same engine core (observe, plan, apply) over the Tencent adapters and
 * the real SDKs, against the local cloud: declared, broken in the console, repaired, revoked, each verdict checked
 * by the DTS oracle (the console's cross-account instance listing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../../local/cloud/server.js';
import { tencentInstanceListing } from '../../../local/harness/tencent-oracle.js';
import { desiredRoleFromGrants } from '../../../shared/domain/desired-role.js';
import type { Grant, RoleKey } from '../../../shared/domain/grant.js';
import { Ownership } from '../../../shared/domain/ownership.js';
import { expandRelationship, RelationshipSchema } from '../../../shared/domain/relationship.js';
import { TrustFindingKind } from '../../../shared/policy/index.js';
import { applyRolePlan } from '../../../shared/reconcile/apply.js';
import { observeRole } from '../../../shared/reconcile/observe.js';
import { planRoleChanges } from '../../../shared/reconcile/plan.js';
import { CamRoleDirectory } from '../../../shared/tencentcloud/cam.js';
import { tencentEndpoints } from '../../../shared/tencentcloud/endpoint.js';
import { TencentCredentialBroker } from '../../../shared/tencentcloud/sts.js';
import { FakeClock, SeededRandom } from '../../support/fake-clock.js';
import { exampleAccountsDocument } from '../../support/local-cloud.js';
import { MemoryAuditLog } from '../../support/memory-stores.js';
import { TENCENT, TencentApi, tencentClient } from '../../support/tencent-cloud.js';

const ROLE: RoleKey = { ownerAccountId: TENCENT.sourceOwner.uin, roleName: 'DTS-role' };
const ticket = { system: 'jira', id: 'DBA-9', requester: 'ana', approver: 'ben' };

/** The guide's relationship: the source owner's MySQL synced by the task root account. */
const grants: Grant[] = expandRelationship(
  RelationshipSchema.parse({
    cloud: 'tencent',
    scenario: 'source',
    taskKind: 'synchronization',
    source: {
      accountId: ROLE.ownerAccountId,
      databaseType: 'mysql',
      accessMethod: 'instance',
      roleName: ROLE.roleName,
    },
    destination: { accountId: TENCENT.task.uin, databaseType: 'mysql', accessMethod: 'instance' },
  }),
  ticket,
);

describe('a Tencent relationship through the engine core and the Tencent adapters', () => {
  let cloud: LocalCloud;
  const clock = new FakeClock(new Date());
  const audit = new MemoryAuditLog();
  let reconcile: (declared: readonly Grant[]) => Promise<{ outcome: string; findings: string[] }>;

  /** What the DTS console says when the task account lists the source owner's instances. */
  const oracle = async (): Promise<string> => {
    const verdict = await tencentInstanceListing(cloud.endpoint, TENCENT.task.root, {
      ownerUin: ROLE.ownerAccountId,
      roleName: ROLE.roleName,
    });
    return verdict.accepted ? 'ok' : (verdict.code ?? '');
  };

  beforeAll(async () => {
    cloud = await startLocalCloud({ accounts: exampleAccountsDocument });
    const endpoints = tencentEndpoints(cloud.endpoint);
    const broker = new TencentCredentialBroker({
      endpoints,
      clock,
      hubKeys: async () => TENCENT.hub.user.keys,
      managementRole: TENCENT.managementRole,
      externalId: TENCENT.managementExternalId,
    });
    const directory = new CamRoleDirectory(endpoints, clock);
    let ids = 0;
    reconcile = async (declared) => {
      const account = await broker.credentialsFor(ROLE.ownerAccountId);
      const desired = desiredRoleFromGrants(ROLE, declared, clock.now());
      const observation = await observeRole(directory, account, ROLE, desired);
      const plan = planRoleChanges(desired, observation);
      const result = await applyRolePlan(
        plan,
        { directory, audit, clock, random: new SeededRandom(1), newId: () => `t${++ids}` },
        account,
        { correlationId: 'tencent' },
      );
      return { outcome: result.outcome, findings: (observation.trustDiff?.toRemove ?? []).map((r) => r.finding) };
    };
  });
  afterAll(() => cloud.stop());

  it('creates the role as declared, audited first, and DTS can list the instances', async () => {
    expect(await oracle()).toBe('InternalError.GetRoleError');
    expect((await reconcile(grants)).outcome).toBe('created');
    expect(audit.events.length).toBeGreaterThan(0);
    const cam = tencentClient(cloud.endpoint, TencentApi.cam, TENCENT.sourceOwner.root);
    const { RoleInfo } = await cam.request('GetRole', { RoleName: ROLE.roleName });
    expect(RoleInfo.Description.startsWith(Ownership.descriptionPrefix)).toBe(true);
    expect(RoleInfo.Tags).toContainEqual({ Key: Ownership.tagKey, Value: Ownership.tagValue });
    const attached = await cam.request('ListAttachedRolePolicies', { RoleName: ROLE.roleName, Page: 1, Rp: 200 });
    expect(attached.List.map((p: { PolicyName: string }) => p.PolicyName).sort()).toEqual([
      'QcloudAccessForMySQLRole',
      'QcloudDTSReadOnlyAccess',
    ]);
    expect(await oracle()).toBe('ok');
  });

  it('finds the role in sync on the next run despite CAM’s rewrites (no perpetual diff)', async () => {
    expect(await reconcile(grants)).toEqual({ outcome: 'inSync', findings: [] });
  });

  it('repairs console edits: a stranger and a sub-user trusted, the service policy detached, a wide policy attached', async () => {
    const cam = tencentClient(cloud.endpoint, TencentApi.cam, TENCENT.sourceOwner.root);
    await cam.request('UpdateAssumeRolePolicy', {
      RoleName: ROLE.roleName,
      PolicyDocument: JSON.stringify({
        version: '2.0',
        statement: [
          {
            action: 'name/sts:AssumeRole',
            effect: 'allow',
            principal: {
              qcs: [
                `qcs::cam::uin/${TENCENT.task.uin}:root`,
                `qcs::cam::uin/${TENCENT.stranger.uin}:root`,
                `qcs::cam::uin/${TENCENT.task.uin}:uin/${TENCENT.task.operator.uin}`,
              ],
            },
          },
        ],
      }),
    });
    await cam.request('DetachRolePolicy', { PolicyName: 'QcloudAccessForMySQLRole', DetachRoleName: ROLE.roleName });
    await cam.request('AttachRolePolicy', { PolicyName: 'QcloudCamFullAccess', AttachRoleName: ROLE.roleName });
    expect(await oracle()).toBe('InternalError.InternalInnerCommonError');
    const repaired = await reconcile(grants);
    expect(repaired.outcome).toBe('repaired');
    expect(repaired.findings.sort()).toEqual(
      [TrustFindingKind.UndeclaredAccount, TrustFindingKind.UndeclaredPrincipal].sort(),
    );
    expect(await oracle()).toBe('ok');
    expect(await reconcile(grants)).toEqual({ outcome: 'inSync', findings: [] });
  });

  it('deletes the role once the grant is revoked, and DTS refuses with GetRoleError', async () => {
    expect((await reconcile([])).outcome).toBe('deleted');
    expect(await oracle()).toBe('InternalError.GetRoleError');
  });
});
