/**
 * CRC-32 (IEEE 802.3, as zip uses). Node >= 20.15 has a native `zlib.crc32`, an order of
 * magnitude faster than JavaScript; older releases of Node 20 use the table-driven fallback.
 */
import * as zlib from "node:zlib";

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The table-driven implementation (kept for Node < 20.15 and as the tests' reference). */
export function crc32Table(data: Uint8Array, previous = 0): number {
  let crc = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) crc = TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const native = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** Continues a running CRC (start with 0) over `data`; returns an unsigned 32-bit value. */
export const crc32: (data: Uint8Array, previous?: number) => number = native === undefined ? crc32Table : (data, previous = 0) => native(data, previous) >>> 0;
