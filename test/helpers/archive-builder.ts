/**
 * Writes zip and tar(.gz) files byte by byte, so tests can make both ordinary wheels/sdists
 * and archives no well-behaved library would produce (evil names, lying sizes, overlapping
 * entries, device files, ...). Every header field an attack needs can be overridden.
 *
 * This is the one zip writer of the test helpers: synthetic wheels (test/install/fixtures.ts)
 * and the repacked-wheel corpus (repack.ts) are written with it too. Its output depends only
 * on its input (fixed timestamps, no host data), so the same entries give the same bytes.
 *
 *   await makeZip(path, [{ name: "pkg/__init__.py", data: "" }, { name: "bin/tool", data, mode: 0o755 }]);
 *   await makeZip(path, entries, { deflateLevel: 1, date: new Date(Date.UTC(1980, 0, 1)) });
 *   await makeTar(path, [{ name: "pkg-1.0/", type: "dir" }, { name: "pkg-1.0/setup.py", data }], { gzip: true });
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { promisify } from "node:util";
import { deflateRaw, deflateRawSync, gzipSync } from "node:zlib";
import { crc32 } from "../../src/archive/crc32.js";

const deflateRawAsync = promisify(deflateRaw);

// ---------------------------------------------------------------------------------------- zip

export interface ZipEntrySpec {
  /** Written verbatim (a Buffer allows non-UTF-8 bytes). Directories get a trailing "/" unless already present. */
  name: string | Buffer;
  data?: string | Buffer;
  /** Unix permission bits; the file type bits are added from dir/symlink/unixType. */
  mode?: number;
  /** Makes a symlink entry whose content is this target. */
  symlink?: string;
  dir?: boolean;
  /**
   * "store" (the default) or "deflate" always; "auto" deflates unless that doesn't make the
   * entry smaller (empty entries are stored), the way ordinary wheel writers do.
   */
  method?: "store" | "deflate" | "auto";
  /** Raw method number for both headers; the data is then written as given (uncompressed). */
  compressionMethod?: number;
  /** Lie about the expanded size, in both headers. */
  declaredSize?: number;
  /** Lie about the compressed size, in both headers. */
  declaredCompressedSize?: number;
  /** Override only the local header's expanded size / CRC / name. */
  localSize?: number;
  localCrc?: number;
  localName?: string | Buffer;
  /** Override the CRC in both headers. */
  crc32?: number;
  /** Sets general purpose flag bit 0 (the data is not actually encrypted). */
  encrypted?: boolean;
  /** Sets the UTF-8 flag (bit 11); defaults to true when the name is not ASCII. */
  utf8?: boolean;
  /** Raw S_IFMT bits (e.g. 0o020000 for a character device). */
  unixType?: number;
  /** "dos" writes MS-DOS attributes (no unix mode). */
  madeBy?: "unix" | "dos";
  /** Point this central record at entry #k's local header instead of writing its own (overlap). */
  offsetOf?: number;
}

export interface ZipOptions {
  /**
   * Write zip64 end records and per-entry zip64 extra fields. Chosen automatically when the
   * archive needs it (65,535 entries or more, or a size or offset past 4 GiB).
   */
  zip64?: boolean;
  /** Cut the finished archive to this many bytes. */
  truncateAt?: number;
  /** zlib level (0-9) of deflated entries; default 9. */
  deflateLevel?: number;
  /** Timestamp of every entry, read as UTC (1980-2107, 2-second steps); default 2020-01-01 00:00:00. */
  date?: Date;
}

function bytes(value: string | Buffer | undefined): Buffer {
  if (value === undefined) return Buffer.alloc(0);
  return typeof value === "string" ? Buffer.from(value, "utf8") : value;
}

const DEFAULT_DATE = new Date(Date.UTC(2020, 0, 1));
const LIMIT32 = 0xfffffffe;

