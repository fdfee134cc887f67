import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isWheelwrightError } from "../../src/errors.js";
import { Store, defaultStoreRoot, fixedOutputPath, makeStorePath, narHash } from "../../src/store/index.js";
import type { StorePath } from "../../src/store/index.js";
import { useTempStore } from "../helpers/temp-store.js";

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

function writeTree(out: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(out, rel, ".."), { recursive: true });
    writeFileSync(join(out, rel), content);
  }
}

const extraDirs: string[] = [];
afterEach(() => {
  for (const dir of extraDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("layout", () => {
  const tempStore = useTempStore();

  it("creates the directories and the version stamp", async () => {
    const { root } = await tempStore();
    for (const dir of ["store", "var", "tmp", "locks", "roots", "logs"]) expect(statSync(join(root, dir)).isDirectory()).toBe(true);
    expect(readFileSync(join(root, "VERSION"), "utf8").trim()).toBe("wheelwright-store-1");
  });

  it("refuses a newer or foreign layout version with ERR_WW_STORE", async () => {
    const { store, root } = await tempStore();
    store.close();
    writeFileSync(join(root, "VERSION"), "wheelwright-store-2\n");
    const newer = await rejection(Store.open(root));
    expect(isWheelwrightError(newer, "ERR_WW_STORE")).toBe(true);
    expect((newer as Error).message).toMatch(/version 2, newer/);
    writeFileSync(join(root, "VERSION"), "something else\n");
    expect(isWheelwrightError(await rejection(Store.open(root)), "ERR_WW_STORE")).toBe(true);
  });

  it("finds the default root from WHEELWRIGHT_STORE, XDG_DATA_HOME, then HOME", () => {
    expect(defaultStoreRoot({ WHEELWRIGHT_STORE: "/s/w", XDG_DATA_HOME: "/x", HOME: "/h" })).toBe("/s/w");
    expect(defaultStoreRoot({ XDG_DATA_HOME: "/x", HOME: "/h" })).toBe("/x/wheelwright");
    expect(defaultStoreRoot({ HOME: "/h" })).toBe("/h/.local/share/wheelwright");
    expect(defaultStoreRoot({ WHEELWRIGHT_STORE: "", HOME: "/h" })).toBe("/h/.local/share/wheelwright");
  });

  it("opens at the default root taken from the env option", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ww-default-"));
    extraDirs.push(dir);
    const store = await Store.open(undefined, { env: { WHEELWRIGHT_STORE: join(dir, "s") } });
    expect(store.root).toBe(join(dir, "s"));
    store.close();
    expect(existsSync(join(dir, "s", "VERSION"))).toBe(true);
  });
});

describe("realise", () => {
  const tempStore = useTempStore();

  it("builds, normalises, hashes and registers a directory", async () => {
    const { store, root } = await tempStore();
    const path = makeStorePath("pkg fingerprint", "pkg-1.0");
    let builds = 0;
    const info = await store.realise(path, async (out) => {
      builds++;
      writeTree(out, { "lib/mod.py": "x = 1\n", "bin/tool": "#!/bin/sh\n" });
      chmodSync(join(out, "bin/tool"), 0o775);
      chmodSync(join(out, "lib/mod.py"), 0o666);
      symlinkSync("lib/mod.py", join(out, "alias"));
    }, { deriver: "drv-1" });
    const real = store.toRealPath(path);
    expect(real).toBe(join(root, "store", path));
    expect(store.isValid(path)).toBe(true);
    expect(info).toMatchObject({ path, deriver: "drv-1", references: [] });
    const hash = await narHash(real);
    expect(info.narHash).toBe(hash.nixHash);
    expect(info.narSize).toBe(hash.size);
    expect(Math.abs(info.registrationTime - Date.now() / 1000)).toBeLessThan(60);
    // Canonical metadata.
    const mode = (rel: string) => lstatSync(join(real, rel)).mode & 0o7777;
    expect(mode("")).toBe(0o555);
    expect(mode("lib")).toBe(0o555);
    expect(mode("lib/mod.py")).toBe(0o444);
    expect(mode("bin/tool")).toBe(0o555);
    for (const rel of ["", "lib", "lib/mod.py", "bin/tool", "alias"]) expect(lstatSync(join(real, rel)).mtimeMs).toBe(1000);
    expect(lstatSync(join(real, "alias")).isSymbolicLink()).toBe(true);
    // Temp build directories are gone.
    expect(readdirSync(join(root, "tmp"))).toEqual([]);
    // A second realise is a lookup, not a build.
    const again = await store.realise(path, async () => {
      builds++;
    });
    expect(again).toEqual(info);
    expect(builds).toBe(1);
    expect(store.queryPathInfo(path)).toEqual(info);
    expect(store.list()).toEqual([info]);
  });

  it("stores single files (e.g. a fetched wheel) and records a content address", async () => {
    const { store } = await tempStore();
    const bytes = "not really a zip";
    const sha = createHash("sha256").update(bytes).digest("hex");
    const path = fixedOutputPath(sha, "demo-1.0-py3-none-any.whl");
    const info = await store.realise(path, async (out) => writeFileSync(out, bytes), { ca: `fixed:sha256:${sha}` });
    expect(info.ca).toBe(`fixed:sha256:${sha}`);
    const real = store.toRealPath(path);
    expect(readFileSync(real, "utf8")).toBe(bytes);
    expect(statSync(real).mode & 0o777).toBe(0o444);
    expect(store.parseRealPath(real)).toBe(path);
  });

  it("records references, and refuses references that are not valid", async () => {
    const { store } = await tempStore();
    const dep = makeStorePath("dep", "dep-1");
    const top = makeStorePath("top", "top-1");
    const missing = await rejection(store.realise(top, async (out) => writeFileSync(out, "t"), { references: [dep] }));
    expect(isWheelwrightError(missing, "ERR_WW_STORE")).toBe(true);
    expect(store.isValid(top)).toBe(false);
    await store.realise(dep, async (out) => writeFileSync(out, "d"));
    const info = await store.realise(top, async (out) => writeFileSync(out, "t"), { references: [dep, top] });
    expect(info.references).toEqual([dep, top].sort());
  });

  it("leaves nothing behind when the build fails", async () => {
    const { store, root } = await tempStore();
    const path = makeStorePath("fails", "fails-1");
    const error = await rejection(
      store.realise(path, async (out) => {
        writeTree(out, { "half/written": "..." });
        throw new Error("compiler exploded");
      }),
    );
    expect((error as Error).message).toBe("compiler exploded");
    expect(store.isValid(path)).toBe(false);
    expect(existsSync(store.toRealPath(path))).toBe(false);
    expect(readdirSync(join(root, "tmp"))).toEqual([]);
    // The lock was released: a retry builds.
    const info = await store.realise(path, async (out) => writeFileSync(out, "ok"));
    expect(info.path).toBe(path);
  });

  it("rejects outputs a store path cannot hold", async () => {
    const { store } = await tempStore();
    const nothing = await rejection(store.realise(makeStorePath("n", "nothing"), async () => {}));
    expect(isWheelwrightError(nothing, "ERR_WW_STORE_OUTPUT")).toBe(true);
    const setuid = await rejection(
      store.realise(makeStorePath("s", "setuid"), async (out) => {
        writeTree(out, { "bin/su": "x" });
        chmodSync(join(out, "bin/su"), 0o4755);
      }),
    );
    expect(isWheelwrightError(setuid, "ERR_WW_STORE_OUTPUT")).toBe(true);
    const fifo = await rejection(
      store.realise(makeStorePath("f", "fifo"), async (out) => {
        mkdirSync(out);
        execFileSync("mkfifo", [join(out, "pipe")]);
      }),
    );
    expect(isWheelwrightError(fifo, "ERR_WW_STORE_OUTPUT")).toBe(true);
    expect(store.list()).toEqual([]);
  });

  it("replaces a stale unregistered entry at the final path", async () => {
    const { store } = await tempStore();
    const path = makeStorePath("stale", "stale-1");
    const real = store.toRealPath(path);
    writeTree(real, { "junk/file": "from a killed process" });
    chmodSync(join(real, "junk"), 0o555);
    const info = await store.realise(path, async (out) => writeTree(out, { good: "yes" }));
    expect(readdirSync(real)).toEqual(["good"]);
    expect(info.narHash).toBe((await narHash(real)).nixHash);
  });

  it("answers validity of 100 paths in about a millisecond", async () => {
    const { store } = await tempStore();
    const paths: StorePath[] = [];
    for (let i = 0; i < 100; i++) paths.push(makeStorePath(`p${i}`, `p-${i}`));
    for (const path of paths.slice(0, 60)) await store.realise(path, async (out) => writeFileSync(out, path));
    expect(store.validPaths(paths)).toEqual(new Set(paths.slice(0, 60)));
    expect(store.validPaths([])).toEqual(new Set());
    let best = Infinity;
    for (let round = 0; round < 20; round++) {
      const t0 = process.hrtime.bigint();
      store.validPaths(paths);
      let n = 0;
      for (const path of paths) if (store.isValid(path)) n++;
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
      expect(n).toBe(60);
    }
    expect(best).toBeLessThan(5);
  });

  it("works with fsync on (opt-in) and names a log file per path", async () => {
    const { store, root } = await tempStore({ fsync: true });
    const path = makeStorePath("durable", "durable-1");
    const info = await store.realise(path, async (out) => writeTree(out, { "a/b": "c" }));
    expect(info.narHash).toBe((await narHash(store.toRealPath(path))).nixHash);
    expect(store.logFile(path)).toBe(join(root, "logs", `${path.slice(0, 32)}.log`));
  });

  it("keeps source facts as JSON", async () => {
    const { store, root } = await tempStore();
    expect(store.getSourceFact("sdist:abc")).toBeUndefined();
    store.setSourceFact("sdist:abc", { requires: ["setuptools>=61"], backend: "setuptools.build_meta" });
    store.close();
    const reopened = await Store.open(root, { fsync: false });
    expect(reopened.getSourceFact("sdist:abc")).toEqual({ requires: ["setuptools>=61"], backend: "setuptools.build_meta" });
    reopened.close();
  });
});
