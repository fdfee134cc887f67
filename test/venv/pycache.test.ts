// The bytecode-cache hook of environments installed without bytecode (src/venv/pycache.ts),
// run by every pyenv interpreter from 3.8 on: where store modules, the standard library and
// other code are cached, that a second environment linking the same package reads the first
// one's pycs, that the hook's own bytecode ships in the environment (nothing is written
// into it, even by root), the user's PYTHONPYCACHEPREFIX, and the rules inside a build.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { shutdownCompileWorkers } from "../../src/install/bytecode.js";
import { sitePackagesDir } from "../../src/install/scheme.js";
import { probeInterpreter } from "../../src/python/probe.js";
import { assembleVenv } from "../../src/venv/assemble.js";
import { BUILD_PYCACHE_VAR, pycacheDir, pycacheRoot, PYCACHE_MODULE } from "../../src/venv/pycache.js";
import { tempDir } from "../install/fixtures.js";

const VERSIONS = "/root/.pyenv/versions";
const pythons = existsSync(VERSIONS)
  ? readdirSync(VERSIONS)
      .filter((v) => /^3\.(8|9|1\d)\.\d+$/.test(v))
      .map((v) => ({ version: v, exe: join(VERSIONS, v, "bin/python3") }))
      .filter((p) => existsSync(p.exe))
  : [];
if (pythons.length === 0) console.warn(`skipping bytecode-cache hook tests: no Python >= 3.8 under ${VERSIONS}`);

/** Every file under `dir` with its mtime, to tell whether anything was written. */
function snapshot(dir: string): string[] {
  return spawnSync("find", [dir, "-printf", "%p %T@\n"], { encoding: "utf8" }).stdout.split("\n").sort();
}

