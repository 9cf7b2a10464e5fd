import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import TableStore from 'tablestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AUTOMATION, localCloudEnvironment } from '../../../local/harness/local-environment.js';
import { decodedPages, primaryKeyOf } from '../../../shared/alicloud/tablestore/rows.js';
import { setupTables } from '../../../shared/alicloud/tablestore/tables.js';
import { createServices, type Services } from '../../../shared/composition/services.js';
import { loadConfig } from '../../../shared/config/config.js';
import { newAuditEvent } from '../../../shared/domain/audit.js';
import { ConcurrentModificationError } from '../../../shared/domain/errors.js';
import { type Grant, GrantSchema, grantOwnerSystem } from '../../../shared/domain/grant.js';
import type { RoleKeyFilter } from '../../../shared/ports.js';
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

/** Write `rows` into `table` 200 at a time (BatchWriteRow's limit), as the stores write them. */
async function writeRows(
  table: string,
  rows: { primaryKey: TableStore.PrimaryKeyInput; attributeColumns: Record<string, unknown>[] }[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    const chunk = rows.slice(i, i + 200).map((row) => ({
      type: 'PUT',
      condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
      ...row,
    }));
    await services.tablestore.batchWriteRow({ tables: [{ tableName: table, rows: chunk as never }] });
  }
}

describe('setupTables', () => {
  it('creates nothing the second time', async () => {
    expect(await setupTables(services.tablestore, services.config.tables, services)).toEqual([]);
  });
});

