/**
 * GC roots. A root is the user's own link (e.g. a project's `.venv` symlink) pointing at a
 * store path; the store keeps, in `<root>/roots/`, a symlink to that link. The root is live
 * while the link exists and leads (through at most a few symlinks) into the store; moving or
 * deleting the project, or re-pointing the link elsewhere, kills it without telling the store.
 */
import { createHash, randomBytes } from "node:crypto";
import { lstatSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, unlinkSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { WheelwrightError } from "../errors.js";
import type { StoreLayout } from "./layout.js";
import { isStorePath } from "./path.js";
import type { StorePath } from "./path.js";

const MAX_HOPS = 8;

export interface RootInfo {
  /** The user's link, absolute. */
  link: string;
  /** The entry in `<root>/roots/` that registers it. */
  entry: string;
  /** The store path the link leads to, or undefined when the root is dead. */
  storePath?: StorePath;
}

function entryName(link: string): string {
  return createHash("sha256").update(link).digest("hex").slice(0, 32);
}

/** Makes `path` a symlink to `target` atomically (create beside it, rename over it). */
export function swapSymlink(path: string, target: string): void {
  const temp = `${path}.ww-${process.pid}-${randomBytes(4).toString("hex")}`;
  symlinkSync(target, temp);
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Points `link` at the store path (replacing an older symlink atomically) and registers it.
 * A real file or directory at `link` is never replaced: that would destroy the user's data.
 */
export function addRoot(layout: StoreLayout, link: string, path: StorePath): RootInfo {
  const abs = resolve(link);
  let existing;
  try {
    existing = lstatSync(abs);
  } catch {
    existing = undefined;
  }
  if (existing !== undefined && !existing.isSymbolicLink()) {
    throw new WheelwrightError("ERR_WW_STORE", `cannot make ${abs} a link to the store: a real ${existing.isDirectory() ? "directory" : "file"} is there`, {
      file: abs,
      hint: "Move it away (wheelwright only replaces symlinks), then run the command again.",
    });
  }
  const entry = join(layout.rootsDir, entryName(abs));
  swapSymlink(entry, abs);
  swapSymlink(abs, join(layout.storeDir, path));
  return { link: abs, entry, storePath: path };
}

/** Unregisters `link` (the link itself is left alone). Returns whether it was registered. */
export function removeRoot(layout: StoreLayout, link: string): boolean {
  try {
    unlinkSync(join(layout.rootsDir, entryName(resolve(link))));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

/** Every registered root, live or dead. */
export function listRoots(layout: StoreLayout): RootInfo[] {
  const roots: RootInfo[] = [];
  for (const name of readdirSync(layout.rootsDir).sort()) {
    const entry = join(layout.rootsDir, name);
    let link: string;
    try {
      link = resolve(layout.rootsDir, readlinkSync(entry));
    } catch {
      continue; // not a symlink: not ours
    }
    const storePath = followIntoStore(layout.storeDir, link);
    roots.push(storePath === undefined ? { link, entry } : { link, entry, storePath });
  }
  return roots;
}

/** Follows symlinks from `link` until one lands in the store; undefined if none does. */
function followIntoStore(storeDir: string, link: string): StorePath | undefined {
  let current = link;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    let target: string;
    try {
      target = resolve(dirname(current), readlinkSync(current));
    } catch {
      return undefined; // missing, or not a symlink
    }
    if (target.startsWith(storeDir + sep)) {
      const name = target.slice(storeDir.length + 1).split(sep)[0]!;
      return isStorePath(name) ? name : undefined;
    }
    current = target;
  }
  return undefined;
}
