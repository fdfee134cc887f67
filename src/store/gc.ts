/**
 * Garbage collection: keep the closure (over references) of live roots, temp roots of live
 * processes and paths locked by a running realise; delete every other store path and every
 * unregistered leftover in `store/`.
 *
 * Safety against concurrent realise/gc: the live set is a snapshot, but each deletion is
 * re-decided in one transaction (`claimForDeletion`) that re-checks locks, temp roots and
 * referrers, invalidates the path and takes its lock until the files are gone.
 */
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { closure, referrersFirst } from "./closure.js";
import type { StoreDb } from "./db.js";
import type { StoreLayout } from "./layout.js";
import { removeTree, treeSize } from "./normalise.js";
import { isStorePath } from "./path.js";
import type { StorePath } from "./path.js";
import { currentProcess } from "./process.js";
import { removeDeadTempDirs } from "./realise.js";
import { listRoots } from "./roots.js";
import type { RootInfo } from "./roots.js";

export interface GcOptions {
  /** Report what would be deleted without deleting anything. */
  dryRun?: boolean;
}

export interface GcResult {
  dryRun: boolean;
  /** Paths deleted (or that would be), valid ones and unregistered leftovers alike. */
  deleted: StorePath[];
  /** Apparent size of what was (or would be) deleted. */
  bytesFreed: number;
  /** Paths kept alive (the closure of the roots). */
  live: number;
  /** Dead roots removed from `roots/` (or that would be). */
  deadRoots: RootInfo[];
  /** Paths that were dead in the snapshot but became in use before they could be deleted. */
  skipped: StorePath[];
}

export interface GcContext {
  layout: StoreLayout;
  db: StoreDb;
}

export async function collectGarbage(ctx: GcContext, options: GcOptions = {}): Promise<GcResult> {
  const { layout, db } = ctx;
  const dryRun = options.dryRun ?? false;
  const roots = listRoots(layout);
  const deadRoots = roots.filter((root) => root.storePath === undefined);
  const liveSeeds = new Set<StorePath>();
  for (const root of roots) if (root.storePath !== undefined) liveSeeds.add(root.storePath);
  for (const path of db.liveTempRoots()) liveSeeds.add(path as StorePath);
  for (const path of db.lockedPaths()) liveSeeds.add(path as StorePath);
  const graph = db.referenceGraph();
  const live = closure(liveSeeds, graph);

  const valid = new Set(db.list().map((info) => info.path));
  const dead = new Set<StorePath>([...valid].filter((path) => !live.has(path)));
  for (const name of readdirSync(layout.storeDir)) {
    if (isStorePath(name) && !valid.has(name) && !live.has(name)) dead.add(name);
  }
  const order = referrersFirst(dead, graph);

  const result: GcResult = { dryRun, deleted: [], bytesFreed: 0, live: live.size, deadRoots, skipped: [] };
  if (dryRun) {
    result.deleted = order;
    for (const path of order) result.bytesFreed += treeSize(join(layout.storeDir, path));
    return result;
  }
  for (const root of deadRoots) rmSync(root.entry, { force: true });
  removeDeadTempDirs(layout);
  db.purgeDeadLocks();
  const self = currentProcess();
  for (const path of order) {
    if (!db.claimForDeletion(path, self)) {
      result.skipped.push(path);
      continue;
    }
    try {
      const real = join(layout.storeDir, path);
      result.bytesFreed += treeSize(real);
      removeTree(real);
      result.deleted.push(path);
    } finally {
      db.unlock(path, self);
    }
    // Let other work (e.g. reporters) run between deletions of large trees.
    await yieldToEventLoop();
  }
  return result;
}
