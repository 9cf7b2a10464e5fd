/**
 * The Tencent part of `npm start`: a Tencent relationship declared, broken in the console, repaired and revoked
 * by the engine core (observe, plan, apply: the same code the functions run) through the Tencent adapters and the
 * real SDKs, with the DTS console's verdict at each step. The deployed functions do not reconcile Tencent owners
 * yet, so this part calls the engine core directly.
 */

import { CommonClient } from 'tencentcloud-sdk-nodejs-common';
import type { AuditEvent } from '../../shared/domain/audit.js';
import { desiredRoleFromGrants } from '../../shared/domain/desired-role.js';
import type { Grant } from '../../shared/domain/grant.js';
import { expandRelationship, RelationshipSchema } from '../../shared/domain/relationship.js';
import { applyRolePlan } from '../../shared/reconcile/apply.js';
import { observeRole } from '../../shared/reconcile/observe.js';
import { planRoleChanges } from '../../shared/reconcile/plan.js';
import { CamRoleDirectory } from '../../shared/tencentcloud/cam.js';
import { tencentEndpoints } from '../../shared/tencentcloud/endpoint.js';
import { TencentCredentialBroker } from '../../shared/tencentcloud/sts.js';
import type { LocalCloud } from '../cloud/server.js';
import type { OracleVerdict } from '../harness/dts-oracle.js';
import { tencentInstanceListing } from '../harness/tencent-oracle.js';

/** The accounts file's `tencent` section, as far as the demo reads it. */
interface TencentSection {
  accounts: {
    uin: string;
    name: string;
    keys: { id: string; secret: string }[];
    subUsers?: { name: string; keys: { id: string; secret: string }[] }[];
  }[];
}

/** One step of the Tencent demo: what the DTS console said, and whether that is what it should say. */
export interface TencentDemoStep {
  readonly step: string;
  readonly verdict: OracleVerdict;
  readonly pass: boolean;
}

/** Run the Tencent part against `cloud`; the accounts come from the accounts document's `tencent` section. */
export async function showTencent(
  cloud: LocalCloud,
  section: TencentSection,
): Promise<{ steps: TencentDemoStep[]; outcomes: string[] }> {
  const byName = (name: string) => {
    const account = section.accounts.find((a) => a.name === name);
    if (!account) throw new Error(`the accounts file's tencent section has no account ${name}`);
    return account;
  };
  const keys = (key: { id: string; secret: string } | undefined) => ({
    secretId: key?.id ?? '',
    secretKey: key?.secret ?? '',
  });
  const owner = byName('tencent-source-owner');
  const task = byName('tencent-task');
  const hubUser = byName('tencent-hub').subUsers?.find((u) => u.name === 'dts-trust-hub');
  const clock = { now: () => new Date(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
  const endpoints = tencentEndpoints(cloud.endpoint);
  const broker = new TencentCredentialBroker({
    endpoints,
    clock,
    hubKeys: async () => keys(hubUser?.keys[0]),
    managementRole: 'dts-trust-manager',
    externalId: 'dts-trust-local',
  });
  const directory = new CamRoleDirectory(endpoints, clock);
  const events: AuditEvent[] = [];
  const role = { ownerAccountId: owner.uin, roleName: 'DTS-role' };
  const grants: Grant[] = expandRelationship(
    RelationshipSchema.parse({
      cloud: 'tencent',
      scenario: 'source',
      taskKind: 'synchronization',
      source: { accountId: owner.uin, databaseType: 'mysql', accessMethod: 'instance', roleName: role.roleName },
      destination: { accountId: task.uin, databaseType: 'mysql', accessMethod: 'instance' },
    }),
    { system: 'demo', id: 'TC-1', requester: 'ana', approver: 'ben' },
  );
  const outcomes: string[] = [];
  const reconcile = async (declared: readonly Grant[]) => {
    const account = await broker.credentialsFor(role.ownerAccountId);
    const desired = desiredRoleFromGrants(role, declared, clock.now());
    const plan = planRoleChanges(desired, await observeRole(directory, account, role, desired));
    const result = await applyRolePlan(
      plan,
      { directory, audit: { record: async (e) => void events.push(e) }, clock, random: { next: Math.random } },
      account,
      { correlationId: 'demo-tencent' },
    );
    outcomes.push(result.outcome);
  };
  const steps: TencentDemoStep[] = [];
  const expect = async (step: string, accepted: boolean, code?: string) => {
    const verdict = await tencentInstanceListing(cloud.endpoint, keys(task.keys[0]), {
      ownerUin: owner.uin,
      roleName: role.roleName,
    });
    steps.push({
      step: `tencent: ${step}`,
      verdict,
      pass: verdict.accepted === accepted && (code === undefined || verdict.code === code),
    });
  };

  await expect('before the grant', false, 'InternalError.GetRoleError');
  await reconcile(grants);
  await expect('declared and reconciled', true);
  const cam = new CommonClient(cloud.endpoint, '2019-01-16', {
    credential: keys(owner.keys[0]),
    profile: { httpProfile: { protocol: 'http://', endpoint: cloud.endpoint } },
  });
  await cam.request('DetachRolePolicy', { PolicyName: 'QcloudAccessForMySQLRole', DetachRoleName: role.roleName });
  await expect('service policy detached in the console', false, 'InternalError.InternalInnerCommonError');
  await reconcile(grants);
  await expect('repaired', true);
  await reconcile([]);
  await expect('revoked', false, 'InternalError.GetRoleError');
  return { steps, outcomes };
}
