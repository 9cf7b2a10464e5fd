/**
 * Grant rows of Tencent relationships that the previous release stored (its intake accepted them; its functions
 * could not reconcile them), written here exactly as that release wrote them with the raw Tablestore client: the
 * key is the bare account ID, the `grant` JSON says `cloud: "tencent"`, without an origin. The stores' keys did not
 * change (docs/storage.md, "Account IDs of both clouds"), so such a row is read as it is: a Tencent UIN of 5-15 or
 * 17-20 digits is reconciled in CAM by the next run, and one of 16 digits, which cannot be told from an Alibaba
 * account, is planned as a conflict that touches neither cloud.
 */
import TableStore from 'tablestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcilerFor } from '../../../shared/composition/reconciler.js';
import type { Services } from '../../../shared/composition/services.js';
import { GrantSchema } from '../../../shared/domain/grant.js';
import { EXAMPLE, INSTANT_TABLES, startTestCloud, type TestCloud } from '../../support/local-cloud.js';
import { localRunnerServices } from '../../support/local-services.js';
import { TENCENT, TencentApi, tencentClient } from '../../support/tencent-cloud.js';

let cloud: TestCloud;
let services: Services;

/** A grant row as the previous release wrote it: bare account IDs in the key, no origin in the JSON. */
async function previousReleaseRow(ownerUid: string, roleName: string, trustedUid: string): Promise<void> {
  const grant = GrantSchema.parse({
    ownerAccountId: ownerUid,
    roleName,
    trustedAccountId: trustedUid,
    cloud: 'tencent',
    policies: ['QcloudDTSReadOnlyAccess', 'QcloudAccessForMySQLRole'],
    ticket: { system: 'jira', id: 'DBA-900', requester: 'ana', approver: 'ben' },
    revision: 1,
  });
  await services.tablestore.putRow({
    tableName: services.config.tables.grants,
    primaryKey: [{ ownerUid }, { roleName }, { trustedUid }],
    condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
    attributeColumns: [{ grant: JSON.stringify(grant) }, { revision: TableStore.Long.fromNumber(1) }],
  });
}

beforeAll(async () => {
  cloud = await startTestCloud({ services: { eventbridge: { buses: ['dts-trust'] }, ...INSTANT_TABLES } });
  services = await localRunnerServices(cloud.cloud);
});

afterAll(async () => {
  await cloud?.stop();
});

describe('Tencent grant rows the previous release stored', () => {
  it('reconciles a row of a Tencent UIN in CAM on the next run, as the deployed functions compose the engine', async () => {
    await previousReleaseRow(TENCENT.sourceOwner.uin, 'legacy-role', TENCENT.task.uin);
    const run = await reconcilerFor(services).reconcileAll({ correlationId: 'upgrade' });
    const result = run.results.find((r) => r.role.roleName === 'legacy-role');
    expect(result).toMatchObject({ outcome: 'created' });
    const cam = tencentClient(cloud.endpoint, TencentApi.cam, TENCENT.sourceOwner.root);
    const { RoleInfo } = await cam.request('GetRole', { RoleName: 'legacy-role' });
    expect(RoleInfo.PolicyDocument).toContain(`qcs::cam::uin/${TENCENT.task.uin}:`);
  });

  it('plans a Tencent row keyed by a 16-digit ID as a CloudAccountMismatch conflict, and creates no role in RAM', async () => {
    const owner = EXAMPLE.sourceOwner.id;
    await previousReleaseRow(owner, 'legacy-collision', TENCENT.task.uin);
    const run = await reconcilerFor(services).reconcileAll({ correlationId: 'upgrade-collision' });
    const result = run.results.find((r) => r.role.roleName === 'legacy-collision');
    expect(result?.outcome).toBe('conflict');
    expect(result?.planned).toContainEqual(expect.objectContaining({ kind: 'conflict', code: 'CloudAccountMismatch' }));
    const account = await services.broker.credentialsFor(owner);
    expect(await services.directory.getRole(account, 'legacy-collision')).toBeUndefined();
  });
});
