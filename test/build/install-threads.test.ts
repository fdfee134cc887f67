// Wheel installs on worker threads (src/build/install-threads.ts): the same tree and NAR hash
// as an install sealed in this thread, events and errors carried back to the caller, bytecode
// compiled by the thread's own compile worker, several installs at once, and a process
// that ends on its own once its installs are done. Real wheels, a real interpreter.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { installWheelSealed, shutdownInstallThreads } from "../../src/build/install-threads.js";
import { isWheelwrightError } from "../../src/errors.js";
import { Events } from "../../src/events/emitter.js";
import type { WheelwrightEvent } from "../../src/events/types.js";
import { installWheel } from "../../src/install/wheel.js";
import { narHash } from "../../src/store/nar.js";
import { sealOutput } from "../../src/store/seal.js";
import { makeWheel, tempDir, testInterpreter } from "../install/fixtures.js";

const PY = "/root/.pyenv/versions/3.11.7/bin/python";
const root = join(fileURLToPath(import.meta.url), "../../..");
const threadScript = join(root, "dist/build/install-thread.js");
const skip = !existsSync(PY) ? `no ${PY}` : !existsSync(threadScript) ? `no ${threadScript} (run npm run build)` : availableParallelism() < 2 ? "one core: no install threads" : undefined;
if (skip) console.warn(`skipping install thread tests: ${skip}`);

afterAll(() => shutdownInstallThreads());

const demoFiles = (tag: string) => ({
  "demo_pkg/__init__.py": `VALUE = {'a', 'b'}\nTAG = ${JSON.stringify(tag)}\n`,
  "demo_pkg/cli.py": "def main():\n    return 0\n",
  "demo_pkg/__pycache__/cli.cpython-311.pyc": Buffer.from("stale pyc"),
  "demo_pkg/big.bin": Buffer.alloc(200 * 1024, tag),
  "demo_pkg-1.0.data/scripts/run-me": "#!python\nprint('ran')\n",
});

/** Every file under `dir`, relative, sorted. */
function listTree(dir: string, rel = ""): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listTree(dir, join(rel, e.name)) : [join(rel, e.name)]))
    .sort();
}

