import TableStore from 'tablestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AUTOMATION, localCloudEnvironment } from '../../../local/demo/local-environment.js';
import { setupTables } from '../../../shared/alicloud/tablestore/tables.js';
import { newAuditEvent } from '../../../shared/domain/audit.js';
import { ConcurrentModificationError } from '../../../shared/domain/errors.js';
import { type Grant, GrantSchema } from '../../../shared/domain/grant.js';
import { loadConfig } from '../../../shared/runtime/config.js';
import { createServices, type Services } from '../../../shared/runtime/services.js';
import { INSTANT_TABLES, startTestCloud, type TestCloud } from '../../support/local-cloud.js';

const OWNER = '1437508826153950';
const TRUSTED = '1729364058172635';

const grant = (over: Partial<Grant> = {}): Grant =>
  GrantSchema.parse({
    ownerAccountId: OWNER,
    roleName: 'ram-for-dts',
    trustedAccountId: TRUSTED,
    ticket: { system: 'jira', id: 'DBA-1', requester: 'ana', approver: 'ben' },
    ...over,
  });

let cloud: TestCloud;
let services: Services;
let now = new Date('2026-11-23T10:00:00Z');

beforeAll(async () => {
  cloud = await startTestCloud({ services: { eventbridge: { buses: ['dts-trust'] }, ...INSTANT_TABLES } });
  const config = loadConfig(localCloudEnvironment(cloud.cloud));
  services = createServices(config, {
    tablestoreKeys: LOCAL_AUTOMATION.runner,
    ownKeys: async () => LOCAL_AUTOMATION.runner,
    clock: { now: () => now, sleep: async () => {} },
  });
  await services.ensureTables();
});

afterAll(async () => {
  await cloud?.stop();
});

describe('setupTables', () => {
  it('creates nothing the second time', async () => {
    expect(await setupTables(services.tablestore, services.config.tables, services)).toEqual([]);
  });
});

describe('TablestoreGrantStore', () => {
  it('inserts a grant once and refuses a second insert', async () => {
    const stored = await services.grants.putGrant(grant({ roleName: 'insert-once' }));
    expect(stored.revision).toBe(1);
    await expect(services.grants.putGrant(grant({ roleName: 'insert-once' }))).rejects.toBeInstanceOf(
      ConcurrentModificationError,
    );
  });

  it('replaces a grant only at the revision read', async () => {
    const first = await services.grants.putGrant(grant({ roleName: 'replace-me' }));
    const second = await services.grants.putGrant({ ...first, mode: 'observe' }, first.revision);
    expect(second.revision).toBe(2);
    await expect(services.grants.putGrant({ ...first, mode: 'paused' }, first.revision)).rejects.toBeInstanceOf(
      ConcurrentModificationError,
    );
    expect((await services.grants.getGrant(first))?.mode).toBe('observe');
  });

  it('lists the grants of one role and each managed role once, page by page', async () => {
    for (let i = 0; i < 3; i += 1) {
      await services.grants.putGrant(grant({ roleName: 'multi', trustedAccountId: `190654738291046${i}` }));
    }
    const grants = await services.grants.listGrantsForRole({ ownerAccountId: OWNER, roleName: 'multi' });
    expect(grants.map((g) => g.trustedAccountId)).toEqual(['1906547382910460', '1906547382910461', '1906547382910462']);
    const roles = [];
    for await (const role of services.grants.listManagedRoles({ ownerAccountId: OWNER })) roles.push(role.roleName);
    expect(roles.filter((r) => r === 'multi')).toHaveLength(1);
    expect(roles).toEqual([...roles].sort());
  });

  it('forgets a deleted grant, and deleting twice is fine', async () => {
    const g = await services.grants.putGrant(grant({ roleName: 'delete-me' }));
    await services.grants.deleteGrant(g);
    await services.grants.deleteGrant(g);
    expect(await services.grants.getGrant(g)).toBeUndefined();
  });
});

