// `wheelwright sync` through the built CLI on a small wheelhouse of synthetic wheels: links,
// GC roots, copy mode, plans, what changes when runtime dependencies change, offline errors,
// and venv collisions configured from pyproject.toml.
import { createHash } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { hasPython311, PYTHON311 } from "../helpers/interpreter.js";
import { makeWheel } from "../install/fixtures.js";

if (!hasPython311) console.warn("skipping sync tests: no pyenv 3.11.7");

interface Wheel {
  name: string;
  version: string;
  path: string;
  deps?: string[];
}

describe.skipIf(!hasPython311)("wheelwright sync", () => {
  let work: string;
  let wheels: string;
  let store: string;
  const made: Record<string, Wheel> = {};

  async function wheel(name: string, version: string, files: Record<string, string>, entryPoints?: string): Promise<Wheel> {
    const path = await makeWheel(wheels, { name, version, files, ...(entryPoints ? { entryPoints } : {}) });
    return (made[`${name}-${version}`] = { name, version, path });
  }

  function pylock(project: string, members: Wheel[], deps: Record<string, string[]> = {}): void {
    const lines = ['lock-version = "1.0"', 'created-by = "test"', ""];
    for (const w of members) {
      const file = w.path.slice(w.path.lastIndexOf("/") + 1);
      const sha = createHash("sha256").update(readFileSync(w.path)).digest("hex");
      lines.push("[[packages]]", `name = "${w.name}"`, `version = "${w.version}"`);
      const d = deps[w.name];
      if (d) lines.push(`dependencies = [${d.map((n) => `{ name = "${n}" }`).join(", ")}]`);
      lines.push(`wheels = [{ name = "${file}", url = "https://files.wheelwright.invalid/${file}", hashes = { sha256 = "${sha}" } }]`, "");
    }
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, "pylock.toml"), lines.join("\n"));
  }

  const common = () => ["--find-links", wheels, "--offline", "--store", store, "--python", PYTHON311];
  const sync = (project: string, ...extra: string[]) => runCli(["sync", "-C", project, ...common(), ...extra]);
  const planOf = (project: string) => JSON.parse(runCli(["plan", "--json", "-C", project, ...common()]).stdout) as { venv: string; derivations: { name: string; status: string; storePath: string }[] };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "ww-sync-"));
    wheels = join(work, "wheels");
    store = join(work, "store");
    mkdirSync(wheels);
    await wheel("alpha", "1.0", { "alpha/__init__.py": "VERSION = '1.0'\n" }, "[console_scripts]\nalpha = alpha:main\n");
    await wheel("alpha", "2.0", { "alpha/__init__.py": "VERSION = '2.0'\n" });
    await wheel("beta", "1.0", { "beta.py": "import alpha\n" });
    await wheel("gamma", "1.0", { "gamma.py": "" });
    await wheel("lic_a", "1.0", { "LICENSE": "MIT\n", "lic_a.py": "" });
    await wheel("lic_b", "1.0", { "LICENSE": "BSD\n", "lic_b.py": "" });
  });
  afterAll(() => {
    spawnSync("chmod", ["-R", "u+w", work]);
    rmSync(work, { recursive: true, force: true });
  });

  it("links .venv into the store, registers it as a GC root, and plans nothing the second time", () => {
    const project = join(work, "p1");
    pylock(project, [made["alpha-1.0"]!, made["beta-1.0"]!]);
    const before = planOf(project);
    expect(before.derivations.map((d) => [d.name, d.status])).toEqual([["alpha", "fetch"], ["beta", "fetch"], ["p1-env", "build"]]);
    const result = sync(project);
    expect(result.code, result.stderr).toBe(0);
    expect(readlinkSync(join(project, ".venv"))).toBe(before.venv);
    const out = execFileSync(join(project, ".venv/bin/python"), ["-c", "import alpha, beta; print(alpha.VERSION)"], { encoding: "utf8" });
    expect(out.trim()).toBe("1.0");
    expect(readFileSync(join(project, ".venv/bin/alpha"), "utf8").split("\n")[0]).toBe(`#!${before.venv}/bin/python`);
    expect(planOf(project).derivations.every((d) => d.status === "present")).toBe(true);
    const gc = runCli(["gc", "--dry-run", "--store", store]);
    expect(gc.code, gc.stderr).toBe(0);
    expect(gc.stdout).not.toContain(before.venv);
  });

  it("changes only the venv's path when runtime dependencies change, and gc collects what is unreachable", () => {
    const project = join(work, "p2");
    pylock(project, [made["alpha-1.0"]!, made["beta-1.0"]!]);
    const first = planOf(project);
    pylock(project, [made["alpha-1.0"]!, made["beta-1.0"]!], { beta: ["alpha"] });
    const second = planOf(project);
    const paths = (p: typeof first) => Object.fromEntries(p.derivations.map((d) => [d.name, d.storePath]));
    expect(paths(second).alpha).toBe(paths(first).alpha);
    expect(paths(second).beta).toBe(paths(first).beta);
    // a version bump replaces that package and the venv, nothing else
    pylock(project, [made["alpha-2.0"]!, made["beta-1.0"]!]);
    expect(sync(project).code).toBe(0);
    const third = planOf(project);
    expect(paths(third).beta).toBe(paths(first).beta);
    expect(paths(third).alpha).not.toBe(paths(first).alpha);
    rmSync(join(work, "p1", ".venv")); // p1's root dies: its venv and alpha 1.0 become garbage
    const gc = runCli(["gc", "--store", store]);
    expect(gc.code, gc.stderr).toBe(0);
    expect(existsSync(paths(first).alpha!)).toBe(false);
    expect(existsSync(paths(third).alpha!)).toBe(true);
    expect(existsSync(paths(third).beta!)).toBe(true);
    expect(execFileSync(join(project, ".venv/bin/python"), ["-c", "import alpha; print(alpha.VERSION)"], { encoding: "utf8" }).trim()).toBe("2.0");
  });

  it("installs without bytecode by default, caching it per store path outside the store (gc removes it); --compile-bytecode compiles into the store", async () => {
    const project = join(work, "p-lazy");
    // a package of its own, whose store path becomes garbage at the end
    const lazyonly = await wheel("lazyonly", "1.0", { "lazyonly/__init__.py": "VERSION = '1.0'\n" });
    pylock(project, [lazyonly, made["gamma-1.0"]!]);
    const cache = join(work, "lazy-cache");
    // PYTHONDONTWRITEBYTECODE (set on some machines) would stop Python from caching at all
    const env = { ...process.env, XDG_CACHE_HOME: cache };
    delete env.PYTHONDONTWRITEBYTECODE;
    delete env.PYTHONPYCACHEPREFIX;
    const paths = (p: ReturnType<typeof planOf>) => Object.fromEntries(p.derivations.map((d) => [d.name, d.storePath]));
    const lazy = paths(planOf(project));
    const lazyResult = sync(project);
    expect(lazyResult.code, lazyResult.stderr).toBe(0);
    expect(readlinkSync(join(project, ".venv"))).toBe(lazy["p-lazy-env"]);
    const pycs = (dir: string) => spawnSync("find", [dir, "-name", "*.pyc"], { encoding: "utf8" }).stdout.trim();
    expect(pycs(lazy.lazyonly!)).toBe("");
    // the flag, the variable and the pyproject.toml setting mean the same derivations
    writeFileSync(join(project, "pyproject.toml"), '[project]\nname = "p-lazy"\nversion = "0"\n\n[tool.wheelwright]\ncompile-bytecode = true\n');
    const eager = paths(planOf(project));
    expect(eager.lazyonly).not.toBe(lazy.lazyonly);
    expect(eager["p-lazy-env"]).not.toBe(lazy["p-lazy-env"]);
    writeFileSync(join(project, "pyproject.toml"), '[project]\nname = "p-lazy"\nversion = "0"\n');
    const viaVariable = JSON.parse(runCli(["plan", "--json", "-C", project, ...common()], { env: { ...env, WHEELWRIGHT_COMPILE_BYTECODE: "1" } }).stdout) as ReturnType<typeof planOf>;
    expect(paths(viaVariable)).toEqual(eager);

    const site = "lib/python3.11/site-packages";
    const run = () =>
      JSON.parse(execFileSync(join(project, ".venv/bin/python"), ["-c", "import json, lazyonly; print(json.dumps([lazyonly.__cached__, lazyonly.VERSION]))"], { encoding: "utf8", env })) as [string, string];
    const [cached, version] = run();
    const dir = join(cache, "wheelwright/pycache", readdirSync(join(cache, "wheelwright/pycache"))[0]!, lazy.lazyonly!.slice(lazy.lazyonly!.lastIndexOf("/") + 1));
    expect(version).toBe("1.0");
    expect(cached).toBe(join(dir, site, "lazyonly/__pycache__/__init__.cpython-311.pyc"));
    expect(existsSync(cached)).toBe(true);

    // eager: pycs in the store; the lazy environment is garbage, and so are lazyonly's store path and bytecode cache
    const eagerResult = sync(project, "--compile-bytecode");
    expect(eagerResult.code, eagerResult.stderr).toBe(0);
    expect(readlinkSync(join(project, ".venv"))).toBe(eager["p-lazy-env"]);
    expect(pycs(eager.lazyonly!)).toContain("__init__.cpython-311.pyc");
    const gc = runCli(["gc", "--store", store], { env });
    expect(gc.code, gc.stderr).toBe(0);
    expect(gc.stdout).toContain(`deleted bytecode cache ${dir}`);
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(lazy.lazyonly!)).toBe(false);
  });

  it("writes a real, writable environment with --copy and refuses to replace a directory it did not make", () => {
    const project = join(work, "p3");
    pylock(project, [made["gamma-1.0"]!]);
    mkdirSync(join(project, ".venv"));
    writeFileSync(join(project, ".venv", "precious"), "");
    const refused = sync(project);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("ERR_WW_OUTPUT_EXISTS");
    expect(existsSync(join(project, ".venv", "precious"))).toBe(true);
    rmSync(join(project, ".venv"), { recursive: true });
    expect(sync(project, "--copy").code).toBe(0);
    expect(lstatSync(join(project, ".venv")).isDirectory()).toBe(true);
    expect(lstatSync(join(project, ".venv/lib/python3.11/site-packages/gamma.py")).isFile()).toBe(true);
    expect(sync(project, "--copy").code).toBe(0); // replaces its own copy
    expect(execFileSync(join(project, ".venv/bin/python"), ["-c", "import gamma, sys; print(sys.prefix)"], { encoding: "utf8" }).trim()).toBe(join(project, ".venv"));
  });

  it("names the missing file when offline and no local source has it", () => {
    const project = join(work, "p4");
    pylock(project, [made["gamma-1.0"]!]);
    const lock = readFileSync(join(project, "pylock.toml"), "utf8").replace(/gamma-1\.0-py3-none-any\.whl/g, "gamma-1.0-py2.py3-none-any.whl");
    writeFileSync(join(project, "pylock.toml"), lock);
    const result = sync(project);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("ERR_WW_OFFLINE_MISSING");
    expect(result.stderr).toContain("gamma-1.0-py2.py3-none-any.whl");
    // with --reporter ndjson the failure is also the last event on stdout
    const ndjson = sync(project, "--reporter", "ndjson");
    const last = JSON.parse(ndjson.stdout.trim().split("\n").at(-1)!) as { type: string; error: { code: string; message: string } };
    expect(last.type).toBe("error");
    expect(last.error.code).toBe("ERR_WW_OFFLINE_MISSING");
  });

  it("reports venv collisions naming both packages, and honours ignore-collisions from pyproject.toml", () => {
    const project = join(work, "p5");
    pylock(project, [made["lic_a-1.0"]!, made["lic_b-1.0"]!]);
    const clash = sync(project);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(/ERR_WW_VENV_COLLISION.*LICENSE.*lic-a.*lic-b/s);
    writeFileSync(join(project, "pyproject.toml"), '[project]\nname = "p5"\nversion = "0"\n\n[tool.wheelwright.venv]\nignore-collisions = ["LICENSE"]\n');
    const ok = sync(project);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(join(project, ".venv/lib/python3.11/site-packages/LICENSE"), "utf8")).toBe("MIT\n");
    // an override naming a package the lock lacks is an error, with a suggestion
    writeFileSync(join(project, "pyproject.toml"), '[project]\nname = "p5"\nversion = "0"\n\n[tool.wheelwright.packages.lic-c]\nverify-record = false\n');
    const unknown = sync(project);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/ERR_WW_CONFIG.*lic-c.*not in the lock/s);
    expect(unknown.stderr).toMatch(/did you mean 'lic-[ab]'/);
  });
});
