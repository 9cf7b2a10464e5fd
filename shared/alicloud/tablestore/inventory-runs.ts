import TableStore from 'tablestore';
import { DtsTrustError } from '../../domain/errors.js';
import type { InventoryRun, InventoryRuns } from '../../ports.js';
import { callStore } from './errors.js';
import { attributesOf, ignoreExistence, long, longToNumber, primaryKeyOf, stringAttr } from './rows.js';

/** Parse a stored inventory row; one that does not read is an error naming the row, never skipped. */
function runFromRow(row: TableStore.Row): InventoryRun {
  const attrs = attributesOf(row);
  const takenAt = longToNumber(primaryKeyOf(row).takenAt as TableStore.ColumnValue);
  let unused: unknown;
  try {
    unused = JSON.parse(stringAttr(attrs.unusedGrantIds) ?? '[]');
  } catch {
    unused = undefined;
  }
  if (!Array.isArray(unused) || !unused.every((id) => typeof id === 'string')) {
    throw new DtsTrustError('CorruptRecord', `Stored DTS inventory ${takenAt} has no readable unusedGrantIds`);
  }
  return {
    takenAt: new Date(takenAt),
    correlationId: stringAttr(attrs.correlationId) ?? '',
    unusedGrantIds: unused,
  };
}

/**
 * The DTS inventories table: PK `takenAt` INTEGER (ms); columns `correlationId` and `unusedGrantIds` (JSON array of
 * grant ids). One row per inventory; the latest are one backward range read.
 */
export class TablestoreInventoryRuns implements InventoryRuns {
  constructor(
    private readonly client: TableStore.Client,
    private readonly table: string,
  ) {}

  async record(run: InventoryRun): Promise<void> {
    await callStore('PutRow', () =>
      this.client.putRow({
        tableName: this.table,
        primaryKey: [{ takenAt: long(run.takenAt.getTime()) }],
        condition: ignoreExistence(),
        attributeColumns: [
          { correlationId: run.correlationId },
          { unusedGrantIds: JSON.stringify([...run.unusedGrantIds].sort()) },
        ],
      }),
    );
  }

  async latest(count: number): Promise<InventoryRun[]> {
    const res = await callStore('GetRange', () =>
      this.client.getRange({
        tableName: this.table,
        direction: TableStore.Direction.BACKWARD,
        inclusiveStartPrimaryKey: [{ takenAt: TableStore.INF_MAX }],
        exclusiveEndPrimaryKey: [{ takenAt: TableStore.INF_MIN }],
        limit: count,
        maxVersions: 1,
      }),
    );
    return res.rows.slice(0, count).map(runFromRow);
  }
}
