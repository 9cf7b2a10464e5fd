import TableStore from 'tablestore';
import * as z from 'zod/v4-mini';
import { DtsTrustError } from '../../domain/errors.js';
import {
  Cloud,
  DTS_ROLE_POLICY,
  type Grant,
  type GrantKey,
  GrantMode,
  MAX_GRANT_DTS_JOBS,
  type RoleKey,
} from '../../domain/grant.js';
import { DateTimeWithOffsetMini } from '../../domain/timestamp.js';
import type { GrantStore, RoleGrants, RoleKeyFilter } from '../../ports.js';
import { callStore } from './errors.js';
import { ownerKeyRange, scanRoleKeys } from './role-key-scan.js';
import {
  attributesOf,
  decodedPages,
  ignoreExistence,
  long,
  longToNumber,
  mustHaveVersion,
  mustNotExist,
  primaryKeyOf,
  rangeRows,
  rowExists,
  stringAttr,
} from './rows.js';

/** The grants' primary-key columns after `roleName`. */
const GRANT_KEY_AFTER_ROLE = ['trustedUid'] as const;

function grantKey(key: GrantKey): TableStore.PrimaryKeyInput {
  return [{ ownerUid: key.ownerAccountId }, { roleName: key.roleName }, { trustedUid: key.trustedAccountId }];
}

/** The `dtsJobIds` column: the grant's DTS jobs as a JSON array; absent on rows of grants that name none. */
const DTS_JOBS_COLUMN = 'dtsJobIds';

/** The grant document as stored, and its DTS jobs from their own column (rows written before it have none). */
function storedGrant(attrs: Record<string, TableStore.ColumnValue>): unknown {
  const document = JSON.parse(stringAttr(attrs.grant) ?? '{}') as Record<string, unknown>;
  const jobs = stringAttr(attrs[DTS_JOBS_COLUMN]);
  return jobs === undefined ? document : { ...document, dtsJobIds: JSON.parse(jobs) };
}

/** The attribute columns of a grant: the document (without its DTS jobs), the jobs, the revision. */
function grantColumns(grant: Grant): TableStore.AttributeInput {
  const { dtsJobIds, ...document } = grant;
  return [
    { grant: JSON.stringify(document) },
    ...(dtsJobIds === undefined ? [] : [{ [DTS_JOBS_COLUMN]: JSON.stringify(dtsJobIds) }]),
    { revision: long(grant.revision) },
  ];
}

const nonEmpty = () => z.string().check(z.minLength(1));

/**
 * A stored grant: {@link GrantSchema} as a zod v4 mini schema, field for field (a test holds the two to the same
 * fields, the same answers and the same output). Every run reads every grant row, so its check is the costliest
 * per-role validation after RAM's answers; zod 3's costs several times more (docs/architecture.md, "Validation on
 * the hot path"). Times are checked with the pattern of zod's `datetime({ offset: true })` compiled once.
 */
export const StoredGrantSchema = z.object({
  ownerAccountId: z.string(),
  roleName: z.string(),
  trustedAccountId: z.string(),
  cloud: z._default(z.enum([Cloud.Alibaba, Cloud.Tencent]), Cloud.Alibaba),
  policies: z._default(z.array(nonEmpty()).check(z.minLength(1)), () => [DTS_ROLE_POLICY]),
  externalId: z.optional(z.string().check(z.minLength(2), z.maxLength(1224))),
  subAccountUins: z.optional(z.array(z.string()).check(z.minLength(1), z.maxLength(20))),
  mode: z._default(z.enum([GrantMode.Enforce, GrantMode.Observe, GrantMode.Paused]), GrantMode.Enforce),
  expiresAt: z.optional(DateTimeWithOffsetMini),
  dtsJobIds: z.optional(
    z.array(z.string().check(z.regex(/^[A-Za-z0-9]{6,64}$/))).check(z.minLength(1), z.maxLength(MAX_GRANT_DTS_JOBS)),
  ),
  adopt: z._default(z.boolean(), false),
  ticket: z.object({ system: nonEmpty(), id: nonEmpty(), requester: nonEmpty(), approver: nonEmpty() }),
  origin: z.optional(z.object({ system: nonEmpty(), keyId: nonEmpty(), messageId: nonEmpty() })),
  revision: z._default(z.int().check(z.nonnegative()), 0),
  createdAt: z.optional(DateTimeWithOffsetMini),
  updatedAt: z.optional(DateTimeWithOffsetMini),
});

