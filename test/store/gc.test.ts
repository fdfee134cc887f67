import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isWheelwrightError } from "../../src/errors.js";
import { Store, makeStorePath } from "../../src/store/index.js";
import type { StorePath } from "../../src/store/index.js";
import { useTempStore } from "../helpers/temp-store.js";

const projects: string[] = [];
function projectDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ww-project-"));
  projects.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of projects.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function file(store: Store, seed: string, refs: StorePath[] = [], bytes = seed): Promise<StorePath> {
  const path = makeStorePath(seed, seed);
  await store.realise(path, async (out) => writeFileSync(out, bytes), { references: refs });
  return path;
}

/** A second handle on the same store (temp roots belong to the handle that added them). */
async function reopen(root: string): Promise<Store> {
  return Store.open(root, { fsync: false });
}

describe("gc", () => {
  const tempStore = useTempStore();

  it("keeps the closure of live roots and deletes the rest", async () => {
    const { store, root } = await tempStore();
    const lib = await file(store, "lib", [], "L".repeat(1000));
    const app = await file(store, "app", [lib]);
    const venv = await file(store, "venv", [app]);
    const orphan = await file(store, "orphan", [], "O".repeat(500));
    const orphanTop = await file(store, "orphan-top", [orphan]);
    const project = projectDir();
    store.addRoot(join(project, ".venv"), venv);
    store.close();

    const gcStore = await reopen(root);
    try {
      const dry = await gcStore.gc({ dryRun: true });
      expect(dry.dryRun).toBe(true);
      expect(dry.deleted).toEqual([orphanTop, orphan]); // referrers first
      expect(dry.bytesFreed).toBe(500 + "orphan-top".length);
      expect(gcStore.isValid(orphan)).toBe(true);

      const result = await gcStore.gc();
      expect(result.deleted).toEqual([orphanTop, orphan]);
      expect(result.bytesFreed).toBe(dry.bytesFreed);
      expect(result.live).toBe(3);
      for (const path of [lib, app, venv]) expect(gcStore.isValid(path)).toBe(true);
      for (const path of [orphan, orphanTop]) {
        expect(gcStore.isValid(path)).toBe(false);
        expect(existsSync(gcStore.toRealPath(path))).toBe(false);
      }
      expect((await gcStore.verify()).corrupt).toEqual([]);
    } finally {
      gcStore.close();
    }
  });

  it("treats a root whose link is gone or points elsewhere as dead", async () => {
    const { store, root } = await tempStore();
    const a = await file(store, "a");
    const b = await file(store, "b");
    const project = projectDir();
    const linkA = join(project, "a-link");
    const linkB = join(project, "b-link");
    store.addRoot(linkA, a);
    store.addRoot(linkB, b);
    expect(store.roots().map((r) => r.storePath).sort()).toEqual([a, b].sort());
    rmSync(linkA);
    rmSync(linkB);
    symlinkSync("/usr", linkB);
    store.close();
    const gcStore = await reopen(root);
    try {
      const result = await gcStore.gc();
      expect(result.deadRoots.map((r) => r.link).sort()).toEqual([linkA, linkB].sort());
      expect(result.deleted.sort()).toEqual([a, b].sort());
      expect(gcStore.roots()).toEqual([]);
      expect(readdirSync(join(root, "roots"))).toEqual([]);
    } finally {
      gcStore.close();
    }
  });

  it("follows a root through a chain of links and swaps the link atomically", async () => {
    const { store, root } = await tempStore();
    const v1 = await file(store, "v1");
    const v2 = await file(store, "v2");
    const project = projectDir();
    const link = join(project, ".venv");
    store.addRoot(link, v1);
    store.addRoot(link, v2); // re-pointing replaces the link, one registration
    expect(store.roots()).toHaveLength(1);
    expect(store.roots()[0]!.storePath).toBe(v2);
    symlinkSync(link, join(project, "alias"));
    store.addRoot(join(project, "alias"), v2);
    // A real directory is never replaced.
    mkdirSync(join(project, "real"));
    expect(isWheelwrightError((() => { try { store.addRoot(join(project, "real"), v1); } catch (e) { return e; } })(), "ERR_WW_STORE")).toBe(true);
    store.close();
    const gcStore = await reopen(root);
    try {
      const result = await gcStore.gc();
      expect(result.deleted).toEqual([v1]);
      expect(gcStore.isValid(v2)).toBe(true);
      expect(gcStore.removeRoot(link)).toBe(true);
      expect(gcStore.removeRoot(join(project, "alias"))).toBe(true);
      expect((await gcStore.gc()).deleted).toEqual([v2]);
    } finally {
      gcStore.close();
    }
  });

  it("keeps temp roots of live processes and the paths a running realise holds", async () => {
    const { store, root } = await tempStore();
    const kept = await file(store, "kept"); // temp-rooted by `store` until it closes
    const other = await reopen(root);
    try {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const building = new Promise<void>((resolve) => (entered = resolve));
      const inFlight = makeStorePath("in-flight", "in-flight");
      const realise = store.realise(inFlight, async (out) => {
        entered();
        await gate;
        writeFileSync(out, "late");
      });
      await building;
      // A leftover at the final path of a locked path must not be touched either.
      writeFileSync(store.toRealPath(inFlight), "leftover");
      const result = await other.gc();
      expect(result.deleted).toEqual([]);
      expect(other.isValid(kept)).toBe(true);
      release();
      await realise;
      expect(other.isValid(inFlight)).toBe(true);
    } finally {
      store.close();
    }
    try {
      // Once the first handle closed, nothing roots them any more.
      expect((await other.gc()).deleted.length).toBe(2);
    } finally {
      other.close();
    }
  });

  it("keeps the temp roots of one handle when another handle of the same process closes", async () => {
    const { store, root } = await tempStore();
    const path = await file(store, "rooted");
    const second = await reopen(root);
    expect(second.addTempRoots([path, makeStorePath("x", "not-valid")])).toEqual([makeStorePath("x", "not-valid")]);
    store.close();
    const third = await reopen(root);
    try {
      expect((await third.gc()).deleted).toEqual([]);
      second.close();
      expect((await third.gc()).deleted).toEqual([path]);
    } finally {
      third.close();
    }
  });

  it("removes unregistered leftovers and dead temp directories", async () => {
    const { store, root } = await tempStore();
    store.close();
    const leftover = makeStorePath("leftover", "leftover");
    mkdirSync(join(root, "store", leftover, "sub"), { recursive: true });
    writeFileSync(join(root, "store", leftover, "sub", "f"), "xyz");
    chmodSync(join(root, "store", leftover, "sub"), 0o555);
    mkdirSync(join(root, "tmp", "999999999-1-abcdefgh-xyz"));
    const gcStore = await reopen(root);
    try {
      expect(readdirSync(join(root, "tmp"))).toEqual([]); // open removed the dead temp dir
      const result = await gcStore.gc();
      expect(result.deleted).toEqual([leftover]);
      expect(result.bytesFreed).toBe(3);
      expect(readdirSync(join(root, "store"))).toEqual([]);
    } finally {
      gcStore.close();
    }
  });
});

