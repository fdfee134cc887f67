// Small uv.lock and pylock.toml texts for tests (and reading them back in one step), written the way uv and PEP 751 tools lay them
// out: one `[[package]]` / `[[packages]]` table per entry, inline tables for sources, edges
// and files. Values are plain JS and rendered as TOML, so a test states only what it is about.
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isWheelwrightError, type WheelwrightError } from "../../src/errors.js";
import { parsePylock, parseUvLock, selectPylock, selectUvLock, type LockedEnvironment, type LockOptions } from "../../src/lock/index.js";
import type { Interpreter } from "../../src/python/types.js";
import type { Recipe } from "../../src/scope/recipe.js";
import { FIXED_INTERPRETER } from "./interpreter.js";

export type TomlValue = string | number | boolean | TomlValue[] | { [key: string]: TomlValue | undefined };

/** Renders a value as inline TOML (strings JSON-quoted, which TOML basic strings accept). */
export function toml(value: TomlValue): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(toml).join(", ")}]`;
  const entries = Object.entries(value).filter((e): e is [string, TomlValue] => e[1] !== undefined);
  return `{ ${entries.map(([k, v]) => `${tomlKey(k)} = ${toml(v)}`).join(", ")} }`;
}

function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

/** A fake but well-formed sha256 (of the given text), so files differ by name. */
export function fakeSha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The 1-based line of the `nth` (0-based) line containing `needle`; throws when absent. */
export function lineOf(text: string, needle: string, nth = 0): number {
  const lines = text.split("\n");
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.includes(needle) && seen++ === nth) return i + 1;
  }
  throw new Error(`'${needle}' (#${nth}) is not in the text`);
}

// ---------------------------------------------------------------- uv.lock

export const REGISTRY = "https://registry.invalid/simple";
export const FILES = "https://files.invalid/packages";

export interface UvEdge {
  name: string;
  version?: string;
  source?: Record<string, string>;
  extra?: string[];
  marker?: string;
}

export interface UvEntry {
  name: string;
  version?: string;
  /** Inline source table; default: the registry. */
  source?: Record<string, string>;
  resolutionMarkers?: string[];
  dependencies?: (UvEdge | string)[];
  optional?: Record<string, (UvEdge | string)[]>;
  groups?: Record<string, (UvEdge | string)[]>;
  /** An sdist (default for registry entries: one at FILES), or false for none. */
  sdist?: Record<string, TomlValue> | false;
  /** Wheel file names (put at FILES), or full inline tables. */
  wheels?: (string | Record<string, TomlValue>)[];
  /** Extra `key = value` lines for the entry's main table (written verbatim). */
  raw?: string[];
  /** `[package.metadata]` keys (e.g. provides-extras), rendered inline. */
  metadata?: Record<string, TomlValue>;
}

export interface UvLockSpec {
  version?: number;
  revision?: number;
  requiresPython?: string;
  resolutionMarkers?: string[];
  conflicts?: { package: string; extra?: string; group?: string }[][];
  members?: string[];
  /** Verbatim text placed before the first `[[package]]` (e.g. a [manifest.dependency-groups]). */
  header?: string;
  packages: UvEntry[];
}

/** A registry wheel/sdist entry: `{ url, hash, size }`. */
export function uvFile(filename: string, size = 1000): Record<string, TomlValue> {
  return { url: `${FILES}/${filename}`, hash: `sha256:${fakeSha256(filename)}`, size };
}

const edge = (e: UvEdge | string): TomlValue => (typeof e === "string" ? { name: e } : { name: e.name, version: e.version, source: e.source, extra: e.extra, marker: e.marker });

