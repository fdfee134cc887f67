/**
 * On-disk cache of probe results. One JSON file per interpreter path, holding the key it was
 * made under: the path, the realpath of the binary, that binary's size and mtime, the
 * pyvenv.cfg beside it (a venv's prefix comes from it), and a hash of probe.py itself.
 * A key that no longer matches means the interpreter (or the probe) changed: reprobe.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync, rmSync } from "node:fs";
import { cacheDir } from "../util/cache-dir.js";
import { dirname, join } from "node:path";
import type { Interpreter } from "./types.js";

export interface ProbeCacheKey {
  executable: string;
  realpath: string;
  size: number;
  mtimeMs: number;
  /** mtime of pyvenv.cfg next to the executable or one level up; null when absent. */
  venvConfigMtimeMs: number | null;
  probeHash: string;
}

interface CacheEntry {
  key: ProbeCacheKey;
  interpreter: Interpreter;
}

/** `$XDG_CACHE_HOME/wheelwright/interpreters` (LOCALAPPDATA on Windows, ~/.cache otherwise). */
export function defaultProbeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return cacheDir("interpreters", env);
}

/** The cache file of one interpreter path (absolute, as found, not realpath'ed). */
export function probeCacheFile(cacheDir: string, executable: string): string {
  const digest = createHash("sha256").update(executable).digest("hex").slice(0, 32);
  return join(cacheDir, `${digest}.json`);
}

function venvConfigMtime(executable: string): number | null {
  const binDir = dirname(executable);
  for (const dir of [binDir, dirname(binDir)]) {
    try {
      return statSync(join(dir, "pyvenv.cfg")).mtimeMs;
    } catch {
      // not this one
    }
  }
  return null;
}

/** The key an interpreter would be cached under now. `realpath` must be the resolved binary. */
export function currentProbeKey(executable: string, realpath: string, probeHash: string): ProbeCacheKey {
  const stat = statSync(realpath);
  return { executable, realpath, size: stat.size, mtimeMs: stat.mtimeMs, venvConfigMtimeMs: venvConfigMtime(executable), probeHash };
}

function sameKey(a: ProbeCacheKey, b: ProbeCacheKey): boolean {
  return (
    a.executable === b.executable &&
    a.realpath === b.realpath &&
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs &&
    a.venvConfigMtimeMs === b.venvConfigMtimeMs &&
    a.probeHash === b.probeHash
  );
}

/** The cached interpreter if its key still matches, else null (missing, stale or unreadable). */
export function readProbeCache(cacheDir: string, key: ProbeCacheKey): Interpreter | null {
  let entry: CacheEntry;
  try {
    entry = JSON.parse(readFileSync(probeCacheFile(cacheDir, key.executable), "utf8")) as CacheEntry;
  } catch {
    return null;
  }
  if (entry === null || typeof entry !== "object" || !entry.key || !entry.interpreter) return null;
  return sameKey(entry.key, key) ? entry.interpreter : null;
}

/**
 * Stores a probe result. Written to a temporary file and renamed, so a concurrent reader sees
 * the old entry or the new one, never half of one. A cache that cannot be written is not an
 * error: the next run just probes again.
 */
export function writeProbeCache(cacheDir: string, key: ProbeCacheKey, interpreter: Interpreter): boolean {
  const file = probeCacheFile(cacheDir, key.executable);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(tmp, JSON.stringify({ key, interpreter } satisfies CacheEntry, null, 2) + "\n");
    renameSync(tmp, file);
    return true;
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
}
