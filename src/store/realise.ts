/**
 * Realising a store path: build it in a private temp directory, make it canonical, hash it,
 * rename it into place and register it, under the path's lock so concurrent processes build
 * it once. The ordering is what keeps a SIGKILL at any point harmless:
 *   - before the rename, only `<root>/tmp/<pid>-<start>-…` exists; it is garbage once the
 *     process is dead and is removed by the next open/gc;
 *   - between rename and registration, an unregistered path sits in `store/`; it is never
 *     trusted (validity is the DB row) and is removed by the next realise of it, or by gc.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import { lstat, rename } from "node:fs/promises";
import { join } from "node:path";
import { WheelwrightError } from "../errors.js";
import type { PathInfo, StoreDb } from "./db.js";
import type { StoreLayout } from "./layout.js";
import { acquirePathLock } from "./lock.js";
import type { NarHash } from "./nar.js";
import { removeTree, syncPath } from "./normalise.js";
import type { StorePath } from "./path.js";
import { currentProcess, isProcessAlive } from "./process.js";
import { sealBuilt, type SealOptions } from "./seal.js";

export interface RealiseOptions {
  /** Store paths the output refers to; they must be valid. The path itself may be listed. */
  references?: readonly StorePath[];
  /** What produced the path (e.g. a derivation's store path or id). */
  deriver?: string;
  /** Content address, e.g. `fixed:sha256:<hex>` for fixed-output sources. */
  ca?: string;
  /** Called when another process holds the lock and we are about to wait for it. */
  onWait?: (holderPid: number) => void;
}

/** What a build may tell realise about the output it wrote. */
export interface BuiltOutput {
  /**
   * Output-relative posix path → the exact bytes the build wrote there and left unchanged
   * (e.g. the wheel installer's files): hashed from memory instead of read back.
   */
  contents?: ReadonlyMap<string, Buffer>;
  /**
   * The build sealed its output itself, with `sealOutput(tmpOut, seal)` and the `seal`
   * options it was given: the output is canonical and this is its NAR hash.
   */
  sealed?: NarHash;
}

/**
 * Builds a path's content at `tmpOut` (a file, directory or symlink that does not exist yet).
 * `seal` is how realise would seal it, for a build that seals its output itself.
 */
export type BuildOutput = (tmpOut: string, seal: Pick<SealOptions, "fsync">) => Promise<void | BuiltOutput>;

export interface RealiseContext {
  layout: StoreLayout;
  db: StoreDb;
  fsync: boolean;
  /** The Store handle's temp-root owner id. */
  owner: string;
  /** Paths this handle has already temp-rooted (so re-rooting costs no transaction). */
  rooted: Set<StorePath>;
}

/**
 * Temp-roots the valid ones among `paths` for this handle (one transaction for the ones not
 * rooted yet) and returns those that are not valid.
 */
export function rootPaths(ctx: RealiseContext, paths: readonly StorePath[]): StorePath[] {
  const todo = paths.filter((path) => !ctx.rooted.has(path));
  if (todo.length === 0) return [];
  const invalid = ctx.db.addTempRoots(todo, currentProcess(), ctx.owner);
  const missing = new Set(invalid);
  for (const path of todo) if (!missing.has(path)) ctx.rooted.add(path);
  return invalid;
}

export async function realisePath(ctx: RealiseContext, path: StorePath, build: BuildOutput, options: RealiseOptions = {}): Promise<PathInfo> {
  const { layout, db } = ctx;
  const self = currentProcess();
  const known = db.queryPathInfo(path);
  if (known !== undefined) {
    rootPaths(ctx, [path]);
    return known;
  }
  const references = options.references ?? [];
  // Root the inputs now so a concurrent gc cannot delete them while we build. Rooted paths
  // can still be dropped by `verify --repair`, hence the separate validity check.
  const inputs = references.filter((ref) => ref !== path);
  rootPaths(ctx, inputs);
  const invalid = inputs.filter((ref) => !db.isValid(ref));
  if (invalid.length > 0) {
    throw new WheelwrightError("ERR_WW_STORE", `cannot realise ${path}: its references ${invalid.join(", ")} are not valid`, {
      hint: "Realise a path's references before the path itself.",
    });
  }
  const lock = await acquirePathLock(db, path, options.onWait ? { onWait: (holder) => options.onWait!(holder.pid) } : {});
  try {
    // Someone may have built it while we waited for the lock.
    const already = db.queryPathInfo(path);
    if (already !== undefined) {
      rootPaths(ctx, [path]);
      return already;
    }
    const finalPath = join(layout.storeDir, path);
    removeTree(finalPath); // a leftover of a process killed between rename and registration
    const tmpDir = mkdtempSync(join(layout.tmpDir, `${self.pid}-${self.start}-${path.slice(0, 8)}-`));
    try {
      const tmpOut = join(tmpDir, path);
      const built = await build(tmpOut, { fsync: ctx.fsync });
      try {
        await lstat(tmpOut);
      } catch {
        throw new WheelwrightError("ERR_WW_STORE_OUTPUT", `the build of ${path} produced nothing at ${tmpOut}`, {
          hint: "A build must create a file, directory or symlink at the output path it is given.",
        });
      }
      const hash = await sealBuilt(tmpOut, built, ctx.fsync);
      await rename(tmpOut, finalPath);
      if (ctx.fsync) syncPath(layout.storeDir);
      db.addTempRootUnchecked(path, self, ctx.owner);
      ctx.rooted.add(path);
      try {
        db.register({ path, narHash: hash.nixHash, narSize: hash.size, references, ...pick(options) });
      } catch (error) {
        removeTree(finalPath);
        throw error;
      }
    } finally {
      removeTree(tmpDir);
    }
    return db.queryPathInfo(path)!;
  } finally {
    lock.release();
  }
}

function pick(options: RealiseOptions): { deriver?: string; ca?: string } {
  const out: { deriver?: string; ca?: string } = {};
  if (options.deriver !== undefined) out.deriver = options.deriver;
  if (options.ca !== undefined) out.ca = options.ca;
  return out;
}

/**
 * Removes temp directories of builds whose process is gone. Names are
 * `<pid>-<start>-<hash prefix>-<random>`; anything else in tmp/ is left alone.
 */
export function removeDeadTempDirs(layout: StoreLayout): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(layout.tmpDir)) {
    const match = /^(\d+)-(\d*)-/.exec(name);
    if (match === null) continue;
    if (isProcessAlive({ pid: Number(match[1]), start: match[2]! })) continue;
    removeTree(join(layout.tmpDir, name));
    removed.push(name);
  }
  return removed;
}
