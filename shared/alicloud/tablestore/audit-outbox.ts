import { createHash } from 'node:crypto';
import TableStore from 'tablestore';
import type { AuditEvent } from '../../domain/audit.js';
import { CloudApiError, CloudErrorKind } from '../../domain/errors.js';
import type { AuditOutbox } from '../../ports.js';
import { callStore } from './errors.js';
import { attributesOf, ignoreExistence, long, longToNumber, stringAttr } from './rows.js';
import { OUTBOX_SHARDS } from './tables.js';

/** BatchWriteRow takes at most 200 rows per call. */
const MAX_BATCH_WRITE = 200;

function shardOf(eventId: string): number {
  return createHash('sha1').update(eventId).digest().readUInt16BE(0) % OUTBOX_SHARDS;
}

/**
 * The audit outbox: PK (shard, eventId); columns `event` (JSON) and `recordedAt` (ms). An event is written
 * here before the change it describes, and removed once EventBridge accepted it.
 */
export class TablestoreAuditOutbox implements AuditOutbox {
  constructor(
    private readonly client: TableStore.Client,
    private readonly table: string,
  ) {}

  async record(event: AuditEvent): Promise<void> {
    await callStore('PutRow', () =>
      this.client.putRow({
        tableName: this.table,
        primaryKey: [{ shard: long(shardOf(event.id)) }, { eventId: event.id }],
        condition: ignoreExistence(),
        attributeColumns: [{ event: JSON.stringify(event) }, { recordedAt: long(Date.parse(event.time) || 0) }],
      }),
    );
  }

  async pending(limit: number): Promise<AuditEvent[]> {
    const found: { at: number; event: AuditEvent }[] = [];
    for (let shard = 0; shard < OUTBOX_SHARDS; shard += 1) {
      const res = await callStore('GetRange', () =>
        this.client.getRange({
          tableName: this.table,
          direction: TableStore.Direction.FORWARD,
          inclusiveStartPrimaryKey: [{ shard: long(shard) }, { eventId: TableStore.INF_MIN }],
          exclusiveEndPrimaryKey: [{ shard: long(shard) }, { eventId: TableStore.INF_MAX }],
          limit,
          maxVersions: 1,
        }),
      );
      for (const row of res.rows) {
        const attrs = attributesOf(row);
        const text = stringAttr(attrs.event);
        if (text) found.push({ at: longToNumber(attrs.recordedAt), event: JSON.parse(text) as AuditEvent });
      }
    }
    return found
      .sort((a, b) => a.at - b.at || a.event.id.localeCompare(b.event.id))
      .slice(0, limit)
      .map((f) => f.event);
  }

  async remove(eventIds: readonly string[]): Promise<void> {
    for (let i = 0; i < eventIds.length; i += MAX_BATCH_WRITE) {
      const chunk = eventIds.slice(i, i + MAX_BATCH_WRITE);
      const res = await callStore('BatchWriteRow', () =>
        this.client.batchWriteRow({
          tables: [
            {
              tableName: this.table,
              rows: chunk.map((id) => ({
                type: 'DELETE',
                condition: ignoreExistence(),
                primaryKey: [{ shard: long(shardOf(id)) }, { eventId: id }],
              })),
            },
          ],
        }),
      );
      const failed = res.tables.filter((r) => !r.isOk);
      if (failed.length > 0) {
        throw new CloudApiError({
          api: 'ots:BatchWriteRow',
          code: failed[0]?.errorCode ?? 'BatchWriteRowFailed',
          kind: CloudErrorKind.Unavailable,
          message: `could not remove ${failed.length} delivered audit events`,
        });
      }
    }
  }
}
