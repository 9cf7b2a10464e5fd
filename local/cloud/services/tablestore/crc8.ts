/**
 * The CRC-8 (polynomial 0x07, initial value 0, no reflection) that PlainBuffer uses for its cell and row
 * checksums.
 */

const TABLE: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (let i = 0; i < 256; i += 1) {
    let crc = i;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
    table[i] = crc;
  }
  return table;
})();

/** Fold one byte into a checksum. */
export function crcByte(crc: number, byte: number): number {
  return TABLE[(crc ^ byte) & 0xff]!;
}

/** Fold bytes into a checksum. */
export function crcBytes(crc: number, bytes: Uint8Array): number {
  let c = crc;
  for (let i = 0; i < bytes.length; i += 1) c = TABLE[(c ^ bytes[i]!) & 0xff]!;
  return c;
}

/** Fold a 32-bit little-endian integer into a checksum. */
export function crcInt32(crc: number, value: number): number {
  let c = crc;
  for (let i = 0; i < 4; i += 1) c = crcByte(c, (value >>> (i * 8)) & 0xff);
  return c;
}
