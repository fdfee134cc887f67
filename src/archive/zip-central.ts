/**
 * Reads and vets a zip's central directory before a single byte is extracted: every name,
 * type, compression method, declared size and data range is checked here, so most hostile
 * zips are refused without touching the destination.
 */
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import yauzl from "yauzl";
import type { Entry, ZipFile } from "yauzl";
import { badFormat, limitExceeded, unsafeEntry } from "./errors.js";
import { ratioExceeded, type ArchiveLimits } from "./limits.js";
import { checkEntryName } from "./paths.js";
import type { ArchiveEntry } from "./types.js";
import { WindowFile, WindowReader } from "./window-file.js";

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const MADE_BY_UNIX = 3;
const DOS_DIRECTORY = 0x10;
const FLAG_ENCRYPTED = 0x1;
const LOCAL_HEADER_BYTES = 30;

const SPECIAL_TYPES: Record<number, string> = {
  0o010000: "a FIFO",
  0o020000: "a character device",
  0o060000: "a block device",
  0o140000: "a socket",
};

export interface ZipRecord {
  entry: Entry;
  info: ArchiveEntry;
  /** First byte the next entry's local header (or the central directory) occupies. */
  nextStart: number;
}

export interface CentralDirectory {
  zip: ZipFile;
  /** The archive, for reading local headers and data (closed by zip.close()). */
  file: WindowFile;
  records: ZipRecord[];
}

async function openZip(path: string): Promise<{ zip: ZipFile; file: WindowFile }> {
  let handle: FileHandle;
  let size: number;
  try {
    handle = await open(path, "r");
    size = (await handle.stat()).size;
  } catch (error) {
    throw badFormat(path, undefined, `cannot be opened (${(error as Error).message})`, error);
  }
  const file = new WindowFile(handle, size);
  return new Promise((resolve, reject) => {
    yauzl.fromRandomAccessReader(
      new WindowReader(file),
      size,
      { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false, strictFileNames: true },
      (error, zip) => {
        if (error !== null || zip === undefined) {
          void handle.close().catch(() => undefined);
          reject(badFormat(path, undefined, `is not a readable zip archive (${error?.message ?? "unknown error"})`, error));
        } else resolve({ zip, file });
      },
    );
  });
}

function readAllEntries(path: string, zip: ZipFile, onEntry: (entry: Entry) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: unknown): void => {
      zip.removeAllListeners("entry");
      zip.removeAllListeners("end");
      reject(error);
    };
    zip.on("error", (error: Error) => fail(badFormat(path, undefined, `has a corrupt central directory (${error.message})`, error)));
    zip.on("end", () => resolve());
    zip.on("entry", (entry: Entry) => {
      try {
        onEntry(entry);
      } catch (error) {
        fail(error);
        return;
      }
      zip.readEntry();
    });
    zip.readEntry();
  });
}

/** Classifies one central directory record, or throws naming it. */
function describeEntry(path: string, entry: Entry): ArchiveEntry {
  const raw = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
  const check = checkEntryName(raw);
  if (!check.ok) throw unsafeEntry(path, raw, check.problem);
  const name = check.name;
  if (entry.generalPurposeBitFlag & FLAG_ENCRYPTED) throw badFormat(path, raw, "is encrypted");
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw badFormat(path, raw, `uses compression method ${entry.compressionMethod}; only stored (0) and deflate (8) are read`);
  }
  if (entry.compressionMethod === 0 && entry.compressedSize !== entry.uncompressedSize) {
    throw badFormat(path, raw, `is stored but declares ${entry.compressedSize} compressed and ${entry.uncompressedSize} expanded bytes`);
  }
  const unix = entry.versionMadeBy >> 8 === MADE_BY_UNIX;
  const unixMode = unix ? (entry.externalFileAttributes >>> 16) & 0xffff : 0;
  const format = unixMode & S_IFMT;
  const special = SPECIAL_TYPES[format];
  if (special !== undefined) throw unsafeEntry(path, raw, `is ${special}`);
  let type: ArchiveEntry["type"] = "file";
  if (format === S_IFLNK) type = "symlink";
  else if (check.directory || format === S_IFDIR || (!unix && entry.externalFileAttributes & DOS_DIRECTORY)) type = "directory";
  else if (format !== 0 && format !== S_IFREG) throw unsafeEntry(path, raw, `has an unknown file type (mode ${unixMode.toString(8)})`);
  if (type === "directory" && entry.uncompressedSize !== 0) throw badFormat(path, raw, "is a directory with content");
  if (name === "" && type !== "directory") throw unsafeEntry(path, raw, "would replace the extraction target itself");
  const mode = unixMode & 0o777;
  const info: ArchiveEntry = { name, type, size: entry.uncompressedSize, mode, executable: type === "file" && (mode & 0o111) !== 0 };
  return info;
}

