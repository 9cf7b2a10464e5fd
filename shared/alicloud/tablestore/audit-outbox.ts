import { createHash } from 'node:crypto';
import TableStore from 'tablestore';
import { type AuditEvent, boundAuditEvent } from '../../domain/audit.js';
import { cutText } from '../../domain/audit-bounds.js';
import { CloudApiError, CloudErrorKind } from '../../domain/errors.js';
import type { AuditOutbox, OutboxEntry, SetAsideEvents, SetAsideReason, SetAsideRecord } from '../../ports.js';
import { callStore } from './errors.js';
import {
  attributesOf,
  ignoreExistence,
  long,
  longToNumber,
  primaryKeyOf,
  rangeRows,
  rowExists,
  stringAttr,
} from './rows.js';
import { StoredAuditEventSchema } from './stored-audit-event.js';
import { OUTBOX_SHARDS } from './tables.js';

/** BatchWriteRow takes at most 200 rows per call. */
const MAX_BATCH_WRITE = 200;

function shardOf(eventId: string): number {
  return createHash('sha1').update(eventId).digest().readUInt16BE(0) % OUTBOX_SHARDS;
}

function outboxKey(eventId: string): TableStore.PrimaryKeyInput {
  return [{ shard: long(shardOf(eventId)) }, { eventId }];
}

/** An outbox row as an entry: the event bounded (rows of earlier releases were not), or why it is corrupt. */
function entryOf(row: TableStore.Row): OutboxEntry {
  const attrs = attributesOf(row);
  const eventId = String(primaryKeyOf(row).eventId ?? '');
  const base = {
    eventId,
    recordedAt: longToNumber(attrs.recordedAt),
    attempts: longToNumber(attrs.attempts),
    ...(stringAttr(attrs.lastCode) ? { lastCode: stringAttr(attrs.lastCode) } : {}),
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(stringAttr(attrs.event) ?? '');
  } catch {
    return { ...base, corrupt: 'the event column is not JSON' };
  }
  const event = StoredAuditEventSchema.safeParse(parsed);
  if (!event.success) {
    const fields = event.error.issues.map((i) => i.path.join('.') || 'event').join(', ');
    return { ...base, corrupt: `the event column is not an audit event (${fields})` };
  }
  if (event.data.id !== eventId) return { ...base, corrupt: `the event's id ${event.data.id} is not the row's` };
  return { ...base, event: boundAuditEvent(event.data as unknown as AuditEvent) };
}

function failedRows(res: { tables: { isOk: boolean; errorCode?: string; errorMessage?: string }[] }) {
  return res.tables.filter((r) => !r.isOk);
}

/**
 * The audit outbox and its dead-letter table.
 *
 * Outbox: PK (shard, eventId); columns `event` (JSON), `recordedAt` (ms), and after a failed delivery attempt
 * `attempts` (Long), `lastCode`, `lastAttemptAt` (ms). Rows of earlier releases have no attempt columns: they
 * read as zero attempts. An event is written here before the change it describes, and removed once EventBridge
 * accepted it or once it is set aside.
 *
 * Dead letters: PK eventId; columns `event` (the outbox row's text, as it was), `code`, `message`, `attempts`,
 * `recordedAt`, `setAsideAt` (ms), `type`, `subject`. Kept until an operator replays or deletes them.
 */
export class TablestoreAuditOutbox implements AuditOutbox, SetAsideEvents {
  constructor(
    private readonly client: TableStore.Client,
    private readonly table: string,
    private readonly deadLetterTable: string,
  ) {}

  async record(event: AuditEvent): Promise<void> {
    const bounded = boundAuditEvent(event);
    await callStore('PutRow', () =>
      this.client.putRow({
        tableName: this.table,
        primaryKey: outboxKey(bounded.id),
        condition: ignoreExistence(),
        attributeColumns: [{ event: JSON.stringify(bounded) }, { recordedAt: long(Date.parse(bounded.time) || 0) }],
      }),
    );
  }

  async *entries(pageSize: number): AsyncIterable<readonly OutboxEntry[]> {
    let page: OutboxEntry[] = [];
    for (let shard = 0; shard < OUTBOX_SHARDS; shard += 1) {
      for await (const row of rangeRows(
        this.client,
        this.table,
        [{ shard: long(shard) }, { eventId: TableStore.INF_MIN }],
        [{ shard: long(shard) }, { eventId: TableStore.INF_MAX }],
      )) {
        page.push(entryOf(row));
        if (page.length >= pageSize) {
          yield page;
          page = [];
        }
      }
    }
    if (page.length > 0) yield page;
  }

  async pending(limit: number): Promise<AuditEvent[]> {
    const found: OutboxEntry[] = [];
    for await (const page of this.entries(Math.max(1, limit))) found.push(...page);
    return found
      .filter((e) => e.event)
      .sort((a, b) => a.recordedAt - b.recordedAt || a.eventId.localeCompare(b.eventId))
      .slice(0, limit)
      .map((e) => e.event!);
  }

