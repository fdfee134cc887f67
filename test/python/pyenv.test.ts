// pyenv shims told without running them (src/python/pyenv.ts): the version-file rules on a
// pyenv root made here, the cases left to the shim, the fast path's witness, and agreement
// with this machine's real pyenv (the shim run in directories choosing different versions).
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { interpreterInputs } from "../../src/python/cache-witness.js";
import { pyenvShimTarget } from "../../src/python/pyenv.js";
import type { Interpreter } from "../../src/python/types.js";

const REAL_PYTHON = "/root/.pyenv/versions/3.11.7/bin/python3.11";
const skipFake = existsSync(REAL_PYTHON) ? undefined : `no ${REAL_PYTHON}`;
if (skipFake) console.warn(`skipping pyenv shim tests: ${skipFake}`);

/** A pyenv root with shims/python3 and versions whose bin/python3 links to a real binary. */
function fakePyenv(versions: string[], global?: string): { root: string; shim: string; work: string } {
  const base = mkdtempSync(join(tmpdir(), "ww-pyenv-"));
  const root = join(base, "pyenv");
  mkdirSync(join(root, "shims"), { recursive: true });
  const shim = join(root, "shims", "python3");
  writeFileSync(shim, '#!/usr/bin/env bash\nexec pyenv exec "$(basename "$0")" "$@"\n');
  chmodSync(shim, 0o755);
  for (const v of versions) {
    mkdirSync(join(root, "versions", v, "bin"), { recursive: true });
    symlinkSync(REAL_PYTHON, join(root, "versions", v, "bin", "python3"));
  }
  if (global !== undefined) writeFileSync(join(root, "version"), global);
  const work = join(base, "project", "sub");
  mkdirSync(work, { recursive: true });
  return { root, shim, work };
}

describe.skipIf(skipFake !== undefined)("pyenvShimTarget", () => {
  it("follows PYENV_VERSION, then the nearest .python-version, then the global version file", () => {
    const { root, shim, work } = fakePyenv(["3.11.7", "3.12.1", "3.13.0"], "3.11.7\n");
    const at = (v: string) => join(root, "versions", v, "bin", "python3");
    const ancestors = (from: string): string[] => {
      const out: string[] = [];
      for (let dir = from; ; dir = join(dir, "..")) {
        const real = join(dir);
        out.push(join(real, ".python-version"));
        if (real === "/") break;
      }
      return out;
    };
    // nothing in the tree: the global file, after every .python-version up to /
    const global = pyenvShimTarget(shim, { cwd: work, env: {}, pyenvRoot: root })!;
    expect(global.executable).toBe(at("3.11.7"));
    expect(global.read).toEqual([...ancestors(work), join(root, "version")]);
    // a .python-version in the parent wins; the search stops there
    writeFileSync(join(work, "..", ".python-version"), "# chosen for the project\n3.12.1\n");
    const local = pyenvShimTarget(shim, { cwd: work, env: {}, pyenvRoot: root })!;
    expect(local.executable).toBe(at("3.12.1"));
    expect(local.read).toEqual([join(work, ".python-version"), join(work, "..", ".python-version")]);
    // the variable wins over both, and reads no file
    expect(pyenvShimTarget(shim, { cwd: work, env: { PYENV_VERSION: "3.13.0" }, pyenvRoot: root })).toEqual({ executable: at("3.13.0"), read: [] });
  });

  it("leaves to the shim what it does not follow exactly", () => {
    const { root, shim, work } = fakePyenv(["3.11.7", "3.12.1"], "3.11.7\n");
    const target = (env: NodeJS.ProcessEnv) => pyenvShimTarget(shim, { cwd: work, env, pyenvRoot: root });
    expect(target({ PYENV_VERSION: "system" })).toBeUndefined();
    expect(target({ PYENV_VERSION: "3.11.7:3.12.1" })).toBeUndefined(); // several versions
    expect(target({ PYENV_VERSION: "3.12" })).toBeUndefined(); // a prefix pyenv may expand
    expect(target({ PYENV_VERSION: "3.9.0" })).toBeUndefined(); // not installed
    expect(target({ PYENV_VERSION: "../../etc" })).toBeUndefined();
    expect(target({ PYENV_DIR: "/elsewhere" })).toBeUndefined();
    writeFileSync(join(work, ".python-version"), "3.11.7\n3.12.1\n");
    expect(target({})).toBeUndefined();
    // not a shim of this root, or not a script
    expect(pyenvShimTarget(join(root, "versions", "3.11.7", "bin", "python3"), { cwd: work, env: {}, pyenvRoot: root })).toBeUndefined();
    expect(pyenvShimTarget(shim, { cwd: work, env: { PYENV_VERSION: "3.11.7" }, pyenvRoot: join(root, "..") })).toBeUndefined();
  });

  it("gives the fast path pyenv's version files to watch, and refuses a choice that changed", () => {
    const { root, shim, work } = fakePyenv(["3.11.7", "3.12.1"], "3.12.1\n");
    const chosen = { executable: join(root, "versions", "3.12.1", "bin", "python3"), realpath: REAL_PYTHON } as Interpreter;
    const cwd = process.cwd();
    process.chdir(work);
    try {
      const inputs = interpreterInputs(undefined, chosen, { path: join(root, "shims"), pyenvRoot: root });
      if (typeof inputs === "string") throw new Error(inputs);
      expect(inputs.files).toEqual(expect.arrayContaining([shim, join(realpathSync(work), ".python-version"), join(root, "version"), chosen.executable]));
      const other = { ...chosen, executable: join(root, "versions", "3.11.7", "bin", "python3") };
      expect(interpreterInputs(undefined, other, { path: join(root, "shims"), pyenvRoot: root })).toMatch(/pyenv shim whose choice changed/);
    } finally {
      process.chdir(cwd);
    }
  });
});

// The real pyenv of this machine, when it has one: its shim, run in a directory whose
// .python-version names each installed version in turn, runs what pyenvShimTarget says.
const PYENV_ROOT = process.env.PYENV_ROOT || join(process.env.HOME ?? "/root", ".pyenv");
const realShim = join(PYENV_ROOT, "shims", "python3");
const realVersions = existsSync(join(PYENV_ROOT, "versions")) ? readdirSync(join(PYENV_ROOT, "versions")).filter((v) => /^3\.\d+\.\d+$/.test(v)) : [];
const skipReal = !existsSync(realShim) ? `no pyenv shim at ${realShim}` : realVersions.length < 2 ? "fewer than two pyenv Pythons 3" : undefined;
if (skipReal) console.warn(`skipping the real pyenv comparison: ${skipReal}`);

describe.skipIf(skipReal !== undefined)("pyenvShimTarget against pyenv itself", () => {
  it("names the binary the shim runs, for each version a project can choose", () => {
    const work = mkdtempSync(join(tmpdir(), "ww-pyenv-real-"));
    const env = { ...process.env };
    delete env.PYENV_VERSION;
    delete env.PYENV_DIR;
    for (const version of realVersions.slice(-3)) {
      writeFileSync(join(work, ".python-version"), `${version}\n`);
      const ran = execFileSync(realShim, ["-c", "import os, sys; print(os.path.realpath(sys.executable))"], { cwd: work, env, encoding: "utf8" }).trim();
      const told = pyenvShimTarget(realShim, { cwd: work, env, pyenvRoot: PYENV_ROOT });
      expect(told, version).toBeDefined();
      expect(realpathSync(told!.executable)).toBe(ran);
      expect(told!.read).toEqual([join(work, ".python-version")]);
    }
  });
});
