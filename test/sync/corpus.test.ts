// End to end, offline: the 103 distributions of the pyenv 3.11.7 interpreter, repacked into
// wheels, described by a pylock.toml and a uv.lock whose URLs never resolve, synced through
// the built CLI from a local wheelhouse into standard virtual environments.
import { execFileSync, spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeName } from "../../src/pep/names.js";
import type { Interpreter } from "../../src/python/types.js";
import { runCli } from "../helpers/cli.js";
import { writeCorpusPylock, writeCorpusUvLock } from "../helpers/corpus-locks.js";
import { hasPython311, PYTHON311, realInterpreter } from "../helpers/interpreter.js";
import { corpusSkipReason, ensureRepackedCorpus, type RepackedCorpus } from "../helpers/repack.js";

const skip = !hasPython311 || corpusSkipReason() !== undefined;
if (skip) console.warn(`skipping the corpus sync test: ${corpusSkipReason() ?? "no pyenv 3.11.7"}`);

/** Top-level import names of every distribution, and which of them fail to import. */
const IMPORT_CHECK = `
import importlib, importlib.metadata as md, json, sys
names = set()
for d in md.distributions():
    top = d.read_text("top_level.txt")
    if top:
        names.update(n.strip().replace("/", ".") for n in top.split() if n.strip())
    else:
        for f in d.files or []:
            parts = f.parts
            if len(parts) == 1 and parts[0].endswith(".py"):
                names.add(parts[0][:-3])
            elif len(parts) > 1 and parts[0].isidentifier() and not parts[0].endswith((".dist-info", ".data")) and parts[-1] == "__init__.py" and len(parts) == 2:
                names.add(parts[0])
failed = {}
for name in sorted(n for n in names if n and not n.startswith("_") or n in ("_pytest", "_yaml", "_cffi_backend", "_ruamel_yaml")):
    try:
        importlib.import_module(name)
    except BaseException as e:
        failed[name] = type(e).__name__
print(json.dumps({"names": sorted(names), "failed": failed}))
`;