/** Parse a stored grant row; a row that no longer matches the schema is an error, never silently skipped. */
function grantFromRow(row: TableStore.Row): Grant {
  const attrs = attributesOf(row);
  const parsed = StoredGrantSchema.safeParse(storedGrant(attrs));
  if (!parsed.success) {
    const pk = primaryKeyOf(row);
    throw new DtsTrustError(
      'CorruptRecord',
      `Stored grant ${String(pk.ownerUid)}/${String(pk.roleName)}/${String(pk.trustedUid)} is invalid: ${parsed.error.message}`,
    );
  }
  return { ...(parsed.data satisfies Grant), revision: longToNumber(attrs.revision) };
}

/**
 * The grants table: PK (ownerUid, roleName, trustedUid); columns `grant` (JSON), `dtsJobIds` (JSON array, only on
 * grants that name their DTS jobs) and `revision` (Long), the version every replace is conditional on.
 */
export class TablestoreGrantStore implements GrantStore {
  constructor(
    private readonly client: TableStore.Client,
    private readonly table: string,
  ) {}

  async getGrant(key: GrantKey): Promise<Grant | undefined> {
    const res = await callStore('GetRow', () =>
      this.client.getRow({ tableName: this.table, primaryKey: grantKey(key), maxVersions: 1 }),
    );
    return rowExists(res.row) ? grantFromRow(res.row) : undefined;
  }

  async putGrant(grant: Grant, expectedRevision?: number): Promise<Grant> {
    const revision = (expectedRevision ?? 0) + 1;
    const stored: Grant = { ...grant, revision };
    await callStore('PutRow', () =>
      this.client.putRow({
        tableName: this.table,
        primaryKey: grantKey(grant),
        condition: expectedRevision === undefined ? mustNotExist() : mustHaveVersion('revision', expectedRevision),
        attributeColumns: grantColumns(stored),
      }),
    );
    return stored;
  }

  async deleteGrant(key: GrantKey, expectedRevision?: number): Promise<void> {
    const condition =
      expectedRevision === undefined ? ignoreExistence() : mustHaveVersion('revision', expectedRevision);
    await callStore('DeleteRow', () =>
      this.client.deleteRow({ tableName: this.table, primaryKey: grantKey(key), condition }),
    );
  }

  async listGrantsForRole(role: RoleKey): Promise<Grant[]> {
    const grants: Grant[] = [];
    for await (const row of rangeRows(
      this.client,
      this.table,
      [{ ownerUid: role.ownerAccountId }, { roleName: role.roleName }, { trustedUid: TableStore.INF_MIN }],
      [{ ownerUid: role.ownerAccountId }, { roleName: role.roleName }, { trustedUid: TableStore.INF_MAX }],
    )) {
      grants.push(grantFromRow(row));
    }
    return grants;
  }

  listManagedRoles(filter?: RoleKeyFilter): AsyncIterable<RoleKey> {
    return scanRoleKeys(
      { client: this.client, name: this.table, restOfKey: GRANT_KEY_AFTER_ROLE, presentColumn: 'revision' },
      filter,
    );
  }

  async *listRoleGrants(filter?: { ownerAccountId?: string }): AsyncIterable<RoleGrants> {
    const { start, end } = ownerKeyRange(GRANT_KEY_AFTER_ROLE, filter?.ownerAccountId);
    let current: { role: RoleKey; grants: Grant[] } | undefined;
    // Each page decoded whole as it arrives (decodedPages): the SDK's rows are not held while the run works.
    for await (const page of decodedPages(this.client, this.table, start, end, roleGrantOfRow)) {
      for (const { role, grant } of page) {
        if (current?.role.ownerAccountId === role.ownerAccountId && current.role.roleName === role.roleName) {
          current.grants.push(grant);
          continue;
        }
        if (current) yield current;
        current = { role, grants: [grant] };
      }
    }
    if (current) yield current;
  }
}

/** A grant row's role and grant. */
function roleGrantOfRow(row: TableStore.Row): { role: RoleKey; grant: Grant } {
  const pk = primaryKeyOf(row);
  return { role: { ownerAccountId: String(pk.ownerUid), roleName: String(pk.roleName) }, grant: grantFromRow(row) };
}
