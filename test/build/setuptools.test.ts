// Source builds through `sync` with the real setuptools backend (offline wheel): a pure
// Python sdist and a C extension compiled by gcc, imported from the synced venv; the build
// log is kept; `check` rebuilds bit-identically; a second sync is a no-op.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLogOf, check, sync } from "../../src/sync/index.js";
import { hasPython311 } from "../helpers/interpreter.js";
import { makeSdist, writeProject } from "../helpers/projects.js";
import { buildLockFor, makeWorkspace, syncFlags, writeProjectLock, type Workspace } from "./fixtures.js";

const skipReason = hasPython311 ? undefined : "pyenv 3.11.7 is not installed";
if (skipReason) console.warn(`skipping setuptools build tests: ${skipReason}`);

describe.skipIf(skipReason !== undefined)("setuptools builds through sync", () => {
  let ws: Workspace;
  let project: string;
  let buildLock: string;
  let missing: string | undefined;

  beforeAll(async () => {
    ws = makeWorkspace("setuptools");
    const lock = buildLockFor(ws.dir, ["setuptools"]);
    if ("missing" in lock) {
      missing = lock.missing;
      console.warn(`skipping: ${missing}`);
      return;
    }
    buildLock = lock.file;
    const src = join(ws.dir, "src");
    const pure = writeProject(src, { name: "pure-pkg", version: "1.2", backend: "setuptools", modules: { "__init__.py": "VALUE = 'pure 1.2'\n", "util.py": "def double(x):\n    return 2 * x\n" } });
    const cext = writeProject(src, { name: "cext", version: "0.1", backend: "setuptools-c" });
    project = join(ws.dir, "project");
    mkdirSync(project);
    writeProjectLock(project, [
      { name: "pure-pkg", version: "1.2", source: { sdist: makeSdist(pure, join(ws.dir, "dist"), "pure-pkg", "1.2") } },
      { name: "cext", version: "0.1", source: { sdist: makeSdist(cext, join(ws.dir, "dist"), "cext", "0.1") } },
    ]);
    await sync({ dir: project, flags: syncFlags(ws, buildLock) });
  }, 240_000);
  afterAll(() => ws?.cleanup());

  it("imports the pure package and the compiled extension from the venv", (ctx) => {
    if (missing) return ctx.skip(missing);
    const out = execFileSync(join(project, ".venv/bin/python"), ["-c", "import pure_pkg, pure_pkg.util as u, cext._speedups as s; print(pure_pkg.VALUE, u.double(21), s.add(40, 2), s.__file__)"], { encoding: "utf8" });
    const [value, n, doubled, sum, file] = out.trim().split(" ");
    expect(`${value} ${n}`).toBe("pure 1.2");
    expect(doubled).toBe("42");
    expect(sum).toBe("42");
    expect(file).toMatch(/_speedups\.cpython-311-x86_64-linux-gnu\.so$/);
  });

  it("keeps the build log and finds it by package name", async (ctx) => {
    if (missing) return ctx.skip(missing);
    const log = await buildLogOf({ dir: project, flags: syncFlags(ws, buildLock), name: "cext" });
    expect(existsSync(log.file)).toBe(true);
    const text = readFileSync(log.file, "utf8");
    expect(text).toContain("build_wheel");
    expect(text).toMatch(/gcc|x86_64-linux-gnu-gcc|cc /);
  });

  it("does nothing on a second sync", async (ctx) => {
    if (missing) return ctx.skip(missing);
    const result = await sync({ dir: project, flags: syncFlags(ws, buildLock) });
    expect(result.noop).toBe(true);
  });

  it("rebuilds the C extension bit-identically (check)", async (ctx) => {
    if (missing) return ctx.skip(missing);
    const result = await check({ dir: project, flags: syncFlags(ws, buildLock), name: "cext" });
    expect(result.expected).toMatch(/^sha256:/);
    expect(result.actual).toBe(result.expected);
    expect(result.same).toBe(true);
  }, 120_000);
});
