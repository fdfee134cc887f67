// The build stage's parts on their own: the clean environment, sandbox wrapping, build-system
// reading and caching keys, the hook runner's defaults and refusals, prebuilt adoption.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readBuildSystem, requirementsToSpec, sourceFactKey } from "../../src/build/discover.js";
import { buildEnvironment, DEFAULT_SOURCE_DATE_EPOCH } from "../../src/build/env.js";
import { HookFailure, runHook } from "../../src/build/frontend.js";
import { BuildLog, logTail } from "../../src/build/log.js";
import { adoptPrebuilt } from "../../src/build/prebuilt.js";
import { chooseSandbox, wrapCommand } from "../../src/build/sandbox.js";
import { mkRecipe } from "../../src/scope/recipe.js";
import { FIXED_INTERPRETER, hasPython311, PYTHON311, realInterpreter } from "../helpers/interpreter.js";

const work = mkdtempSync(join(tmpdir(), "ww-build-units-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("buildEnvironment", () => {
  const inherit = { PATH: "/usr/bin:/bin", PYTHONPATH: "/evil", PYTHONHOME: "/evil", PIP_INDEX_URL: "http://x.invalid", VIRTUAL_ENV: "/venv", HOME: "/root", TMPDIR: "/tmp", CFLAGS: "-O0", LD_PRELOAD: "x.so" };
  const env = buildEnvironment({ buildEnv: "/store/env", scratch: "/scratch", sourceDir: "/work/src", inherit, extra: { MY_FLAG: "1", CFLAGS: "-DX=1" } });

  it("inherits nothing that changes a build or what it can import", () => {
    for (const key of ["PYTHONPATH", "PYTHONHOME", "PIP_INDEX_URL", "VIRTUAL_ENV", "LD_PRELOAD"]) expect(env[key], key).toBeUndefined();
    expect(env.CFLAGS).not.toContain("-O0");
  });

  it("puts the build env first on PATH and makes HOME and TMPDIR private", () => {
    expect(env.PATH).toBe("/store/env/bin:/usr/bin:/bin");
    expect(env.HOME).toBe("/scratch/home");
    expect(env.TMPDIR).toBe("/scratch/tmp");
  });

  it("points build environments' bytecode cache at the caller's, not the private HOME", () => {
    expect(env.WHEELWRIGHT_BUILD_PYCACHE).toBe("/root/.cache/wheelwright/pycache");
    expect(buildEnvironment({ buildEnv: "/e", scratch: "/s", sourceDir: "/w", inherit: { XDG_CACHE_HOME: "/c" } }).WHEELWRIGHT_BUILD_PYCACHE).toBe("/c/wheelwright/pycache");
  });

  it("fixes SOURCE_DATE_EPOCH and PYTHONHASHSEED, and applies the recipe's env last", () => {
    expect(env.SOURCE_DATE_EPOCH).toBe(String(DEFAULT_SOURCE_DATE_EPOCH));
    expect(env.PYTHONHASHSEED).toBe("0");
    expect(env.MY_FLAG).toBe("1");
    expect(env.CFLAGS).toBe("-ffile-prefix-map=/work/src=/build/source -DX=1");
    expect(buildEnvironment({ buildEnv: "/e", scratch: "/s", sourceDir: "/w", inherit: {}, sourceDateEpoch: 1700000000 }).SOURCE_DATE_EPOCH).toBe("1700000000");
  });
});

describe("sandbox", () => {
  it("wraps commands for each kind", () => {
    expect(wrapCommand("none", "py", ["a"])).toEqual({ command: "py", args: ["a"] });
    const bwrap = wrapCommand("bwrap", "py", ["a"]);
    expect(bwrap.command).toBe("bwrap");
    expect(bwrap.args).toContain("--unshare-net");
    expect(bwrap.args.slice(-2)).toEqual(["py", "a"]);
    expect(wrapCommand("unshare", "py", []).args).toContain("--net");
  });

  it("uses none when off", () => {
    expect(chooseSandbox("off")).toBe("none");
  });
});

describe("build-system discovery", () => {
  it("falls back to PEP 517's legacy backend without a pyproject.toml", () => {
    const dir = join(work, "nopyproject");
    mkdirSync(dir, { recursive: true });
    const fact = readBuildSystem(dir);
    expect(fact).toEqual({ requires: ["setuptools>=40.8.0"], backend: "setuptools.build_meta:__legacy__", backendPath: [], origin: "default" });
  });

  it("reads requires, backend and backend-path", () => {
    const dir = join(work, "declared");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "pyproject.toml"), '[build-system]\nrequires = ["hatchling>=1.20", "tomli; python_version < \'3.11\'", "Cython[extra]"]\nbuild-backend = "backend:api"\nbackend-path = ["_b"]\n');
    const fact = readBuildSystem(dir);
    expect(fact.backend).toBe("backend:api");
    expect(fact.backendPath).toEqual(["_b"]);
    expect(fact.origin).toBe("declared");
    // markers are kept in the fact and evaluated per interpreter
    expect(requirementsToSpec(fact.requires, FIXED_INTERPRETER, "x")).toEqual({ hatchling: [], cython: ["extra"] });
    const old = { ...FIXED_INTERPRETER, markerEnvironment: { ...FIXED_INTERPRETER.markerEnvironment, python_version: "3.10", python_full_version: "3.10.1" } };
    expect(Object.keys(requirementsToSpec(fact.requires, old, "x")).sort()).toEqual(["cython", "hatchling", "tomli"]);
  });

  it("keys cached facts by content, not by location", () => {
    const file = { filename: "a-1.tar.gz", sha256: "ab".repeat(32) };
    const a = mkRecipe({ name: "a", version: "1", source: { kind: "sdist", file: { ...file, path: "/one/a-1.tar.gz" } } });
    const b = mkRecipe({ name: "a", version: "1", source: { kind: "sdist", file: { ...file, url: "https://x.invalid/a-1.tar.gz" } } });
    const c = mkRecipe({ name: "a", version: "1", source: { kind: "sdist", file: { ...file, sha256: "cd".repeat(32) } } });
    expect(sourceFactKey(a)).toBe(sourceFactKey(b));
    expect(sourceFactKey(a)).not.toBe(sourceFactKey(c));
    expect(sourceFactKey(mkRecipe({ name: "e", version: "1", source: { kind: "editable", path: "/p" } }))).toBeUndefined();
  });
});

