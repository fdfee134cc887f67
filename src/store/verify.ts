/**
 * Verification: re-hash every valid path and compare with the registered NAR hash and size.
 *
 * Repair deletes each missing or corrupt path and unregisters it, together with every path
 * that (transitively) references it: the database must never hold a valid path whose
 * references are invalid, and those referrers (typically venvs) are cheap to rebuild. The next
 * sync then rebuilds or refetches everything that was dropped. Repair does not try to restore
 * content in place: a store path is only ever created by a build under its lock.
 */
import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { closure, invert, referrersFirst } from "./closure.js";
import type { StoreDb } from "./db.js";
import type { StoreLayout } from "./layout.js";
import { narHash } from "./nar.js";
import { removeTree } from "./normalise.js";
import { isStorePath } from "./path.js";
import type { StorePath } from "./path.js";
import { currentProcess } from "./process.js";

export interface VerifyOptions {
  repair?: boolean;
}

export interface CorruptPath {
  path: StorePath;
  expected: { narHash: string; narSize: number };
  actual: { narHash: string; narSize: number };
}

export interface VerifyResult {
  checked: number;
  missing: StorePath[];
  corrupt: CorruptPath[];
  /** Entries of `store/` that are not registered (leftovers of killed processes). */
  unregistered: string[];
  /** Paths deleted and unregistered by repair (bad ones and their referrers). */
  repaired: StorePath[];
  /** Paths repair left alone because a running process held their lock. */
  busy: StorePath[];
}

export interface VerifyContext {
  layout: StoreLayout;
  db: StoreDb;
}

export async function verifyStore(ctx: VerifyContext, options: VerifyOptions = {}): Promise<VerifyResult> {
  const { layout, db } = ctx;
  const infos = db.list();
  const result: VerifyResult = { checked: infos.length, missing: [], corrupt: [], unregistered: [], repaired: [], busy: [] };
  for (const info of infos) {
    const real = join(layout.storeDir, info.path);
    if (!lstatSync(real, { throwIfNoEntry: false })) {
      result.missing.push(info.path);
      continue;
    }
    let actual;
    try {
      actual = await narHash(real);
    } catch {
      actual = { nixHash: "unreadable", size: -1 };
    }
    if (actual.nixHash !== info.narHash || actual.size !== info.narSize) {
      result.corrupt.push({
        path: info.path,
        expected: { narHash: info.narHash, narSize: info.narSize },
        actual: { narHash: actual.nixHash, narSize: actual.size },
      });
    }
  }
  const valid = new Set(infos.map((info) => info.path));
  const locked = db.lockedPaths();
  for (const name of readdirSync(layout.storeDir)) {
    if (!valid.has(name as StorePath) && !locked.has(name)) result.unregistered.push(name);
  }
  if (options.repair) repair(ctx, result);
  return result;
}

function repair(ctx: VerifyContext, result: VerifyResult): void {
  const { layout, db } = ctx;
  const bad = [...result.missing, ...result.corrupt.map((c) => c.path)];
  const graph = db.referenceGraph();
  const doomed = closure(bad, invert(graph));
  const self = currentProcess();
  for (const path of referrersFirst(doomed, graph)) {
    if (!db.tryLock(path, self).acquired) {
      result.busy.push(path);
      continue;
    }
    try {
      if (db.referrers(path).length > 0) {
        result.busy.push(path); // a referrer was kept (busy), so this one must stay valid
        continue;
      }
      db.invalidate(path);
      removeTree(join(layout.storeDir, path));
      result.repaired.push(path);
    } finally {
      db.unlock(path, self);
    }
  }
  for (const name of result.unregistered) {
    if (!isStorePath(name)) continue;
    if (!db.tryLock(name, self).acquired) continue;
    try {
      if (!db.isValid(name)) removeTree(join(layout.storeDir, name));
    } finally {
      db.unlock(name, self);
    }
  }
}
