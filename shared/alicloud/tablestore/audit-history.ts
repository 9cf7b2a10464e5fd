import TableStore from 'tablestore';
import { type AuditEvent, boundAuditEvent } from '../../domain/audit.js';
import { CloudApiError, CloudErrorKind, DtsTrustError } from '../../domain/errors.js';
import type { AuditHistory, HistoryEntry } from '../../ports.js';
import { callStore } from './errors.js';
import { attributesOf, ignoreExistence, long, longToNumber, primaryKeyOf, rangeRows, stringAttr } from './rows.js';
import { StoredAuditEventSchema } from './stored-audit-event.js';

/** BatchWriteRow takes at most 200 rows per call. */
const MAX_BATCH_WRITE = 200;

/** The sort key of an event within its subject: its time, then its id (ISO times sort as text). */
function eventKeyOf(event: AuditEvent): string {
  return `${event.time}|${event.id}`;
}

function entryOf(row: TableStore.Row): HistoryEntry {
  const attrs = attributesOf(row);
  const pk = primaryKeyOf(row);
  let parsed: unknown;
  try {
    parsed = JSON.parse(stringAttr(attrs.event) ?? '');
  } catch {
    parsed = undefined;
  }
  const event = StoredAuditEventSchema.safeParse(parsed);
  if (!event.success) {
    throw new DtsTrustError(
      'CorruptRecord',
      `audit history row (${String(pk.subject)}, ${String(pk.eventKey)}) does not hold an audit event: delete the row`,
    );
  }
  return {
    event: boundAuditEvent(event.data as unknown as AuditEvent),
    deliveredAt: new Date(longToNumber(attrs.deliveredAt)).toISOString(),
  };
}

/**
 * The audit history: every event the bus accepted, kept for {@link HISTORY_TTL_SECONDS}. PK (subject, eventKey =
 * `<time>|<event id>`), so one role's trail is one range read in time order; columns `event` (JSON, as delivered),
 * `type`, `deliveredAt` (ms, Long). Writes ignore existence: keeping an event twice writes the same row.
 */
export class TablestoreAuditHistory implements AuditHistory {
  constructor(
    private readonly client: TableStore.Client,
    private readonly table: string,
  ) {}

  async keep(events: readonly AuditEvent[], deliveredAt: Date): Promise<void> {
    const rows = events.map((event) => ({
      type: 'PUT',
      condition: ignoreExistence(),
      primaryKey: [{ subject: event.subject }, { eventKey: eventKeyOf(event) }],
      attributeColumns: [
        { event: JSON.stringify(event) },
        { type: event.type },
        { deliveredAt: long(deliveredAt.getTime()) },
      ],
    }));
    for (let i = 0; i < rows.length; i += MAX_BATCH_WRITE) {
      const chunk = rows.slice(i, i + MAX_BATCH_WRITE);
      const res = await callStore('BatchWriteRow', () =>
        this.client.batchWriteRow({ tables: [{ tableName: this.table, rows: chunk as never }] }),
      );
      const failed = res.tables.filter((r) => !r.isOk);
      if (failed.length > 0) {
        throw new CloudApiError({
          api: 'ots:BatchWriteRow',
          code: failed[0]?.errorCode ?? 'BatchWriteRowFailed',
          kind: CloudErrorKind.Unavailable,
          message: `could not keep delivered audit events: ${failed.length} row(s) failed (${failed[0]?.errorMessage ?? 'no message'})`,
        });
      }
    }
  }

  async *trail(subject: string): AsyncIterable<HistoryEntry> {
    for await (const row of rangeRows(
      this.client,
      this.table,
      [{ subject }, { eventKey: TableStore.INF_MIN }],
      [{ subject }, { eventKey: TableStore.INF_MAX }],
    )) {
      yield entryOf(row);
    }
  }

  async *entries(filter?: { since?: Date }): AsyncIterable<HistoryEntry> {
    const since = filter?.since?.toISOString();
    for await (const row of rangeRows(
      this.client,
      this.table,
      [{ subject: TableStore.INF_MIN }, { eventKey: TableStore.INF_MIN }],
      [{ subject: TableStore.INF_MAX }, { eventKey: TableStore.INF_MAX }],
    )) {
      const key = String(primaryKeyOf(row).eventKey ?? '');
      if (since !== undefined && key.slice(0, key.indexOf('|')) < since) continue;
      yield entryOf(row);
    }
  }
}
