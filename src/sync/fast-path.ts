/**
 * The no-op fast path of `sync`: after a successful sync, record what its result was computed
 * from (a *fingerprint*); a later sync with the same invocation checks that record cheaply and,
 * when every input is unchanged, the link still points at the recorded environment and the
 * store still holds every path of the plan, reports "up to date" without loading the lock
 * readers, the package set, the interpreter probe or the planner.
 *
 * What a record holds, and why it is enough (docs/concepts.md, "No-op syncs"):
 *
 * - **key**: the invocation — working directory, the sync command's arguments minus the
 *   presentation flags (-v, -q, --reporter), every `WHEELWRIGHT_*` variable and the variables
 *   defaults are read from (PATH, HOME, XDG_*, PYENV_ROOT), Node's version. Settings are a
 *   function of the key and of pyproject.toml's bytes.
 * - **buildId**: a hash of wheelwright's own built files (dist/build-id.json, written by
 *   scripts/build.mjs), so any change of wheelwright — builders, derivation format — misses.
 * - **files**: every file whose bytes the plan depended on — the lock, pyproject.toml (the
 *   project's and the lock directory's), the build lock, patches, an editable member's
 *   metadata files, a prebuilt distribution's RECORD (fast-path-record.ts) — and every file deciding which interpreter is used and
 *   what its (cached) probe answers. Each is kept as its stat signature (device, inode, size,
 *   mtime, ctime, type) and, for content files, a sha256: an equal signature means the same
 *   bytes (ctime can't be set back without changing the clock); a different one is re-hashed.
 * - **dirs**: directory listings that choose files (lock discovery: `pylock.toml`, `uv.lock`;
 *   interpreter discovery: `python*` on PATH, pyenv's versions; a prebuilt override's
 *   `*.dist-info`).
 * - **trees**: the tree hash of every local directory source, recomputed on check.
 * - **store**: the store root, its version stamp and schema version, and every store path of
 *   the plan (packages, build environments, the venv): the check asks the store database that
 *   all of them are still valid — the same definition of "present" the planner uses — so a
 *   path collected by `gc` or repaired away by `store verify` misses.
 * - **output/venv**: the environment link and the store venv it must point at.
 *
 * Races: a file whose ctime is not at least RACY_MS older than the start of the sync that
 * would record it is not recorded (it may have changed while the plan read it); the next sync
 * records. Listings are taken before planning and must be unchanged after.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cacheDir } from "../util/cache-dir.js";
import { dirname, join, resolve } from "node:path";

/** Bumped whenever the record's shape or meaning changes. */
export const FAST_PATH_FORMAT = 1;

/** A file changed this recently before a sync started is not trusted to be what the plan read. */
const RACY_MS = 20;