function dosDateTime(date: Date): { time: number; date: number } {
  const year = date.getUTCFullYear();
  if (!(year >= 1980 && year <= 2107)) throw new Error(`zip writer: date ${date.toISOString()} is outside the MS-DOS range 1980-2107`);
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (date.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

/** An entry with its name, uncompressed bytes and (when deflating) compressed bytes worked out. */
interface Prepared {
  spec: ZipEntrySpec;
  name: Buffer;
  raw: Buffer;
  method: number;
  stored: Buffer;
}

function entryName(spec: ZipEntrySpec): Buffer {
  const name = bytes(spec.name);
  return spec.dir === true && !name.toString("latin1").endsWith("/") ? Buffer.concat([name, Buffer.from("/")]) : name;
}

function entryData(spec: ZipEntrySpec): Buffer {
  return spec.symlink !== undefined ? Buffer.from(spec.symlink, "utf8") : bytes(spec.data);
}

function wantsDeflate(spec: ZipEntrySpec, raw: Buffer): boolean {
  return spec.compressionMethod === undefined && (spec.method === "deflate" || (spec.method === "auto" && raw.length > 0));
}

function prepared(spec: ZipEntrySpec, raw: Buffer, deflated: Buffer | undefined): Prepared {
  const name = entryName(spec);
  if (spec.compressionMethod !== undefined) return { spec, name, raw, method: spec.compressionMethod, stored: raw };
  if (deflated === undefined || (spec.method === "auto" && deflated.length >= raw.length)) return { spec, name, raw, method: 0, stored: raw };
  return { spec, name, raw, method: 8, stored: deflated };
}

function assemble(entries: Prepared[], options: ZipOptions): Buffer {
  let localBytes = 0;
  for (const p of entries) if (p.spec.offsetOf === undefined) localBytes += 30 + bytes(p.spec.localName ?? p.name).length + p.stored.length;
  const zip64 =
    options.zip64 === true ||
    entries.length >= 0xffff ||
    localBytes > LIMIT32 ||
    entries.some((p) => p.raw.length > LIMIT32 || p.stored.length > LIMIT32);
  const stamp = dosDateTime(options.date ?? DEFAULT_DATE);
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const { spec, name, raw, method, stored } of entries) {
    const crc = spec.crc32 ?? crc32(raw);
    const size = spec.declaredSize ?? raw.length;
    const csize = spec.declaredCompressedSize ?? stored.length;
    const ascii = /^[\x00-\x7f]*$/.test(name.toString("latin1"));
    let flags = 0;
    if (spec.utf8 ?? !ascii) flags |= 0x800;
    if (spec.encrypted === true) flags |= 0x1;
    const type = spec.unixType ?? (spec.symlink !== undefined ? 0o120000 : spec.dir === true ? 0o040000 : 0o100000);
    const perm = spec.mode ?? (spec.dir === true ? 0o755 : 0o644);
    const unix = spec.madeBy !== "dos";
    const external = (unix ? ((type | perm) << 16) | (spec.dir === true ? 0x10 : 0) : spec.dir === true ? 0x10 : 0) >>> 0;
    const version = zip64 ? 45 : 20;

    let localOffset: number;
    if (spec.offsetOf !== undefined) {
      const target = offsets[spec.offsetOf];
      if (target === undefined) throw new Error(`offsetOf ${spec.offsetOf} must name an earlier entry`);
      localOffset = target;
    } else {
      localOffset = offset;
      const localName = spec.localName === undefined ? name : bytes(spec.localName);
      const localExtra = zip64 ? zip64Extra([spec.localSize ?? size, csize]) : Buffer.alloc(0);
      const header = Buffer.alloc(30);
      header.writeUInt32LE(0x04034b50, 0);
      header.writeUInt16LE(version, 4);
      header.writeUInt16LE(flags, 6);
      header.writeUInt16LE(method, 8);
      header.writeUInt16LE(stamp.time, 10);
      header.writeUInt16LE(stamp.date, 12);
      header.writeUInt32LE((spec.localCrc ?? crc) >>> 0, 14);
      header.writeUInt32LE(zip64 ? 0xffffffff : csize >>> 0, 18);
      header.writeUInt32LE(zip64 ? 0xffffffff : (spec.localSize ?? size) >>> 0, 22);
      header.writeUInt16LE(localName.length, 26);
      header.writeUInt16LE(localExtra.length, 28);
      chunks.push(header, localName, localExtra, stored);
      offset += header.length + localName.length + localExtra.length + stored.length;
    }
    offsets.push(localOffset);

    const extra = zip64 ? zip64Extra([size, csize, localOffset]) : Buffer.alloc(0);
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(((unix ? 3 : 0) << 8) | version, 4);
    record.writeUInt16LE(version, 6);
    record.writeUInt16LE(flags, 8);
    record.writeUInt16LE(method, 10);
    record.writeUInt16LE(stamp.time, 12);
    record.writeUInt16LE(stamp.date, 14);
    record.writeUInt32LE(crc >>> 0, 16);
    record.writeUInt32LE(zip64 ? 0xffffffff : csize >>> 0, 20);
    record.writeUInt32LE(zip64 ? 0xffffffff : size >>> 0, 24);
    record.writeUInt16LE(name.length, 28);
    record.writeUInt16LE(extra.length, 30);
    record.writeUInt16LE(0, 32); // comment length
    record.writeUInt16LE(0, 34); // disk
    record.writeUInt16LE(0, 36); // internal attributes
    record.writeUInt32LE(external, 38);
    record.writeUInt32LE(zip64 ? 0xffffffff : localOffset, 42);
    central.push(record, name, extra);
  }
  const centralStart = offset;
  const centralBytes = central.reduce((sum, chunk) => sum + chunk.length, 0);
  const tail: Buffer[] = [];
  if (zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4); // size of the rest of this record
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeUInt32LE(0, 16);
    record.writeUInt32LE(0, 20);
    record.writeBigUInt64LE(BigInt(entries.length), 24);
    record.writeBigUInt64LE(BigInt(entries.length), 32);
    record.writeBigUInt64LE(BigInt(centralBytes), 40);
    record.writeBigUInt64LE(BigInt(centralStart), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeUInt32LE(0, 4);
    locator.writeBigUInt64LE(BigInt(centralStart + centralBytes), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 8);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 10);
  end.writeUInt32LE(zip64 ? 0xffffffff : centralBytes, 12);
  end.writeUInt32LE(zip64 ? 0xffffffff : centralStart, 16);
  tail.push(end);
  const whole = Buffer.concat([...chunks, ...central, ...tail]);
  return options.truncateAt === undefined ? whole : whole.subarray(0, options.truncateAt);
}

function zip64Extra(values: number[]): Buffer {
  const extra = Buffer.alloc(4 + 8 * values.length);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(8 * values.length, 2);
  values.forEach((value, i) => extra.writeBigUInt64LE(BigInt(value), 4 + 8 * i));
  return extra;
}

/** Builds a zip in memory, entries in the given order; see ZipEntrySpec for the hostile knobs. */
export function buildZip(entries: ZipEntrySpec[], options: ZipOptions = {}): Buffer {
  const level = options.deflateLevel ?? 9;
  return assemble(
    entries.map((spec) => {
      const raw = entryData(spec);
      return prepared(spec, raw, wantsDeflate(spec, raw) ? deflateRawSync(raw, { level }) : undefined);
    }),
    options,
  );
}

/** The same bytes as buildZip, with the entries deflated concurrently off the main thread. */
export async function buildZipAsync(entries: ZipEntrySpec[], options: ZipOptions = {}): Promise<Buffer> {
  const level = options.deflateLevel ?? 9;
  const ready = await Promise.all(
    entries.map(async (spec) => {
      const raw = entryData(spec);
      return prepared(spec, raw, wantsDeflate(spec, raw) ? await deflateRawAsync(raw, { level }) : undefined);
    }),
  );
  return assemble(ready, options);
}

/** Writes buildZip(entries) to `path` (parents created); returns `path`. */
export async function makeZip(path: string, entries: ZipEntrySpec[], options?: ZipOptions): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, await buildZipAsync(entries, options));
  return path;
}

