import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEventBridgeEvents } from '../../../local/cloud/services/eventbridge/store.js';
import { LOCAL_AUTOMATION, localCloudEnvironment } from '../../../local/harness/local-environment.js';
import { DtsInventoryClient } from '../../../shared/alicloud/dts.js';
import { createServices, type Services } from '../../../shared/composition/services.js';
import { loadConfig } from '../../../shared/config/config.js';
import { newAuditEvent } from '../../../shared/domain/audit.js';
import { CloudApiError, CloudErrorKind } from '../../../shared/domain/errors.js';
import { EXAMPLE, startTestCloud, type TestCloud } from '../../support/local-cloud.js';

let cloud: TestCloud;
let services: Services;
let now = new Date();

beforeAll(async () => {
  cloud = await startTestCloud({
    services: { eventbridge: { buses: ['dts-trust'] }, ram: { detachSettleSeconds: 0 } },
  });
  services = createServices(loadConfig(localCloudEnvironment(cloud.cloud)), {
    tablestoreKeys: LOCAL_AUTOMATION.runner,
    ownKeys: async () => LOCAL_AUTOMATION.runner,
    clock: { now: () => now, sleep: async () => {} },
  });
});

afterAll(async () => {
  await cloud?.stop();
});

const trust = (uid: string) =>
  JSON.stringify({
    Version: '1',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { RAM: [`acs:ram::${uid}:root`], Service: [`${uid}@dts.aliyuncs.com`] },
      },
    ],
  });

describe('StsCredentialBroker', () => {
  it('assumes the management role once per account and reuses the credentials', async () => {
    cloud.cloud.log.length = 0;
    const first = await services.broker.credentialsFor(EXAMPLE.sourceOwner.id);
    const second = await services.broker.credentialsFor(EXAMPLE.sourceOwner.id);
    expect(first.accessKeyId).toMatch(/^STS\./);
    expect(second).toBe(first);
    expect(cloud.cloud.log.filter((e) => e.action === 'AssumeRole')).toHaveLength(1);
  });

  it('uses its own keys for the automation account', async () => {
    expect((await services.broker.credentialsFor(LOCAL_AUTOMATION.accountId)).accessKeyId).toBe(
      LOCAL_AUTOMATION.runner.accessKeyId,
    );
  });

  it('refreshes credentials five minutes before they expire', async () => {
    const first = await services.broker.credentialsFor(EXAMPLE.destinationOwner.id);
    now = new Date(first.expiration!.getTime() - 4 * 60 * 1000);
    const second = await services.broker.credentialsFor(EXAMPLE.destinationOwner.id);
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    now = new Date();
  });

  it('reports an account without the management role as ManagementRoleNotFound, the STS code as its cause', async () => {
    const error = await services.broker.credentialsFor(EXAMPLE.taskCreator.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudApiError);
    expect(error).toMatchObject({
      api: 'sts:AssumeRole',
      code: 'ManagementRoleNotFound',
      accountId: EXAMPLE.taskCreator.id,
      cause: { code: 'EntityNotExist.Role' },
    });
  });
});

describe('RamRoleDirectory', () => {
  it('creates, reads, updates, attaches, detaches and deletes a role in the owner account', async () => {
    const account = await services.broker.credentialsFor(EXAMPLE.sourceOwner.id);
    const created = await services.directory.createRole(account, {
      roleName: 'adapter-role',
      trustPolicy: trust(EXAMPLE.destinationOwner.id),
      description: 'Managed by dts-trust; test',
      tags: { 'managed-by': 'dts-trust' },
    });
    expect(created.arn).toBe(`acs:ram::${EXAMPLE.sourceOwner.id}:role/adapter-role`);
    await services.directory.attachPolicy(account, 'adapter-role', {
      policyName: 'AliyunDTSRolePolicy',
      policyType: 'System',
    });
    expect(await services.directory.listAttachedPolicies(account, 'adapter-role')).toEqual([
      { policyName: 'AliyunDTSRolePolicy', policyType: 'System' },
    ]);
    await services.directory.updateTrustPolicy(account, 'adapter-role', trust(EXAMPLE.taskCreator.id));
    expect((await services.directory.getRole(account, 'adapter-role'))?.trustPolicy).toContain(EXAMPLE.taskCreator.id);
    await expect(services.directory.deleteRole(account, 'adapter-role')).rejects.toMatchObject({
      code: 'DeleteConflict.Role.Policy',
      kind: CloudErrorKind.Conflict,
    });
    await services.directory.detachPolicy(account, 'adapter-role', {
      policyName: 'AliyunDTSRolePolicy',
      policyType: 'System',
    });
    await services.directory.deleteRole(account, 'adapter-role');
    expect(await services.directory.getRole(account, 'adapter-role')).toBeUndefined();
    expect(await services.directory.listAttachedPolicies(account, 'adapter-role')).toEqual([]);
  });

  it('classifies a write without permission as noPermission', async () => {
    const auditor = { accountId: EXAMPLE.sourceOwner.id, ...EXAMPLE.sourceOwner.auditor };
    const error = await services.directory
      .createRole(auditor, {
        roleName: 'nope',
        trustPolicy: trust(EXAMPLE.destinationOwner.id),
        description: '',
        tags: {},
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NoPermission', kind: CloudErrorKind.NoPermission });
  });
});

describe('EventBridgeAuditSink', () => {
  it('delivers 40 events in calls of at most 16', async () => {
    cloud.cloud.log.length = 0;
    const events = Array.from({ length: 40 }, (_, i) =>
      newAuditEvent({
        id: `sink-${i}`,
        type: 'dts-trust.role.in-sync',
        subject: `acs:ram::${EXAMPLE.sourceOwner.id}:role/r${i}`,
        time: new Date(),
        data: { correlationId: 'c', outcome: 'inSync' },
      }),
    );
    const result = await services.bus.publish(events);
    expect(result.delivered).toHaveLength(40);
    expect(result.rejected).toEqual([]);
    expect(result.callFailure).toBeUndefined();
    expect(cloud.cloud.log.filter((e) => e.service === 'eventbridge')).toHaveLength(3);
    const stored = readEventBridgeEvents(cloud.cloud.core, { accountId: LOCAL_AUTOMATION.accountId, bus: 'dts-trust' });
    expect(stored.filter((e) => e.eventId.startsWith('sink-'))).toHaveLength(40);
  });

  it('reports an outage as a call failure that delivered none of the events', async () => {
    cloud.cloud.setFaults({ outages: ['eventbridge'] });
    try {
      const event = newAuditEvent({
        id: 'outage-1',
        type: 'dts-trust.role.in-sync',
        subject: 'x',
        time: new Date(),
        data: { correlationId: 'c', outcome: 'inSync' },
      });
      const result = await services.bus.publish([event]);
      expect(result.delivered).toEqual([]);
      expect(result.callFailure).toMatchObject({ code: 'ServiceUnavailable', notDelivered: ['outage-1'] });
    } finally {
      cloud.cloud.setFaults({});
    }
  });
});

describe('DtsInventoryClient', () => {
  it('lists no jobs for an account that configured none', async () => {
    const client = new DtsInventoryClient({ endpoint: cloud.endpoint, protocol: 'http', regionId: 'cn-hangzhou' });
    const jobs = [];
    for await (const job of client.listJobs({ accountId: EXAMPLE.taskCreator.id, ...EXAMPLE.taskCreator.root }))
      jobs.push(job);
    expect(jobs).toEqual([]);
  });
});
