/**
 * The Tencent part of `npm start`: a Tencent relationship declared on the ticket queue (the intake function builds
 * the CAM role and the sub-user's AssumeRole policy), broken in the console, repaired by the timer's drift
 * reconciler and revoked by a ticket, the deployed functions and the same engine as for Alibaba, with the DTS
 * console's verdict at each step (as the task root account and as its sub-user).
 */

import { CommonClient } from 'tencentcloud-sdk-nodejs-common';
import type { LocalCloud } from '../cloud/server.js';
import type { OracleVerdict } from '../harness/dts-oracle.js';
import { FunctionName, type InvocationAnswer, invokeLocally } from '../harness/local-deployment.js';
import { SAMPLE_TENCENT, sampleTencentTicketBody, signedMessage } from '../harness/sample-events.js';
import { tencentInstanceListing } from '../harness/tencent-oracle.js';
import { deliverTickets } from '../harness/ticket-queue.js';

/** The accounts file's `tencent` section, as far as the demo reads it. */
interface TencentSection {
  accounts: {
    uin: string;
    name: string;
    keys: { id: string; secret: string }[];
    subUsers?: { uin: string; name: string; keys: { id: string; secret: string }[] }[];
  }[];
}

/** One step of the Tencent demo: what the DTS console said, and whether that is what it should say. */
export interface TencentDemoStep {
  readonly step: string;
  readonly verdict: OracleVerdict;
  readonly pass: boolean;
}

/** What the Tencent part did: the console's verdicts, the tickets' answers, and the timer run. */
export interface TencentDemo {
  readonly steps: TencentDemoStep[];
  readonly intake: { file: string; answer: InvocationAnswer }[];
  readonly reconcile: InvocationAnswer;
}

/** Run the Tencent part against `cloud` (the functions deployed); keys come from the accounts document. */
export async function showTencent(cloud: LocalCloud, section: TencentSection): Promise<TencentDemo> {
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
  const operator = task.subUsers?.find((u) => u.uin === SAMPLE_TENCENT.operator);
  const steps: TencentDemoStep[] = [];
  const intake: TencentDemo['intake'] = [];
  const expect = async (step: string, caller: 'root' | 'sub-user', accepted: boolean, code?: string) => {
    const verdict = await tencentInstanceListing(cloud.endpoint, keys((caller === 'root' ? task : operator)?.keys[0]), {
      ownerUin: owner.uin,
      roleName: SAMPLE_TENCENT.roleName,
    });
    steps.push({
      step: `tencent (${caller}): ${step}`,
      verdict,
      pass: verdict.accepted === accepted && (code === undefined || verdict.code === code),
    });
  };

  await expect('before the grant', 'root', false, 'InternalError.GetRoleError');
  const declare = [signedMessage(sampleTencentTicketBody(new Date()))];
  intake.push({ file: 'tencent declare', answer: (await deliverTickets(cloud, declare)).answer });
  await expect('declared: the intake built the CAM role', 'root', true);
  await expect('declared: the sub-user got its AssumeRole policy', 'sub-user', true);

  const cam = new CommonClient(cloud.endpoint, '2019-01-16', {
    credential: keys(owner.keys[0]),
    profile: { httpProfile: { protocol: 'http://', endpoint: cloud.endpoint } },
  });
  await cam.request('DetachRolePolicy', {
    PolicyName: 'QcloudAccessForMySQLRole',
    DetachRoleName: SAMPLE_TENCENT.roleName,
  });
  await expect('service policy detached in the console', 'root', false, 'InternalError.InternalInnerCommonError');
  const reconcile = await invokeLocally(cloud, FunctionName.DriftReconciler, {
    triggerTime: `${new Date().toISOString().slice(0, 19)}Z`,
    triggerName: 'drift-timer',
    payload: '',
  });
  await expect('repaired by the timer run', 'root', true);

  const revoke = [signedMessage(sampleTencentTicketBody(new Date(), { action: 'revoke' }))];
  intake.push({ file: 'tencent revoke', answer: (await deliverTickets(cloud, revoke)).answer });
  await expect('revoked', 'root', false, 'InternalError.GetRoleError');
  return { steps, intake, reconcile };
}
