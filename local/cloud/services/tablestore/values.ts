/**
 * Cell and primary-key values of the local Tablestore, their order and their JSON form (for `--state`).
 * Integers are `bigint` (Tablestore INTEGER is a signed 64-bit integer); strings keep their UTF-8 bytes so that
 * primary keys compare as the service compares them (byte order, not UTF-16 order).
 */
import { z } from 'zod';

/** Value types of primary-key columns, as numbered by `PrimaryKeyType` in tablestore.proto. */
export const PrimaryKeyType = { INTEGER: 1, STRING: 2, BINARY: 3 } as const;

/** One of {@link PrimaryKeyType}'s names. */
export type PrimaryKeyTypeName = keyof typeof PrimaryKeyType;

/** A value a cell can hold. */
export type CellValue =
  | { readonly kind: 'INTEGER'; readonly value: bigint }
  | { readonly kind: 'DOUBLE'; readonly value: number }
  | { readonly kind: 'BOOLEAN'; readonly value: boolean }
  | { readonly kind: 'STRING'; readonly value: string; readonly bytes: Buffer }
  | { readonly kind: 'BINARY'; readonly value: Buffer };

/** A concrete primary-key value (no infinities): INTEGER, STRING or BINARY. */
export type PrimaryKeyValue = Extract<CellValue, { kind: PrimaryKeyTypeName }>;

/** A primary-key value in a range bound: a concrete value or one of the infinities. */
export type BoundValue = PrimaryKeyValue | { readonly kind: 'INF_MIN' } | { readonly kind: 'INF_MAX' };

/** A STRING value with its UTF-8 bytes. */
export function stringValue(value: string): CellValue & { kind: 'STRING' } {
  return { kind: 'STRING', value, bytes: Buffer.from(value, 'utf8') };
}

/** True when the value can be a primary-key value. */
export function isPrimaryKeyValue(value: CellValue | BoundValue): value is PrimaryKeyValue {
  return value.kind === 'INTEGER' || value.kind === 'STRING' || value.kind === 'BINARY';
}

/**
 * Order two primary-key values of the same column: negative, zero or positive. Infinities sort before and after
 * everything. Values of different kinds (which a valid table never mixes) order by kind.
 */
export function comparePrimaryKeyValues(a: BoundValue, b: BoundValue): number {
  if (a.kind === 'INF_MIN') return b.kind === 'INF_MIN' ? 0 : -1;
  if (a.kind === 'INF_MAX') return b.kind === 'INF_MAX' ? 0 : 1;
  if (b.kind === 'INF_MIN') return 1;
  if (b.kind === 'INF_MAX') return -1;
  if (a.kind === 'INTEGER' && b.kind === 'INTEGER') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  if (a.kind === 'STRING' && b.kind === 'STRING') return Buffer.compare(a.bytes, b.bytes);
  if (a.kind === 'BINARY' && b.kind === 'BINARY') return Buffer.compare(a.value, b.value);
  return a.kind < b.kind ? -1 : 1;
}

/** Order two primary keys column by column. */
export function comparePrimaryKeys(a: readonly BoundValue[], b: readonly BoundValue[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const c = comparePrimaryKeyValues(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/**
 * Compare two cell values for a column condition. Returns undefined when the kinds differ (the service treats a
 * type mismatch as "not comparable").
 */
export function compareCellValues(a: CellValue, b: CellValue): number | undefined {
  if (a.kind !== b.kind) return undefined;
  switch (a.kind) {
    case 'INTEGER': {
      const bv = (b as typeof a).value;
      return a.value < bv ? -1 : a.value > bv ? 1 : 0;
    }
    case 'DOUBLE': {
      const bv = (b as typeof a).value;
      return a.value < bv ? -1 : a.value > bv ? 1 : 0;
    }
    case 'BOOLEAN': {
      const bv = (b as typeof a).value;
      return Number(a.value) - Number(bv);
    }
    case 'STRING':
      return Buffer.compare(a.bytes, (b as typeof a).bytes);
    case 'BINARY':
      return Buffer.compare(a.value, (b as typeof a).value);
  }
}

/** Bytes a value occupies, for capacity units and size limits. */
export function valueSize(value: CellValue): number {
  switch (value.kind) {
    case 'INTEGER':
    case 'DOUBLE':
      return 8;
    case 'BOOLEAN':
      return 1;
    case 'STRING':
      return value.bytes.length;
    case 'BINARY':
      return value.value.length;
  }
}

/** A value in JSON: Int64 as a decimal string, binary as base64, doubles as numbers or `NaN`/`Infinity` strings. */
export const JsonCellValueSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('INTEGER'), v: z.string().regex(/^-?\d+$/, 'an Int64 as a decimal string') }),
  z.object({ t: z.literal('DOUBLE'), v: z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]) }),
  z.object({ t: z.literal('BOOLEAN'), v: z.boolean() }),
  z.object({ t: z.literal('STRING'), v: z.string() }),
  z.object({ t: z.literal('BINARY'), v: z.string().base64('base64 bytes') }),
]);

/** The JSON form of a {@link CellValue}. */
export type JsonCellValue = z.infer<typeof JsonCellValueSchema>;

/** A value as JSON. */
export function cellValueToJson(value: CellValue): JsonCellValue {
  switch (value.kind) {
    case 'INTEGER':
      return { t: 'INTEGER', v: value.value.toString() };
    case 'DOUBLE':
      return { t: 'DOUBLE', v: Number.isFinite(value.value) ? value.value : (String(value.value) as 'NaN') };
    case 'BOOLEAN':
      return { t: 'BOOLEAN', v: value.value };
    case 'STRING':
      return { t: 'STRING', v: value.value };
    case 'BINARY':
      return { t: 'BINARY', v: value.value.toString('base64') };
  }
}

/** A value back from JSON. */
export function cellValueFromJson(json: JsonCellValue): CellValue {
  switch (json.t) {
    case 'INTEGER':
      return { kind: 'INTEGER', value: BigInt(json.v) };
    case 'DOUBLE':
      return { kind: 'DOUBLE', value: Number(json.v) };
    case 'BOOLEAN':
      return { kind: 'BOOLEAN', value: json.v };
    case 'STRING':
      return stringValue(json.v);
    case 'BINARY':
      return { kind: 'BINARY', value: Buffer.from(json.v, 'base64') };
  }
}
