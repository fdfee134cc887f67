// Several real processes realise the same path at once: it is built exactly once and every
// process gets the same result. Children run the store compiled by compiled-store.ts.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Store, makeStorePath } from "../../src/store/index.js";
import { removeTree } from "../../src/store/normalise.js";
import { compileStoreForChildren } from "./compiled-store.js";

let storeModule: string;
const roots: string[] = [];

beforeAll(() => {
  storeModule = pathToFileURL(compileStoreForChildren()).href;
}, 120_000);

afterAll(() => {
  for (const root of roots) removeTree(root);
});

function run(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, "fixtures", script), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("concurrent realise across processes", () => {
  it("builds a path once when four processes ask for it together", async () => {
    const root = mkdtempSync(join(tmpdir(), "ww-conc-"));
    roots.push(root);
    const counter = join(root, "builds.log");
    const go = join(root, "go");
    writeFileSync(counter, "");
    const children = Array.from({ length: 4 }, () => run("realise-once.mjs", [storeModule, root, "shared-pkg-1.0", counter, go]));
    // Wait until every child has opened the store and reached the barrier, then release them.
    const deadline = Date.now() + 30_000;
    while (readdirSync(root).filter((name) => name.startsWith("go.ready-")).length < 4 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    writeFileSync(go, "");
    const results = await Promise.all(children);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const builds = readFileSync(counter, "utf8").trim().split("\n").filter(Boolean);
    expect(builds).toHaveLength(1);
    const infos = results.map((r) => JSON.parse(r.stdout) as { narHash: string; narSize: number; waited: boolean });
    expect(new Set(infos.map((i) => i.narHash)).size).toBe(1);
    // The builder did not wait; the others either waited on the lock or found it valid.
    expect(infos.filter((i) => i.waited).length).toBeGreaterThanOrEqual(1);

    const store = await Store.open(root, { fsync: false });
    try {
      const path = makeStorePath("shared-pkg-1.0", "shared-pkg-1.0");
      expect(store.list().map((i) => i.path)).toEqual([path]);
      expect(store.queryPathInfo(path)!.narHash).toBe(infos[0]!.narHash);
      expect(await store.verify()).toMatchObject({ missing: [], corrupt: [], unregistered: [] });
      expect(readdirSync(join(root, "tmp"))).toEqual([]);
    } finally {
      store.close();
    }
  }, 60_000);
});
