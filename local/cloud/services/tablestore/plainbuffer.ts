/**
 * PlainBuffer, Tablestore's row encoding: a little-endian header (0x75), then per row a primary-key section and an
 * optional data section of tagged cells, each cell closed by a CRC-8 checksum and each row by a row checksum.
 *
 * Checksums, as the `tablestore` SDK computes and verifies them: a cell's covers its name bytes, its value (type
 * byte, then the 8 value bytes, or the 4-byte length and the bytes), its timestamp, then its operation type; a
 * row's folds in each cell's checksum, then 1 or 0 for the delete marker.
 */
import { crcByte, crcBytes, crcInt32 } from './crc8.js';
import { invalidParameter } from './errors.js';
import { type BoundValue, type CellValue, type PrimaryKeyValue, stringValue } from './values.js';

/** PlainBuffer constants (tags, variant types, cell operation types). */
export const PB = {
  HEADER: 0x75,
  TAG_ROW_PK: 0x1,
  TAG_ROW_DATA: 0x2,
  TAG_CELL: 0x3,
  TAG_CELL_NAME: 0x4,
  TAG_CELL_VALUE: 0x5,
  TAG_CELL_TYPE: 0x6,
  TAG_CELL_TIMESTAMP: 0x7,
  TAG_DELETE_ROW_MARKER: 0x8,
  TAG_ROW_CHECKSUM: 0x9,
  TAG_CELL_CHECKSUM: 0x0a,
  VT_INTEGER: 0x0,
  VT_DOUBLE: 0x1,
  VT_BOOLEAN: 0x2,
  VT_STRING: 0x3,
  VT_NULL: 0x6,
  VT_BLOB: 0x7,
  VT_INF_MIN: 0x9,
  VT_INF_MAX: 0xa,
  VT_AUTO_INCREMENT: 0xb,
  OP_DELETE_ALL_VERSIONS: 0x1,
  OP_DELETE_ONE_VERSION: 0x3,
  OP_INCREMENT: 0x4,
} as const;

/** A primary-key value as it can appear in a request: concrete, infinite, or the auto-increment placeholder. */
export type RequestKeyValue = BoundValue | { readonly kind: 'AUTO_INCREMENT' };

/** One attribute cell of a request row. */
export interface RequestCell {
  readonly name: string;
  readonly value?: CellValue;
  /** `PB.OP_*` for UpdateRow cells; absent for a put. */
  readonly op?: number;
  readonly timestamp?: number;
}

/** One decoded request row. */
export interface RequestRow {
  readonly primaryKey: readonly { readonly name: string; readonly value: RequestKeyValue }[];
  readonly cells: readonly RequestCell[];
  readonly deleteMarker: boolean;
}

/** One row of a response. */
export interface ResponseRow {
  readonly primaryKey: readonly { readonly name: string; readonly value: PrimaryKeyValue }[];
  readonly cells: readonly { readonly name: string; readonly value: CellValue; readonly timestamp: number }[];
}

class Reader {
  #pos = 0;
  #tag = 0;

  constructor(readonly buf: Buffer) {}

  atEnd(): boolean {
    return this.#pos >= this.buf.length;
  }

  nextTag(): number {
    this.#tag = this.atEnd() ? 0 : this.byte();
    return this.#tag;
  }

  /** The tag read last. */
  tag(): number {
    return this.#tag;
  }

