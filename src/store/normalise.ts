/**
 * Filesystem chores of store paths: making a build output canonical (read-only, mtime 1),
 * deleting read-only trees, and measuring them. Synchronous fs calls are used on purpose: a
 * tree of thousands of small files costs several syscalls per entry, and a thread-pool hop per
 * syscall would cost more than the syscalls themselves.
 */
import { chmodSync, closeSync, fsyncSync, lstatSync, lutimesSync, openSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { WheelwrightError } from "../errors.js";

/** Nix's canonical mtime: one second after the epoch (0 means "unknown" to some tools). */
export const CANONICAL_MTIME = 1;
const ENTRIES_PER_TURN = 512;

export interface NormaliseOptions {
  /** fsync every file and directory (for durability across power loss, not only crashes). */
  fsync: boolean;
}

/**
 * Makes the tree at `path` canonical: regular files 0444 (0555 when the owner could execute
 * them), directories 0555, every mtime (symlinks' own included) = 1. Rejects what a store
 * path must not hold: devices, sockets, FIFOs, setuid/setgid files. Returns the entry count.
 */
export async function normaliseTree(path: string, options: NormaliseOptions): Promise<number> {
  const state = { count: 0 };
  await normaliseNode(path, options, state);
  return state.count;
}

async function normaliseNode(path: string, options: NormaliseOptions, state: { count: number }): Promise<void> {
  if (++state.count % ENTRIES_PER_TURN === 0) await yieldToEventLoop();
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) {
    lutimesSync(path, CANONICAL_MTIME, CANONICAL_MTIME);
  } else if (stat.isFile()) {
    if (stat.mode & 0o6000) reject(path, "it is setuid or setgid");
    chmodSync(path, stat.mode & 0o100 ? 0o555 : 0o444);
    if (options.fsync) syncPath(path);
    lutimesSync(path, CANONICAL_MTIME, CANONICAL_MTIME);
  } else if (stat.isDirectory()) {
    // Owner write/search first, so the children can be read and changed by a non-root user.
    chmodSync(path, 0o755);
    for (const name of readdirSync(path)) await normaliseNode(join(path, name), options, state);
    chmodSync(path, 0o555);
    if (options.fsync) syncPath(path);
    lutimesSync(path, CANONICAL_MTIME, CANONICAL_MTIME);
  } else {
    reject(path, "it is a device, socket or FIFO");
  }
}

function reject(path: string, why: string): never {
  throw new WheelwrightError("ERR_WW_STORE_OUTPUT", `build output ${path} cannot go into the store: ${why}`, {
    file: path,
    hint: "Store paths hold only regular files, directories and symlinks, without setuid/setgid bits.",
  });
}

/** fsync a file or directory by path (directories are opened read-only, which Linux allows). */
export function syncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Deletes a file or tree, first making directories writable (store paths are read-only, and
 * a non-root user cannot unlink entries of a 0555 directory). Missing paths are fine.
 */
export function removeTree(path: string): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if (stat.isDirectory()) makeWritable(path);
  rmSync(path, { recursive: true, force: true, maxRetries: 3 });
}

function makeWritable(dir: string): void {
  try {
    chmodSync(dir, 0o755);
  } catch {
    // Not ours to change; rmSync reports the real failure.
  }
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const child = join(dir, name);
    try {
      if (lstatSync(child).isDirectory()) makeWritable(child);
    } catch {
      // Vanished meanwhile.
    }
  }
}

/** Apparent size in bytes of the regular files and symlinks under `path` (0 if missing). */
export function treeSize(path: string): number {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const name of readdirSync(path)) total += treeSize(join(path, name));
  return total;
}
