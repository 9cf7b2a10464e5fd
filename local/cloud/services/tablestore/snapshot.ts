/**
 * The local Tablestore's state as JSON (for `--state <file>`): Int64 values as decimal strings, binary as base64.
 */
import { z } from 'zod';
import { CloudSetupError } from '../../errors.js';
import type { StoredCell, StoredRow, TableState, TablestoreState } from './store.js';
import {
  type CellValue,
  cellValueFromJson,
  cellValueToJson,
  comparePrimaryKeys,
  JsonCellValueSchema,
  type PrimaryKeyTypeName,
  type PrimaryKeyValue,
} from './values.js';

const RowSchema = z.object({
  pk: z.array(JsonCellValueSchema),
  writtenAt: z.number(),
  columns: z.record(z.array(z.object({ ts: z.number(), value: JsonCellValueSchema }))),
});

const TableSchema = z.object({
  name: z.string().min(1),
  primaryKey: z.array(
    z.object({ name: z.string().min(1), type: z.enum(['INTEGER', 'STRING', 'BINARY']), autoIncrement: z.boolean() }),
  ),
  timeToLive: z.number().int(),
  maxVersions: z.number().int().positive(),
  maxTimeDeviation: z.number().positive(),
  reservedRead: z.number().int().nonnegative(),
  reservedWrite: z.number().int().nonnegative(),
  createdAt: z.number(),
  readyAt: z.number().optional(),
  autoIncrement: z.string().regex(/^-?\d+$/),
  rows: z.array(RowSchema),
});

/** The JSON form of the whole state. */
export const TablestoreSnapshotSchema = z.object({
  instances: z.array(z.object({ accountId: z.string().min(1), name: z.string().min(1), tables: z.array(TableSchema) })),
});

/** The JSON form of the whole state. */
export type TablestoreSnapshot = z.infer<typeof TablestoreSnapshotSchema>;

/** Snapshot every instance, table and row. */
export function snapshotTablestore(state: TablestoreState): TablestoreSnapshot {
  return {
    instances: [...state.instances.values()].map((instance) => ({
      accountId: instance.accountId,
      name: instance.name,
      tables: [...instance.tables.values()].map((t) => ({
        name: t.name,
        primaryKey: t.primaryKey.map((k) => ({ ...k })),
        timeToLive: t.timeToLive,
        maxVersions: t.maxVersions,
        maxTimeDeviation: t.maxTimeDeviation,
        reservedRead: t.reservedRead,
        reservedWrite: t.reservedWrite,
        createdAt: t.createdAt,
        ...(t.readyAt === undefined ? {} : { readyAt: t.readyAt }),
        autoIncrement: t.autoIncrement.toString(),
        rows: t.rows.map((r) => ({
          pk: r.pk.map(cellValueToJson),
          writtenAt: r.writtenAt,
          columns: Object.fromEntries(
            [...r.columns].map(([name, versions]) => [
              name,
              versions.map((v) => ({ ts: v.ts, value: cellValueToJson(v.value) })),
            ]),
          ),
        })),
      })),
    })),
  };
}

/** Replace the state with a snapshot; a snapshot that does not parse is a {@link CloudSetupError} naming the field. */
export function restoreTablestore(state: TablestoreState, data: unknown): void {
  const parsed = TablestoreSnapshotSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CloudSetupError(
      `tablestore state: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}; ` +
        'use a file written by the local cloud with --state, or delete it to start empty',
    );
  }
  state.instances.clear();
  for (const instance of parsed.data.instances) {
    const tables = new Map<string, TableState>();
    for (const t of instance.tables) {
      const rows: StoredRow[] = t.rows.map((r) => ({
        pk: r.pk.map((v) => cellValueFromJson(v) as PrimaryKeyValue),
        writtenAt: r.writtenAt,
        columns: new Map(
          Object.entries(r.columns).map(([name, versions]) => [
            name,
            versions.map((v): StoredCell => ({ ts: v.ts, value: cellValueFromJson(v.value) as CellValue })),
          ]),
        ),
      }));
      rows.sort((a, b) => comparePrimaryKeys(a.pk, b.pk));
      tables.set(t.name, {
        ...t,
        primaryKey: t.primaryKey.map((k) => ({ ...k, type: k.type as PrimaryKeyTypeName })),
        autoIncrement: BigInt(t.autoIncrement),
        rows,
      });
    }
    state.instances.set(`${instance.accountId}/${instance.name}`, {
      accountId: instance.accountId,
      name: instance.name,
      tables,
    });
  }
}
