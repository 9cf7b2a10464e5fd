import type TableStore from 'tablestore';
import * as z from 'zod/v4-mini';
import { DtsTrustError } from '../../domain/errors.js';
import type { RoleKey } from '../../domain/grant.js';
import { DateTimeWithOffsetMini } from '../../domain/timestamp.js';
import type { RoleKeyFilter, RoleStatus, StatusStore } from '../../ports.js';
import { callStore } from './errors.js';
import { ownerKeyRange, scanRoleKeys } from './role-key-scan.js';
import {
  attributesOf,
  decodedPages,
  long,
  longToNumber,
  mustHaveVersion,
  mustNotExist,
  primaryKeyOf,
  rowExists,
  stringAttr,
} from './rows.js';

function statusKey(role: RoleKey): TableStore.PrimaryKeyInput {
  return [{ ownerUid: role.ownerAccountId }, { roleName: role.roleName }];
}

/**
 * The `status` column: the JSON the engine wrote (key and version live in the row itself); times as zod's datetime.
 * Read once per role in every run, so a zod v4 mini schema (docs/architecture.md, "Validation on the hot path").
 */
const StoredStatusSchema = z.object({
  observedHash: z.optional(z.string()),
  lastResult: z.string().check(z.minLength(1)),
  lastReconciledAt: DateTimeWithOffsetMini,
  failureCount: z.int().check(z.nonnegative()),
  nextAttemptAt: z.optional(DateTimeWithOffsetMini),
  flapSignature: z.optional(z.string()),
  flapCount: z.int().check(z.nonnegative()),
  flapWindowStart: z.optional(DateTimeWithOffsetMini),
  pausedReason: z.optional(z.string()),
  /** Absent on rows written before sub-account policy ids were recorded. */
  subAccountPolicyIds: z.optional(
    z.record(z.string().check(z.regex(/^\d{5,20}$/)), z.string().check(z.regex(/^\d{1,20}$/))),
  ),
});

/** The columns a status row is read by (its `lastResult` column is for people browsing the table). */
const STATUS_COLUMNS = ['status', 'version'];

/** A status row of a scan, its role read from its key. */
function statusOfRow(row: TableStore.Row): RoleStatus {
  const pk = primaryKeyOf(row);
  return statusFromRow(row, { ownerAccountId: String(pk.ownerUid), roleName: String(pk.roleName) });
}

/** A stored status row; a row that no longer matches the schema is an error, never silently skipped. */
function statusFromRow(row: TableStore.Row, role: RoleKey): RoleStatus {
  const attrs = attributesOf(row);
  let stored: unknown;
  try {
    stored = JSON.parse(stringAttr(attrs.status) ?? '');
  } catch {
    stored = undefined;
  }
  const parsed = StoredStatusSchema.safeParse(stored);
  if (!parsed.success) {
    throw new DtsTrustError(
      'CorruptRecord',
      `Stored status of ${role.ownerAccountId}/${role.roleName} is invalid (${parsed.error.issues.map((i) => i.path.join('.') || 'status').join(', ')}): delete the row, the next run writes it again`,
    );
  }
  return {
    ...parsed.data,
    ownerAccountId: role.ownerAccountId,
    roleName: role.roleName,
    version: longToNumber(attrs.version),
  };
}

/** The role status table: PK (ownerUid, roleName); columns `status` (JSON) and `version` (Long). */
export class TablestoreStatusStore implements StatusStore {
  constructor(
    private readonly client: TableStore.Client,
    private readonly table: string,
  ) {}

  async getStatus(role: RoleKey): Promise<RoleStatus | undefined> {
    const res = await callStore('GetRow', () =>
      this.client.getRow({
        tableName: this.table,
        primaryKey: statusKey(role),
        maxVersions: 1,
        columnsToGet: STATUS_COLUMNS,
      }),
    );
    return rowExists(res.row) ? statusFromRow(res.row, role) : undefined;
  }

  async deleteStatus(role: RoleKey, expectedVersion: number): Promise<void> {
    await callStore('DeleteRow', () =>
      this.client.deleteRow({
        tableName: this.table,
        primaryKey: statusKey(role),
        condition: mustHaveVersion('version', expectedVersion),
      }),
    );
  }

  async *listStatuses(filter?: { ownerAccountId?: string }): AsyncIterable<RoleStatus> {
    const { start, end } = ownerKeyRange([], filter?.ownerAccountId);
    // Each page decoded whole as it arrives (decodedPages): the SDK's rows are not held while the run works.
    for await (const page of decodedPages(this.client, this.table, start, end, statusOfRow, STATUS_COLUMNS)) {
      for (const status of page) yield status;
    }
  }

  listStatusKeys(filter?: RoleKeyFilter): AsyncIterable<RoleKey> {
    return scanRoleKeys({ client: this.client, name: this.table, restOfKey: [], presentColumn: 'version' }, filter);
  }

  async putStatus(status: RoleStatus, expectedVersion: number): Promise<RoleStatus> {
    const stored: RoleStatus = { ...status, version: expectedVersion + 1 };
    await callStore('PutRow', () =>
      this.client.putRow({
        tableName: this.table,
        primaryKey: statusKey(status),
        condition: expectedVersion === 0 ? mustNotExist() : mustHaveVersion('version', expectedVersion),
        attributeColumns: [
          { status: JSON.stringify(stored) },
          { version: long(stored.version) },
          { lastResult: stored.lastResult },
        ],
      }),
    );
    return stored;
  }
}