// ---------------------------------------------------------------------------------------- tar

export type TarEntryType = "file" | "dir" | "symlink" | "hardlink" | "char" | "block" | "fifo";

export interface TarEntrySpec {
  name: string;
  type?: TarEntryType;
  /** Raw one-character typeflag, overriding `type` (e.g. "S" for a GNU sparse file). */
  typeflag?: string;
  data?: string | Buffer;
  mode?: number;
  /** Target of a symlink or hardlink. */
  linkname?: string;
  /** Size written in the header when it should lie about the data that follows. */
  declaredSize?: number;
  /** Extra pax records for this entry (e.g. { path: "a\u0000b" } to smuggle a NUL). */
  pax?: Record<string, string>;
  mtime?: number;
}

export interface TarOptions {
  gzip?: boolean;
  /** Cut the (uncompressed) tar to this many bytes before any gzip. */
  truncateAt?: number;
  /** Leave out the two zero blocks that end an archive. */
  omitEof?: boolean;
}

const TYPEFLAGS: Record<TarEntryType, string> = { file: "0", hardlink: "1", symlink: "2", char: "3", block: "4", dir: "5", fifo: "6" };

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

function header(fields: { name: Buffer; mode: number; size: number; mtime: number; typeflag: string; linkname: Buffer }): Buffer {
  const block = Buffer.alloc(512);
  fields.name.copy(block, 0, 0, Math.min(fields.name.length, 100));
  block.write(octal(fields.mode, 8), 100, "latin1");
  block.write(octal(0, 8), 108, "latin1");
  block.write(octal(0, 8), 116, "latin1");
  block.write(octal(fields.size, 12), 124, "latin1");
  block.write(octal(fields.mtime, 12), 136, "latin1");
  block.write(fields.typeflag, 156, "latin1");
  fields.linkname.copy(block, 157, 0, Math.min(fields.linkname.length, 100));
  block.write("ustar\0", 257, "latin1");
  block.write("00", 263, "latin1");
  block.write("root", 265, "latin1");
  block.write("root", 297, "latin1");
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "latin1");
  return block;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body);
  return `${length}${body}`;
}