export function uvLock(spec: UvLockSpec): string {
  const out: string[] = [`version = ${spec.version ?? 1}`, `revision = ${spec.revision ?? 3}`];
  if (spec.requiresPython !== undefined) out.push(`requires-python = ${toml(spec.requiresPython)}`);
  if (spec.resolutionMarkers !== undefined) out.push("resolution-markers = [", ...spec.resolutionMarkers.map((m) => `    ${toml(m)},`), "]");
  if (spec.conflicts !== undefined) out.push(`conflicts = ${toml(spec.conflicts.map((set) => set.map((i) => ({ package: i.package, extra: i.extra, group: i.group }))))}`);
  out.push("");
  if (spec.members !== undefined) out.push("[manifest]", `members = ${toml(spec.members)}`, "");
  if (spec.header !== undefined) out.push(spec.header, "");
  for (const p of spec.packages) out.push(...uvEntry(p), "");
  return out.join("\n");
}

function uvEntry(p: UvEntry): string[] {
  const source = p.source ?? { registry: REGISTRY };
  const out = ["[[package]]", `name = ${toml(p.name)}`];
  if (p.version !== undefined) out.push(`version = ${toml(p.version)}`);
  out.push(`source = ${toml(source)}`);
  if (p.resolutionMarkers !== undefined) out.push("resolution-markers = [", ...p.resolutionMarkers.map((m) => `    ${toml(m)},`), "]");
  if (p.dependencies !== undefined) out.push("dependencies = [", ...p.dependencies.map((d) => `    ${toml(edge(d))},`), "]");
  const registry = "registry" in source;
  const sdist = p.sdist === undefined ? (registry ? uvFile(`${p.name.replace(/-/g, "_")}-${p.version}.tar.gz`) : undefined) : p.sdist === false ? undefined : p.sdist;
  if (sdist !== undefined) out.push(`sdist = ${toml(sdist)}`);
  if (p.wheels !== undefined) out.push("wheels = [", ...p.wheels.map((w) => `    ${toml(typeof w === "string" ? uvFile(w) : w)},`), "]");
  if (p.raw !== undefined) out.push(...p.raw);
  for (const [table, map] of [["optional-dependencies", p.optional], ["dev-dependencies", p.groups]] as const) {
    if (map === undefined) continue;
    out.push("", `[package.${table}]`);
    for (const [key, deps] of Object.entries(map)) out.push(`${tomlKey(key)} = [`, ...deps.map((d) => `    ${toml(edge(d))},`), "]");
  }
  if (p.metadata !== undefined) {
    out.push("", "[package.metadata]");
    for (const [k, v] of Object.entries(p.metadata)) out.push(`${tomlKey(k)} = ${toml(v)}`);
  }
  return out;
}

// ---------------------------------------------------------------- pylock.toml

export interface PylockEntry {
  name: string;
  version?: string;
  marker?: string;
  requiresPython?: string;
  dependencies?: { name: string; version?: string }[];
  /** Wheel file names (url at FILES, fake sha256) or full tables; written as [[packages.wheels]]. */
  wheels?: (string | Record<string, TomlValue>)[];
  sdist?: Record<string, TomlValue>;
  archive?: Record<string, TomlValue>;
  directory?: Record<string, TomlValue>;
  vcs?: Record<string, TomlValue>;
  /** Extra lines for the entry's main table (verbatim). */
  raw?: string[];
  /** A [packages.tool.<name>] table. */
  tool?: Record<string, Record<string, TomlValue>>;
}

export interface PylockSpec {
  lockVersion?: string;
  requiresPython?: string;
  environments?: string[];
  extras?: string[];
  dependencyGroups?: string[];
  defaultGroups?: string[];
  packages: PylockEntry[];
}

/** A PEP 751 file entry: `{ name, url, size, hashes = { sha256 } }`. */
export function pylockFile(filename: string, size = 1000): Record<string, TomlValue> {
  return { name: filename, url: `${FILES}/${filename}`, size, hashes: { sha256: fakeSha256(filename) } };
}

