// A build sees its build-system closure and nothing else: not the interpreter's own
// site-packages, not the caller's PYTHONPATH, and (under the sandbox) no network. Each
// failing case has a control showing the same code succeeds where the thing is reachable.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxStatus } from "../../src/build/sandbox.js";
import { isWheelwrightError } from "../../src/errors.js";
import { Store } from "../../src/store/store.js";
import { buildLogOf, sync } from "../../src/sync/index.js";
import { hasPython311, PYTHON311 } from "../helpers/interpreter.js";
import { runCli } from "../helpers/cli.js";
import { makeSdist, writeProject } from "../helpers/projects.js";
import { buildLockFor, makeWorkspace, syncFlags, writeProjectLock, type Workspace } from "./fixtures.js";

const skipReason = hasPython311 ? undefined : "pyenv 3.11.7 is not installed";
if (skipReason) console.warn(`skipping isolation tests: ${skipReason}`);

describe.skipIf(skipReason !== undefined)("build isolation", () => {
  let ws: Workspace;
  let buildLock: string | undefined;
  let missing: string | undefined;

  /** A project dir whose lock holds one sdist with the given setup.py. */
  function projectWithSetupPy(name: string, setupPy: string): string {
    const src = writeProject(join(ws.dir, "src"), { name, version: "1.0", backend: "setuptools", files: { "setup.py": setupPy } });
    const dir = join(ws.dir, `project-${name}`);
    mkdirSync(dir, { recursive: true });
    writeProjectLock(dir, [{ name, version: "1.0", source: { sdist: makeSdist(src, join(ws.dir, "dist"), name, "1.0") } }]);
    return dir;
  }

  async function syncError(dir: string, extra: Record<string, unknown> = {}): Promise<unknown> {
    try {
      await sync({ dir, flags: syncFlags(ws, buildLock, extra) });
      return undefined;
    } catch (error) {
      return error;
    }
  }

  beforeAll(() => {
    ws = makeWorkspace("isolation");
    const lock = buildLockFor(ws.dir, ["setuptools"]);
    if ("missing" in lock) missing = lock.missing;
    else buildLock = lock.file;
  });
  afterAll(() => ws?.cleanup());

  it("fails a build importing a package of the interpreter's own site-packages", async (ctx) => {
    if (missing) return ctx.skip(missing);
    // control: the interpreter itself has `six`
    expect(spawnSync(PYTHON311, ["-c", "import six"]).status).toBe(0);
    const dir = projectWithSetupPy("leaky-site", "import six\nfrom setuptools import setup\nsetup()\n");
    const error = await syncError(dir);
    expect(isWheelwrightError(error, "ERR_WW_BUILD_FAILED")).toBe(true);
    expect((error as Error).message).toContain("building leaky-site 1.0 failed");
    expect((error as Error).message).toContain("No module named 'six'");
    expect(existsSync(join(dir, ".venv"))).toBe(false);
  }, 120_000);

  it("fails a build importing a module only the caller's PYTHONPATH has", async (ctx) => {
    if (missing) return ctx.skip(missing);
    const extra = join(ws.dir, "pythonpath");
    mkdirSync(extra, { recursive: true });
    writeFileSync(join(extra, "sneaky_helper.py"), "X = 1\n");
    // control: with PYTHONPATH the interpreter finds it
    expect(spawnSync(PYTHON311, ["-c", "import sneaky_helper"], { env: { ...process.env, PYTHONPATH: extra } }).status).toBe(0);
    const dir = projectWithSetupPy("leaky-path", "import sneaky_helper\nfrom setuptools import setup\nsetup()\n");
    const saved = process.env.PYTHONPATH;
    process.env.PYTHONPATH = extra;
    let error: unknown;
    try {
      error = await syncError(dir);
    } finally {
      if (saved === undefined) delete process.env.PYTHONPATH;
      else process.env.PYTHONPATH = saved;
    }
    expect(isWheelwrightError(error, "ERR_WW_BUILD_FAILED")).toBe(true);
    expect((error as Error).message).toContain("No module named 'sneaky_helper'");
  }, 120_000);

  it("keeps the log of a failed build, quotes its tail, and leaves no store path", async (ctx) => {
    if (missing) return ctx.skip(missing);
    const dir = projectWithSetupPy("broken", "raise SystemExit('this project refuses to build: marker-7f3a')\n");
    const error = await syncError(dir);
    expect(isWheelwrightError(error, "ERR_WW_BUILD_FAILED")).toBe(true);
    const e = error as import("../../src/errors.js").WheelwrightError;
    expect(e.message).toContain("marker-7f3a");
    expect(e.hint).toContain("wheelwright log broken");
    const log = await buildLogOf({ dir, flags: syncFlags(ws, buildLock), name: "broken" });
    expect(readFileSync(log.file, "utf8")).toContain("this project refuses to build: marker-7f3a");
    expect(existsSync(log.storePath)).toBe(false);
    const store = await Store.open(ws.store, { fsync: false });
    try {
      expect(store.list().some((p) => p.path.endsWith("-broken-1.0"))).toBe(false);
    } finally {
      store.close();
    }
  }, 120_000);

  it("stops starting builds after a failure, and with --keep-going builds everything independent of it", async (ctx) => {
    if (missing) return ctx.skip(missing);
    const src = join(ws.dir, "src");
    const dist = join(ws.dir, "dist");
    const bad = writeProject(src, { name: "kg-bad", version: "1.0", backend: "setuptools", files: { "setup.py": "raise SystemExit('kg-bad refuses to build')\n" } });
    const good = writeProject(src, { name: "kg-good", version: "1.0", backend: "setuptools", modules: { "__init__.py": "VALUE = 'kg-good'\n" } });
    const dir = join(ws.dir, "project-keep-going");
    mkdirSync(dir, { recursive: true });
    writeProjectLock(dir, [
      { name: "kg-bad", version: "1.0", source: { sdist: makeSdist(bad, dist, "kg-bad", "1.0") } },
      { name: "kg-good", version: "1.0", source: { sdist: makeSdist(good, dist, "kg-good", "1.0") } },
    ]);
    // one slot: builds run one at a time, in graph order on equal priority: kg-bad first
    // (progress lines go to stderr, like the error)
    const flags = ["--store", ws.store, "--python", PYTHON311, "--offline", "--build-lock", buildLock!, "-j", "1", "-C", dir];
    const started = (out: string) => [...out.matchAll(/^building (kg-\w+)/gm)].map((m) => m[1]);
    const stop = runCli(["sync", ...flags]);
    expect(stop.code, stop.stderr).toBe(3);
    expect(stop.stderr).toContain("kg-bad refuses to build");
    expect(started(stop.stderr), "no build starts after the first failure").toEqual(["kg-bad"]);
    const kept = runCli(["sync", "--keep-going", ...flags]);
    expect(kept.code, kept.stderr).toBe(3);
    expect(kept.stderr).toContain("kg-bad refuses to build");
    expect(started(kept.stderr)).toEqual(["kg-bad", "kg-good"]);
    expect(kept.stderr).toMatch(/^built kg-good in/m);
    const store = await Store.open(ws.store, { fsync: false });
    try {
      expect(store.list().filter((p) => /-kg-(good|bad)-1\.0$/.test(p.path)).map((p) => p.path.replace(/^.*-kg-/, "kg-"))).toEqual(["kg-good-1.0"]);
    } finally {
      store.close();
    }
  }, 180_000);

  describe("network", () => {
    let server: Server;
    let port = 0;
    const status = sandboxStatus();
    beforeAll(async () => {
      server = createServer((socket) => {
        socket.on("error", () => undefined); // the client closes without reading
        socket.end("hello\n");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("fails a build that connects to a listening port under the sandbox, and not without it", async (ctx) => {
      if (missing) return ctx.skip(missing);
      if (status.available === "none") {
        console.warn(`skipping the network test: no sandbox here (bwrap: ${status.details.bwrap}; unshare: ${status.details.unshare})`);
        return ctx.skip("no sandbox available");
      }
      const setupPy = `import socket\nsocket.create_connection(("127.0.0.1", ${port}), timeout=5).close()\nfrom setuptools import setup\nsetup()\n`;
      const dir = projectWithSetupPy("net-user", setupPy);
      const error = await syncError(dir, { sandbox: "required" });
      expect(isWheelwrightError(error, "ERR_WW_BUILD_FAILED")).toBe(true);
      expect((error as Error).message).toMatch(/Network is unreachable|Connection refused|OSError|ConnectionRefusedError/);
      // control: the same build reaches the port without the sandbox
      const ok = await syncError(dir, { sandbox: "off" });
      expect(ok).toBeUndefined();
      expect(execFileSync(join(dir, ".venv/bin/python"), ["-c", "import net_user; print(net_user.VALUE)"], { encoding: "utf8" }).trim()).toBe("net-user 1.0");
    }, 120_000);
  });
});