function padded(data: Buffer): Buffer[] {
  const rest = data.length % 512;
  return rest === 0 ? [data] : [data, Buffer.alloc(512 - rest)];
}

/** Builds a tar in memory; names over 100 bytes (or non-ASCII) get pax headers automatically. */
export function buildTar(entries: TarEntrySpec[], options: TarOptions = {}): Buffer {
  const blocks: Buffer[] = [];
  for (const spec of entries) {
    const type = spec.type ?? (spec.name.endsWith("/") ? "dir" : "file");
    const data = type === "file" ? bytes(spec.data) : Buffer.alloc(0);
    const name = Buffer.from(spec.name, "utf8");
    const linkname = Buffer.from(spec.linkname ?? "", "utf8");
    const pax: Record<string, string> = {};
    const plain = (b: Buffer): boolean => b.length <= 100 && !b.includes(0) && /^[\x01-\x7f]*$/.test(b.toString("latin1"));
    if (!plain(name)) pax.path = spec.name;
    if (!plain(linkname)) pax.linkpath = spec.linkname ?? "";
    Object.assign(pax, spec.pax ?? {});
    const mtime = spec.mtime ?? 1_600_000_000;
    if (Object.keys(pax).length > 0) {
      const body = Buffer.from(Object.entries(pax).map(([k, v]) => paxRecord(k, v)).join(""), "utf8");
      blocks.push(header({ name: Buffer.from("PaxHeader/entry"), mode: 0o644, size: body.length, mtime, typeflag: "x", linkname: Buffer.alloc(0) }));
      blocks.push(...padded(body));
    }
    const mode = spec.mode ?? (type === "dir" ? 0o755 : 0o644);
    const nameField = name.includes(0) ? Buffer.from("placeholder") : name;
    blocks.push(header({ name: nameField, mode, size: spec.declaredSize ?? data.length, mtime, typeflag: spec.typeflag ?? TYPEFLAGS[type], linkname }));
    blocks.push(...padded(data));
  }
  if (options.omitEof !== true) blocks.push(Buffer.alloc(1024));
  let tar = Buffer.concat(blocks);
  if (options.truncateAt !== undefined) tar = tar.subarray(0, options.truncateAt);
  return options.gzip === true ? gzipSync(tar) : tar;
}

/** Writes buildTar(entries) to `path` (parents created); returns `path`. */
export async function makeTar(path: string, entries: TarEntrySpec[], options?: TarOptions): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, buildTar(entries, options));
  return path;
}
