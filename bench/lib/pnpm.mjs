// pnpm 12 as a benchmark peer: its Python support (`python.enabled`) installs a project's
// `pyproject.toml` dependencies into a `.venv` that links to an environment generation in
// pnpm's store (`<store>/python-envs/…`), locking them in a `pylock.toml`.
//
// Setup: pnpm 12 (the newest 12.x) is installed with `npm install` into a private directory
// under $TMPDIR and reused by later runs (BENCH_PNPM=<binary> uses another). The project the
// bench gives it:
//
//   pyproject.toml       [project] dependencies = every member of the set pinned with `==`
//   pnpm-workspace.yaml  python.enabled, python.executable = the bench's interpreter,
//                        runtimeOnFail: error (never download an interpreter), and the loopback
//                        index as the only `registries:` entry with `ecosystem: pypi`
//   pylock.toml          pnpm's own lock of that manifest, made once per corpus by an untimed
//                        install (`primeLock`) and copied into every timed project, which then
//                        runs `pnpm install --frozen-lockfile`: both tools install from a lock.
//
// Every pnpm process gets a private HOME and XDG_* directories, so its store
// (`$XDG_DATA_HOME/pnpm/store`), cache and state are the bench's alone; a cold run gets new ones.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measure } from "./measure.mjs";

const WANTED = "12";

/** `{ bin, version, source }`, or `{ skip: reason }` when pnpm 12 can't be had. */
export function ensurePnpm(log = () => {}) {
  const versionOf = (bin) => {
    const r = spawnSync(bin, ["--version"], { encoding: "utf8", timeout: 60_000, env: { PATH: process.env.PATH, HOME: tmpdir() } });
    return r.status === 0 ? r.stdout.trim() : undefined;
  };
  if (process.env.BENCH_PNPM) {
    const version = versionOf(process.env.BENCH_PNPM);
    if (version === undefined) return { skip: `BENCH_PNPM=${process.env.BENCH_PNPM} does not run` };
    return { bin: process.env.BENCH_PNPM, version, source: `BENCH_PNPM=${process.env.BENCH_PNPM}` };
  }
  const dir = join(tmpdir(), `wheelwright-bench-pnpm${WANTED}`);
  const bin = join(dir, "node_modules", ".bin", "pnpm");
  let version = existsSync(bin) ? versionOf(bin) : undefined;
  if (version === undefined || !version.startsWith(`${WANTED}.`)) {
    log(`installing pnpm@${WANTED} with npm into ${dir}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ private: true }));
    const r = spawnSync("npm", ["install", "--prefix", dir, "--no-audit", "--no-fund", "--no-save", `pnpm@${WANTED}`], { encoding: "utf8", timeout: 600_000 });
    if (r.status !== 0) return { skip: `npm install pnpm@${WANTED} failed (is the npm registry reachable?): ${(r.stderr || r.error?.message || "").trim().split("\n").slice(-3).join(" ")}` };
    version = existsSync(bin) ? versionOf(bin) : undefined;
    if (version === undefined) return { skip: `pnpm@${WANTED} installed into ${dir} but ${bin} does not run (were its install scripts blocked?)` };
  }
  return { bin, version, source: `npm install pnpm@${WANTED} (cached in ${dir})` };
}

/** The environment of a pnpm process whose home (store, cache, config, state) is `home`. */
export function pnpmEnv(home) {
  return {
    PATH: process.env.PATH,
    HOME: home,
    XDG_DATA_HOME: join(home, ".local/share"),
    XDG_CACHE_HOME: join(home, ".cache"),
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_STATE_HOME: join(home, ".local/state"),
    CI: "true",
  };
}

/** The store directory a pnpm process with `pnpmEnv(home)` uses. */
export const pnpmStore = (home) => join(home, ".local/share/pnpm/store");

/** Writes pyproject.toml and pnpm-workspace.yaml (and `lock` as pylock.toml when given). */
export function writePnpmProject(dir, set, { indexUrl, python, lock }) {
  mkdirSync(dir, { recursive: true });
  const deps = [...set].sort((a, b) => (a.name < b.name ? -1 : 1)).map((w) => `  "${w.name}==${w.version}",`);
  writeFileSync(join(dir, "pyproject.toml"), ["[project]", 'name = "bench"', 'version = "0.0.0"', 'requires-python = ">=3.11"', "dependencies = [", ...deps, "]", ""].join("\n"));
  writeFileSync(
    join(dir, "pnpm-workspace.yaml"),
    ["python:", "  enabled: true", `  executable: ${python}`, "runtimeOnFail: error", "registries:", `  ${indexUrl}:`, "    ecosystem: pypi", ""].join("\n"),
  );
  if (lock !== undefined) writeFileSync(join(dir, "pylock.toml"), lock);
  return dir;
}

export const pnpmInstallArgs = ["install", "--frozen-lockfile"];

/**
 * Lets pnpm resolve the set once (untimed, asynchronously: the index it reads runs in this process) in `scratch` with a throw-away home; returns its
 * pylock.toml text. Throws when pnpm locked other versions than the set's.
 */
export async function primeLock(pnpm, set, { indexUrl, python, scratch }) {
  const project = writePnpmProject(join(scratch, "project"), set, { indexUrl, python });
  // asynchronous: the index it resolves against runs in this process
  const r = await measure(pnpm.bin, ["install"], { cwd: project, env: pnpmEnv(join(scratch, "home")), allowFailure: true });
  if (r.code !== 0) throw new Error(`pnpm install (locking the set) failed in ${project}:\n${r.stdout.slice(-2000)}${r.stderr.slice(-2000)}`);
  const lock = readFileSync(join(project, "pylock.toml"), "utf8");
  const norm = (name) => name.toLowerCase().replace(/[-_.]+/g, "-");
  const locked = new Set([...lock.matchAll(/^\[\[packages\]\]\nname = "([^"]+)"\nversion = "([^"]+)"/gm)].map((m) => `${norm(m[1])}==${m[2]}`));
  const wanted = set.map((w) => `${norm(w.name)}==${w.version}`);
  const missing = wanted.filter((x) => !locked.has(x));
  if (missing.length > 0 || locked.size !== wanted.length) throw new Error(`pnpm locked a different set: missing ${missing.join(", ") || "none"}; locked ${locked.size}, expected ${wanted.length}`);
  return lock;
}

