/**
 * Tar reading (sdists). The `tar` package parses headers (ustar, pax, GNU long names); every
 * entry is then vetted here and written by DestinationWriter — tar's own extractor is not
 * used (it is slow and its path rules are not ours). Gzip is inflated here so the
 * compression ratio and total stream size can be policed while streaming.
 */
import { once } from "node:events";
import { createReadStream } from "node:fs";
import { resolve as resolvePath } from "node:path";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { Parser, type ReadEntry } from "tar";
import { badFormat, limitExceeded, unsafeEntry } from "./errors.js";
import { ratioExceeded, resolveLimits, type ArchiveLimits } from "./limits.js";
import { checkEntryName } from "./paths.js";
import { destinationOf } from "./plan.js";
import { detectKind, readHead, refuseUnreadable } from "./sniff.js";
import type { ArchiveEntry, ExtractOptions, ExtractedFile } from "./types.js";
import { DestinationWriter } from "./writer.js";

const FILE_TYPES = new Set(["File", "OldFile", "ContiguousFile"]);
const REFUSED_TYPES: Record<string, string> = {
  CharacterDevice: "a character device",
  BlockDevice: "a block device",
  FIFO: "a FIFO",
};

/**
 * Extracts a .tar or gzip-compressed tar (detected by magic bytes) into `dest`. Symlinks are
 * allowed by default (sdists carry them) but must resolve inside dest; hard links become
 * copies of an earlier entry; devices and FIFOs are refused.
 */
export async function extractTar(path: string, dest: string, options: ExtractOptions = {}): Promise<ExtractedFile[]> {
  const limits = resolveLimits(options.limits);
  const kind = detectKind(await readHead(path));
  if (kind === "zip") throw badFormat(path, undefined, "is a zip archive, not a tar archive");
  if (kind !== undefined) refuseUnreadable(path, kind);
  const writer = new DestinationWriter(path, resolvePath(dest), limits, options.allowSymlinks ?? true);
  await writer.init();

  let failure: unknown;
  let fail!: (error: unknown) => void;
  const failed = new Promise<never>((_, reject) => {
    fail = (error) => {
      if (failure === undefined) {
        failure = error;
        reject(error);
      }
    };
  });
  failed.catch(() => undefined);

  const parser = new Parser({ strict: true });
  let sawEnd = false;
  let entries = 0;
  let work: Promise<void> = Promise.resolve();
  let current: ReadEntry | undefined;
  parser.on("error", (error: Error & { entry?: ReadEntry }) => {
    fail(badFormat(path, error.entry?.path ?? current?.path, `is not a valid tar archive (${error.message})`, error));
  });
  parser.on("eof", () => (sawEnd = true));
  parser.on("ignoredEntry", (entry: ReadEntry) => {
    fail(entry.meta
      ? badFormat(path, entry.path, "has an oversized extended header")
      : badFormat(path, entry.path, `has unsupported tar entry type ${JSON.stringify(entry.type)}`));
  });
  parser.on("entry", (entry: ReadEntry) => {
    current = entry;
    work = work.then(async () => {
      if (failure === undefined) {
        try {
          if (++entries > limits.maxEntries) throw limitExceeded(path, entry.path, `is past the entry limit of ${limits.maxEntries}`);
          await handleEntry(path, entry, writer, limits, options);
        } catch (error) {
          fail(error);
        }
      }
      entry.resume();
    });
  });

  const source = createReadStream(path);
  let compressed = 0;
  let stream: Readable = source;
  if (kind === "tar.gz") {
    // Count what gzip consumes to police the ratio; pipe() reads via "data" too, so this is safe.
    source.on("data", (chunk: string | Buffer) => {
      compressed += chunk.length;
    });
    stream = source.pipe(createGunzip());
  }
  source.on("error", (error) => stream.destroy(error));
  let expanded = 0;
  try {
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (failure !== undefined || sawEnd) break;
        expanded += chunk.length;
        if (kind === "tar.gz" && ratioExceeded(expanded, compressed, limits)) {
          throw limitExceeded(path, current?.path, `expands ${compressed} compressed bytes to ${expanded}, past the compression ratio limit of ${limits.maxCompressionRatio}`);
        }
        if (!parser.write(chunk)) await Promise.race([settled(once(parser, "drain")), failed]);
      }
    } catch (error) {
      if (error instanceof Error && error.name === "WheelwrightError") throw error;
      throw badFormat(path, current?.path, `could not be read (${(error as Error).message})`, error);
    } finally {
      source.destroy();
      stream.destroy();
    }
    if (failure === undefined && !sawEnd && expanded % 512 !== 0) {
      throw badFormat(path, undefined, `is truncated (${expanded} bytes is not a whole number of 512-byte blocks)`);
    }
    if (failure === undefined) {
      const ended = settled(once(parser, "end"));
      parser.end();
      await Promise.race([ended, failed]);
    }
    await Promise.race([work, failed]);
    if (failure !== undefined) throw failure;
  } catch (error) {
    // No more input will come: end the entry a handler may be waiting on, so it settles.
    if (current !== undefined && !current.emittedEnd) current.end();
    await work.catch(() => undefined);
    throw failure ?? error;
  }
  return writer.finish();
}

/** once() also rejects on "error", which `failed` already reports; never leave that rejection unhandled. */
function settled(promise: Promise<unknown>): Promise<unknown> {
  return promise.catch(() => undefined);
}

async function handleEntry(path: string, entry: ReadEntry, writer: DestinationWriter, limits: ArchiveLimits, options: ExtractOptions): Promise<void> {
  const raw = entry.path;
  const check = checkEntryName(raw);
  if (!check.ok) throw unsafeEntry(path, raw, check.problem);
  const refused = REFUSED_TYPES[entry.type];
  if (refused !== undefined) throw unsafeEntry(path, raw, `is ${refused}`);
  const size = entry.size ?? 0;
  if (size > limits.maxEntryBytes) {
    throw limitExceeded(path, raw, `declares ${size} bytes, more than the per-entry limit of ${limits.maxEntryBytes}`);
  }
  const mode = (entry.mode ?? 0) & 0o777;
  let type: ArchiveEntry["type"];
  if (FILE_TYPES.has(entry.type) || entry.type === "Link") type = "file";
  else if (entry.type === "Directory") type = "directory";
  else if (entry.type === "SymbolicLink") type = "symlink";
  else throw badFormat(path, raw, `has unsupported tar entry type ${JSON.stringify(entry.type)}`);
  if (check.name === "" && type !== "directory") throw unsafeEntry(path, raw, "would replace the extraction target itself");
  const info: ArchiveEntry = { name: check.name, type, size, mode, executable: type === "file" && (mode & 0o111) !== 0 };
  if (type === "symlink") info.linkTarget = entry.linkpath ?? "";

  let linkTarget: string | undefined;
  if (entry.type === "Link") {
    const target = checkEntryName(entry.linkpath ?? "");
    if (!target.ok) throw unsafeEntry(path, raw, `is a hard link whose target ${target.problem}`);
    linkTarget = target.name;
  }
  const rel = check.name === "" ? null : destinationOf(path, info, options);
  if (rel === null) return;
  if (type === "directory") await writer.directory(info.name, rel);
  else if (type === "symlink") writer.symlink(info.name, rel, info.linkTarget ?? "");
  else if (linkTarget !== undefined) await writer.hardlink(info.name, rel, linkTarget);
  else await writer.file(info.name, rel, entry as AsyncIterable<Buffer>, info.executable);
}
