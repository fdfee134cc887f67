// Native code built from sdists through `sync` under the default sandbox, with real backends
// from the offline sources: meson-python (a C extension via meson + ninja), scikit-build-core
// (a C extension via CMake), setuptools-rust (a Rust cdylib speaking CPython's C API, declared
// by hand: no crates are reachable) and maturin (a Rust library through its cffi bindings).
// Each project's venv interpreter imports the module and calls the native function; `check`
// rebuilds each package bit-identically. A backend whose tools are not on this
// machine is skipped with the reason printed.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEnvironment } from "../../src/build/env.js";
import { check, sync } from "../../src/sync/index.js";
import { buildLockText, type BackendClosure, type BackendWheel } from "../helpers/backends.js";
import { hasPython311 } from "../helpers/interpreter.js";
import { debianWheel, hasTool, mergeClosures, nativeClosure, rustupHome, writeNativeLock, writeNativeProject, type NativeKind, type NativeProject } from "../helpers/native-projects.js";
import { makeSdist } from "../helpers/projects.js";
import { makeWorkspace, syncFlags, type Workspace } from "./fixtures.js";

const KINDS: NativeKind[] = ["meson-python", "scikit-build-core", "setuptools-rust", "maturin"];

const ws: Workspace | undefined = hasPython311 ? makeWorkspace("native") : undefined;

/** The build-lock closure of each backend, or why this machine can't build with it. */
function closureFor(kind: NativeKind): BackendClosure | { missing: string } {
  if (ws === undefined) return { missing: "pyenv 3.11.7 is not installed" };
  const rust = kind === "setuptools-rust" || kind === "maturin";
  if (!rust && !hasTool("cc")) return { missing: "no C compiler (cc) on PATH" };
  if (rust && !hasTool("cargo")) return { missing: "no cargo on PATH" };
  switch (kind) {
    case "meson-python": {
      // meson-python 0.22 (the mirror's) needs pyproject-metadata >= 0.9, which no offline
      // source has; Debian's meson-python 0.12 + pyproject-metadata 0.6.1 are a working pair.
      const given: BackendWheel[] = [];
      for (const pkg of ["python3-mesonpy", "python3-pyproject-metadata"]) {
        const w = debianWheel(pkg, join(ws.dir, "debian-wheels"));
        if ("missing" in w) return { missing: `${w.missing}: the mirror's meson-python needs pyproject-metadata >= 0.9, which is nowhere offline` };
        given.push(w);
      }
      return nativeClosure(["meson-python", "meson", "ninja"], given);
    }
    case "scikit-build-core":
      // cmake and ninja join the set so that a backend asking for them (no usable system
      // copy) finds them; with a system cmake and ninja they are never fetched or installed.
      return nativeClosure(["scikit-build-core", "cmake", "ninja"]);
    case "setuptools-rust":
      return nativeClosure(["setuptools", "setuptools-rust"]);
    case "maturin":
      return nativeClosure(["maturin", "cffi"]);
  }
}

const closures = new Map(KINDS.map((k) => [k, closureFor(k)] as const));
for (const [kind, c] of closures) if ("missing" in c) console.warn(`skipping the ${kind} build: ${c.missing}`);
const available = KINDS.filter((k) => !("missing" in closures.get(k)!));
if (available.length === 0) ws?.cleanup();

// The mechanism the Rust builds need: rustup's proxies find their toolchains through
// RUSTUP_HOME, which a build (private HOME) only sees when `build-pass-env` names it.
describe("build-pass-env", () => {
  const base = { buildEnv: "/env", scratch: "/scratch", sourceDir: "/src" };
  const inherit = { PATH: "/usr/bin", RUSTUP_HOME: "/opt/rustup", HOME: "/root", SECRET: "x" };

  it("passes the named variables through, and only those", () => {
    const env = buildEnvironment({ ...base, inherit, passEnv: ["RUSTUP_HOME", "UNSET_ONE"] });
    expect(env.RUSTUP_HOME).toBe("/opt/rustup");
    expect("UNSET_ONE" in env).toBe(false);
    expect("SECRET" in env).toBe(false);
    expect("RUSTUP_HOME" in buildEnvironment({ ...base, inherit })).toBe(false);
  });

  it("never lets a passed name replace what wheelwright fixes", () => {
    const env = buildEnvironment({ ...base, inherit: { ...inherit, SOURCE_DATE_EPOCH: "1" }, passEnv: ["HOME", "SOURCE_DATE_EPOCH"] });
    expect(env.HOME).toBe("/scratch/home");
    expect(env.SOURCE_DATE_EPOCH).toBe("315532800");
  });
});

