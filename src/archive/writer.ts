/**
 * The destination side of every extraction: creates directories itself, writes files with
 * `wx` (O_CREAT|O_EXCL, so an existing path — including a symlink — is never followed or
 * overwritten), hashes while writing, enforces byte limits on what is actually written,
 * and defers symlinks to the very end so no file can ever be written through one.
 *
 * Contract on failure: whatever was written stays (the caller extracts into a fresh temp
 * directory and throws it away on error), but nothing is ever created outside `root`.
 */
import { createHash } from "node:crypto";
import { closeSync, constants, lstatSync, mkdirSync, openSync, writeSync } from "node:fs";
import { copyFile, open, realpath, symlink, type FileHandle } from "node:fs/promises";
import { join, relative, sep, isAbsolute } from "node:path";
import { badFormat, limitExceeded, unsafeEntry } from "./errors.js";
import type { ArchiveLimits } from "./limits.js";
import { checkLinkTarget, foldName, resolveInside } from "./paths.js";
import type { ExtractedFile } from "./types.js";

const FLUSH_BYTES = 1024 * 1024;

interface PendingLink {
  entry: string;
  rel: string;
  target: string;
}

function errnoOf(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String((error as { code: unknown }).code) : undefined;
}

export class DestinationWriter {
  readonly files: ExtractedFile[] = [];
  private totalBytes = 0;
  private readonly dirs = new Set<string>([""]);
  /** Archive entry name → file written, for hard links. */
  private readonly written = new Map<string, ExtractedFile>();
  /** Destination-relative paths already produced by a non-directory entry. */
  private readonly used = new Set<string>();
  private readonly links = new Map<string, string>();
  private readonly pending: PendingLink[] = [];

  constructor(
    private readonly archive: string,
    private readonly root: string,
    private readonly limits: ArchiveLimits,
    private readonly allowSymlinks: boolean,
    /** Files up to this many bytes keep their content in `ExtractedFile.data` (0: none). */
    private readonly keepContents = 0,
  ) {
    if (!isAbsolute(root)) throw new Error(`extraction root must be absolute: ${root}`);
  }

  async init(): Promise<void> {
    mkdirSync(this.root, { recursive: true });
  }

  /**
   * Creates `rel` and its parents as real directories; refuses to pass through anything else.
   * Synchronous calls: one per new directory, cheaper than a thread-pool hop each.
   */
  async directory(entry: string, rel: string): Promise<void> {
    this.directorySync(entry, rel);
  }