describe('TablestoreGrantStore', () => {
  it('reads a grant row the previous release wrote (no origin): it belongs to the system its ticket names', async () => {
    const legacy = { ...grant({ roleName: 'previous-release' }), revision: 1 };
    delete (legacy as { origin?: unknown }).origin;
    await services.tablestore.putRow({
      tableName: services.config.tables.grants,
      primaryKey: [{ ownerUid: OWNER }, { roleName: 'previous-release' }, { trustedUid: TRUSTED }],
      condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
      attributeColumns: [{ grant: JSON.stringify(legacy) }, { revision: TableStore.Long.fromNumber(1) }],
    });
    const read = await services.grants.getGrant({
      ownerAccountId: OWNER,
      roleName: 'previous-release',
      trustedAccountId: TRUSTED,
    });
    expect(read?.origin).toBeUndefined();
    expect(grantOwnerSystem(read!)).toBe('jira');
  });

  it('reads a grant row the release before dtsJobIds wrote (no dtsJobIds column) as a grant that names no job', async () => {
    const key = { ownerAccountId: OWNER, roleName: 'before-jobs', trustedAccountId: TRUSTED };
    const legacy = { ...grant({ roleName: 'before-jobs', expiresAt: '2026-12-20T00:00:00Z' }), revision: 3 };
    await services.tablestore.putRow({
      tableName: services.config.tables.grants,
      primaryKey: [{ ownerUid: OWNER }, { roleName: 'before-jobs' }, { trustedUid: TRUSTED }],
      condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
      attributeColumns: [{ grant: JSON.stringify(legacy) }, { revision: TableStore.Long.fromNumber(3) }],
    });
    const read = await services.grants.getGrant(key);
    expect(read).toMatchObject({ expiresAt: '2026-12-20T00:00:00Z', revision: 3 });
    expect(read?.dtsJobIds).toBeUndefined();
    // Replacing it at its revision keeps it a grant without jobs, and a later release's jobs are kept in their column.
    const withJobs = await services.grants.putGrant({ ...read!, dtsJobIds: ['dtsjob000001', 'dtsjob000002'] }, 3);
    expect((await services.grants.getGrant(key))?.dtsJobIds).toEqual(['dtsjob000001', 'dtsjob000002']);
    const row = await services.tablestore.getRow({
      tableName: services.config.tables.grants,
      primaryKey: [{ ownerUid: OWNER }, { roleName: 'before-jobs' }, { trustedUid: TRUSTED }],
      maxVersions: 1,
    });
    const columns = Object.fromEntries((row.row?.attributes ?? []).map((c) => [c.columnName, c.columnValue]));
    expect(JSON.parse(String(columns['dtsJobIds']))).toEqual(['dtsjob000001', 'dtsjob000002']);
    expect(JSON.parse(String(columns['grant']))).not.toHaveProperty('dtsJobIds');
    await services.grants.putGrant({ ...withJobs, dtsJobIds: undefined }, withJobs.revision);
    expect((await services.grants.getGrant(key))?.dtsJobIds).toBeUndefined();
  });

  it('keeps the origin of a grant it stores', async () => {
    const origin = { system: 'jira', keyId: 'jira-2026', messageId: 'msg-1' };
    await services.grants.putGrant(grant({ roleName: 'with-origin', origin }));
    const read = await services.grants.getGrant({
      ownerAccountId: OWNER,
      roleName: 'with-origin',
      trustedAccountId: TRUSTED,
    });
    expect(read?.origin).toEqual(origin);
  });

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

  it('lists every role with its grants in one scan, rows the previous release wrote included', async () => {
    const owner = '1555555555555555';
    const legacy = { ...grant({ ownerAccountId: owner, roleName: 'b-legacy' }), revision: 3 };
    delete (legacy as { origin?: unknown }).origin;
    await services.tablestore.putRow({
      tableName: services.config.tables.grants,
      primaryKey: [{ ownerUid: owner }, { roleName: 'b-legacy' }, { trustedUid: TRUSTED }],
      condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
      attributeColumns: [{ grant: JSON.stringify(legacy) }, { revision: TableStore.Long.fromNumber(3) }],
    });
    for (const trustedAccountId of ['1906547382910461', '1906547382910460']) {
      await services.grants.putGrant(grant({ ownerAccountId: owner, roleName: 'a-two', trustedAccountId }));
    }
    const listed = [];
    for await (const { role, grants } of services.grants.listRoleGrants({ ownerAccountId: owner })) {
      listed.push([role.roleName, grants.map((g) => `${g.trustedAccountId}@${g.revision}`)]);
    }
    expect(listed).toEqual([
      ['a-two', ['1906547382910460@1', '1906547382910461@1']],
      ['b-legacy', [`${TRUSTED}@3`]],
    ]);
  });

  it('lists every role of a scan longer than a page once, the grants a page boundary splits kept together', async () => {
    const owner = '1666666666666666';
    // 999 roles of one grant, then one of three: rows 1,000 to 1,002, across the first page's end (1,000 rows).
    const keys = [
      ...Array.from({ length: 999 }, (_, i) => ({ roleName: `r${String(i).padStart(4, '0')}`, trusted: TRUSTED })),
      ...['1906547382910460', '1906547382910461', '1906547382910462'].map((t) => ({ roleName: 'z-split', trusted: t })),
    ];
    await writeRows(
      services.config.tables.grants,
      keys.map(({ roleName, trusted }) => ({
        primaryKey: [{ ownerUid: owner }, { roleName }, { trustedUid: trusted }],
        attributeColumns: [
          {
            grant: JSON.stringify({
              ...grant({ ownerAccountId: owner, roleName, trustedAccountId: trusted }),
              revision: 1,
            }),
          },
          { revision: TableStore.Long.fromNumber(1) },
        ],
      })),
    );
    const listed: [string, number][] = [];
    for await (const { role, grants } of services.grants.listRoleGrants({ ownerAccountId: owner })) {
      listed.push([role.roleName, grants.length]);
    }
    expect(listed).toHaveLength(1000);
    expect(new Set(listed.map(([name]) => name)).size).toBe(1000);
    expect(listed.at(-1)).toEqual(['z-split', 3]);
  });

  it("lists the roles after a role from their keys, across a key page's end (5,000 rows), each once", async () => {
    const owner = '1686868686868686';
    // 5,000 roles of one grant, then one of two at rows 5,001 and 5,002: the first key page ends inside no role.
    const keys = [
      ...Array.from({ length: 5000 }, (_, i) => ({ roleName: `k${String(i).padStart(4, '0')}`, trusted: TRUSTED })),
      ...['1906547382910460', '1906547382910461'].map((t) => ({ roleName: 'z-two', trusted: t })),
    ];
    await writeRows(
      services.config.tables.grants,
      keys.map(({ roleName, trusted }) => ({
        primaryKey: [{ ownerUid: owner }, { roleName }, { trustedUid: trusted }],
        attributeColumns: [
          { grant: JSON.stringify({ ...grant({ ownerAccountId: owner, roleName, trustedAccountId: trusted }) }) },
          { revision: TableStore.Long.fromNumber(1) },
        ],
      })),
    );
    const names = async (filter: RoleKeyFilter): Promise<string[]> => {
      const out: string[] = [];
      for await (const role of services.grants.listManagedRoles(filter)) out.push(role.roleName);
      return out;
    };
    const after = await names({ after: { ownerAccountId: owner, roleName: 'k0001' } });
    expect(after.slice(0, 2)).toEqual(['k0002', 'k0003']);
    expect(after.filter((n) => n.startsWith('k') || n === 'z-two')).toHaveLength(4999);
    expect(after.filter((n) => n === 'z-two')).toHaveLength(1);
    expect(await names({ ownerAccountId: owner, after: { ownerAccountId: owner, roleName: 'k4999' } })).toEqual([
      'z-two',
    ]);
    expect(
      await names({ ownerAccountId: owner, after: { ownerAccountId: '1000000000000000', roleName: 'x' } }),
    ).toEqual(await names({ ownerAccountId: owner }));
    expect(
      await names({ ownerAccountId: owner, after: { ownerAccountId: '1999999999999999', roleName: 'a' } }),
    ).toEqual([]);
  });

  it('deletes a grant only at the revision read, when asked to', async () => {
    const g = await services.grants.putGrant(grant({ roleName: 'delete-at-revision' }));
    const renewed = await services.grants.putGrant({ ...g, expiresAt: '2027-01-01T00:00:00Z' }, g.revision);
    await expect(services.grants.deleteGrant(g, g.revision)).rejects.toBeInstanceOf(ConcurrentModificationError);
    await services.grants.deleteGrant(renewed, renewed.revision);
    expect(await services.grants.getGrant(g)).toBeUndefined();
  });

  it('forgets a deleted grant, and deleting twice is fine', async () => {
    const g = await services.grants.putGrant(grant({ roleName: 'delete-me' }));
    await services.grants.deleteGrant(g);
    await services.grants.deleteGrant(g);
    expect(await services.grants.getGrant(g)).toBeUndefined();
  });
});