describe.skipIf(ws === undefined || available.length === 0)("native build backends", () => {
  const w = ws!;
  let buildLock: string;
  const projects = new Map<NativeKind, { project: NativeProject; dir: string }>();

  beforeAll(() => {
    buildLock = join(w.dir, "build-lock.toml");
    writeFileSync(buildLock, buildLockText(mergeClosures(available.map((k) => closures.get(k) as BackendClosure))));
  });
  afterAll(() => w.cleanup());

  /** The project dir with a pylock.toml pointing at `kind`'s sdist, and its pyproject.toml. */
  function lockedProject(kind: NativeKind): { project: NativeProject; dir: string } {
    const name = `${kind.replace(/[^a-z]/g, "")}-demo`;
    const { dir: src, project } = writeNativeProject(join(w.dir, "src"), kind, name);
    const dir = join(w.dir, `project-${kind}`);
    mkdirSync(dir, { recursive: true });
    const sdist = makeSdist(src, join(w.dir, "dist"), name, project.version);
    const runtime = nativeClosure(project.dependencies);
    if ("missing" in runtime) throw new Error(runtime.missing);
    writeNativeLock(dir, project, sdist, runtime);
    const rust = kind === "setuptools-rust" || kind === "maturin";
    // rustup's `cargo` finds its toolchains through RUSTUP_HOME; builds get a private HOME.
    writeFileSync(join(dir, "pyproject.toml"), `[project]\nname = "native-${kind}"\nversion = "0"\n\n[tool.wheelwright]\n${rust ? 'build-pass-env = ["RUSTUP_HOME"]\n' : ""}`);
    return { project, dir };
  }

  /** Runs `fn` with RUSTUP_HOME exported (rustup's default made explicit), as a user would. */
  async function withRustupHome<T>(fn: () => Promise<T>): Promise<T> {
    const saved = process.env.RUSTUP_HOME;
    const home = rustupHome();
    if (home !== undefined) process.env.RUSTUP_HOME = home;
    try {
      return await fn();
    } finally {
      if (saved === undefined) delete process.env.RUSTUP_HOME;
      else process.env.RUSTUP_HOME = saved;
    }
  }

  /** `mul(6, 7)` through the native code, the installed version, and the shared objects shipped. */
  function runNative(dir: string, project: NativeProject): string[] {
    const script = `import importlib.metadata as m, pathlib, ${project.module}\nprint(${project.call}, m.version("${project.name}"), *sorted(p.name for p in pathlib.Path(${project.module}.__file__).parent.rglob("*.so")))`;
    return execFileSync(join(dir, ".venv/bin/python"), ["-c", script], { encoding: "utf8" }).trim().split(" ");
  }

  for (const kind of KINDS) {
    it(`builds a ${kind} project's native code and imports it`, async (ctx) => {
      const c = closures.get(kind)!;
      if ("missing" in c) return ctx.skip(c.missing);
      const { dir, project } = lockedProject(kind);
      await withRustupHome(() => sync({ dir, flags: syncFlags(w, buildLock) }));
      expect(runNative(dir, project)).toEqual(["42", project.version, ...project.sharedObjects]);
      projects.set(kind, { project, dir });
    }, 240_000);
  }

  // `check` rebuilds from scratch, in another temp directory, and compares NAR hashes.
  for (const kind of KINDS) {
    it(`rebuilds the ${kind} package bit-identically (check)`, async (ctx) => {
      const built = projects.get(kind);
      if (built === undefined) return ctx.skip(`the ${kind} build did not run`);
      const result = await withRustupHome(() => check({ dir: built.dir, flags: syncFlags(w, buildLock), name: built.project.name }));
      expect(result.actual, readFileSync(result.log, "utf8").slice(-2000)).toBe(result.expected);
      expect(result.same).toBe(true);
    }, 240_000);
  }
});