describe.skipIf(pythons.length === 0)("bytecode-cache hook", () => {
  afterAll(() => shutdownCompileWorkers());

  for (const { version, exe } of pythons) {
    it(`caches store modules by store path with Python ${version}`, async () => {
      const python = await probeInterpreter(exe);
      const site = sitePackagesDir(python);
      const work = tempDir("ww-pycache-");
      const store = join(work, "store");
      // two packages: one linked as a directory, one a top-level module (a file link)
      const pkg = join(store, "aaaa-pkg-1.0");
      const top = join(store, "bbbb-top-1.0");
      mkdirSync(join(pkg, site, "pkg"), { recursive: true });
      writeFileSync(join(pkg, site, "pkg/__init__.py"), "VALUE = 1\n");
      mkdirSync(join(top, site), { recursive: true });
      writeFileSync(join(top, site, "top.py"), "import pkg\n");
      const members = [{ name: "pkg", path: pkg }, { name: "top", path: top }];
      const envs = [join(store, "eeee-one-env"), join(store, "ffff-two-env")];
      for (const env of envs) await assembleVenv({ python, members, out: env, finalPath: env, lazyBytecode: true });
      // the hook's own pyc: the same bytes for every environment of the store (compiled once)
      const hookPycs = envs.map((env) => readdirSync(join(env, site, "__pycache__")).map((name) => readFileSync(join(env, site, "__pycache__", name))));
      expect(hookPycs[0]).toHaveLength(1);
      expect(hookPycs[1]).toEqual(hookPycs[0]);

      const home = join(work, "cache");
      const baseEnv = { PATH: "/usr/bin:/bin", HOME: join(work, "home"), XDG_CACHE_HOME: home };
      const report = "import json, sys, pkg, top, json.decoder as d; print(json.dumps([pkg.__cached__, top.__cached__, d.__cached__, getattr(sys, 'pycache_prefix', None)]))";
      const run = (env: string, extra: Record<string, string> = {}, cwd = work) =>
        JSON.parse(execFileSync(join(env, "bin/python"), ["-c", report], { encoding: "utf8", env: { ...baseEnv, ...extra }, cwd })) as [string, string, string | null, string | null];

      const storeBefore = snapshot(store);
      const [pkgPyc, topPyc, stdlibPyc, prefix] = run(envs[0]!);
      const tag = `cpython-${python.versionTuple[0]}${python.versionTuple[1]}`;
      expect(pkgPyc).toBe(join(pycacheDir(pkg, baseEnv), site, `pkg/__pycache__/__init__.${tag}.pyc`));
      expect(topPyc).toBe(join(pycacheDir(top, baseEnv), site, `__pycache__/top.${tag}.pyc`));
      expect(pkgPyc.startsWith(join(home, "wheelwright/pycache/"))).toBe(true);
      // the standard library's bytecode is where the interpreter keeps it
      expect(stdlibPyc).toBe(join(python.paths.stdlib, `json/__pycache__/decoder.${tag}.pyc`));
      expect(prefix).toBeNull();
      expect(existsSync(pkgPyc) && existsSync(topPyc)).toBe(true);
      const written = [statSync(pkgPyc).mtimeMs, statSync(topPyc).mtimeMs];

      // the other environment links the same store paths: it reads those pycs, writes none
      expect(run(envs[1]!).slice(0, 2)).toEqual([pkgPyc, topPyc]);
      expect([statSync(pkgPyc).mtimeMs, statSync(topPyc).mtimeMs]).toEqual(written);
      // nothing was written into the store, although root could (the hook has its bytecode)
      expect(snapshot(store)).toEqual(storeBefore);
      const verbose = spawnSync(join(envs[1]!, "bin/python"), ["-v", "-c", "pass"], { encoding: "utf8", env: baseEnv }).stderr;
      expect(verbose).toContain(`${join(envs[1]!, site, "__pycache__", `${PYCACHE_MODULE}.${tag}.pyc`)} matches`);

      // the user's own prefix wins
      const mine = join(work, "mine");
      const [minePyc, , , minePrefix] = run(envs[0]!, { PYTHONPYCACHEPREFIX: mine });
      expect(minePrefix).toBe(mine);
      expect(minePyc.startsWith(`${mine}/`)).toBe(true);

      // in a build: the build's cache root, nothing for code outside the store and the interpreter
      const source = join(work, "source");
      mkdirSync(source);
      writeFileSync(join(source, "local_mod.py"), "X = 1\n");
      const buildCache = join(work, "build-cache");
      const inBuild = execFileSync(
        join(envs[0]!, "bin/python"),
        ["-c", "import json, sys; sys.path.insert(0, '.'); import local_mod, pkg, json.decoder as d; print(json.dumps([getattr(local_mod, '__cached__', None), pkg.__cached__, d.__cached__, sys.dont_write_bytecode]))"],
        { encoding: "utf8", cwd: source, env: { ...baseEnv, HOME: join(work, "build-home"), PYTHONDONTWRITEBYTECODE: "1", [BUILD_PYCACHE_VAR]: buildCache } },
      );
      const [localPyc, buildPkgPyc, buildStdlibPyc, dontWrite] = JSON.parse(inBuild) as [string | null, string, string, boolean];
      expect(localPyc).toBeNull();
      expect(readdirSync(source)).toEqual(["local_mod.py"]);
      expect(buildPkgPyc).toBe(join(buildCache, relative(pycacheRoot(baseEnv), pkgPyc)));
      expect(existsSync(buildPkgPyc)).toBe(true);
      expect(buildStdlibPyc).toBe(stdlibPyc);
      expect(dontWrite).toBe(false);

      // an explicit compile in a build (meson's install step runs compileall) is answered as usual
      writeFileSync(join(source, "other_mod.py"), "Y = 2\n");
      const compiled = execFileSync(
        join(envs[0]!, "bin/python"),
        ["-c", "import compileall, importlib.util, sys; assert compileall.compile_file('other_mod.py', quiet=1); print(importlib.util.cache_from_source('other_mod.py'))"],
        { encoding: "utf8", cwd: source, env: { ...baseEnv, HOME: join(work, "build-home"), PYTHONDONTWRITEBYTECODE: "1", [BUILD_PYCACHE_VAR]: buildCache } },
      ).trim();
      expect(compiled.startsWith("__pycache__/other_mod.")).toBe(true);
      expect(existsSync(join(source, compiled))).toBe(true);
    });
  }
});
