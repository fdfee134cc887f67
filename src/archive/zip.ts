/**
 * Zip reading (wheels): list, read one entry, extract. The central directory is vetted up
 * front (zip-central.ts); each entry's local header is then cross-checked against it, and
 * its bytes are counted and CRC-checked while streaming, so a lying header is caught as soon
 * as it lies rather than after a bomb has inflated.
 */
import { resolve as resolvePath } from "node:path";
import { pipeline, type Readable } from "node:stream";
import { promisify } from "node:util";
import { createInflateRaw, inflateRaw, inflateRawSync } from "node:zlib";
import { WheelwrightError } from "../errors.js";
import { crc32 } from "./crc32.js";
import { badFormat, limitExceeded, unsafeEntry } from "./errors.js";
import { resolveLimits, type ArchiveLimits } from "./limits.js";
import { checkEntryName } from "./paths.js";
import { destinationOf } from "./plan.js";
import type { ArchiveEntry, ExtractOptions, ExtractedFile } from "./types.js";
import type { WindowFile } from "./window-file.js";
import { DestinationWriter } from "./writer.js";
import { readCentralDirectory, type ZipRecord } from "./zip-central.js";

const FLAG_DATA_DESCRIPTOR = 0x8;
const MAX_LINK_BYTES = 4096;
const DEFAULT_READ_LIMIT = 64 * 1024 * 1024;
const inflateRawAsync = promisify(inflateRaw);

/**
 * An open, fully vetted zip: list, read and extract without re-reading the central directory
 * each time (an installer typically lists, reads METADATA/WHEEL/RECORD, then extracts).
 * Holds one file descriptor until close().
 */
export interface ZipArchive {
  readonly path: string;
  /** Every entry (the "./" root record excluded), symlink targets filled in. */
  readonly entries: readonly ArchiveEntry[];
  /** Reads one regular file; ERR_WW_ARCHIVE_ENTRY_MISSING when there is none by that name. */
  read(name: string, maxBytes?: number): Promise<Buffer>;
  /** As extractZip; declared sizes were checked against the limits given to openZip. */
  extract(dest: string, options?: ExtractOptions): Promise<ExtractedFile[]>;
  close(): void;
}

/** Opens and vets the zip at `path`; throws on the first bad entry. Call close() when done. */
export async function openZip(path: string, limits?: Partial<ArchiveLimits>): Promise<ZipArchive> {
  const openLimits = resolveLimits(limits);
  const { zip, file, records } = await readCentralDirectory(path, openLimits);
  try {
    for (const record of records) {
      if (record.info.type === "symlink") record.info.linkTarget = (await readWhole(path, file, record, MAX_LINK_BYTES)).toString("utf8");
    }
  } catch (error) {
    zip.close();
    throw error;
  }
  const byName = new Map(records.map((record) => [record.info.name, record]));
  return {
    path,
    // A "./" directory record names the archive root itself; it is not an entry of the tree.
    entries: records.filter((record) => record.info.name !== "").map((record) => record.info),
    async read(name, maxBytes = DEFAULT_READ_LIMIT) {
      const wanted = checkEntryName(name);
      if (!wanted.ok) throw new Error(`readZipEntry: invalid entry name ${JSON.stringify(name)}: ${wanted.problem}`);
      const record = byName.get(wanted.name);
      if (record === undefined || record.info.type !== "file") {
        throw new WheelwrightError("ERR_WW_ARCHIVE_ENTRY_MISSING", `${path}: has no file entry ${JSON.stringify(wanted.name)}`, {
          file: path,
          hint: "Check the distribution was built correctly; the file is required here.",
          details: { entry: wanted.name },
        });
      }
      return readWhole(path, file, record, maxBytes);
    },
    async extract(dest, options = {}) {
      const writeLimits = resolveLimits({ ...openLimits, ...(options.limits ?? {}) });
      const allowSymlinks = options.allowSymlinks ?? false;
      if (!allowSymlinks) {
        const link = records.find((record) => record.info.type === "symlink");
        if (link !== undefined) throw unsafeEntry(path, link.info.name, "is a symlink, and symlinks are not allowed in this archive");
      }
      const writer = new DestinationWriter(path, resolvePath(dest), writeLimits, allowSymlinks, options.keepContents ?? 0);
      await writer.init();
      for (const record of records) {
        const rel = destinationOf(path, record.info, options);
        if (rel === null) continue;
        const { info } = record;
        if (info.type === "directory") await writer.directory(info.name, rel);
        else if (info.type === "symlink") writer.symlink(info.name, rel, info.linkTarget ?? "");
        else await writer.file(info.name, rel, await entryChunks(path, file, record), info.executable);
      }
      return writer.finish();
    },
    close() {
      zip.close();
    },
  };
}

/** Runs `use` on the opened zip and always closes it. */
async function withZip<T>(path: string, limits: Partial<ArchiveLimits> | undefined, use: (archive: ZipArchive) => Promise<T>): Promise<T> {
  const archive = await openZip(path, limits);
  try {
    return await use(archive);
  } finally {
    archive.close();
  }
}

/** Validates every entry of the zip at `path` and lists them; throws on the first bad one. */
export async function listZip(path: string, limits?: Partial<ArchiveLimits>): Promise<ArchiveEntry[]> {
  return withZip(path, limits, async (archive) => [...archive.entries]);
}

/**
 * Reads one regular file entry into memory (e.g. a wheel's METADATA). The whole archive is
 * vetted first, as for listZip. Throws ERR_WW_ARCHIVE_ENTRY_MISSING when there is no such entry.
 */
export async function readZipEntry(path: string, name: string, maxBytes = DEFAULT_READ_LIMIT): Promise<Buffer> {
  return withZip(path, undefined, (archive) => archive.read(name, maxBytes));
}

