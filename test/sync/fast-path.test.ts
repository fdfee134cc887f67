// The no-op fast path of `wheelwright sync` through the built CLI: taken when nothing changed
// (ndjson and -v say so), and not taken — the full sync runs and does the right thing — when the
// lock, a setting, the interpreter, the .venv link or the store changed. Plus the argument
// parser it relies on, checked against commander's definition of `sync`.
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLAG_OPTIONS, PRESENTATION_OPTIONS, VALUE_OPTIONS, parseSyncArgv } from "../../src/cli/fast-sync.js";
import { registerCommands } from "../../src/cli/commands.js";
import { runCli, type CliResult } from "../helpers/cli.js";
import { hasPython311, PYTHON311 } from "../helpers/interpreter.js";
import { makeWheel } from "../install/fixtures.js";

const PYTHON312 = "/root/.pyenv/versions/3.12.1/bin/python3.12";
const FAST = "(fast path)";

if (!hasPython311) console.warn("skipping fast-path sync tests: no pyenv 3.11.7");

describe("parseSyncArgv", () => {
  it("keeps what can change the result, in canonical spellings, and drops presentation flags", () => {
    expect(parseSyncArgv(["sync", "-C", "p", "--lock=x.toml", "-vv", "--reporter", "ndjson", "-j", "2", "-k", "--offline"])).toEqual({
      args: ["--project", "p", "--lock", "x.toml", "--jobs", "2", "--keep-going", "--offline"],
      reporter: { reporter: "ndjson", verbose: 2 },
      project: "p",
      lock: "x.toml",
    });
    expect(parseSyncArgv(["-q", "--reporter=plain", "sync"])).toEqual({ args: [], reporter: { quiet: true, reporter: "plain" } });
    // the same invocation with other presentation flags has the same key-relevant arguments
    expect(parseSyncArgv(["sync", "--offline", "-v"])!.args).toEqual(parseSyncArgv(["--reporter", "ndjson", "sync", "--offline"])!.args);
  });

  it("leaves everything it does not know for certain to the full command line", () => {
    for (const argv of [[], ["plan"], ["sync", "--copy"], ["sync", "--help"], ["sync", "-h"], ["sync", "extra"], ["sync", "-Cdir"], ["sync", "--lock"], ["sync", "--offline=yes"], ["sync", "sync"], ["-C", "p", "sync"], ["sync", "--"], ["sync", "-vq"]]) {
      expect(parseSyncArgv(argv), argv.join(" ")).toBeNull();
    }
  });

  it("agrees with commander's definition of sync on every option it knows", () => {
    const program = new Command("wheelwright");
    registerCommands(program);
    const sync = program.commands.find((c) => c.name() === "sync")!;
    const options = [...sync.options, ...program.options];
    const spellings = (o: (typeof options)[number]) => [o.short, o.long].filter((s): s is string => s !== undefined);
    const takesValue = new Map(options.flatMap((o) => spellings(o).map((s) => [s, o.required || o.optional] as const)));
    for (const name of Object.keys(VALUE_OPTIONS)) expect(takesValue.get(name), name).toBe(true);
    for (const name of Object.keys(FLAG_OPTIONS)) expect(takesValue.get(name), name).toBe(false);
    for (const name of PRESENTATION_OPTIONS) expect(takesValue.has(name), name).toBe(true);
    // options the fast path leaves to the full sync on purpose: --copy rewrites the tree every time
    const known = new Set([...Object.keys(VALUE_OPTIONS), ...Object.keys(FLAG_OPTIONS), ...PRESENTATION_OPTIONS]);
    const unknown = options.flatMap(spellings).filter((s) => !known.has(s) && s !== "-V" && s !== "--version");
    expect(unknown.sort()).toEqual(["--copy"]);
  });
});