describe.skipIf(!hasPython311)("hook runner", () => {
  const backendDir = join(work, "tree");
  mkdirSync(join(backendDir, "_b"), { recursive: true });
  writeFileSync(join(backendDir, "_b", "tinyback.py"), "def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n    import os\n    open(os.path.join(wheel_directory, 'x.whl'), 'w').write(str(config_settings))\n    return 'x.whl'\n");
  writeFileSync(join(backendDir, "_b", "printer.py"), "import sys\ndef get_requires_for_build_wheel(config_settings=None):\n    print('line one')\n    print('line two', file=sys.stderr)\n    return ['x>=1']\n");
  const scratch = join(work, "scratch");
  mkdirSync(scratch, { recursive: true });
  const call = (hook: Parameters<typeof runHook>[0]["hook"], extra: Partial<Parameters<typeof runHook>[0]> = {}) => {
    const log = new BuildLog(join(work, `${hook}.log`));
    return runHook({ python: PYTHON311, cwd: backendDir, backend: "tinyback", backendPath: ["_b"], hook, env: { PATH: process.env.PATH ?? "/usr/bin" }, sandbox: "none", log, scratch, package: "t", ...extra }).finally(() => log.close());
  };

  it("uses PEP 517's default for an absent get_requires hook", async () => {
    expect(await call("get_requires_for_build_wheel")).toEqual({ result: [], missing: true });
  });

  it("streams the backend's output lines and returns the hook's value", async () => {
    const lines: string[] = [];
    const result = await call("get_requires_for_build_wheel", { backend: "printer", onLine: (line) => lines.push(line) });
    expect(result).toEqual({ result: ["x>=1"], missing: false });
    expect(lines.sort()).toEqual(["line one", "line two"]);
  });

  it("passes config settings and returns the wheel name", async () => {
    const out = join(work, "wheels");
    mkdirSync(out, { recursive: true });
    const result = await call("build_wheel", { args: { wheel_directory: out, metadata_directory: null }, configSettings: { "--opt": "1" } });
    expect(result.result).toBe("x.whl");
    expect(readFileSync(join(out, "x.whl"), "utf8")).toBe("{'--opt': '1'}");
  });

  it("refuses an editable build when the backend has no build_editable hook", async () => {
    const error = await call("build_editable", { args: { wheel_directory: work } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HookFailure);
    expect((error as HookFailure).kind).toBe("hook-missing");
  });

  it("refuses a backend-path backend that is loaded from elsewhere", async () => {
    const error = await call("get_requires_for_build_wheel", { backend: "json", backendPath: ["_b"] }).catch((e: unknown) => e);
    expect((error as HookFailure).kind).toBe("backend-invalid");
  });

  it("reports a backend that is not installed, and logs what ran", async () => {
    const error = await call("get_requires_for_build_wheel", { backend: "no_such_backend_mod", backendPath: [] }).catch((e: unknown) => e);
    expect((error as HookFailure).kind).toBe("backend-unavailable");
    expect(logTail(join(work, "get_requires_for_build_wheel.log"))).toContain("wheelwright: $ ");
  });
});

describe.skipIf(!hasPython311)("prebuilt adoption", () => {
  it("copies a distribution's RECORD files into a prefix, without bytecode", async (ctx) => {
    const python = await realInterpreter();
    const site = python.paths.purelib;
    const distInfo = existsSync(site) ? readdirSync(site).find((d: string) => /^six-.*\.dist-info$/.test(d)) : undefined;
    if (distInfo === undefined) {
      console.warn("skipping prebuilt adoption: six is not installed in the 3.11.7 site-packages");
      return ctx.skip("six is not installed in the 3.11.7 site-packages");
    }
    const out = join(work, "adopted");
    const { files } = adoptPrebuilt(site, distInfo, out, python, "six");
    const rel = "lib/python3.11/site-packages";
    expect(files).toBeGreaterThan(2);
    expect(readFileSync(join(out, rel, "six.py"))).toEqual(readFileSync(join(site, "six.py")));
    expect(existsSync(join(out, rel, distInfo, "METADATA"))).toBe(true);
    expect(existsSync(join(out, rel, "__pycache__"))).toBe(false);
  });
});
