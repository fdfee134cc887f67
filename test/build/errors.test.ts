// Build-system errors through sync: a requirement the package set lacks names the package,
// the requirement and both ways to add it (and an override that drops it makes the build
// work); a cyclic build system gives the cycle error instead of recursing.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isWheelwrightError, type WheelwrightError } from "../../src/errors.js";
import { sync } from "../../src/sync/index.js";
import { hasPython311 } from "../helpers/interpreter.js";
import { makeSdist, writeProject } from "../helpers/projects.js";
import { buildLockFor, makeWorkspace, syncFlags, writeProjectLock, type Workspace } from "./fixtures.js";

const skipReason = hasPython311 ? undefined : "pyenv 3.11.7 is not installed";
if (skipReason) console.warn(`skipping build-system error tests: ${skipReason}`);

describe.skipIf(skipReason !== undefined)("build-system errors", () => {
  let ws: Workspace;
  let buildLock: string | undefined;
  let missing: string | undefined;

  beforeAll(() => {
    ws = makeWorkspace("bs-errors");
    const lock = buildLockFor(ws.dir, ["setuptools"]);
    if ("missing" in lock) missing = lock.missing;
    else buildLock = lock.file;
  });
  afterAll(() => ws?.cleanup());

  async function syncError(dir: string): Promise<WheelwrightError | undefined> {
    try {
      await sync({ dir, flags: syncFlags(ws, buildLock) });
      return undefined;
    } catch (error) {
      if (isWheelwrightError(error)) return error;
      throw error;
    }
  }

  it("names the package, the missing requirement and how to add it; an override fixes it", async (ctx) => {
    if (missing) return ctx.skip(missing);
    const src = writeProject(join(ws.dir, "src"), { name: "needs-more", version: "1.0", backend: "setuptools", requires: ["setuptools", "not-in-any-lock>=2"] });
    const dir = join(ws.dir, "project-missing");
    mkdirSync(dir);
    writeProjectLock(dir, [{ name: "needs-more", version: "1.0", source: { sdist: makeSdist(src, join(ws.dir, "dist"), "needs-more", "1.0") } }]);
    const error = await syncError(dir);
    expect(error?.code).toBe("ERR_WW_BUILD_SYSTEM_MISSING");
    expect(error!.message).toContain("needs-more 1.0");
    expect(error!.message).toContain("not-in-any-lock>=2");
    expect(error!.hint).toContain("--build-lock");
    expect(error!.hint).toContain("[tool.wheelwright.packages.needs-more]");

    writeFileSync(join(dir, "pyproject.toml"), '[project]\nname = "consumer"\nversion = "0"\n\n[tool.wheelwright.packages.needs-more]\nbuild-system-drop = ["not-in-any-lock"]\n');
    expect(await syncError(dir)).toBeUndefined();
  }, 120_000);

  it("refuses a wheel its backend built for another interpreter, naming its tags", async (ctx) => {
    if (missing) return ctx.skip(missing);
    // a hard-coded python tag: setuptools' bdist_wheel writes py2-none-any, which 3.11 can't use
    const src = writeProject(join(ws.dir, "src"), { name: "py2-only", version: "1.0", backend: "setuptools", files: { "setup.cfg": "[bdist_wheel]\npython_tag = py2\n" } });
    const dir = join(ws.dir, "project-py2");
    mkdirSync(dir);
    writeProjectLock(dir, [{ name: "py2-only", version: "1.0", source: { sdist: makeSdist(src, join(ws.dir, "dist"), "py2-only", "1.0") } }]);
    const error = await syncError(dir);
    expect(error?.code).toBe("ERR_WW_WHEEL_INCOMPATIBLE");
    expect(error!.message).toContain("py2_only-1.0-py2-none-any.whl");
    expect(error!.message).toContain("py2-none-any");
    expect(error!.location.package).toBe("py2-only");
  }, 120_000);

  it("reports a package whose build system needs the package itself built from source", async (ctx) => {
    if (missing) return ctx.skip(missing);
    const src = join(ws.dir, "src");
    const self = writeProject(src, { name: "self-hosted", version: "1.0", backend: "setuptools", requires: ["setuptools", "self-hosted"] });
    const user = writeProject(src, { name: "uses-self", version: "1.0", backend: "setuptools", requires: ["self-hosted"] });
    const dir = join(ws.dir, "project-cycle");
    mkdirSync(dir);
    writeProjectLock(dir, [
      { name: "self-hosted", version: "1.0", source: { sdist: makeSdist(self, join(ws.dir, "dist"), "self-hosted", "1.0") } },
      { name: "uses-self", version: "1.0", source: { sdist: makeSdist(user, join(ws.dir, "dist"), "uses-self", "1.0") } },
    ]);
    const error = await syncError(dir);
    expect(error?.code).toBe("ERR_WW_BUILD_SYSTEM_CYCLE");
    expect(error!.message).toContain("self-hosted -> self-hosted");
  }, 120_000);

  it("reports a cycle among build-system runtime dependencies (the resolver's error)", async (ctx) => {
    if (missing) return ctx.skip(missing);
    const src = join(ws.dir, "src");
    const a = writeProject(src, { name: "cyc-a", version: "1.0", backend: "setuptools", dependencies: ["cyc-b"] });
    const b = writeProject(src, { name: "cyc-b", version: "1.0", backend: "setuptools", dependencies: ["cyc-a"] });
    const user = writeProject(src, { name: "needs-cyc", version: "1.0", backend: "setuptools", requires: ["setuptools", "cyc-a"] });
    const dir = join(ws.dir, "project-cycle2");
    mkdirSync(dir);
    writeProjectLock(dir, [
      { name: "cyc-a", version: "1.0", dependencies: ["cyc-b"], source: { sdist: makeSdist(a, join(ws.dir, "dist"), "cyc-a", "1.0") } },
      { name: "cyc-b", version: "1.0", dependencies: ["cyc-a"], source: { sdist: makeSdist(b, join(ws.dir, "dist"), "cyc-b", "1.0") } },
      { name: "needs-cyc", version: "1.0", source: { sdist: makeSdist(user, join(ws.dir, "dist"), "needs-cyc", "1.0") } },
    ]);
    const error = await syncError(dir);
    expect(error?.code).toBe("ERR_WW_BUILD_SYSTEM_CYCLE");
    expect(error!.message).toMatch(/cyc-a -> cyc-b -> cyc-a|cyc-b -> cyc-a -> cyc-b/);
  }, 120_000);
});