  async remove(eventIds: readonly string[]): Promise<void> {
    await this.#batch(
      eventIds.map((id) => ({ type: 'DELETE', condition: ignoreExistence(), primaryKey: outboxKey(id) })),
      'remove delivered audit events',
    );
  }

  async recordFailedAttempts(
    failures: readonly { eventId: string; code: string; attempts: number }[],
    at: Date,
  ): Promise<void> {
    // Only rows still there: a row another worker delivered meanwhile must not come back as an empty row.
    const mustExist = new TableStore.Condition(TableStore.RowExistenceExpectation.EXPECT_EXIST, null);
    await this.#batch(
      failures.map((f) => ({
        type: 'UPDATE',
        condition: mustExist,
        primaryKey: outboxKey(f.eventId),
        attributeColumns: [
          { PUT: [{ attempts: long(f.attempts) }, { lastCode: f.code }, { lastAttemptAt: long(at.getTime()) }] },
        ],
      })),
      'count failed delivery attempts',
      (code, message) => code === 'OTSConditionCheckFail' || /OTSConditionCheckFail/.test(message ?? ''),
    );
  }

  async setAside(entry: OutboxEntry, reason: SetAsideReason, at: Date): Promise<void> {
    const stored = await this.#storedRow(entry.eventId);
    if (!stored.exists) return; // delivered or set aside by another worker meanwhile
    const raw = stored.raw ?? '';
    const event = entry.event;
    await callStore('PutRow', () =>
      this.client.putRow({
        tableName: this.deadLetterTable,
        primaryKey: [{ eventId: entry.eventId }],
        condition: ignoreExistence(),
        attributeColumns: [
          { event: raw },
          { code: reason.code },
          { message: cutText(reason.message, 2048) },
          { attempts: long(entry.attempts) },
          { recordedAt: long(entry.recordedAt) },
          { setAsideAt: long(at.getTime()) },
          ...(event ? [{ type: event.type }, { subject: cutText(event.subject, 512) }] : []),
        ],
      }),
    );
    await callStore('DeleteRow', () =>
      this.client.deleteRow({
        tableName: this.table,
        primaryKey: outboxKey(entry.eventId),
        condition: ignoreExistence(),
      }),
    );
  }

  async *setAsideRecords(): AsyncIterable<SetAsideRecord> {
    for await (const row of rangeRows(
      this.client,
      this.deadLetterTable,
      [{ eventId: TableStore.INF_MIN }],
      [{ eventId: TableStore.INF_MAX }],
    )) {
      const attrs = attributesOf(row);
      const type = stringAttr(attrs.type);
      const subject = stringAttr(attrs.subject);
      yield {
        eventId: String(primaryKeyOf(row).eventId ?? ''),
        code: stringAttr(attrs.code) ?? '',
        message: stringAttr(attrs.message) ?? '',
        attempts: longToNumber(attrs.attempts),
        recordedAt: new Date(longToNumber(attrs.recordedAt)).toISOString(),
        setAsideAt: new Date(longToNumber(attrs.setAsideAt)).toISOString(),
        ...(type ? { type } : {}),
        ...(subject ? { subject } : {}),
        raw: stringAttr(attrs.event) ?? '',
      };
    }
  }

  async replay(eventId: string, at: Date): Promise<boolean> {
    const res = await callStore('GetRow', () =>
      this.client.getRow({ tableName: this.deadLetterTable, primaryKey: [{ eventId }], maxVersions: 1 }),
    );
    const attrs = attributesOf(res.row);
    const raw = stringAttr(attrs.event);
    if (raw === undefined) return false;
    await callStore('PutRow', () =>
      this.client.putRow({
        tableName: this.table,
        primaryKey: outboxKey(eventId),
        condition: ignoreExistence(),
        attributeColumns: [{ event: raw }, { recordedAt: long(at.getTime()) }],
      }),
    );
    await callStore('DeleteRow', () =>
      this.client.deleteRow({
        tableName: this.deadLetterTable,
        primaryKey: [{ eventId }],
        condition: ignoreExistence(),
      }),
    );
    return true;
  }

  async #storedRow(eventId: string): Promise<{ exists: boolean; raw?: string }> {
    const res = await callStore('GetRow', () =>
      this.client.getRow({ tableName: this.table, primaryKey: outboxKey(eventId), maxVersions: 1 }),
    );
    const raw = stringAttr(attributesOf(res.row).event);
    return { exists: rowExists(res.row), ...(raw !== undefined ? { raw } : {}) };
  }

  /** BatchWriteRow in chunks of 200; a row error other than the ones `tolerated` fails the call. */
  async #batch(
    rows: readonly Record<string, unknown>[],
    what: string,
    tolerated: (code: string, message?: string) => boolean = () => false,
  ): Promise<void> {
    for (let i = 0; i < rows.length; i += MAX_BATCH_WRITE) {
      const chunk = rows.slice(i, i + MAX_BATCH_WRITE);
      const res = await callStore('BatchWriteRow', () =>
        this.client.batchWriteRow({ tables: [{ tableName: this.table, rows: chunk as never }] }),
      );
      const failed = failedRows(res).filter((r) => !tolerated(r.errorCode ?? '', r.errorMessage));
      if (failed.length > 0) {
        throw new CloudApiError({
          api: 'ots:BatchWriteRow',
          code: failed[0]?.errorCode ?? 'BatchWriteRowFailed',
          kind: CloudErrorKind.Unavailable,
          message: `could not ${what}: ${failed.length} row(s) failed (${failed[0]?.errorMessage ?? 'no message'})`,
        });
      }
    }
  }
}