/**
 * Extracts the zip at `path` into `dest` (created if missing). Symlinks are refused unless
 * allowSymlinks is set; see DestinationWriter for how writes stay inside dest.
 */
export async function extractZip(path: string, dest: string, options: ExtractOptions = {}): Promise<ExtractedFile[]> {
  return withZip(path, options.limits, (archive) => archive.extract(dest, options));
}

async function readWhole(path: string, file: WindowFile, record: ZipRecord, maxBytes: number): Promise<Buffer> {
  if (record.info.size > maxBytes) {
    throw limitExceeded(path, record.info.name, `is ${record.info.size} bytes, more than the ${maxBytes} allowed here`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of await entryChunks(path, file, record)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Entries whose compressed and expanded sizes are both below these are inflated in one call. */
const IN_MEMORY_COMPRESSED = 4 * 1024 * 1024;
const IN_MEMORY_EXPANDED = 16 * 1024 * 1024;
/**
 * Entries expanding to at most this many bytes are inflated synchronously into one buffer of
 * their declared size: for the small files that make up most of a wheel, a thread-pool hop and
 * the stream machinery of the asynchronous call cost several times the inflation itself.
 */
const SYNC_INFLATE_EXPANDED = 1024 * 1024;
const LOCAL_SIGNATURE = 0x04034b50;

/** Opens an entry's data after checking its local header against the central record; yields verified bytes. */
async function entryChunks(path: string, file: WindowFile, record: ZipRecord): Promise<AsyncIterable<Buffer>> {
  const { entry, info } = record;
  const offset = entry.relativeOffsetOfLocalHeader;
  let header: Buffer;
  let localName: Buffer;
  try {
    header = await file.read(offset, 30);
    localName = await file.read(offset + 30, header.readUInt16LE(26));
  } catch (error) {
    throw badFormat(path, info.name, `has a local header past the end of the file (${(error as Error).message})`, error);
  }
  if (header.readUInt32LE(0) !== LOCAL_SIGNATURE) throw badFormat(path, info.name, "has no local header where the central directory points");
  const flags = header.readUInt16LE(6);
  const method = header.readUInt16LE(8);
  const localCrc = header.readUInt32LE(14);
  const localCompressed = header.readUInt32LE(18);
  const localSize = header.readUInt32LE(22);
  const dataStart = offset + 30 + localName.length + header.readUInt16LE(28);
  if (!localName.equals(entry.fileNameRaw)) {
    throw unsafeEntry(path, info.name, `has a local header naming ${JSON.stringify(localName.toString("latin1"))} instead`);
  }
  if (method !== entry.compressionMethod) {
    throw unsafeEntry(path, info.name, "has a local header whose compression method differs from the central directory");
  }
  if (!(flags & FLAG_DATA_DESCRIPTOR)) {
    const sizesAgree =
      (localCompressed === 0xffffffff || localCompressed === entry.compressedSize) &&
      (localSize === 0xffffffff || localSize === entry.uncompressedSize) &&
      localCrc === entry.crc32;
    if (!sizesAgree) {
      throw unsafeEntry(path, info.name, `has a local header declaring ${localSize} bytes (crc ${localCrc}) where the central directory says ${entry.uncompressedSize} (crc ${entry.crc32})`);
    }
  }
  const dataEnd = dataStart + entry.compressedSize;
  if (dataEnd > record.nextStart) {
    throw unsafeEntry(path, info.name, "has data that overlaps the next entry (overlapping entries are a zip-bomb technique)");
  }
  if (dataEnd > file.size) throw badFormat(path, info.name, "has data past the end of the file (truncated?)");
  const declared = entry.uncompressedSize;
  if (entry.compressedSize <= IN_MEMORY_COMPRESSED && declared <= IN_MEMORY_EXPANDED) {
    const raw = await file.read(dataStart, entry.compressedSize);
    let data = raw;
    if (method === 8) {
      try {
        // maxOutputLength stops a lying entry as soon as it passes its declared size.
        const limits = { maxOutputLength: Math.max(declared, 1) };
        data = declared <= SYNC_INFLATE_EXPANDED ? inflateRawSync(raw, { ...limits, chunkSize: Math.max(64, declared) }) : await inflateRawAsync(raw, limits);
      } catch (error) {
        if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
          throw unsafeEntry(path, info.name, `expands to more than the ${declared} bytes it declares`);
        }
        throw badFormat(path, info.name, `has corrupt compressed data (${(error as Error).message})`, error);
      }
    }
    return verifiedChunks(path, info.name, [data], declared, entry.crc32);
  }
  const source = file.stream(dataStart, dataEnd);
  if (method !== 8) return verifiedChunks(path, info.name, source, declared, entry.crc32);
  const inflate = createInflateRaw();
  pipeline(source, inflate, () => undefined);
  return verifiedChunks(path, info.name, inflate, declared, entry.crc32);
}

async function* verifiedChunks(path: string, name: string, stream: Readable | Buffer[], declared: number, expectedCrc: number): AsyncGenerator<Buffer> {
  let size = 0;
  let crc = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > declared) {
        throw unsafeEntry(path, name, `expands to more than the ${declared} bytes it declares`);
      }
      crc = crc32(chunk, crc);
      yield chunk;
    }
  } catch (error) {
    if (error instanceof Error && error.name === "WheelwrightError") throw error;
    throw badFormat(path, name, `has corrupt compressed data (${(error as Error).message})`, error);
  } finally {
    if (!Array.isArray(stream)) stream.destroy();
  }
  if (size !== declared) throw badFormat(path, name, `ends after ${size} bytes but declares ${declared}`);
  if (crc !== expectedCrc) throw badFormat(path, name, "fails its CRC-32 check");
}