describe.skipIf(skip)("sync of the repacked interpreter corpus", () => {
  let corpus: RepackedCorpus;
  let python: Interpreter;
  let work: string;
  let store: string;
  const cleanEnv = { PATH: "/usr/bin:/bin", HOME: tmpdir() };

  const sync = (project: string, extra: string[] = []) =>
    runCli(["sync", "-C", project, "--find-links", corpus.dir, "--offline", "--store", store, "--python", PYTHON311, ...extra]);

  beforeAll(async () => {
    corpus = (await ensureRepackedCorpus())!;
    python = await realInterpreter();
    work = mkdtempSync(join(tmpdir(), "ww-corpus-"));
    store = join(work, "store");
  });
  afterAll(() => {
    // store paths are read-only: make them writable before removing
    spawnSync("chmod", ["-R", "u+w", work]);
    rmSync(work, { recursive: true, force: true });
  });

  it("builds a working venv from a pylock.toml, offline, from the wheelhouse", { timeout: 1_200_000 }, () => {
    const project = join(work, "pylock-project");
    mkdirSync(project);
    writeCorpusPylock(corpus.wheels, join(project, "pylock.toml"));
    const first = sync(project);
    expect(first.code, first.stderr).toBe(0);

    const venv = join(project, ".venv");
    expect(lstatSync(venv).isSymbolicLink()).toBe(true);
    const target = readlinkSync(venv);
    expect(target.startsWith(join(store, "store") + "/")).toBe(true);
    const py = join(venv, "bin", "python");
    const run = (code: string) => execFileSync(py, ["-c", code], { env: cleanEnv, encoding: "utf8", maxBuffer: 16 << 20 }).trim();

    // a standard venv: its own prefix, nothing on PYTHONPATH, the base site-packages invisible
    const prefix = run("import sys; print(sys.prefix)");
    expect(realpathSync(prefix)).toBe(realpathSync(target));
    expect(run("import sys; print(sys.base_prefix)")).toBe(python.basePrefix);
    const sysPath = JSON.parse(run("import sys, json; print(json.dumps(sys.path))")) as string[];
    expect(sysPath.filter((p) => p.includes("site-packages")).every((p) => realpathSync(p).startsWith(realpathSync(target)))).toBe(true);
    expect(run("import sys, subprocess; print(subprocess.check_output([sys.executable, '-c', 'import flask, sys; print(sys.prefix)'], text=True).strip())")).toBe(prefix);

    // every member is installed with the right version
    const listed = JSON.parse(run("import subprocess, sys; print(subprocess.check_output([sys.executable, '-m', 'pip', 'list', '--format', 'json', '--disable-pip-version-check'], text=True))")) as { name: string; version: string }[];
    const expected = corpus.wheels.map((w) => `${normalizeName(w.name)}==${w.version}`).sort();
    expect(listed.map((d) => `${normalizeName(d.name)}==${d.version}`).sort()).toEqual(expected);
    const check = spawnSync(py, ["-m", "pip", "check", "--disable-pip-version-check"], { env: cleanEnv, encoding: "utf8" });
    expect(check.status, check.stdout + check.stderr).toBe(0);

    // every top-level module imports, except those that fail the same way in the base interpreter
    const inVenv = JSON.parse(run(IMPORT_CHECK)) as { names: string[]; failed: Record<string, string> };
    const inBase = JSON.parse(execFileSync(PYTHON311, ["-c", IMPORT_CHECK], { env: cleanEnv, encoding: "utf8", maxBuffer: 16 << 20 }).trim()) as { names: string[]; failed: Record<string, string> };
    expect(inVenv.names.length).toBeGreaterThan(100);
    const onlyInVenv = Object.keys(inVenv.failed).filter((n) => !(n in inBase.failed));
    expect(onlyInVenv, JSON.stringify(inVenv.failed)).toEqual([]);
    console.log(`corpus venv: ${listed.length} distributions, ${inVenv.names.length} top-level modules, ${inVenv.names.length - Object.keys(inVenv.failed).length} import (${Object.keys(inBase.failed).length} fail in the base interpreter too)`);

    // console scripts run with the venv's python
    const flask = readFileSync(join(venv, "bin", "flask"), "utf8").split("\n")[0];
    expect(flask).toBe(`#!${target}/bin/python`);
    expect(execFileSync(join(venv, "bin", "pip"), ["--version"], { env: cleanEnv, encoding: "utf8" })).toContain(`${target}/lib/python3.11/site-packages/pip`);
    expect(execFileSync(join(venv, "bin", "flask"), ["--version"], { env: cleanEnv, encoding: "utf8" })).toMatch(/Flask \d/);
    expect(execFileSync(join(venv, "bin", "pytest"), ["--version"], { env: cleanEnv, encoding: "utf8" }) + "").toBeDefined();

    // a second sync builds and fetches nothing
    const storeBefore = runCli(["store", "ls", "--store", store]).stdout;
    const second = sync(project);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain("up to date");
    expect(runCli(["store", "ls", "--store", store]).stdout).toBe(storeBefore);
    const plan = JSON.parse(runCli(["plan", "--json", "-C", project, "--find-links", corpus.dir, "--offline", "--store", store, "--python", PYTHON311]).stdout) as { derivations: { status: string }[] };
    expect(plan.derivations.length).toBe(corpus.wheels.length + 1);
    expect(plan.derivations.every((d) => d.status === "present")).toBe(true);
  });

  it("syncs the same corpus from a uv.lock, sharing every package path with the pylock sync", { timeout: 600_000 }, () => {
    const project = join(work, "uv-project");
    mkdirSync(project);
    writeCorpusUvLock(corpus.wheels, python.markerEnvironment, join(project, "uv.lock"));
    const before = new Set(runCli(["store", "ls", "--store", store]).stdout.split("\n").filter(Boolean).map((l) => l.trim().split(/\s+/)[1]));
    const result = sync(project, ["--reporter", "ndjson"]);
    expect(result.code, result.stderr).toBe(0);
    const events = result.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { type: string });
    expect(events.filter((e) => e.type === "install")).toEqual([]); // nothing new to install
    const after = runCli(["store", "ls", "--store", store]).stdout.split("\n").filter(Boolean).map((l) => l.trim().split(/\s+/)[1]!);
    expect(after.filter((p) => !before.has(p)).map((p) => p.slice(p.lastIndexOf("/") + 34))).toEqual(["uv-project-env"]);
    const check = spawnSync(join(project, ".venv", "bin", "python"), ["-m", "pip", "check"], { env: cleanEnv, encoding: "utf8" });
    expect(check.status, check.stdout).toBe(0);
  });
});
