/**
 * Primary keys of requests checked against a table's schema, with the service's `OTSParameterInvalid` messages.
 */
import { invalidParameter } from './errors.js';
import type { RequestKeyValue } from './plainbuffer.js';
import type { KeyColumn, TableState } from './store.js';
import type { BoundValue, PrimaryKeyValue } from './values.js';

const VARIANT_NAMES: Record<string, string> = {
  INTEGER: 'VT_INTEGER',
  STRING: 'VT_STRING',
  BINARY: 'VT_BLOB',
  INF_MIN: 'VT_INF_MIN',
  INF_MAX: 'VT_INF_MAX',
  AUTO_INCREMENT: 'VT_AUTO_INCREMENT',
};

type RequestKey = readonly { readonly name: string; readonly value: RequestKeyValue }[];

function checkShape(schema: readonly KeyColumn[], key: RequestKey): void {
  if (key.length !== schema.length) {
    throw invalidParameter(`Validate PK size fail. Input: ${key.length}, Meta: ${schema.length}.`);
  }
  schema.forEach((column, i) => {
    const given = key[i]!;
    if (given.name !== column.name) {
      throw invalidParameter(`Validate PK name fail. Input: ${given.name}, Meta: ${column.name}.`);
    }
  });
}

function typeMismatch(column: KeyColumn, value: RequestKeyValue): never {
  throw invalidParameter(
    `Validate PK type fail. Input: ${VARIANT_NAMES[value.kind]}, Meta: ${VARIANT_NAMES[column.type]} (column ${column.name}).`,
  );
}

/** The exact primary key of a row to read or delete: every column, in order, of its schema type. */
export function exactKey(table: TableState, key: RequestKey): PrimaryKeyValue[] {
  checkShape(table.primaryKey, key);
  return table.primaryKey.map((column, i) => {
    const value = key[i]!.value;
    if (value.kind !== column.type) typeMismatch(column, value);
    return value as PrimaryKeyValue;
  });
}

/**
 * The primary key of a row to write. An auto-increment column takes the placeholder (`PK_AUTO_INCR`) and gets
 * the table's next value; other columns must hold a value of their type.
 */
export function keyForWrite(table: TableState, key: RequestKey, allowAutoIncrement: boolean): PrimaryKeyValue[] {
  checkShape(table.primaryKey, key);
  return table.primaryKey.map((column, i) => {
    const value = key[i]!.value;
    if (value.kind === 'AUTO_INCREMENT') {
      if (!column.autoIncrement || !allowAutoIncrement) {
        throw invalidParameter(`Column ${column.name} is not an auto-increment primary key column of this request.`);
      }
      table.autoIncrement += 1n;
      return { kind: 'INTEGER', value: table.autoIncrement };
    }
    if (value.kind !== column.type) typeMismatch(column, value);
    return value as PrimaryKeyValue;
  });
}

/** A range bound: every column, in order, holding a value of its type or INF_MIN / INF_MAX. */
export function boundKey(table: TableState, key: RequestKey): BoundValue[] {
  checkShape(table.primaryKey, key);
  return table.primaryKey.map((column, i) => {
    const value = key[i]!.value;
    if (value.kind === 'INF_MIN' || value.kind === 'INF_MAX') return value;
    if (value.kind !== column.type) typeMismatch(column, value);
    return value as PrimaryKeyValue;
  });
}

/** A stored key as the response's named primary-key columns. */
export function namedKey(
  table: TableState,
  pk: readonly PrimaryKeyValue[],
): { name: string; value: PrimaryKeyValue }[] {
  return table.primaryKey.map((column, i) => ({ name: column.name, value: pk[i]! }));
}
