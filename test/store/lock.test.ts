import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { StoreDb } from "../../src/store/db.js";
import { ensureLayout, storeLayout } from "../../src/store/layout.js";
import { acquirePathLock } from "../../src/store/lock.js";
import { removeTree } from "../../src/store/normalise.js";
import { makeStorePath } from "../../src/store/path.js";
import { currentProcess, isProcessAlive } from "../../src/store/process.js";

const roots: string[] = [];
const dbs: StoreDb[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const root of roots.splice(0)) removeTree(root);
});

async function openDb(): Promise<StoreDb> {
  const root = mkdtempSync(join(tmpdir(), "ww-lock-"));
  roots.push(root);
  const layout = storeLayout(root);
  await ensureLayout(layout);
  const db = new StoreDb(layout.dbFile);
  dbs.push(db);
  return db;
}

function deadPid(): number {
  const result = spawnSync("true");
  if (result.pid === undefined) throw new Error("could not spawn");
  return result.pid;
}

const PATH = makeStorePath("lock", "locked-1");

describe("process identity", () => {
  it("tells live holders from dead ones and from reused pids", () => {
    const self = currentProcess();
    expect(self.pid).toBe(process.pid);
    expect(isProcessAlive(self)).toBe(true);
    expect(isProcessAlive({ pid: deadPid(), start: "" })).toBe(false);
    expect(isProcessAlive({ pid: self.pid, start: self.start + "0" })).toBe(process.platform !== "linux");
    // pid 1 is alive, but a holder recorded with another start time was a different process.
    expect(isProcessAlive({ pid: 1, start: "" })).toBe(true);
    if (process.platform === "linux") expect(isProcessAlive({ pid: 1, start: "987654321987" })).toBe(false);
  });
});

describe("per-path locks", () => {
  it("breaks a lock whose holder died", async () => {
    const db = await openDb();
    expect(db.tryLock(PATH, { pid: deadPid(), start: "1" }).acquired).toBe(true);
    const held = await Promise.race([acquirePathLock(db, PATH), new Promise<undefined>((r) => setTimeout(() => r(undefined), 2000))]);
    expect(held).toBeDefined();
    held!.release();
  });

  it("makes a second taker wait until the first releases", async () => {
    const db = await openDb();
    const first = await acquirePathLock(db, PATH);
    let waitedFor: number | undefined;
    let acquired = false;
    const second = acquirePathLock(db, PATH, { onWait: (holder) => (waitedFor = holder.pid) }).then((lock) => {
      acquired = true;
      return lock;
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(acquired).toBe(false);
    expect(waitedFor).toBe(process.pid);
    expect(db.lockedPaths()).toEqual(new Set([PATH]));
    first.release();
    const lock = await second;
    expect(acquired).toBe(true);
    lock.release();
    expect(db.lockedPaths()).toEqual(new Set());
  });

  it("gives up waiting when aborted", async () => {
    const db = await openDb();
    const first = await acquirePathLock(db, PATH);
    const controller = new AbortController();
    const waiting = acquirePathLock(db, PATH, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("cancelled")), 50);
    await expect(waiting).rejects.toThrow("cancelled");
    first.release();
  });

  it("purges rows of dead holders", async () => {
    const db = await openDb();
    db.tryLock(PATH, { pid: deadPid(), start: "1" });
    const other = makeStorePath("other", "other");
    const live = await acquirePathLock(db, other);
    expect(db.purgeDeadLocks()).toBe(1);
    expect(db.lockedPaths()).toEqual(new Set([other]));
    live.release();
  });
});