describe('TablestoreInventoryRuns', () => {
  it('records each inventory and reads back the latest ones, newest first', async () => {
    for (const [day, unused] of [
      [1, ['a']],
      [2, ['a', 'b']],
      [3, []],
    ] as const) {
      await services.inventories.record({
        takenAt: new Date(`2026-11-0${day}T00:00:00Z`),
        correlationId: `inv-${day}`,
        unusedGrantIds: [...unused],
      });
    }
    const latest = await services.inventories.latest(2);
    expect(latest.map((r) => [r.takenAt.toISOString(), r.correlationId, r.unusedGrantIds])).toEqual([
      ['2026-11-03T00:00:00.000Z', 'inv-3', []],
      ['2026-11-02T00:00:00.000Z', 'inv-2', ['a', 'b']],
    ]);
    expect(await services.inventories.latest(10)).toHaveLength(3);
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

  it('lists every status row of a scan longer than a page, each once and in order', async () => {
    const owner = '1777777777777777';
    const names = Array.from({ length: 1001 }, (_, i) => `s${String(i).padStart(4, '0')}`);
    await writeRows(
      services.config.tables.status,
      names.map((roleName) => ({
        primaryKey: [{ ownerUid: owner }, { roleName }],
        attributeColumns: [
          {
            status: JSON.stringify({
              lastResult: 'inSync',
              lastReconciledAt: now.toISOString(),
              failureCount: 0,
              flapCount: 0,
            }),
          },
          { version: TableStore.Long.fromNumber(1) },
        ],
      })),
    );
    const listed: string[] = [];
    for await (const s of services.status.listStatuses({ ownerAccountId: owner })) listed.push(s.roleName);
    expect(listed).toEqual(names);
  });

  it('lists the status rows after a role from their keys, rows the previous release wrote included', async () => {
    const owner = '1787878787878787';
    const names = ['s-a', 's-b', 's-c'];
    await writeRows(
      services.config.tables.status,
      names.map((roleName) => ({
        primaryKey: [{ ownerUid: owner }, { roleName }],
        // The two columns every release has written to a status row: its document and its version.
        attributeColumns: [
          { status: JSON.stringify({ lastResult: 'inSync', lastReconciledAt: now.toISOString(), failureCount: 0 }) },
          { version: TableStore.Long.fromNumber(4) },
        ],
      })),
    );
    const keys: string[] = [];
    for await (const k of services.status.listStatusKeys({
      ownerAccountId: owner,
      after: { ownerAccountId: owner, roleName: 's-a' },
    })) {
      keys.push(`${k.ownerAccountId}/${k.roleName}`);
    }
    expect(keys).toEqual([`${owner}/s-b`, `${owner}/s-c`]);
    const all: string[] = [];
    for await (const k of services.status.listStatusKeys({ ownerAccountId: owner })) all.push(k.roleName);
    expect(all).toEqual(names);
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
  const claim = (messageId: string, over: Partial<{ bodyHash: string; createIfAbsent: boolean; keyId: string }> = {}) =>
    services.ledger.claim(
      { keyId: over.keyId ?? 'jira', messageId },
      { leaseMs: 60_000, bodyHash: over.bodyHash ?? 'hash-1', createIfAbsent: over.createIfAbsent ?? true },
    );
  const id = (messageId: string, keyId = 'jira') => ({ keyId, messageId });

  /** A row as the release before this one wrote it: key `<keyId>:<id>`, no body hash. */
  async function putPreviousReleaseRow(messageKey: string, status: 'inProgress' | 'completed', leaseUntil: number) {
    await services.tablestore.putRow({
      tableName: services.config.tables.messages,
      primaryKey: [{ messageKey }],
      condition: new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null),
      attributeColumns: [
        { status },
        ...(status === 'completed' ? [{ outcome: 'declared' }] : []),
        { leaseUntil: TableStore.Long.fromNumber(leaseUntil) },
        { version: TableStore.Long.fromNumber(1) },
      ],
    });
  }

  it('claims a message once, reports it completed after, and lets a lapsed lease be taken over', async () => {
    expect(await claim('m-1')).toEqual({ status: 'claimed', resumed: false });
    expect((await claim('m-1')).status).toBe('inProgress');
    now = new Date(now.getTime() + 61_000);
    expect(await claim('m-1')).toEqual({ status: 'claimed', resumed: true });
    await services.ledger.complete(id('m-1'), 'declared');
    expect(await claim('m-1')).toEqual({ status: 'completed', outcome: 'declared' });
  });

  it('keeps a released claim, so the message resumes even when it may no longer create rows', async () => {
    await claim('m-2');
    await services.ledger.release(id('m-2'));
    expect(await claim('m-2', { createIfAbsent: false })).toEqual({ status: 'claimed', resumed: true });
  });

  it('creates nothing for a message that may not create rows', async () => {
    expect(await claim('m-3', { createIfAbsent: false })).toEqual({ status: 'absent' });
    expect(await claim('m-3', { createIfAbsent: false })).toEqual({ status: 'absent' });
  });

  it('reports a different body under a known id, whatever the row state', async () => {
    await claim('m-4');
    expect(await claim('m-4', { bodyHash: 'hash-2' })).toEqual({ status: 'bodyMismatch' });
    await services.ledger.complete(id('m-4'), 'declared');
    expect(await claim('m-4', { bodyHash: 'hash-2' })).toEqual({ status: 'bodyMismatch' });
  });

  it('never confuses key ids that contain ":" with message ids', async () => {
    await claim('b:m-5', { keyId: 'a' });
    await services.ledger.complete(id('b:m-5', 'a'), 'declared');
    expect(await claim('m-5', { keyId: 'a:b' })).toEqual({ status: 'claimed', resumed: false });
  });

  it('honours a completed row of the previous release, so its messages stay duplicates', async () => {
    await putPreviousReleaseRow('jira:m-6', 'completed', 0);
    expect(await claim('m-6', { createIfAbsent: false })).toEqual({ status: 'completed', outcome: 'declared' });
  });

  it('resumes an unfinished row of the previous release and leaves a live one to its holder', async () => {
    await putPreviousReleaseRow('jira:m-7', 'inProgress', 0);
    expect(await claim('m-7', { createIfAbsent: false })).toEqual({ status: 'claimed', resumed: true });
    await putPreviousReleaseRow('jira:m-8', 'inProgress', now.getTime() + 30_000);
    expect((await claim('m-8')).status).toBe('inProgress');
  });

  it('does not read previous-release rows for a key id with ":" (their keys were ambiguous)', async () => {
    await putPreviousReleaseRow('x:y:m-9', 'completed', 0);
    expect(await claim('m-9', { keyId: 'x:y' })).toEqual({ status: 'claimed', resumed: false });
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

describe('decodedPages', () => {
  it("hands out a page decoded whole, the SDK's rows of it free to be collected while the page is worked through", async () => {
    const owner = '1888888888888888';
    const names = Array.from({ length: 3 }, (_, i) => `d${i}`);
    await writeRows(
      services.config.tables.status,
      names.map((roleName) => ({
        primaryKey: [{ ownerUid: owner }, { roleName }],
        attributeColumns: [{ status: '{}' }, { version: TableStore.Long.fromNumber(1) }],
      })),
    );
    const rows: WeakRef<TableStore.Row>[] = [];
    const pages = decodedPages(
      services.tablestore,
      services.config.tables.status,
      [{ ownerUid: owner }, { roleName: TableStore.INF_MIN }],
      [{ ownerUid: owner }, { roleName: TableStore.INF_MAX }],
      (row) => {
        rows.push(new WeakRef(row));
        return String(primaryKeyOf(row).roleName);
      },
    )[Symbol.asyncIterator]();
    const first = await pages.next();
    expect(first.value).toEqual(names);
    // A WeakRef's target lives to the end of the job that made it: let that job end before collecting.
    await new Promise((resolve) => setImmediate(resolve));
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    expect(rows.map((ref) => ref.deref())).toEqual([undefined, undefined, undefined]);
    expect((await pages.next()).done).toBe(true);
  });
});