describe.skipIf(!hasPython311)("sync fast path", () => {
  let work: string;
  let wheels: string;
  let store: string;
  let cache: string;
  const made: Record<string, string> = {};

  function pylock(project: string, names: string[]): void {
    const lines = ['lock-version = "1.0"', 'created-by = "test"', ""];
    for (const key of names) {
      const path = made[key]!;
      const file = path.slice(path.lastIndexOf("/") + 1);
      const [name, version] = key.split("-");
      const sha = createHash("sha256").update(readFileSync(path)).digest("hex");
      lines.push("[[packages]]", `name = "${name}"`, `version = "${version}"`, `wheels = [{ name = "${file}", url = "https://files.wheelwright.invalid/${file}", hashes = { sha256 = "${sha}" } }]`, "");
    }
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, "pylock.toml"), lines.join("\n"));
  }

  const env = (extra: NodeJS.ProcessEnv = {}) => ({ XDG_CACHE_HOME: cache, ...extra });
  const sync = (project: string, extra: string[] = [], options: { python?: string; env?: NodeJS.ProcessEnv } = {}): CliResult =>
    runCli(["sync", "-C", project, "--find-links", wheels, "--offline", "--store", store, "--python", options.python ?? PYTHON311, ...extra], { env: env(options.env) });
  /** The debug messages of an ndjson run. */
  const logs = (result: CliResult) =>
    result.stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; message?: string })
      .filter((e) => e.type === "log")
      .map((e) => e.message!);
  const ndjson = (project: string, options: { python?: string; env?: NodeJS.ProcessEnv; extra?: string[] } = {}) => {
    const result = sync(project, [...(options.extra ?? []), "--reporter", "ndjson"], options);
    expect(result.code, result.stderr).toBe(0);
    return { result, logs: logs(result), fast: logs(result).some((m) => m.includes(FAST)) };
  };
  /** Makes sure the next run can take the fast path: a sync records only files older than the run. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "ww-fast-"));
    wheels = join(work, "wheels");
    store = join(work, "store");
    cache = join(work, "cache");
    mkdirSync(wheels);
    for (const [name, version] of [["alpha", "1.0"], ["alpha", "2.0"], ["beta", "1.0"]] as const) {
      made[`${name}-${version}`] = await makeWheel(wheels, { name, version, files: { [`${name}/__init__.py`]: `VERSION = '${version}'\n` } });
    }
  });
  afterAll(() => {
    spawnSync("chmod", ["-R", "u+w", work]);
    rmSync(work, { recursive: true, force: true });
  });

  it("answers a sync that would change nothing, saying so in ndjson and at -v, exactly as the full no-op does", async () => {
    const project = join(work, "same");
    pylock(project, ["alpha-1.0"]);
    await settle();
    const first = ndjson(project);
    expect(first.fast).toBe(false);
    expect(first.logs).toContain("full sync: no record of an earlier sync with these arguments");
    expect(first.logs.some((m) => m.startsWith("recorded the inputs of this sync"))).toBe(true);
    const venv = readlinkSync(join(project, ".venv"));

    const second = ndjson(project);
    expect(second.fast).toBe(true);
    expect(second.result.stderr).toBe(`${join(project, ".venv")} is up to date (${venv})\n`);
    // the full no-op prints the same line
    const full = ndjson(project, { env: { WHEELWRIGHT_JOBS: "1" } });
    expect(full.fast).toBe(false);
    expect(full.logs).toContain("up to date: every store path of the plan is present (full sync)");
    expect(full.result.stderr).toBe(second.result.stderr);

    // other presentation flags share the record; -q prints nothing
    const verbose = sync(project, ["-v", "--reporter", "plain"]);
    expect(verbose.stderr).toBe(`debug: up to date: nothing changed since the last sync (fast path)\n${second.result.stderr}`);
    const quiet = sync(project, ["-q"]);
    expect([quiet.code, quiet.stdout, quiet.stderr]).toEqual([0, "", ""]);
  });

  it("runs the full sync when the lock changes, and not when it is only touched", async () => {
    const project = join(work, "lock");
    pylock(project, ["alpha-1.0"]);
    await settle();
    ndjson(project);
    const before = readlinkSync(join(project, ".venv"));
    // same bytes, new timestamps: the content hash decides
    const now = new Date();
    utimesSync(join(project, "pylock.toml"), now, now);
    expect(ndjson(project).fast).toBe(true);

    pylock(project, ["alpha-2.0", "beta-1.0"]);
    const changed = ndjson(project);
    expect(changed.fast).toBe(false);
    expect(changed.logs).toContain(`full sync: ${join(project, "pylock.toml")} changed`);
    expect(readlinkSync(join(project, ".venv"))).not.toBe(before);
    expect(existsSync(join(project, ".venv/lib/python3.11/site-packages/beta/__init__.py"))).toBe(true);
    // which lock files the directory holds is part of the record (discovery chooses among them)
    writeFileSync(join(project, "uv.lock"), "version = 1\n");
    const listing = ndjson(project);
    expect(listing.logs).toContain(`full sync: the entries of ${project} changed`);
  });

  it("runs the full sync when a setting changes: pyproject.toml, a variable, a flag", async () => {
    const project = join(work, "settings");
    pylock(project, ["alpha-1.0", "beta-1.0"]);
    writeFileSync(join(project, "pyproject.toml"), '[project]\nname = "settings"\nversion = "0"\n');
    await settle();
    ndjson(project);
    expect(ndjson(project).fast).toBe(true);

    writeFileSync(join(project, "pyproject.toml"), '[project]\nname = "settings"\nversion = "0"\n\n[tool.wheelwright.venv]\nskip = ["beta"]\n');
    const pyproject = ndjson(project);
    expect(pyproject.fast).toBe(false);
    expect(pyproject.logs).toContain(`full sync: ${join(project, "pyproject.toml")} changed`);

    const variable = ndjson(project, { env: { WHEELWRIGHT_SOURCE_PREFERENCE: "sdist" } });
    expect(variable.fast).toBe(false);
    expect(variable.logs[0]).toMatch(/^full sync: no record/);

    const flag = ndjson(project, { extra: ["--no-build"] });
    expect(flag.fast).toBe(false);
    await settle();
    expect(ndjson(project, { extra: ["--no-build"] }).fast).toBe(true);
  });

  it.skipIf(!existsSync(PYTHON312))("runs the full sync when the interpreter changes", async () => {
    const project = join(work, "python");
    pylock(project, ["alpha-1.0"]);
    const bin = join(work, "bin");
    mkdirSync(bin);
    const python = join(bin, "python");
    symlinkSync(PYTHON311, python);
    await settle();
    ndjson(project, { python });
    expect(ndjson(project, { python }).fast).toBe(true);
    rmSync(python);
    symlinkSync(PYTHON312, python);
    const changed = ndjson(project, { python });
    expect(changed.fast).toBe(false);
    expect(changed.logs).toContain(`full sync: ${python} changed`);
    expect(existsSync(join(project, ".venv/lib/python3.12/site-packages/alpha/__init__.py"))).toBe(true);
  });

  it("notices a new interpreter on PATH when the request is a version", async () => {
    const project = join(work, "version");
    pylock(project, ["alpha-1.0"]);
    const bin = join(work, "path-bin");
    mkdirSync(bin);
    const path = `${bin}:${process.env.PATH ?? ""}`;
    await settle();
    const first = ndjson(project, { python: "3.11", env: { PATH: path } });
    expect(first.logs.some((m) => m.startsWith("recorded the inputs")), first.logs.join("\n")).toBe(true);
    expect(ndjson(project, { python: "3.11", env: { PATH: path } }).fast).toBe(true);
    symlinkSync(PYTHON311, join(bin, "python3.11"));
    const changed = ndjson(project, { python: "3.11", env: { PATH: path } });
    expect(changed.fast).toBe(false);
    expect(changed.logs).toContain(`full sync: the entries of ${bin} changed`);
  });

  it("runs the full sync when .venv no longer points at the environment, or gc collected it", async () => {
    const project = join(work, "link");
    pylock(project, ["alpha-1.0"]);
    await settle();
    ndjson(project);
    const venv = readlinkSync(join(project, ".venv"));
    rmSync(join(project, ".venv"));
    const relinked = ndjson(project);
    expect(relinked.fast).toBe(false);
    expect(relinked.logs).toContain(`full sync: ${join(project, ".venv")} no longer points at ${venv}`);
    expect(readlinkSync(join(project, ".venv"))).toBe(venv);
    expect(ndjson(project).fast).toBe(true);

    // drop the GC root behind the link's back, so gc collects the environment the link still names
    for (const root of readdirSync(join(store, "roots"))) rmSync(join(store, "roots", root));
    const gc = runCli(["gc", "--store", store], { env: env() });
    expect(gc.code, gc.stderr).toBe(0);
    expect(existsSync(venv)).toBe(false);
    const collected = ndjson(project);
    expect(collected.fast).toBe(false);
    expect(collected.logs.find((m) => m.startsWith("full sync:"))).toMatch(/store paths are no longer valid/);
    expect(existsSync(join(venv, "pyvenv.cfg"))).toBe(true);
  });

  it("does not record a file that changed after the sync started (it may not be what the plan read)", async () => {
    // the built module: records carry dist/build-id.json
    const fp = (await import(join(import.meta.dirname, "../../dist/sync/fast-path.js"))) as typeof import("../../src/sync/fast-path.js");
    const file = join(work, "racy.toml");
    writeFileSync(file, "x = 1\n");
    const key = fp.fastPathKey({ cwd: work, args: ["--racy"], env: {} });
    const input = { output: join(work, "racy-venv"), venv: "/nowhere", store: { root: store, paths: [] }, contentFiles: [file], statFiles: [], dirs: [], dirsBefore: [], trees: [] };
    const records = join(work, "records");
    expect(fp.recordFastPath(key, { ...input, startedAt: Date.now() - 5 }, { dir: records })).toEqual({ recorded: false, reason: `${file} changed while the sync ran` });
    expect(existsSync(records)).toBe(false);
    const later = fp.recordFastPath(key, { ...input, startedAt: Date.now() + 1000 }, { dir: records });
    expect(later.recorded).toBe(true);
    // and a record whose link is wrong is a miss naming it
    expect(await fp.checkFastPath(key, { dir: records })).toEqual({ upToDate: false, reason: `${join(work, "racy-venv")} no longer points at /nowhere` });
    // the cache is bounded: the oldest records go first, never the one just written
    for (let i = 0; i < fp.MAX_RECORDS + 5; i++) {
      writeFileSync(join(records, `old-${i}.json`), "{}");
      utimesSync(join(records, `old-${i}.json`), new Date(1e9 + i), new Date(1e9 + i));
    }
    expect(fp.recordFastPath(key, { ...input, startedAt: Date.now() + 1000 }, { dir: records }).recorded).toBe(true);
    const left = readdirSync(records);
    expect(left.length).toBe(fp.MAX_RECORDS);
    expect(left).toContain(`${key.id}.json`);
    expect(left).not.toContain("old-0.json");
  });
});
