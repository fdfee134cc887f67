// End to end, offline, with GENUINE published wheels: flask, requests and pip with their
// runtime dependencies for this CPython 3.11 on Linux x86_64, picked from the machine's local
// simple-index mirror, locked in a pylock.toml whose URLs never resolve, and synced through the
// built CLI with `--mirror file://… --offline` (and, into a fresh store, with `--find-links` to
// the mirror's file directory). Skips, saying why, where the mirror or the interpreter is missing.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { hasPython311, PYTHON311, realInterpreter } from "../helpers/interpreter.js";
import { mirrorFilesDir, mirrorSkipReason, mirrorUrls, resolveFromMirror, sha256File, writeMirrorPylock, type MirrorWheel } from "../helpers/mirror.js";

const reason = !hasPython311 ? `no interpreter at ${PYTHON311}` : mirrorSkipReason();
if (reason !== undefined) console.warn(`skipping the mirror sync test: ${reason}`);

const ROOTS = ["flask", "requests", "pip"];

describe.skipIf(reason !== undefined)("sync of genuine wheels from the local mirror", () => {
  let wheels: MirrorWheel[];
  let work: string;
  const cleanEnv = { PATH: "/usr/bin:/bin", HOME: tmpdir() };

  beforeAll(async () => {
    wheels = await resolveFromMirror(ROOTS, await realInterpreter());
    work = mkdtempSync(join(tmpdir(), "ww-mirror-"));
  });
  afterAll(() => {
    if (work === undefined) return;
    spawnSync("chmod", ["-R", "u+w", work]); // store paths are read-only
    rmSync(work, { recursive: true, force: true });
  });

  const sync = (project: string, store: string, where: string[], extra: string[] = []) =>
    runCli(["sync", "-C", project, ...where, "--offline", "--store", store, "--python", PYTHON311, ...extra]);
  const events = (stdout: string) => stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { type: string; name?: string; source?: string });

  it("picks a consistent set of genuine wheels whose page hashes match their bytes", () => {
    const names = wheels.map((w) => w.name);
    // flask's and requests' own runtime dependencies, named by their METADATA
    for (const dep of ["flask", "werkzeug", "jinja2", "markupsafe", "itsdangerous", "click", "blinker", "requests", "urllib3", "idna", "certifi", "charset-normalizer", "pip"]) {
      expect(names).toContain(dep);
    }
    expect(wheels.length).toBeLessThan(25);
    // a compiled wheel for this interpreter where the project ships one
    expect(wheels.find((w) => w.name === "markupsafe")!.filename).toMatch(/-cp311-cp311-manylinux/);
    for (const w of wheels) expect(sha256File(w.path), w.filename).toBe(w.sha256);
  });

  it("syncs them with --mirror file:// --offline into a working environment; a second sync is a no-op", () => {
    const project = join(work, "mirror-project");
    const store = join(work, "store");
    mkdirSync(project);
    writeMirrorPylock(wheels, join(project, "pylock.toml"));
    const mirrors = mirrorUrls().flatMap((u) => ["--mirror", u]);
    const first = sync(project, store, mirrors, ["--reporter", "ndjson"]);
    expect(first.code, first.stderr).toBe(0);

    // every file came from the mirror (the lock's own URLs can't resolve, and we're offline)
    const fetched = events(first.stdout).filter((e) => e.type === "fetch-end");
    expect(fetched.map((e) => e.source)).toEqual(wheels.map(() => "mirror"));
    expect(fetched.map((e) => e.name).sort()).toEqual(wheels.map((w) => w.filename).sort());

    const venv = join(project, ".venv");
    const py = join(venv, "bin", "python");
    const run = (file: string, args: string[]) => execFileSync(file, args, { env: cleanEnv, encoding: "utf8" }).trim();
    // the modules import from the environment, at the locked versions
    const imported = JSON.parse(run(py, ["-c", "import json, flask, requests, markupsafe, importlib.metadata as md; print(json.dumps({'requests': requests.__version__, 'markupsafe': markupsafe.__file__, 'dists': sorted(f\"{d.metadata['Name']}=={d.version}\" for d in md.distributions())}))"])) as { requests: string; markupsafe: string; dists: string[] };
    expect(imported.requests).toBe(wheels.find((w) => w.name === "requests")!.version);
    expect(imported.markupsafe.startsWith(venv + "/lib/python3.11/site-packages/markupsafe/")).toBe(true);
    const norm = (s: string) => s.toLowerCase().replace(/[-_.]+/g, "-");
    expect(imported.dists.map(norm).sort()).toEqual(wheels.map((w) => norm(`${w.name}==${w.version}`)).sort());
    // console scripts run; pip (the mirror's, installed in the environment) finds nothing broken
    expect(run(join(venv, "bin", "flask"), ["--version"])).toMatch(new RegExp(`Flask ${wheels.find((w) => w.name === "flask")!.version.replaceAll(".", "\\.")}`));
    const check = spawnSync(py, ["-m", "pip", "check", "--disable-pip-version-check"], { env: cleanEnv, encoding: "utf8" });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/No broken requirements/);
    expect(run(py, ["-m", "pip", "--version"])).toContain(`pip ${wheels.find((w) => w.name === "pip")!.version} from ${venv}/lib/python3.11/site-packages/pip`);
    expect(readlinkSync(venv).startsWith(join(store, "store") + "/")).toBe(true);

    // again: nothing fetched, built or installed, the store unchanged
    const storeBefore = runCli(["store", "ls", "--store", store]).stdout;
    const second = sync(project, store, mirrors, ["--reporter", "ndjson"]);
    expect(second.code, second.stderr).toBe(0);
    expect(events(second.stdout).filter((e) => ["fetch-start", "install", "build-start"].includes(e.type))).toEqual([]);
    expect(runCli(["store", "ls", "--store", store]).stdout).toBe(storeBefore);
    expect(sync(project, store, mirrors).stderr).toContain("up to date");
  });

  it("syncs the same lock from the mirror's file directory with --find-links", () => {
    const project = join(work, "find-links-project");
    const store = join(work, "store-find-links");
    mkdirSync(project);
    writeMirrorPylock(wheels, join(project, "pylock.toml"));
    const dirs = [...new Set(wheels.map(mirrorFilesDir))].flatMap((d) => ["--find-links", d]);
    const result = sync(project, store, dirs, ["--reporter", "ndjson"]);
    expect(result.code, result.stderr).toBe(0);
    expect(events(result.stdout).filter((e) => e.type === "fetch-end").map((e) => e.source)).toEqual(wheels.map(() => "local"));
    const check = spawnSync(join(project, ".venv", "bin", "python"), ["-m", "pip", "check", "--disable-pip-version-check"], { env: cleanEnv, encoding: "utf8" });
    expect(check.status, check.stdout + check.stderr).toBe(0);
  });
});
