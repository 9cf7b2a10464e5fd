import TableStore from 'tablestore';
import { describe, expect, it } from 'vitest';
import { crcBytes } from '../../../local/cloud/services/tablestore/crc8.js';
import { decodeRow, encodeRows, PB } from '../../../local/cloud/services/tablestore/plainbuffer.js';
import { stringValue } from '../../../local/cloud/services/tablestore/values.js';

/** The SDK's own PlainBuffer builder and reader (not in its typings). */
const Sdk = TableStore as unknown as {
  PlainBufferBuilder: {
    serializeForPutRow(pk: unknown[], attrs: unknown[]): Buffer;
    serializeForUpdateRow(pk: unknown[], changes: unknown[]): Buffer;
    serializeForDeleteRow(pk: unknown[]): Buffer;
    serializePrimaryKey(pk: unknown[]): Buffer;
  };
  PlainBufferInputStream: new (data: { buffer: Buffer; offset: number; limit: number }) => unknown;
  PlainBufferCodedInputStream: new (
    stream: unknown,
  ) => { readRows(): { primaryKey: { name: string; value: unknown }[]; attributes: unknown[] }[] };
  plainBufferCrc8: { update(crc: number, bytes: Buffer): number };
};

describe('PlainBuffer codec', () => {
  it('computes the same CRC-8 as the SDK', () => {
    const bytes = Buffer.from('dts-trust \u00e9\u4e2d', 'utf8');
    expect(crcBytes(0, bytes)).toBe(Sdk.plainBufferCrc8.update(0, bytes));
    expect(crcBytes(0x5a, Buffer.from([0, 255, 128, 7]))).toBe(
      Sdk.plainBufferCrc8.update(0x5a, Buffer.from([0, 255, 128, 7])),
    );
  });

  it('decodes a PutRow row the SDK serialized, with every value type and a timestamp', () => {
    const bytes = Sdk.PlainBufferBuilder.serializeForPutRow(
      [{ id: 'k\u00e9y' }, { n: TableStore.Long.fromString('-9007199254740993') }, { b: Buffer.from([9, 8]) }],
      [{ s: 'text' }, { i: TableStore.Long.fromNumber(7) }, { d: -2.25 }, { t: true }, { f: false, timestamp: 1234 }],
    );
    const row = decodeRow(bytes);
    expect(row.primaryKey).toEqual([
      { name: 'id', value: stringValue('k\u00e9y') },
      { name: 'n', value: { kind: 'INTEGER', value: -9007199254740993n } },
      { name: 'b', value: { kind: 'BINARY', value: Buffer.from([9, 8]) } },
    ]);
    expect(row.cells).toEqual([
      { name: 's', value: stringValue('text') },
      { name: 'i', value: { kind: 'INTEGER', value: 7n } },
      { name: 'd', value: { kind: 'DOUBLE', value: -2.25 } },
      { name: 't', value: { kind: 'BOOLEAN', value: true } },
      { name: 'f', value: { kind: 'BOOLEAN', value: false }, timestamp: 1234 },
    ]);
    expect(row.deleteMarker).toBe(false);
  });

  it('decodes an UpdateRow change with PUT, DELETE, DELETE_ALL and INCREMENT', () => {
    const bytes = Sdk.PlainBufferBuilder.serializeForUpdateRow(
      [{ id: 'a' }],
      [
        { PUT: [{ p: 'v', timestamp: 99 }] },
        { DELETE: [{ old: TableStore.Long.fromNumber(42) }] },
        { DELETE_ALL: ['gone'] },
        { INCREMENT: [{ counter: TableStore.Long.fromNumber(3) }] },
      ],
    );
    expect(decodeRow(bytes).cells).toEqual([
      { name: 'p', value: stringValue('v'), timestamp: 99 },
      { name: 'old', op: PB.OP_DELETE_ONE_VERSION, timestamp: 42 },
      { name: 'gone', op: PB.OP_DELETE_ALL_VERSIONS },
      { name: 'counter', value: { kind: 'INTEGER', value: 3n }, op: PB.OP_INCREMENT },
    ]);
  });

  it('decodes infinities in range keys and the delete marker of DeleteRow', () => {
    const bound = decodeRow(
      Sdk.PlainBufferBuilder.serializePrimaryKey([{ a: TableStore.INF_MIN }, { b: TableStore.INF_MAX }]),
    );
    expect(bound.primaryKey.map((c) => c.value.kind)).toEqual(['INF_MIN', 'INF_MAX']);
    expect(decodeRow(Sdk.PlainBufferBuilder.serializeForDeleteRow([{ a: 'x' }])).deleteMarker).toBe(true);
  });

  it('rejects a row whose checksum does not match as OTSParameterInvalid', () => {
    const bytes = Buffer.from(Sdk.PlainBufferBuilder.serializeForPutRow([{ id: 'a' }], [{ s: 'text' }]));
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    expect(() => decodeRow(bytes)).toThrow(expect.objectContaining({ code: 'OTSParameterInvalid' }));
  });

  it('encodes rows the SDK reads back, checksums included', () => {
    const bytes = encodeRows([
      {
        primaryKey: [{ name: 'id', value: stringValue('r1') }],
        cells: [
          { name: 'n', value: { kind: 'INTEGER', value: 9007199254740993n }, timestamp: 5 },
          { name: 'x', value: { kind: 'DOUBLE', value: 0.5 }, timestamp: 6 },
        ],
      },
      { primaryKey: [{ name: 'id', value: stringValue('r2') }], cells: [] },
    ]);
    const reader = new Sdk.PlainBufferCodedInputStream(
      new Sdk.PlainBufferInputStream({ buffer: bytes, offset: 0, limit: bytes.length }),
    );
    const rows = reader.readRows();
    expect(rows.map((r) => r.primaryKey[0]?.value)).toEqual(['r1', 'r2']);
    const first = rows[0]?.attributes as { columnName: string; columnValue: { toString(): string } | number }[];
    expect(first.map((a) => [a.columnName, a.columnValue.toString()])).toEqual([
      ['n', '9007199254740993'],
      ['x', '0.5'],
    ]);
  });
});