  byte(): number {
    if (this.#pos >= this.buf.length) throw invalidParameter('Invalid PlainBuffer: unexpected end of row data.');
    return this.buf[this.#pos++]!;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32LE(this.#pos);
    this.#pos += 4;
    return v;
  }

  bytes(n: number): Buffer {
    if (n < 0) throw invalidParameter('Invalid PlainBuffer: negative length.');
    this.need(n);
    const out = this.buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  private need(n: number): void {
    if (this.#pos + n > this.buf.length) throw invalidParameter('Invalid PlainBuffer: unexpected end of row data.');
  }
}

function expectTag(reader: Reader, tag: number, what: string): void {
  if (reader.tag() !== tag) {
    throw invalidParameter(`Invalid PlainBuffer: expected ${what} (tag ${tag}) but found tag ${reader.tag()}.`);
  }
}

/** Read a cell value after TAG_CELL_VALUE; returns the value and the checksum folded over it. */
function readValue(reader: Reader, crc: number): { value: RequestKeyValue | CellValue | undefined; crc: number } {
  const total = reader.int32();
  const type = reader.byte();
  let c = crcByte(crc, type);
  switch (type) {
    case PB.VT_INTEGER: {
      const raw = reader.bytes(8);
      return { value: { kind: 'INTEGER', value: raw.readBigInt64LE(0) }, crc: crcBytes(c, raw) };
    }
    case PB.VT_DOUBLE: {
      const raw = reader.bytes(8);
      return { value: { kind: 'DOUBLE', value: raw.readDoubleLE(0) }, crc: crcBytes(c, raw) };
    }
    case PB.VT_BOOLEAN: {
      const b = reader.byte();
      return { value: { kind: 'BOOLEAN', value: b !== 0 }, crc: crcByte(c, b !== 0 ? 1 : 0) };
    }
    case PB.VT_STRING:
    case PB.VT_BLOB: {
      const n = reader.int32();
      const raw = Buffer.from(reader.bytes(n));
      c = crcBytes(crcInt32(c, n), raw);
      const value: CellValue =
        type === PB.VT_STRING
          ? { kind: 'STRING', value: raw.toString('utf8'), bytes: raw }
          : { kind: 'BINARY', value: raw };
      return { value, crc: c };
    }
    case PB.VT_INF_MIN:
      return { value: { kind: 'INF_MIN' }, crc: c };
    case PB.VT_INF_MAX:
      return { value: { kind: 'INF_MAX' }, crc: c };
    case PB.VT_AUTO_INCREMENT:
      return { value: { kind: 'AUTO_INCREMENT' }, crc: c };
    case PB.VT_NULL:
      return { value: undefined, crc: c };
    default:
      throw invalidParameter(`Invalid PlainBuffer: unsupported value type ${type} (cell value of ${total} bytes).`);
  }
}

/** Decode one row of a request (PutRow row, UpdateRow row change, DeleteRow key, a GetRow/GetRange key). */
export function decodeRow(data: Uint8Array): RequestRow {
  const reader = new Reader(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  if (reader.buf.length < 4 || reader.int32() !== PB.HEADER) {
    throw invalidParameter('Invalid PlainBuffer: the row does not start with the PlainBuffer header.');
  }
  reader.nextTag();
  let rowCrc = 0;
  const primaryKey: { name: string; value: RequestKeyValue }[] = [];
  const cells: RequestCell[] = [];
  expectTag(reader, PB.TAG_ROW_PK, 'the primary key');
  reader.nextTag();
  while (reader.tag() === PB.TAG_CELL) {
    reader.nextTag();
    expectTag(reader, PB.TAG_CELL_NAME, 'a cell name');
    const nameBytes = reader.bytes(reader.int32());
    let crc = crcBytes(0, nameBytes);
    reader.nextTag();
    expectTag(reader, PB.TAG_CELL_VALUE, 'a primary-key value');
    const read = readValue(reader, crc);
    crc = read.crc;
    if (
      !read.value ||
      !['INTEGER', 'STRING', 'BINARY', 'INF_MIN', 'INF_MAX', 'AUTO_INCREMENT'].includes(read.value.kind)
    ) {
      throw invalidParameter(`Invalid primary key column ${nameBytes.toString('utf8')}: unsupported value type.`);
    }
    reader.nextTag();
    expectTag(reader, PB.TAG_CELL_CHECKSUM, 'a cell checksum');
    if (reader.byte() !== crc) throw invalidParameter('Checksum mismatch in a primary-key cell of the PlainBuffer.');
    rowCrc = crcByte(rowCrc, crc);
    primaryKey.push({ name: nameBytes.toString('utf8'), value: read.value as RequestKeyValue });
    reader.nextTag();
  }
  if (reader.tag() === PB.TAG_ROW_DATA) {
    reader.nextTag();
    while (reader.tag() === PB.TAG_CELL) {
      reader.nextTag();
      expectTag(reader, PB.TAG_CELL_NAME, 'a cell name');
      const nameBytes = reader.bytes(reader.int32());
      let crc = crcBytes(0, nameBytes);
      reader.nextTag();
      let value: CellValue | undefined;
      let op: number | undefined;
      let timestamp: number | undefined;
      if (reader.tag() === PB.TAG_CELL_VALUE) {
        const read = readValue(reader, crc);
        if (read.value && !['INTEGER', 'DOUBLE', 'BOOLEAN', 'STRING', 'BINARY'].includes(read.value.kind)) {
          throw invalidParameter(`Invalid attribute column ${nameBytes.toString('utf8')}: unsupported value type.`);
        }
        value = read.value as CellValue | undefined;
        crc = read.crc;
        reader.nextTag();
      }
      if (reader.tag() === PB.TAG_CELL_TYPE) {
        op = reader.byte();
        reader.nextTag();
      }
      if (reader.tag() === PB.TAG_CELL_TIMESTAMP) {
        const raw = reader.bytes(8);
        timestamp = Number(raw.readBigInt64LE(0));
        crc = crcBytes(crc, raw);
        reader.nextTag();
      }
      if (op !== undefined) crc = crcByte(crc, op);
      expectTag(reader, PB.TAG_CELL_CHECKSUM, 'a cell checksum');
      if (reader.byte() !== crc) throw invalidParameter('Checksum mismatch in an attribute cell of the PlainBuffer.');
      rowCrc = crcByte(rowCrc, crc);
      cells.push({
        name: nameBytes.toString('utf8'),
        ...(value ? { value } : {}),
        ...(op !== undefined ? { op } : {}),
        ...(timestamp !== undefined ? { timestamp } : {}),
      });
      reader.nextTag();
    }
  }
  let deleteMarker = false;
  if (reader.tag() === PB.TAG_DELETE_ROW_MARKER) {
    deleteMarker = true;
    reader.nextTag();
  }
  rowCrc = crcByte(rowCrc, deleteMarker ? 1 : 0);
  expectTag(reader, PB.TAG_ROW_CHECKSUM, 'the row checksum');
  if (reader.byte() !== rowCrc) throw invalidParameter('Checksum mismatch of the PlainBuffer row.');
  return { primaryKey, cells, deleteMarker };
}

class Writer {
  #buf = Buffer.allocUnsafe(256);
  #pos = 0;

  private room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#pos + n));
    this.#buf.copy(next, 0, 0, this.#pos);
    this.#buf = next;
  }

  byte(b: number): void {
    this.room(1);
    this.#buf[this.#pos++] = b & 0xff;
  }

  int32(v: number): void {
    this.room(4);
    this.#buf.writeInt32LE(v, this.#pos);
    this.#pos += 4;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.#buf.set(b, this.#pos);
    this.#pos += b.length;
  }

  done(): Buffer {
    return Buffer.from(this.#buf.subarray(0, this.#pos));
  }
}

/** Write TAG_CELL_VALUE and a value; returns the checksum folded over it. */
function writeValue(w: Writer, value: CellValue, crc: number): number {
  w.byte(PB.TAG_CELL_VALUE);
  switch (value.kind) {
    case 'INTEGER': {
      const raw = Buffer.allocUnsafe(8);
      raw.writeBigInt64LE(BigInt.asIntN(64, value.value));
      w.int32(9);
      w.byte(PB.VT_INTEGER);
      w.bytes(raw);
      return crcBytes(crcByte(crc, PB.VT_INTEGER), raw);
    }
    case 'DOUBLE': {
      const raw = Buffer.allocUnsafe(8);
      raw.writeDoubleLE(value.value);
      w.int32(9);
      w.byte(PB.VT_DOUBLE);
      w.bytes(raw);
      return crcBytes(crcByte(crc, PB.VT_DOUBLE), raw);
    }
    case 'BOOLEAN':
      w.int32(2);
      w.byte(PB.VT_BOOLEAN);
      w.byte(value.value ? 1 : 0);
      return crcByte(crcByte(crc, PB.VT_BOOLEAN), value.value ? 1 : 0);
    case 'STRING':
    case 'BINARY': {
      const raw = value.kind === 'STRING' ? value.bytes : value.value;
      const type = value.kind === 'STRING' ? PB.VT_STRING : PB.VT_BLOB;
      w.int32(5 + raw.length);
      w.byte(type);
      w.int32(raw.length);
      w.bytes(raw);
      return crcBytes(crcInt32(crcByte(crc, type), raw.length), raw);
    }
  }
}

function writeName(w: Writer, name: string): number {
  const bytes = Buffer.from(name, 'utf8');
  w.byte(PB.TAG_CELL_NAME);
  w.int32(bytes.length);
  w.bytes(bytes);
  return crcBytes(0, bytes);
}

function writeRow(w: Writer, row: ResponseRow): void {
  let rowCrc = 0;
  w.byte(PB.TAG_ROW_PK);
  for (const column of row.primaryKey) {
    w.byte(PB.TAG_CELL);
    let crc = writeName(w, column.name);
    crc = writeValue(w, column.value, crc);
    w.byte(PB.TAG_CELL_CHECKSUM);
    w.byte(crc);
    rowCrc = crcByte(rowCrc, crc);
  }
  if (row.cells.length > 0) {
    w.byte(PB.TAG_ROW_DATA);
    for (const cell of row.cells) {
      w.byte(PB.TAG_CELL);
      let crc = writeName(w, cell.name);
      crc = writeValue(w, cell.value, crc);
      const ts = Buffer.allocUnsafe(8);
      ts.writeBigInt64LE(BigInt(Math.trunc(cell.timestamp)));
      w.byte(PB.TAG_CELL_TIMESTAMP);
      w.bytes(ts);
      crc = crcBytes(crc, ts);
      w.byte(PB.TAG_CELL_CHECKSUM);
      w.byte(crc);
      rowCrc = crcByte(rowCrc, crc);
    }
  }
  rowCrc = crcByte(rowCrc, 0);
  w.byte(PB.TAG_ROW_CHECKSUM);
  w.byte(rowCrc);
}

/** Encode rows (GetRange's `rows`, or a single row) behind one header; no rows gives an empty buffer. */
export function encodeRows(rows: readonly ResponseRow[]): Buffer {
  if (rows.length === 0) return Buffer.alloc(0);
  const w = new Writer();
  w.int32(PB.HEADER);
  for (const row of rows) writeRow(w, row);
  return w.done();
}

/** Encode a primary key alone (GetRange's `next_start_primary_key`, a ReturnType RT_PK row). */
export function encodePrimaryKey(primaryKey: ResponseRow['primaryKey']): Buffer {
  return encodeRows([{ primaryKey, cells: [] }]);
}

/**
 * Decode a column value of a filter (`SingleColumnValueFilter.column_value`): a type byte and the value, without
 * the cell-value length prefix.
 */
export function decodeFilterValue(data: Uint8Array): CellValue {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < 1) throw invalidParameter('Invalid column condition: the column value is empty.');
  const type = buf[0]!;
  const need = (n: number): void => {
    if (buf.length < n) throw invalidParameter('Invalid column condition: the column value is truncated.');
  };
  switch (type) {
    case PB.VT_INTEGER:
      need(9);
      return { kind: 'INTEGER', value: buf.readBigInt64LE(1) };
    case PB.VT_DOUBLE:
      need(9);
      return { kind: 'DOUBLE', value: buf.readDoubleLE(1) };
    case PB.VT_BOOLEAN:
      need(2);
      return { kind: 'BOOLEAN', value: buf[1] !== 0 };
    case PB.VT_STRING:
    case PB.VT_BLOB: {
      need(5);
      const n = buf.readInt32LE(1);
      need(5 + n);
      const raw = Buffer.from(buf.subarray(5, 5 + n));
      return type === PB.VT_STRING ? stringValue(raw.toString('utf8')) : { kind: 'BINARY', value: raw };
    }
    default:
      throw invalidParameter(`Invalid column condition: unsupported column value type ${type}.`);
  }
}