  private directorySync(entry: string, rel: string): void {
    if (rel === "" || this.dirs.has(rel)) return;
    const parts = rel.split("/");
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join("/");
      if (this.dirs.has(prefix)) continue;
      if (this.used.has(prefix)) throw unsafeEntry(this.archive, entry, `needs ${JSON.stringify(prefix)} to be a directory, but the archive made it a file or link`);
      const abs = join(this.root, prefix);
      try {
        mkdirSync(abs, 0o755);
      } catch (error) {
        if (errnoOf(error) !== "EEXIST") throw this.fsError(entry, error);
        const stat = lstatSync(abs);
        if (!stat.isDirectory()) {
          const what = stat.isSymbolicLink() ? "a symlink" : "not a directory";
          throw unsafeEntry(this.archive, entry, `would be written through ${JSON.stringify(prefix)}, which is ${what}`);
        }
      }
      this.dirs.add(prefix);
    }
  }

  /**
   * Writes a regular file from `chunks`; the byte limits apply to what actually arrives. A
   * file whose bytes all arrive before FLUSH_BYTES is written with synchronous calls once
   * complete (most files of a wheel: a thread-pool hop per open/write/close would cost more
   * than the calls); a larger one is opened then and streamed.
   */
  async file(entry: string, rel: string, chunks: AsyncIterable<Buffer>, executable: boolean): Promise<ExtractedFile> {
    this.claim(entry, rel);
    this.directorySync(entry, parentOf(rel));
    const dest = join(this.root, rel);
    const mode = executable ? 0o755 : 0o644;
    const hash = createHash("sha256");
    let size = 0;
    let handle: FileHandle | undefined;
    let buffered: Buffer[] = [];
    let bufferedBytes = 0;
    let small: Buffer | undefined;
    try {
      const flush = async (): Promise<void> => {
        const data = buffered.length === 1 ? buffered[0]! : Buffer.concat(buffered, bufferedBytes);
        buffered = [];
        bufferedBytes = 0;
        if (handle === undefined) {
          try {
            handle = await open(dest, "wx", mode);
          } catch (error) {
            throw this.fsError(entry, error);
          }
        }
        for (let offset = 0; offset < data.length; ) {
          const { bytesWritten } = await handle.write(data, offset, data.length - offset);
          offset += bytesWritten;
        }
      };
      for await (const chunk of chunks) {
        size += chunk.length;
        this.totalBytes += chunk.length;
        if (size > this.limits.maxEntryBytes) {
          throw limitExceeded(this.archive, entry, `expands past the per-entry limit of ${this.limits.maxEntryBytes} bytes`);
        }
        if (this.totalBytes > this.limits.maxTotalBytes) {
          throw limitExceeded(this.archive, entry, `takes the archive past its total limit of ${this.limits.maxTotalBytes} bytes`);
        }
        hash.update(chunk);
        buffered.push(chunk);
        bufferedBytes += chunk.length;
        if (bufferedBytes >= FLUSH_BYTES) await flush();
      }
      if (handle !== undefined) {
        if (bufferedBytes > 0) await flush();
      } else {
        small = buffered.length === 1 ? buffered[0]! : Buffer.concat(buffered, bufferedBytes);
        this.writeSmall(entry, dest, mode, small);
      }
    } finally {
      await handle?.close();
    }
    const file: ExtractedFile = { name: entry, dest, size, sha256: hash.digest(), executable };
    if (small !== undefined && size <= this.keepContents) file.data = small;
    this.files.push(file);
    this.written.set(entry, file);
    return file;
  }

  private writeSmall(entry: string, dest: string, mode: number, data: Buffer): void {
    let fd: number;
    try {
      fd = openSync(dest, "wx", mode);
    } catch (error) {
      throw this.fsError(entry, error);
    }
    try {
      for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset, data.length - offset);
    } finally {
      closeSync(fd);
    }
  }

  /** A hard link becomes a copy of a file this archive already wrote (store paths hold no shared inodes). */
  async hardlink(entry: string, rel: string, targetEntry: string): Promise<ExtractedFile> {
    const target = this.written.get(targetEntry);
    if (target === undefined) {
      throw unsafeEntry(this.archive, entry, `is a hard link to ${JSON.stringify(targetEntry)}, which is not a regular file extracted before it`);
    }
    this.totalBytes += target.size;
    if (this.totalBytes > this.limits.maxTotalBytes) {
      throw limitExceeded(this.archive, entry, `takes the archive past its total limit of ${this.limits.maxTotalBytes} bytes`);
    }
    this.claim(entry, rel);
    this.directorySync(entry, parentOf(rel));
    const dest = join(this.root, rel);
    try {
      await copyFile(target.dest, dest, constants.COPYFILE_EXCL);
    } catch (error) {
      throw this.fsError(entry, error);
    }
    const file: ExtractedFile = { name: entry, dest, size: target.size, sha256: target.sha256, executable: target.executable };
    this.files.push(file);
    this.written.set(entry, file);
    return file;
  }

  /** Records a symlink; it is checked against all others and created by finish(). */
  symlink(entry: string, rel: string, target: string): void {
    if (!this.allowSymlinks) throw unsafeEntry(this.archive, entry, "is a symlink, and symlinks are not allowed in this archive");
    const problem = checkLinkTarget(target);
    if (problem !== undefined) throw unsafeEntry(this.archive, entry, problem);
    this.claim(entry, rel);
    this.links.set(foldName(rel), target);
    this.pending.push({ entry, rel, target });
  }

  /** Creates the deferred symlinks once every one of them is known to resolve inside root. */
  async finish(): Promise<ExtractedFile[]> {
    for (const link of this.pending) {
      if (resolveInside(link.rel, link.target, this.links) === undefined) {
        throw unsafeEntry(this.archive, link.entry, `is a symlink to ${JSON.stringify(link.target)}, which loops or resolves outside the extraction target`);
      }
    }
    for (const link of this.pending) {
      await this.directory(link.entry, parentOf(link.rel));
      try {
        await symlink(link.target, join(this.root, link.rel));
      } catch (error) {
        throw this.fsError(link.entry, error);
      }
    }
    // Belt and braces: ask the kernel where each link really lands.
    if (this.pending.length > 0) {
      const realRoot = await realpath(this.root);
      for (const link of this.pending) {
        let real: string;
        try {
          real = await realpath(join(this.root, link.rel));
        } catch {
          continue; // dangling, but resolveInside proved it would land inside
        }
        const rel = relative(realRoot, real);
        if (rel === ".." || rel.startsWith(".." + sep) || isAbsolute(rel)) {
          throw unsafeEntry(this.archive, link.entry, `is a symlink that resolves to ${real}, outside the extraction target`);
        }
      }
    }
    return this.files;
  }

  private claim(entry: string, rel: string): void {
    if (rel === "") throw unsafeEntry(this.archive, entry, "would replace the extraction target itself");
    if (this.used.has(rel) || this.dirs.has(rel)) {
      throw unsafeEntry(this.archive, entry, `writes ${JSON.stringify(rel)}, which an earlier entry already produced (duplicate entry)`);
    }
    this.used.add(rel);
  }

  private fsError(entry: string, error: unknown): Error {
    switch (errnoOf(error)) {
      case "EEXIST":
        return unsafeEntry(this.archive, entry, "collides with a path that already exists (a duplicate, or names differing only in case on a case-insensitive file system)", error);
      case "ENOTDIR":
      case "ELOOP":
        return unsafeEntry(this.archive, entry, "would be written through something that is not a directory", error);
      case "ENAMETOOLONG":
      case "EILSEQ":
      case "EINVAL":
        return badFormat(this.archive, entry, `has a name this file system cannot store (${errnoOf(error)})`, error);
      default:
        return error instanceof Error ? error : new Error(String(error));
    }
  }
}

export function parentOf(rel: string): string {
  const slash = rel.lastIndexOf("/");
  return slash < 0 ? "" : rel.slice(0, slash);
}
