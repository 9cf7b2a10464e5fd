import TableStore from 'tablestore';
import { z } from 'zod';
import type { AuditEvent } from '../../domain/audit.js';
import { ConcurrentModificationError, DtsTrustError } from '../../domain/errors.js';
import { FINDING_KINDS } from '../../domain/finding.js';
import { type FindingRecord, FindingState, findingIdOfEvent, foldFindingEvent } from '../../domain/finding-record.js';
import type { FindingLedger } from '../../ports.js';
import { callStore } from './errors.js';
import {
  attributesOf,
  long,
  longToNumber,
  mustHaveVersion,
  mustNotExist,
  primaryKeyOf,
  rangeRows,
  rowExists,
  stringAttr,
} from './rows.js';

/** How often a fold is tried again when another worker changed the row between the read and the write. */
const MAX_RACES = 5;

const kinds = Object.keys(FINDING_KINDS) as [keyof typeof FINDING_KINDS, ...(keyof typeof FINDING_KINDS)[]];

/** The `finding` column, checked on every read (rows outlive releases). */
const StoredFindingSchema = z.object({
  findingId: z.string().min(1),
  kind: z.enum(kinds),
  severity: z.enum(['low', 'medium', 'high', 'critical']),
  subject: z.string(),
  summary: z.string(),
  evidence: z.record(z.string(), z.unknown()),
  state: z.enum([FindingState.Open, FindingState.Resolved]),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  occurrences: z.number().int().nonnegative(),
  lastEventId: z.string(),
  resolvedAt: z.string().optional(),
  resolvedBy: z.string().optional(),
  resolution: z.string().optional(),
});

function recordOf(row: TableStore.Row): { record: FindingRecord; version: number } {
  const attrs = attributesOf(row);
  let parsed: unknown;
  try {
    parsed = JSON.parse(stringAttr(attrs.finding) ?? '');
  } catch {
    parsed = undefined;
  }
  const stored = StoredFindingSchema.safeParse(parsed);
  if (!stored.success) {
    const fields = stored.error.issues.map((i) => i.path.join('.') || 'finding').join(', ');
    throw new DtsTrustError(
      'CorruptRecord',
      `finding ${String(primaryKeyOf(row).findingId)} is invalid (${fields}): delete the row, the next finding event writes it again`,
    );
  }
  return { record: stored.data, version: longToNumber(attrs.version) };
}

/**
 * The findings table: PK findingId; columns `finding` (JSON of the {@link FindingRecord}), `state` (`open` /
 * `resolved`), `severity`, `kind`, `version` (Long, the write condition). Rows are folded from delivered events
 * with a conditional write, so two deliverers folding at once both count.
 */
export class TablestoreFindingLedger implements FindingLedger {
  constructor(
    private readonly client: TableStore.Client,
    private readonly table: string,
  ) {}

  async apply(events: readonly AuditEvent[]): Promise<void> {
    const sorted = [...events].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    for (const event of sorted) {
      const findingId = findingIdOfEvent(event);
      if (findingId !== undefined) await this.#fold(findingId, event);
    }
  }

  async get(findingId: string): Promise<FindingRecord | undefined> {
    return (await this.#read(findingId))?.record;
  }

  async *list(filter?: { state?: FindingState }): AsyncIterable<FindingRecord> {
    for await (const row of rangeRows(
      this.client,
      this.table,
      [{ findingId: TableStore.INF_MIN }],
      [{ findingId: TableStore.INF_MAX }],
    )) {
      if (filter?.state !== undefined && stringAttr(attributesOf(row).state) !== filter.state) continue;
      yield recordOf(row).record;
    }
  }

  async #read(findingId: string): Promise<{ record: FindingRecord; version: number } | undefined> {
    const res = await callStore('GetRow', () =>
      this.client.getRow({ tableName: this.table, primaryKey: [{ findingId }], maxVersions: 1 }),
    );
    return rowExists(res.row) ? recordOf(res.row) : undefined;
  }

  async #fold(findingId: string, event: AuditEvent): Promise<void> {
    for (let race = 0; ; race++) {
      const current = await this.#read(findingId);
      const next = foldFindingEvent(current?.record, event);
      if (next === undefined || next === current?.record) return;
      const version = (current?.version ?? 0) + 1;
      try {
        await callStore('PutRow', () =>
          this.client.putRow({
            tableName: this.table,
            primaryKey: [{ findingId }],
            condition: current === undefined ? mustNotExist() : mustHaveVersion('version', current.version),
            attributeColumns: [
              { finding: JSON.stringify(next) },
              { state: next.state },
              { severity: next.severity },
              { kind: next.kind },
              { version: long(version) },
            ],
          }),
        );
        return;
      } catch (error) {
        if (!(error instanceof ConcurrentModificationError) || race >= MAX_RACES) throw error;
      }
    }
  }
}
