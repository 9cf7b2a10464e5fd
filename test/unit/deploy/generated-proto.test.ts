import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  callersOfUncalledMethods,
  GENERATED_PROTO,
  keptTypes,
  lazyTypes,
  REST_FILE,
  trimGeneratedProto,
  UNCALLED_METHODS,
  USED_OPERATIONS,
} from '../../../scripts/generated-proto.mjs';
import { TABLESTORE_ACTIONS } from '../../../shared/alicloud/tablestore/tables.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SDK = path.join(ROOT, 'node_modules', 'tablestore');
const FILE = path.join(SDK, GENERATED_PROTO);

type Message = {
  encode(m: unknown): { finish(): Uint8Array };
  decode(b: Uint8Array): unknown;
  create(p: object): unknown;
};
type Namespaces = Record<'main' | 'filter' | 'search', { proto: Record<string, unknown> }>;

/**
 * The generated module's namespaces, evaluated from `code` as Node would load the file; `rest` is the file beside
 * it, evaluated when the module requires it (counted in `restLoads`).
 */
function evaluate(code: string, rest?: string, restLoads?: { count: number }): Namespaces {
  const real = createRequire(FILE);
  const require = (id: string): unknown => {
    if (id !== `./${REST_FILE}`) return real(id);
    if (rest === undefined) throw new Error(`${id} required, but there is none`);
    if (restLoads) restLoads.count += 1;
    const restModule = { exports: {} as unknown };
    new Function('require', 'module', 'exports', rest)(real, restModule, restModule.exports);
    return restModule.exports;
  };
  const module = { exports: {} as unknown };
  new Function('require', 'module', 'exports', code)(require, module, module.exports);
  const root = module.exports as Namespaces;
  // pbjs modules share protobufjs' default root: keep this module's namespaces before another one replaces them.
  return { main: root.main, filter: root.filter, search: root.search };
}

/** Message types (constructors) and enums of a namespace, by name. */
const typesOf = (ns: Record<string, unknown>) => Object.entries(ns).filter(([, v]) => typeof v === 'function');