describe.skipIf(skip !== undefined)("installWheelSealed", () => {
  it("installs and seals in a worker thread, giving the tree and NAR hash of an install in this thread", async () => {
    const interpreter = await testInterpreter();
    const dir = tempDir("ww-threads-");
    const wheel = await makeWheel(dir, { entryPoints: "[console_scripts]\ndemo = demo_pkg.cli:main\n", files: demoFiles("x") });
    const finalPrefix = "/final/demo-pkg-1.0";
    const events = new Events();
    const seen: WheelwrightEvent[] = [];
    events.on((e) => seen.push(e));

    const threaded = await installWheelSealed(wheel, join(dir, "threaded"), { interpreter, finalPrefix, events }, false);
    expect(threaded.thread).toBe(true);
    const local = await installWheel(wheel, join(dir, "local"), { interpreter, finalPrefix, keepContents: true });
    const localNar = await sealOutput(join(dir, "local"), { fsync: false, known: local.contents! });

    expect(threaded.nar).toEqual(localNar);
    // and the hash is that of the bytes on disk, read back
    expect((await narHash(join(dir, "threaded"))).nixHash).toBe(threaded.nar.nixHash);
    expect(listTree(join(dir, "threaded"))).toEqual(listTree(join(dir, "local")));
    expect(threaded.result).toMatchObject({ name: "demo-pkg", version: "1.0", files: local.files, scripts: local.scripts });
    // bytecode compiled with the final path in it
    const pyc = readFileSync(join(dir, "threaded/lib/python3.11/site-packages/demo_pkg/__pycache__/cli.cpython-311.pyc"));
    expect(pyc.includes(Buffer.from(`${finalPrefix}/lib/python3.11/site-packages/demo_pkg/cli.py`))).toBe(true);
    // sealed: canonical modes, nothing writable
    expect(spawnSync("find", [join(dir, "threaded"), "-perm", "/222"], { encoding: "utf8" }).stdout).toBe("");
    // the thread's install event reached the caller's listeners
    expect(seen).toContainEqual({ type: "install", name: "demo-pkg", version: "1.0", storePath: finalPrefix, files: local.files });
  });

  it("runs installs side by side, on the free threads and then in this thread, each with its own result", async () => {
    const interpreter = await testInterpreter();
    const dir = tempDir("ww-threads-");
    const tags = ["a", "b", "c", "d", "e"];
    const wheels = await Promise.all(tags.map((tag) => makeWheel(join(dir), { name: `pkg_${tag}`, files: { [`pkg_${tag}/__init__.py`]: `TAG = '${tag}'\n` } })));
    const done = await Promise.all(wheels.map((wheel, i) => installWheelSealed(wheel, join(dir, `out-${tags[i]}`), { interpreter, compileBytecode: i % 2 === 0 }, false)));
    for (const [i, tag] of tags.entries()) {
      expect(done[i]!.result.name).toBe(`pkg-${tag}`);
      expect((await narHash(join(dir, `out-${tag}`))).nixHash).toBe(done[i]!.nar.nixHash);
      const cache = join(dir, `out-${tag}/lib/python3.11/site-packages/pkg_${tag}/__pycache__`);
      expect(existsSync(cache), `${tag}: pycs only when compiled`).toBe(i % 2 === 0);
    }
    expect(new Set(done.map((d) => d.nar.nixHash)).size).toBe(tags.length);
    // one thread less than the cores (the previous test left one idle): the rest ran here
    expect(done.filter((d) => d.thread).length).toBe(Math.min(tags.length, availableParallelism() - 1));
  });

  it("rejects with the installer's error, code, package, file and hint intact", async () => {
    const interpreter = await testInterpreter();
    const dir = tempDir("ww-threads-");
    const wheel = await makeWheel(dir, { files: { "demo_pkg/__init__.py": "X = 1\n" }, record: (rows) => rows.map((r) => (r.startsWith("demo_pkg/__init__.py,") ? r.replace(/,\d+$/, ",999") : r)) });
    const error: unknown = await installWheelSealed(wheel, join(dir, "out"), { interpreter }, false).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isWheelwrightError(error, "ERR_WW_WHEEL_RECORD")).toBe(true);
    if (!isWheelwrightError(error)) return;
    expect(error.message).toContain("demo_pkg/__init__.py");
    expect(error.location).toMatchObject({ file: wheel, package: "demo-pkg" });
    expect(error.hint).toBeTruthy();
    // the pool is still usable after a failed install
    mkdirSync(join(dir, "ok"));
    const ok = await makeWheel(join(dir, "ok"), { files: { "demo_pkg/__init__.py": "X = 1\n" } });
    expect((await installWheelSealed(ok, join(dir, "out-ok"), { interpreter }, false)).thread).toBe(true);
  });

  it("does not keep a process alive once its installs are done", async () => {
    const dir = tempDir("ww-threads-");
    const wheel = await makeWheel(dir, { files: { "demo_pkg/__init__.py": "X = 1\n" } });
    const script = `
      const { installWheelSealed } = await import(${JSON.stringify(join(root, "dist/build/install-threads.js"))});
      const { probeInterpreter } = await import(${JSON.stringify(join(root, "dist/python/probe.js"))});
      const interpreter = await probeInterpreter(${JSON.stringify(PY)}, { cacheDir: false });
      const done = await installWheelSealed(${JSON.stringify(wheel)}, ${JSON.stringify(join(dir, "out"))}, { interpreter }, false);
      console.log(done.thread, done.nar.nixHash);
    `;
    writeFileSync(join(dir, "install.mjs"), script);
    const run = spawnSync(process.execPath, [join(dir, "install.mjs")], { encoding: "utf8", timeout: 60_000 });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0); // not killed by the timeout, not exit 13 (unsettled top-level await)
    expect(run.stdout.trim()).toBe(`true ${(await narHash(join(dir, "out"))).nixHash}`);
  });
});