/** Opens `path` and returns its vetted entries (in central directory order) and the open zip. */
export async function readCentralDirectory(path: string, limits: ArchiveLimits): Promise<CentralDirectory> {
  const { zip, file } = await openZip(path);
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw limitExceeded(path, undefined, `declares ${zip.entryCount} entries, more than the limit of ${limits.maxEntries}`);
    }
    // yauzl starts its cursor at the central directory; entry data must end before it.
    const centralStart = Number(zip.readEntryCursor);
    const records: ZipRecord[] = [];
    const seen = new Set<string>();
    let total = 0;
    await readAllEntries(path, zip, (entry) => {
      const info = describeEntry(path, entry);
      if (records.length >= limits.maxEntries) {
        throw limitExceeded(path, info.name, `is past the entry limit of ${limits.maxEntries}`);
      }
      if (seen.has(info.name)) throw unsafeEntry(path, info.name, "appears more than once");
      seen.add(info.name);
      if (entry.uncompressedSize > limits.maxEntryBytes) {
        throw limitExceeded(path, info.name, `declares ${entry.uncompressedSize} bytes, more than the per-entry limit of ${limits.maxEntryBytes}`);
      }
      total += entry.uncompressedSize;
      if (total > limits.maxTotalBytes) {
        throw limitExceeded(path, info.name, `takes the declared total past the limit of ${limits.maxTotalBytes} bytes`);
      }
      if (ratioExceeded(entry.uncompressedSize, entry.compressedSize, limits)) {
        throw limitExceeded(path, info.name, `expands ${entry.compressedSize} bytes to ${entry.uncompressedSize}, past the compression ratio limit of ${limits.maxCompressionRatio}`);
      }
      records.push({ entry, info, nextStart: centralStart });
    });
    checkOverlaps(path, records, centralStart);
    return { zip, file, records };
  } catch (error) {
    zip.close();
    throw error;
  }
}

/**
 * Each entry's local header plus data must end before the next entry's local header starts
 * (and before the central directory). Overlapping ranges are how non-recursive zip bombs
 * multiply one compressed stream into many files. The local extra field is not known here,
 * so this uses a lower bound of the end; extraction re-checks with the real local header.
 */
function checkOverlaps(path: string, records: ZipRecord[], centralStart: number): void {
  const byOffset = [...records].sort((a, b) => a.entry.relativeOffsetOfLocalHeader - b.entry.relativeOffsetOfLocalHeader);
  for (let i = 0; i < byOffset.length; i++) {
    const record = byOffset[i]!;
    const next = byOffset[i + 1];
    const nextStart = next === undefined ? centralStart : next.entry.relativeOffsetOfLocalHeader;
    record.nextStart = nextStart;
    const start = record.entry.relativeOffsetOfLocalHeader;
    const minimalEnd = start + LOCAL_HEADER_BYTES + record.entry.fileNameRaw.length + record.entry.compressedSize;
    if (minimalEnd > nextStart) {
      const other = next === undefined ? "the central directory" : `entry ${JSON.stringify(next.info.name)}`;
      throw unsafeEntry(path, record.info.name, `has data that overlaps ${other} (overlapping entries are a zip-bomb technique)`);
    }
  }
}