export function pylock(spec: PylockSpec): string {
  const out = [`lock-version = ${toml(spec.lockVersion ?? "1.0")}`, 'created-by = "wheelwright-tests"'];
  if (spec.requiresPython !== undefined) out.push(`requires-python = ${toml(spec.requiresPython)}`);
  if (spec.environments !== undefined) out.push(`environments = ${toml(spec.environments)}`);
  if (spec.extras !== undefined) out.push(`extras = ${toml(spec.extras)}`);
  if (spec.dependencyGroups !== undefined) out.push(`dependency-groups = ${toml(spec.dependencyGroups)}`);
  if (spec.defaultGroups !== undefined) out.push(`default-groups = ${toml(spec.defaultGroups)}`);
  out.push("");
  for (const p of spec.packages) {
    out.push("[[packages]]", `name = ${toml(p.name)}`);
    if (p.version !== undefined) out.push(`version = ${toml(p.version)}`);
    if (p.marker !== undefined) out.push(`marker = ${toml(p.marker)}`);
    if (p.requiresPython !== undefined) out.push(`requires-python = ${toml(p.requiresPython)}`);
    if (p.dependencies !== undefined) out.push(`dependencies = ${toml(p.dependencies.map((d) => ({ name: d.name, version: d.version })))}`);
    for (const key of ["sdist", "archive", "directory", "vcs"] as const) if (p[key] !== undefined) out.push(`${key} = ${toml(p[key]!)}`);
    if (p.raw !== undefined) out.push(...p.raw);
    for (const w of p.wheels ?? []) {
      const table = typeof w === "string" ? pylockFile(w) : w;
      out.push("", "[[packages.wheels]]", ...Object.entries(table).map(([k, v]) => `${tomlKey(k)} = ${toml(v)}`));
    }
    for (const [tool, table] of Object.entries(p.tool ?? {})) out.push("", `[packages.tool.${tool}]`, ...Object.entries(table).map(([k, v]) => `${tomlKey(k)} = ${toml(v)}`));
    out.push("");
  }
  return out.join("\n");
}

// ---------------------------------------------------------------- reading them

/** An empty directory: relative paths resolve here and no pyproject.toml is next to the lock. */
export const EMPTY_DIR = mkdtempSync(join(tmpdir(), "ww-lock-"));

export function readUv(text: string, options: Partial<LockOptions> = {}, dir = EMPTY_DIR): LockedEnvironment {
  const file = join(dir, "uv.lock");
  return selectUvLock(parseUvLock(text, file), { python: FIXED_INTERPRETER, projectDir: dir, ...options });
}

export function readPylock(text: string, options: Partial<LockOptions> = {}, dir = EMPTY_DIR): LockedEnvironment {
  const file = join(dir, "pylock.toml");
  return selectPylock(parsePylock(text, file, dir), { python: FIXED_INTERPRETER, projectDir: dir, ...options });
}

/** The WheelwrightError `fn` throws; fails the test if it throws something else or nothing. */
export function failure(fn: () => unknown): WheelwrightError {
  try {
    fn();
  } catch (error) {
    if (isWheelwrightError(error)) return error;
    throw error;
  }
  throw new Error("expected a WheelwrightError, but nothing was thrown");
}

/** The selected recipes of an environment, by name. */
export function recipesOf(env: LockedEnvironment) {
  return env.overlay({} as never, {} as never) as Record<string, Recipe>;
}

/** FIXED_INTERPRETER with other marker values (and tags following from them where it matters). */
export function withMarkers(changes: Partial<Interpreter["markerEnvironment"]>, rest: Partial<Interpreter> = {}): Interpreter {
  return { ...FIXED_INTERPRETER, ...rest, markerEnvironment: { ...FIXED_INTERPRETER.markerEnvironment, ...changes } };
}

export const WINDOWS: Interpreter = withMarkers(
  { os_name: "nt", platform_system: "Windows", sys_platform: "win32", platform_machine: "AMD64", platform_release: "10", platform_version: "10.0.19045" },
  { platform: "win-amd64", glibc: null, soabi: "", extSuffix: ".cp311-win_amd64.pyd" },
);
