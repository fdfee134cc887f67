// Shared set-up for build tests: a work directory, a store, a build lock for a backend, and a
// pylock.toml pointing at local sources. Everything is offline and lives under os.tmpdir().
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { removeTree } from "../../src/store/normalise.js";
import { writeBuildLock, type BackendClosure } from "../helpers/backends.js";
import { PYTHON311 } from "../helpers/interpreter.js";

export interface Workspace {
  dir: string;
  store: string;
  cleanup(): void;
}

export function makeWorkspace(prefix: string): Workspace {
  const dir = mkdtempSync(join(tmpdir(), `ww-${prefix}-`));
  return {
    dir,
    store: join(dir, "store"),
    cleanup() {
      removeTree(join(dir, "store"));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes `<dir>/build-lock.toml` for `backends`; returns the reason when a wheel is missing. */
export function buildLockFor(dir: string, backends: string[]): { file: string; closure: BackendClosure } | { missing: string } {
  const file = join(dir, "build-lock.toml");
  const closure = writeBuildLock(file, backends);
  if ("missing" in closure) return closure;
  return { file, closure };
}

export type LockSource =
  | { sdist: { path: string; filename: string; sha256: string } }
  | { directory: string; editable?: boolean }
  | { git: string; commit: string; subdirectory?: string }
  | { archive: { path: string; filename: string; sha256: string }; subdirectory?: string };

/** A pylock.toml at `<projectDir>/pylock.toml` with one entry per package. */
export function writeProjectLock(projectDir: string, packages: { name: string; version: string; source: LockSource; dependencies?: string[] }[]): string {
  const out = ['lock-version = "1.0"', 'created-by = "wheelwright-tests"', ""];
  for (const p of packages) {
    out.push("[[packages]]", `name = "${p.name}"`, `version = "${p.version}"`);
    if (p.dependencies) out.push(`dependencies = [${p.dependencies.map((d) => `{ name = "${d}" }`).join(", ")}]`);
    const s = p.source;
    if ("sdist" in s) out.push(`sdist = { name = "${s.sdist.filename}", path = ${JSON.stringify(s.sdist.path)}, hashes = { sha256 = "${s.sdist.sha256}" } }`);
    else if ("directory" in s) out.push(`directory = { path = ${JSON.stringify(s.directory)}${s.editable ? ", editable = true" : ""} }`);
    else if ("archive" in s) out.push(`archive = { path = ${JSON.stringify(s.archive.path)}, hashes = { sha256 = "${s.archive.sha256}" }${s.subdirectory ? `, subdirectory = "${s.subdirectory}"` : ""} }`);
    else out.push(`vcs = { type = "git", path = ${JSON.stringify(s.git)}, commit-id = "${s.commit}"${s.subdirectory ? `, subdirectory = "${s.subdirectory}"` : ""} }`);
    out.push("");
  }
  const file = join(projectDir, "pylock.toml");
  writeFileSync(file, out.join("\n"));
  return file;
}

/** Flags for `sync`: this store, the test interpreter, the build lock, and offline. */
export function syncFlags(ws: Workspace, buildLock: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { store: ws.store, python: PYTHON311, offline: true, ...(buildLock !== undefined ? { "build-lock": buildLock } : {}), ...extra };
}