describe('the trimmed generated protobuf module of the tablestore SDK', () => {
  let original: Namespaces;
  let trimmed: Namespaces;
  let removed = 0;
  let types = 0;
  let code = '';

  beforeAll(async () => {
    const source = readFileSync(FILE, 'utf8');
    original = evaluate(source);
    const lazy = lazyTypes(source);
    types = lazy.types;
    const trim = await trimGeneratedProto(lazy.code);
    removed = trim.removed;
    code = trim.code;
    trimmed = evaluate(code);
  });

  it('makes each type of a namespace on first read, then keeps it as a plain value', () => {
    const fresh = evaluate(code);
    const names = Object.keys(fresh.main.proto);
    expect(names).toEqual(Object.keys(original.main.proto));
    const before = Object.getOwnPropertyDescriptor(fresh.main.proto, 'GetRowRequest');
    expect(before?.get).toBeTypeOf('function');
    const type = fresh.main.proto.GetRowRequest;
    expect(Object.getOwnPropertyDescriptor(fresh.main.proto, 'GetRowRequest')).toEqual({
      value: type,
      writable: true,
      enumerable: true,
      configurable: true,
    });
    expect(fresh.main.proto.GetRowRequest).toBe(type);
    // Not yet read, still a getter: nothing else was made along the way.
    expect(Object.getOwnPropertyDescriptor(fresh.main.proto, 'PutRowRequest')?.get).toBeTypeOf('function');
    // Every type of the three namespaces, and nested ones stay inside their parent.
    const direct = ['main', 'filter', 'search'].reduce(
      (n, ns) => n + Object.keys(original[ns as keyof Namespaces].proto).length,
      0,
    );
    expect(types).toBe(direct);
  });

  it('keeps enums as they were, and a type the SDK assigns replaces the getter', () => {
    const fresh = evaluate(code);
    for (const ns of ['main', 'filter', 'search'] as const) {
      for (const [name, value] of Object.entries(original[ns].proto)) {
        if (typeof value === 'function') continue;
        expect({ ...(fresh[ns].proto[name] as object) }, `${ns}.${name}`).toEqual({ ...(value as object) });
      }
    }
    fresh.main.proto.TableMeta = 'replaced';
    expect(fresh.main.proto.TableMeta).toBe('replaced');
  });

  it('stops the build at a type whose end it cannot find', () => {
    expect(() => lazyTypes('var $root = {};\n        proto.X = (function() {\n')).toThrow('no end for the type X');
  });

  it('keeps every message with every method but verify and fromObject, and is a fraction of the size', () => {
    let messages = 0;
    for (const ns of ['main', 'filter', 'search'] as const) {
      const kept = new Map(typesOf(trimmed[ns].proto));
      for (const [name, type] of typesOf(original[ns].proto)) {
        const statics = Object.keys(type as object).filter((k) => !UNCALLED_METHODS.includes(k));
        expect(Object.keys(kept.get(name) as object).sort(), `${ns}.${name}`).toEqual(statics.sort());
        const proto = (t: unknown) => Object.keys((t as { prototype: object }).prototype).sort();
        expect(proto(kept.get(name)), `${ns}.${name}.prototype`).toEqual(proto(type));
        messages += 1;
      }
    }
    // Nested messages too: not one of the removed methods is left.
    expect(removed).toBeGreaterThanOrEqual(2 * messages);
    expect(code).not.toMatch(/\.(verify|fromObject)=function/);
    expect(Buffer.byteLength(code)).toBeLessThan(Buffer.byteLength(readFileSync(FILE)) / 3);
  });

  it.each([
    [
      'main',
      'GetRangeRequest',
      { tableName: 't', direction: 0, inclusiveStartPrimaryKey: Buffer.from([1, 2]), limit: 1000 },
    ],
    ['main', 'PutRowRequest', { tableName: 't', row: Buffer.from([3, 4, 5]), condition: { rowExistence: 2 } }],
    [
      'main',
      'BatchWriteRowRequest',
      {
        tables: [{ tableName: 't', rows: [{ type: 1, rowChange: Buffer.from([6]), condition: { rowExistence: 0 } }] }],
      },
    ],
    ['main', 'ListTableResponse', { tableNames: ['grants', 'status'] }],
    ['main', 'GetRangeResponse', { consumed: { capacityUnit: { read: 1 } }, rows: Buffer.from([7, 8]) }],
    ['filter', 'Filter', { type: 1, filter: Buffer.from([9]) }],
  ] as const)('encodes and decodes %s.%s exactly as the SDK module does', (ns, name, fields) => {
    const a = original[ns].proto[name] as Message;
    const b = trimmed[ns].proto[name] as Message;
    const bytesA = a.encode(a.create(fields)).finish();
    expect(Buffer.from(b.encode(b.create(fields)).finish())).toEqual(Buffer.from(bytesA));
    expect(JSON.stringify(b.decode(bytesA))).toBe(JSON.stringify(a.decode(bytesA)));
  });

  it('is shipped only while no other file of the SDK names a removed method', async () => {
    expect(await callersOfUncalledMethods(SDK)).toEqual([]);
  });

  it('stops the build at a method whose end it cannot find', async () => {
    await expect(trimGeneratedProto('        X.verify = function verify(m) {\n return null;\n')).rejects.toThrow(
      'no end for the verify method',
    );
  });
});