describe("verify", () => {
  const tempStore = useTempStore();

  it("reports nothing for a healthy store", async () => {
    const { store } = await tempStore();
    await file(store, "a");
    await file(store, "b");
    expect(await store.verify()).toEqual({ checked: 2, missing: [], corrupt: [], unregistered: [], repaired: [], busy: [] });
  });

  it("finds missing and corrupt paths; repair drops them and their referrers", async () => {
    const { store } = await tempStore();
    const base = await file(store, "base");
    const mid = await file(store, "mid", [base]);
    const top = await file(store, "top", [mid]);
    const healthy = await file(store, "healthy");
    const gone = await file(store, "gone");
    const baseReal = store.toRealPath(base);
    chmodSync(baseReal, 0o644);
    writeFileSync(baseReal, "tampered");
    rmSync(store.toRealPath(gone));

    const report = await store.verify();
    expect(report.missing).toEqual([gone]);
    expect(report.corrupt.map((c) => c.path)).toEqual([base]);
    expect(report.corrupt[0]!.expected.narHash).not.toBe(report.corrupt[0]!.actual.narHash);
    expect(store.isValid(base)).toBe(true); // plain verify changes nothing

    const repaired = await store.verify({ repair: true });
    expect(new Set(repaired.repaired)).toEqual(new Set([top, mid, base, gone]));
    expect(repaired.repaired.indexOf(top)).toBeLessThan(repaired.repaired.indexOf(mid));
    expect(repaired.repaired.indexOf(mid)).toBeLessThan(repaired.repaired.indexOf(base));
    for (const path of [top, mid, base, gone]) {
      expect(store.isValid(path)).toBe(false);
      expect(existsSync(store.toRealPath(path))).toBe(false);
    }
    expect(store.isValid(healthy)).toBe(true);
    expect(await store.verify()).toMatchObject({ checked: 1, missing: [], corrupt: [] });
    // The next sync rebuilds.
    await file(store, "base");
    expect(store.isValid(base)).toBe(true);
  });
});