/** Environment variables besides `WHEELWRIGHT_*` that settings or defaults read. */
const KEY_ENV = ["PATH", "HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "PYENV_ROOT", "PYENV_VERSION", "PYENV_DIR"];

/** What a sync was invoked with: enough to compute its settings given the files it reads. */
export interface Invocation {
  cwd: string;
  /** The sync command's arguments that can change its result, in order (presentation flags removed). */
  args: string[];
  env: NodeJS.ProcessEnv;
}

export interface FastPathKey {
  /** File name of the record. */
  id: string;
  /** The full key (kept in the record and compared, so a name collision can't match). */
  text: string;
}

export function fastPathKey(invocation: Invocation): FastPathKey {
  const env: Record<string, string> = {};
  for (const name of Object.keys(invocation.env).sort()) {
    const value = invocation.env[name];
    if (value !== undefined && (name.startsWith("WHEELWRIGHT_") || KEY_ENV.includes(name))) env[name] = value;
  }
  const text = JSON.stringify({ format: FAST_PATH_FORMAT, node: process.version, cwd: invocation.cwd, args: invocation.args, env });
  return { id: createHash("sha256").update(text).digest("hex").slice(0, 32), text };
}

/** `$XDG_CACHE_HOME/wheelwright/sync` (else ~/.cache/wheelwright/sync): one small JSON per invocation. */
export function fastPathDir(env: NodeJS.ProcessEnv = process.env): string {
  return cacheDir("sync", env);
}

/** Stat signature of a file; null when it does not exist. */
export interface Signature {
  type: "f" | "d" | "o";
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  /** Where symlinks lead (interpreters: the probe cache is keyed by it). */
  real?: string;
}

export interface FileWitness {
  path: string;
  sig: Signature | null;
  /** sha256 of the bytes (content files); without it only the signature counts. */
  sha256?: string;
}

export interface DirWitness {
  dir: string;
  /** Which entries count: lock-file names, interpreter names, or all. */
  match: "locks" | "interpreters" | "dist-info" | "all";
  names: string[] | null;
}

export interface TreeWitness {
  path: string;
  hash: string;
}

export interface FastPathRecord {
  format: number;
  key: string;
  buildId: string;
  output: string;
  venv: string;
  store: { root: string; version: string; schema: number; paths: string[]; db?: DbState };
  files: FileWitness[];
  dirs: DirWitness[];
  trees: TreeWitness[];
  recordedAt: number;
}

export type FastPathCheck = { upToDate: true; output: string; venv: string } | { upToDate: false; reason: string };

// ---------------------------------------------------------------------------------------------
// Witnesses

function signature(path: string, withReal: boolean): Signature | null {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return null;
  const sig: Signature = { type: stat.isFile() ? "f" : stat.isDirectory() ? "d" : "o", dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs };
  if (withReal) sig.real = realpathSync(path);
  return sig;
}

function sameSignature(a: Signature | null, b: Signature | null): boolean {
  if (a === null || b === null) return a === b;
  return a.type === b.type && a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.real === b.real;
}

function sha256File(path: string): string | null {
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch {
    return null;
  }
}

const MATCHERS: Record<DirWitness["match"], (name: string) => boolean> = {
  locks: (name) => name === "uv.lock" || /^pylock\.([^.]+\.)?toml$/.test(name),
  interpreters: (name) => /^(python|pypy)/i.test(name),
  "dist-info": (name) => name.endsWith(".dist-info"),
  all: () => true,
};

/** The matching entries of a directory, sorted; null when it can't be listed. */
export function listDir(dir: string, match: DirWitness["match"]): string[] | null {
  try {
    return readdirSync(dir).filter(MATCHERS[match]).sort();
  } catch {
    return null;
  }
}

function fileChanged(w: FileWitness): string | undefined {
  let now: Signature | null;
  try {
    now = signature(w.path, w.sig?.real !== undefined);
  } catch {
    now = null;
  }
  if (sameSignature(now, w.sig)) return undefined;
  // Touched but maybe not changed: the bytes decide for content files.
  if (w.sha256 !== undefined && now !== null && now.type === "f" && sha256File(w.path) === w.sha256) return undefined;
  return `${w.path} changed`;
}

// ---------------------------------------------------------------------------------------------
// Check

function readBuildId(): string | null {
  try {
    const parsed = JSON.parse(readFileSync(new URL("../build-id.json", import.meta.url), "utf8")) as { id?: unknown };
    return typeof parsed.id === "string" ? parsed.id : null;
  } catch {
    return null;
  }
}

/** The record for a key, if one exists and parses. */
export function readFastPathRecord(key: FastPathKey, dir: string): FastPathRecord | null {
  try {
    const record = JSON.parse(readFileSync(join(dir, `${key.id}.json`), "utf8")) as FastPathRecord;
    return record !== null && typeof record === "object" ? record : null;
  } catch {
    return null;
  }
}

/**
 * Decides whether the sync `key` stands for would change nothing. Never throws: anything it
 * can't establish is a miss, and the caller runs the full sync.
 */
export async function checkFastPath(key: FastPathKey, options: { dir?: string } = {}): Promise<FastPathCheck> {
  const miss = (reason: string): FastPathCheck => ({ upToDate: false, reason });
  try {
    const dir = options.dir ?? fastPathDir();
    const record = readFastPathRecord(key, dir);
    if (record === null) return miss("no record of an earlier sync with these arguments");
    if (record.format !== FAST_PATH_FORMAT || record.key !== key.text) return miss("the record is of another format or invocation");
    const buildId = readBuildId();
    if (buildId === null || buildId !== record.buildId) return miss("wheelwright changed since the last sync");
    let target: string | undefined;
    try {
      target = readlinkSync(record.output);
    } catch {
      target = undefined;
    }
    if (target !== record.venv) return miss(`${record.output} no longer points at ${record.venv}`);
    for (const file of record.files) {
      const changed = fileChanged(file);
      if (changed !== undefined) return miss(changed);
    }
    for (const d of record.dirs) {
      if (JSON.stringify(listDir(d.dir, d.match)) !== JSON.stringify(d.names)) return miss(`the entries of ${d.dir} changed`);
    }
    if (record.trees.length > 0) {
      // Loaded only here: most projects have no directory sources.
      const { treeHash } = await import("../lock/tree-hash.js");
      for (const tree of record.trees) {
        let hash: string | null;
        try {
          hash = treeHash(tree.path);
        } catch {
          hash = null;
        }
        if (hash !== tree.hash) return miss(`the source tree ${tree.path} changed`);
      }
    }
    const store = checkStore(record.store);
    if ("problem" in store) return miss(store.problem);
    if (store.keep !== undefined) {
      try {
        writeRecord(dir, key, { ...record, store: { ...record.store, db: store.keep } });
      } catch {
        // an unwritable cache only costs the next check a query
      }
    }
    return { upToDate: true, output: record.output, venv: record.venv };
  } catch (error) {
    return miss(`the check failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const require = createRequire(import.meta.url);

/** Stat signatures of the store database's files: any committed write changes one of them. */
interface DbState {
  main: Signature | null;
  wal: Signature | null;
}

function dbState(root: string): DbState {
  const file = join(root, "var", "db.sqlite");
  return { main: signature(file, false), wal: signature(`${file}-wal`, false) };
}

/**
 * Writes change a file's mtime; ctime is left out because SQLite, running as root, chowns the
 * WAL file to the database's owner whenever it opens it — even for a read-only connection.
 */
const sameWrites = (a: Signature | null, b: Signature | null) => (a === null || b === null ? a === b : a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs);
const sameDbState = (a: DbState, b: DbState) => sameWrites(a.main, b.main) && sameWrites(a.wal, b.wal);

/**
 * Every recorded path still valid in the store database (the store's only notion of
 * "present": files without a row are never trusted), under the same store version.
 *
 * Asking SQLite costs loading its addon, most of a fast path's time. So once a check found
 * every path valid, it keeps the database files' signatures in the record (`store.db`), and a
 * later check that finds them unchanged skips the query: in WAL mode every committed
 * transaction appends to `db.sqlite-wal` and every checkpoint writes `db.sqlite` (a WAL reset
 * or removal changes its inode or existence), so equal (inode, size, mtime) mean equal
 * contents — the race argument of the file witnesses applies (signatures are only kept when
 * their mtime is RACY_MS old, and are taken before and after the query). Returns the state to
 * keep, if any.
 */
function checkStore(store: FastPathRecord["store"]): { problem: string } | { keep?: DbState } {
  let version: string;
  try {
    version = readFileSync(join(store.root, "VERSION"), "utf8").trim();
  } catch {
    return { problem: `the store ${store.root} is gone` };
  }
  if (version !== store.version) return { problem: `the store ${store.root} has another layout version` };
  const before = dbState(store.root);
  if (before.main === null) return { problem: `the store ${store.root} has no database` };
  if (store.db !== undefined && sameDbState(before, store.db)) return {};
  const Database = require("better-sqlite3") as typeof import("better-sqlite3");
  const binding = nativeBinding();
  const db = new Database(join(store.root, "var", "db.sqlite"), { readonly: true, fileMustExist: true, ...(binding !== undefined ? { nativeBinding: binding } : {}) });
  try {
    const row = db
      .prepare("SELECT (SELECT max(version) FROM SchemaVersion) AS schema, (SELECT count(*) FROM ValidPaths WHERE path IN (SELECT value FROM json_each(?))) AS valid")
      .get(JSON.stringify(store.paths)) as { schema: number | null; valid: number };
    if (row.schema !== store.schema) return { problem: `the store database ${store.root} has another schema version` };
    if (row.valid !== store.paths.length) return { problem: `${store.paths.length - row.valid} of the environment's ${store.paths.length} store paths are no longer valid (gc or store verify --repair)` };
  } finally {
    db.close();
  }
  const after = dbState(store.root);
  const settled = (sig: Signature | null) => sig === null || sig.mtimeMs < Date.now() - RACY_MS;
  return sameDbState(before, after) && settled(after.main) && settled(after.wal) ? { keep: after } : {};
}

/** The addon's file, so better-sqlite3 needn't search for it (its `bindings` lookup walks a list of candidates). */
function nativeBinding(): string | undefined {
  try {
    const file = join(dirname(require.resolve("better-sqlite3")), "..", "build", "Release", "better_sqlite3.node");
    return statSync(file, { throwIfNoEntry: false })?.isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Record

/** What the sync that is about to record read, gathered by the caller from its plan. */
export interface RecordInput {
  output: string;
  venv: string;
  store: { root: string; paths: string[] };
  /** Files whose bytes count (lock, pyproject.toml, …); absent ones count as absent. */
  contentFiles: string[];
  /** Files whose identity counts (interpreters, pyvenv.cfg); the resolved target is kept too. */
  statFiles: string[];
  dirs: { dir: string; match: DirWitness["match"] }[];
  /** Listings taken before the sync started (compared with the ones taken now). */
  dirsBefore: DirWitness[];
  trees: TreeWitness[];
  /** When the sync started (ms since the epoch). */
  startedAt: number;
}

export type RecordOutcome = { recorded: true; file: string } | { recorded: false; reason: string };

/** Writes the record for `key`, unless something was changing while the sync ran. */
export function recordFastPath(key: FastPathKey, input: RecordInput, options: { dir?: string } = {}): RecordOutcome {
  const skip = (reason: string): RecordOutcome => ({ recorded: false, reason });
  const buildId = readBuildId();
  if (buildId === null) return skip("this wheelwright has no build id (not built with scripts/build.mjs)");
  const files: FileWitness[] = [];
  const racy = (sig: Signature | null) => sig !== null && sig.ctimeMs >= input.startedAt - RACY_MS;
  for (const path of [...new Set(input.contentFiles)]) {
    const sig = signature(path, false);
    if (racy(sig)) return skip(`${path} changed while the sync ran`);
    const sha = sig === null ? null : sha256File(path);
    files.push({ path, sig, ...(sha !== null ? { sha256: sha } : {}) });
  }
  for (const path of [...new Set(input.statFiles)]) {
    let sig: Signature | null;
    try {
      sig = signature(path, true);
    } catch {
      sig = null; // a dangling link: counts as absent
    }
    if (racy(sig)) return skip(`${path} changed while the sync ran`);
    files.push({ path, sig });
  }
  const dirs: DirWitness[] = input.dirs.map(({ dir, match }) => ({ dir, match, names: listDir(dir, match) }));
  for (const before of input.dirsBefore) {
    if (JSON.stringify(listDir(before.dir, before.match)) !== JSON.stringify(before.names)) return skip(`the entries of ${before.dir} changed while the sync ran`);
    dirs.push(before);
  }
  let version: string;
  try {
    version = readFileSync(join(input.store.root, "VERSION"), "utf8").trim();
  } catch {
    return skip("the store has no version stamp");
  }
  const record: FastPathRecord = {
    format: FAST_PATH_FORMAT,
    key: key.text,
    buildId,
    output: input.output,
    venv: input.venv,
    store: { root: input.store.root, version, schema: storeSchemaVersion(input.store.root), paths: [...new Set(input.store.paths)] },
    files,
    dirs,
    trees: input.trees,
    recordedAt: Date.now(),
  };
  const dir = options.dir ?? fastPathDir();
  try {
    const file = writeRecord(dir, key, record);
    pruneRecords(dir, file);
    return { recorded: true, file };
  } catch (error) {
    return skip(`cannot write a record in ${dir}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Records kept per cache directory; one is made per distinct invocation (directory, arguments, variables). */
export const MAX_RECORDS = 256;

/** Deletes the least recently written records beyond MAX_RECORDS (never `keep`). Best effort. */
function pruneRecords(dir: string, keep: string): void {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith(".json"));
  } catch {
    return;
  }
  if (names.length <= MAX_RECORDS) return;
  const aged = names
    .map((name) => ({ file: join(dir, name), mtime: statSync(join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .filter((r) => r.file !== keep)
    .sort((a, b) => a.mtime - b.mtime);
  for (const r of aged.slice(0, names.length - MAX_RECORDS)) rmSync(r.file, { force: true });
}

/** Writes a record atomically (temp file + rename): readers see the old one or the new one. */
function writeRecord(dir: string, key: FastPathKey, record: FastPathRecord): string {
  const file = join(dir, `${key.id}.json`);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, JSON.stringify(record) + "\n");
    renameSync(tmp, file);
    return file;
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

function storeSchemaVersion(root: string): number {
  const Database = require("better-sqlite3") as typeof import("better-sqlite3");
  const db = new Database(join(root, "var", "db.sqlite"), { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT max(version) FROM SchemaVersion").pluck().get() as number;
  } finally {
    db.close();
  }
}

/** The project directory a sync will use, as loadProject decides it from its flags alone. */
export function projectDirOf(cwd: string, project: string | undefined, lock: string | undefined): string {
  return resolve(cwd, project ?? (lock !== undefined ? dirname(resolve(cwd, lock)) : "."));
}