describe('the types the shipped generated module keeps, and the file the others move to', () => {
  let source = '';
  let original: Namespaces;
  let kept: Set<string>;
  let code = '';
  let rest = '';
  let moved = 0;

  beforeAll(async () => {
    source = readFileSync(FILE, 'utf8');
    original = evaluate(source);
    kept = keptTypes(source);
    const lazy = lazyTypes(source, kept);
    moved = lazy.moved;
    code = (await trimGeneratedProto(lazy.code)).code;
    rest = (await trimGeneratedProto(lazy.rest ?? '')).code;
  });

  it('names the operations dts-trust asks Tablestore permission for', () => {
    expect([...USED_OPERATIONS].sort()).toEqual(TABLESTORE_ACTIONS.map((a) => a.replace(/^ots:/, '')).sort());
  });

  it('keeps the requests and responses of those operations, what they name, every enum and the filters', () => {
    for (const operation of USED_OPERATIONS) {
      expect(kept).toContain(`main.${operation}Request`);
      expect(kept).toContain(`main.${operation}Response`);
    }
    // Named by the messages kept: a table's schema, a batch's rows; read by the SDK for column conditions.
    for (const key of ['main.Error', 'main.TableMeta', 'main.RowInBatchWriteRowRequest', 'filter.Filter']) {
      expect(kept).toContain(key);
    }
    for (const key of ['main.Direction', 'main.IndexSyncPhase', 'search.QueryType', 'filter.ComparatorType']) {
      expect(kept, key).toContain(key);
    }
    for (const key of ['main.SQLQueryRequest', 'main.StartLocalTransactionRequest', 'search.SearchRequest']) {
      expect(kept).not.toContain(key);
    }
    expect(moved).toBeGreaterThan(100);
    expect(Buffer.byteLength(code)).toBeLessThan(Buffer.byteLength(rest) / 2);
  });

  it('loads the file beside it only when a moved type is first read', () => {
    const loads = { count: 0 };
    const split = evaluate(code, rest, loads);
    for (const key of kept) {
      const [ns, name] = key.split('.') as [keyof Namespaces, string];
      expect(split[ns].proto[name], key).toBeDefined();
    }
    expect(loads.count).toBe(0);
    expect(split.search.proto.SearchRequest).toBeTypeOf('function');
    expect(split.main.proto.SQLQueryRequest).toBeTypeOf('function');
    expect(loads.count).toBe(1);
  });

  it('has every type of every namespace, moved or kept, with the statics and prototype of the original', () => {
    const split = evaluate(code, rest);
    for (const ns of ['main', 'filter', 'search'] as const) {
      expect(Object.keys(split[ns].proto), ns).toEqual(Object.keys(original[ns].proto));
      for (const [name, type] of typesOf(original[ns].proto)) {
        const statics = Object.keys(type as object).filter((k) => !UNCALLED_METHODS.includes(k));
        expect(Object.keys(split[ns].proto[name] as object).sort(), `${ns}.${name}`).toEqual(statics.sort());
        const proto = (t: unknown) => Object.keys((t as { prototype: object }).prototype).sort();
        expect(proto(split[ns].proto[name]), `${ns}.${name}.prototype`).toEqual(proto(type));
      }
    }
  });

  it.each([
    ['main', 'GetRowRequest', { tableName: 't', primaryKey: Buffer.from([1]), maxVersions: 1 }],
    [
      'main',
      'DescribeTableResponse',
      {
        tableMeta: { tableName: 't', primaryKey: [{ name: 'id', type: 3 }] },
        reservedThroughputDetails: { capacityUnit: { read: 0, write: 0 }, lastIncreaseTime: 1 },
        tableOptions: { timeToLive: -1, maxVersions: 1 },
      },
    ],
    ['main', 'SQLQueryRequest', { query: 'select 1', version: 2 }],
    ['search', 'SearchRequest', { tableName: 't', indexName: 'i', searchQuery: Buffer.from([2, 3]) }],
  ] as const)('encodes and decodes %s.%s exactly as the SDK module does', (ns, name, fields) => {
    const split = evaluate(code, rest);
    const a = original[ns].proto[name] as Message;
    const b = split[ns].proto[name] as Message;
    const bytesA = a.encode(a.create(fields)).finish();
    expect(Buffer.from(b.encode(b.create(fields)).finish())).toEqual(Buffer.from(bytesA));
    expect(JSON.stringify(b.decode(bytesA))).toBe(JSON.stringify(a.decode(bytesA)));
  });

  it('stops the build at an operation the SDK has no messages for', () => {
    expect(() => keptTypes(source, ['GetRows'])).toThrow('no main.GetRowsRequest for the operation GetRows');
  });
});
