// Building the same sdists twice, in two fresh stores at the same location (a store's
// location is part of every output: shebangs, bytecode), gives bit-identical store paths.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Store } from "../../src/store/store.js";
import { removeTree } from "../../src/store/normalise.js";
import { sync } from "../../src/sync/index.js";
import { hasPython311 } from "../helpers/interpreter.js";
import { makeSdist, writeProject } from "../helpers/projects.js";
import { buildLockFor, makeWorkspace, syncFlags, writeProjectLock, type Workspace } from "./fixtures.js";

const skipReason = hasPython311 ? undefined : "pyenv 3.11.7 is not installed";
if (skipReason) console.warn(`skipping reproducibility tests: ${skipReason}`);

describe.skipIf(skipReason !== undefined)("reproducible builds", () => {
  let ws: Workspace;
  let missing: string | undefined;
  const runs: Map<string, string>[] = [];

  async function buildOnce(project: string, buildLock: string): Promise<Map<string, string>> {
    removeTree(ws.store);
    await sync({ dir: project, flags: syncFlags(ws, buildLock) });
    const store = await Store.open(ws.store, { fsync: false });
    try {
      return new Map(store.list().map((info) => [info.path, info.narHash]));
    } finally {
      store.close();
    }
  }

  beforeAll(async () => {
    ws = makeWorkspace("repro");
    const lock = buildLockFor(ws.dir, ["setuptools"]);
    if ("missing" in lock) {
      missing = lock.missing;
      return;
    }
    const src = join(ws.dir, "src");
    const cext = writeProject(src, { name: "repro-c", version: "1.0", backend: "setuptools-c" });
    const pure = writeProject(src, { name: "repro-py", version: "1.0", backend: "setuptools", modules: { "__init__.py": "import os\nVALUE = sorted({'b', 'a', 'c'})\n" } });
    const project = join(ws.dir, "project");
    mkdirSync(project);
    writeProjectLock(project, [
      { name: "repro-c", version: "1.0", source: { sdist: makeSdist(cext, join(ws.dir, "dist"), "repro-c", "1.0") } },
      { name: "repro-py", version: "1.0", source: { sdist: makeSdist(pure, join(ws.dir, "dist"), "repro-py", "1.0") } },
    ]);
    runs.push(await buildOnce(project, lock.file));
    runs.push(await buildOnce(project, lock.file));
  }, 300_000);
  afterAll(() => ws?.cleanup());

  it("gives the same store paths and NAR hashes from two fresh stores", (ctx) => {
    if (missing) return ctx.skip(missing);
    const [first, second] = runs as [Map<string, string>, Map<string, string>];
    const built = [...first.keys()].filter((p) => /-repro-(c|py)-1\.0$/.test(p));
    expect(built).toHaveLength(2);
    expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
    for (const path of first.keys()) expect(`${path} ${second.get(path)}`).toBe(`${path} ${first.get(path)}`);
  });
});