describe('TablestoreStatusStore', () => {
  it('writes a status row conditional on its version', async () => {
    const role = { ownerAccountId: OWNER, roleName: 'status-role' };
    const base = {
      ...role,
      lastResult: 'created',
      lastReconciledAt: now.toISOString(),
      failureCount: 0,
      flapCount: 0,
      version: 0,
    };
    const v1 = await services.status.putStatus(base, 0);
    expect(v1.version).toBe(1);
    await expect(services.status.putStatus(base, 0)).rejects.toBeInstanceOf(ConcurrentModificationError);
    const v2 = await services.status.putStatus({ ...v1, lastResult: 'inSync' }, 1);
    expect((await services.status.getStatus(role))?.lastResult).toBe('inSync');
    expect(v2.version).toBe(2);
  });

  it("lists status rows in the grant store's order, one owner account or all", async () => {
    const other = '1906547382910465';
    const row = (ownerAccountId: string, roleName: string) => ({
      ownerAccountId,
      roleName,
      lastResult: 'inSync',
      lastReconciledAt: now.toISOString(),
      failureCount: 0,
      flapCount: 0,
      version: 0,
    });
    for (const r of [row(other, 'b-role'), row(OWNER, 'Z-role'), row(OWNER, 'a-role'), row(other, 'a-role')]) {
      await services.status.putStatus(r, 0);
    }
    const listed: string[] = [];
    for await (const s of services.status.listStatuses()) listed.push(`${s.ownerAccountId}/${s.roleName}`);
    expect(listed).toEqual([
      `${OWNER}/Z-role`,
      `${OWNER}/a-role`,
      `${OWNER}/status-role`,
      `${other}/a-role`,
      `${other}/b-role`,
    ]);
    const mine: string[] = [];
    for await (const s of services.status.listStatuses({ ownerAccountId: other })) mine.push(s.roleName);
    expect(mine).toEqual(['a-role', 'b-role']);
  });

  it('deletes a status row only at the expected version', async () => {
    const role = { ownerAccountId: OWNER, roleName: 'a-role' };
    await expect(services.status.deleteStatus(role, 7)).rejects.toBeInstanceOf(ConcurrentModificationError);
    await services.status.deleteStatus(role, 1);
    expect(await services.status.getStatus(role)).toBeUndefined();
  });

  it('refuses a corrupt status row with a CorruptRecord error naming the row', async () => {
    await services.tablestore.putRow({
      tableName: services.config.tables.status,
      primaryKey: [{ ownerUid: OWNER }, { roleName: 'corrupt-role' }],
      condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
      attributeColumns: [{ status: '{"lastResult":' }],
    });
    await expect(services.status.getStatus({ ownerAccountId: OWNER, roleName: 'corrupt-role' })).rejects.toMatchObject({
      code: 'CorruptRecord',
      message: expect.stringContaining(`${OWNER}/corrupt-role`),
    });
  });
});

describe('TablestoreMessageLedger', () => {
  it('claims a key once, reports it completed after, and lets a lapsed lease be taken over', async () => {
    expect(await services.ledger.claim('jira:m-1', 60_000)).toEqual({ status: 'claimed' });
    expect((await services.ledger.claim('jira:m-1', 60_000)).status).toBe('inProgress');
    now = new Date(now.getTime() + 61_000);
    expect(await services.ledger.claim('jira:m-1', 60_000)).toEqual({ status: 'claimed' });
    await services.ledger.complete('jira:m-1', 'declared');
    expect(await services.ledger.claim('jira:m-1', 60_000)).toEqual({ status: 'completed', outcome: 'declared' });
  });

  it('makes a released key claimable again', async () => {
    await services.ledger.claim('jira:m-2', 60_000);
    await services.ledger.release('jira:m-2');
    expect(await services.ledger.claim('jira:m-2', 60_000)).toEqual({ status: 'claimed' });
  });
});

describe('TablestoreAuditOutbox', () => {
  it('returns pending events oldest first and forgets removed ones', async () => {
    const events = [0, 1, 2].map((i) =>
      newAuditEvent({
        id: `evt-${i}`,
        type: 'dts-trust.role.created',
        subject: 'acs:ram::1437508826153950:role/x',
        time: new Date(now.getTime() + i * 1000),
        data: { correlationId: 'c', outcome: 'created' },
      }),
    );
    for (const e of [...events].reverse()) await services.outbox.record(e);
    expect((await services.outbox.pending(10)).map((e) => e.id)).toEqual(['evt-0', 'evt-1', 'evt-2']);
    await services.outbox.remove(['evt-0', 'evt-2']);
    expect((await services.outbox.pending(10)).map((e) => e.id)).toEqual(['evt-1']);
  });
});
