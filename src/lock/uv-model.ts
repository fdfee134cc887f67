/**
 * uv.lock (version 1, revisions up to 3) → a validated, environment-independent model.
 * Everything that affects installation is read; `[package.metadata]` is kept as is.
 */
import { normalizeName } from "../pep/names.js";
import { tryParse } from "../pep/pep440.js";
import { parseMarker, type Marker } from "../pep/pep508.js";
import { isWheelwrightError } from "../errors.js";
import { parseUvHash } from "./files.js";
import { isTable, lockError, optInt, optStr, optTable, parseLockToml, str, stringArray, tableArray, tableHeaderLines, type EntryContext, type Table } from "./toml.js";

export const UV_LOCK_VERSION = 1;
export const UV_MAX_REVISION = 3;

export type UvSource =
  | { kind: "registry"; url: string }
  | { kind: "git"; url: string; commit: string; ref?: string; subdirectory?: string }
  | { kind: "url"; url: string; subdirectory?: string }
  | { kind: "path"; path: string }
  | { kind: "directory"; path: string }
  | { kind: "editable"; path: string }
  | { kind: "virtual"; path: string };

export interface UvDependency {
  name: string;
  version?: string;
  source?: UvSource;
  extras: string[];
  marker: Marker | null;
}

export interface UvFile {
  url?: string;
  path?: string;
  filename?: string;
  sha256: string;
  size?: number;
}

export interface UvPackage {
  /** Position among `[[package]]` entries, and the line of its header when known. */
  index: number;
  line: number | undefined;
  name: string;
  version: string | undefined;
  source: UvSource;
  resolutionMarkers: Marker[];
  dependencies: UvDependency[];
  optionalDependencies: Record<string, UvDependency[]>;
  devDependencies: Record<string, UvDependency[]>;
  sdist: UvFile | undefined;
  wheels: UvFile[];
  metadata: Table | undefined;
}

export interface UvConflictItem {
  package: string;
  extra?: string;
  group?: string;
}

export interface UvLock {
  file: string;
  text: string;
  version: number;
  revision: number;
  requiresPython: string | undefined;
  resolutionMarkers: string[];
  conflicts: UvConflictItem[][];
  members: string[];
  packages: UvPackage[];
  warnings: string[];
}

export function parseUvLock(text: string, file: string): UvLock {
  const data = parseLockToml(text, file);
  const top: EntryContext = { file };
  const version = optInt(data, "version", top);
  if (version === undefined) throw lockError("ERR_WW_LOCK_PARSE", "uv.lock has no 'version'", { file, line: 1 }, "this does not look like a uv.lock; pass the right file with --lock");
  if (version !== UV_LOCK_VERSION) {
    throw lockError("ERR_WW_LOCK_VERSION", `uv.lock version ${version} is not supported (wheelwright reads version ${UV_LOCK_VERSION})`, { file, line: lineOf(text, "version") }, "upgrade wheelwright, or relock with a uv release that writes version 1");
  }
  const revision = optInt(data, "revision", top) ?? 1;
  const warnings: string[] = [];
  if (revision > UV_MAX_REVISION) warnings.push(`${file}: revision ${revision} is newer than ${UV_MAX_REVISION}; reading it as revision ${UV_MAX_REVISION}`);

  const headerLines = tableHeaderLines(text, "package");
  const rawPackages = tableArray(data, "package", top);
  const packages = rawPackages.map((raw, index) => parsePackage(raw, index, { file, line: headerLines[index] }));

  checkPackages(packages, file);
  const conflicts = (data.conflicts === undefined ? [] : (data.conflicts as unknown[])).map((set, i) => {
    if (!Array.isArray(set)) throw lockError("ERR_WW_LOCK_PARSE", `'conflicts[${i}]' must be an array of tables`, { file, line: lineOf(text, "conflicts") }, "regenerate the lock file");
    return set.map((item) => {
      if (!isTable(item) || typeof item.package !== "string") throw lockError("ERR_WW_LOCK_PARSE", `'conflicts[${i}]' items need a 'package'`, { file, line: lineOf(text, "conflicts") }, "regenerate the lock file");
      const out: UvConflictItem = { package: normalizeName(item.package) };
      if (typeof item.extra === "string") out.extra = normalizeName(item.extra);
      if (typeof item.group === "string") out.group = normalizeName(item.group);
      return out;
    });
  });
  const manifest = optTable(data, "manifest", top);
  return {
    file,
    text,
    version,
    revision,
    requiresPython: optStr(data, "requires-python", top),
    resolutionMarkers: stringArray(data, "resolution-markers", top),
    conflicts,
    members: manifest === undefined ? [] : stringArray(manifest, "members", top).map(normalizeName),
    packages,
    warnings,
  };
}

function parsePackage(raw: Table, index: number, at: EntryContext): UvPackage {
  const name = normalizeName(str(raw, "name", at));
  const ctx: EntryContext = { ...at, package: name };
  const version = optStr(raw, "version", ctx);
  if (version !== undefined && tryParse(version) === null) {
    throw lockError("ERR_WW_LOCK_INVALID", `version '${version}' of ${name} is not a valid PEP 440 version`, ctx, "regenerate the lock file");
  }
  const sourceTable = optTable(raw, "source", ctx);
  if (sourceTable === undefined) throw lockError("ERR_WW_LOCK_PARSE", `package ${name} has no 'source'`, ctx, "every [[package]] of a uv.lock names its source, e.g. source = { registry = \"...\" }");
  const source = parseSource(sourceTable, ctx);
  const deps = (key: string, table: Table = raw) => tableArray(table, key, ctx).map((d) => parseDependency(d, ctx));
  const groupMap = (key: string) => {
    const table = optTable(raw, key, ctx) ?? {};
    const out: Record<string, UvDependency[]> = {};
    for (const group of Object.keys(table)) out[normalizeName(group)] = deps(group, table);
    return out;
  };
  const sdistTable = optTable(raw, "sdist", ctx);
  return {
    index,
    line: at.line,
    name,
    version,
    source,
    resolutionMarkers: stringArray(raw, "resolution-markers", ctx).map((m) => marker(m, ctx)),
    dependencies: deps("dependencies"),
    optionalDependencies: groupMap("optional-dependencies"),
    devDependencies: groupMap("dev-dependencies"),
    sdist: sdistTable === undefined ? undefined : parseFile(sdistTable, ctx, "sdist"),
    wheels: tableArray(raw, "wheels", ctx).map((w, i) => parseFile(w, ctx, `wheels[${i}]`)),
    metadata: optTable(raw, "metadata", ctx),
  };
}

function parseFile(table: Table, ctx: EntryContext, what: string): UvFile {
  const hash = optStr(table, "hash", ctx);
  if (hash === undefined) throw lockError("ERR_WW_LOCK_INVALID", `${ctx.package}: ${what} has no hash`, ctx, "wheelwright only installs files it can verify; relock so the hash is recorded");
  const file: UvFile = { sha256: parseUvHash(hash, ctx) };
  const url = optStr(table, "url", ctx);
  const path = optStr(table, "path", ctx);
  const filename = optStr(table, "filename", ctx);
  const size = optInt(table, "size", ctx);
  if (url !== undefined) file.url = url;
  if (path !== undefined) file.path = path;
  if (filename !== undefined) file.filename = filename;
  if (size !== undefined) file.size = size;
  return file;
}

export function parseSource(table: Table, ctx: EntryContext): UvSource {
  const kinds = ["registry", "git", "url", "path", "directory", "editable", "virtual"].filter((k) => table[k] !== undefined);
  if (kinds.length !== 1) {
    throw lockError("ERR_WW_LOCK_PARSE", `${ctx.package}: 'source' must have exactly one of registry, git, url, path, directory, editable, virtual (found ${kinds.join(", ") || "none"})`, ctx, "regenerate the lock file");
  }
  const kind = kinds[0]!;
  const value = str(table, kind, ctx);
  const subdirectory = optStr(table, "subdirectory", ctx);
  switch (kind) {
    case "registry":
      return { kind, url: value };
    case "url":
      return { kind, url: value, ...(subdirectory !== undefined ? { subdirectory } : {}) };
    case "git":
      return parseGitSource(value, ctx);
    default:
      return { kind: kind as "path" | "directory" | "editable" | "virtual", path: value };
  }
}

/** `https://host/repo.git?tag=v1&subdirectory=pkg#<commit>` → url, ref, commit, subdirectory. */
export function parseGitSource(value: string, ctx: EntryContext): Extract<UvSource, { kind: "git" }> {
  const hashAt = value.indexOf("#");
  const commit = hashAt < 0 ? "" : value.slice(hashAt + 1);
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) {
    throw lockError("ERR_WW_LOCK_INVALID", `${ctx.package}: git source '${value}' is not pinned to a full commit hash`, ctx, "uv pins git sources as <url>#<commit>; relock to record the commit");
  }
  const base = value.slice(0, hashAt);
  const queryAt = base.indexOf("?");
  const url = queryAt < 0 ? base : base.slice(0, queryAt);
  const params = new URLSearchParams(queryAt < 0 ? "" : base.slice(queryAt + 1));
  const ref = params.get("rev") ?? params.get("tag") ?? params.get("branch") ?? undefined;
  const subdirectory = params.get("subdirectory") ?? undefined;
  return { kind: "git", url, commit, ...(ref !== undefined ? { ref } : {}), ...(subdirectory !== undefined ? { subdirectory } : {}) };
}

function parseDependency(raw: Table, ctx: EntryContext): UvDependency {
  const name = normalizeName(str(raw, "name", ctx));
  const dep: UvDependency = { name, extras: stringArray(raw, "extra", ctx).map(normalizeName), marker: null };
  const version = optStr(raw, "version", ctx);
  if (version !== undefined) dep.version = version;
  const source = optTable(raw, "source", ctx);
  if (source !== undefined) dep.source = parseSource(source, ctx);
  const m = optStr(raw, "marker", ctx);
  if (m !== undefined) dep.marker = marker(m, ctx);
  return dep;
}

function marker(text: string, ctx: EntryContext): Marker {
  try {
    return parseMarker(text, { file: ctx.file, ...(ctx.line !== undefined ? { line: ctx.line } : {}), ...(ctx.package !== undefined ? { package: ctx.package } : {}) });
  } catch (error) {
    if (isWheelwrightError(error)) throw lockError("ERR_WW_LOCK_INVALID", `${ctx.package}: invalid marker '${text}': ${error.message}`, ctx, "regenerate the lock file");
    throw error;
  }
}

/** Duplicate entries and dangling dependency names. */
function checkPackages(packages: UvPackage[], file: string): void {
  const byName = new Map<string, UvPackage[]>();
  const seen = new Map<string, UvPackage>();
  for (const pkg of packages) {
    const key = `${pkg.name} ${pkg.version ?? ""} ${JSON.stringify(pkg.source)}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw lockError("ERR_WW_LOCK_INVALID", `package ${pkg.name} ${pkg.version ?? ""} appears twice with the same source (also at line ${earlier.line ?? "?"})`, { file, line: pkg.line, package: pkg.name }, "remove the duplicate entry or relock");
    }
    seen.set(key, pkg);
    byName.set(pkg.name, [...(byName.get(pkg.name) ?? []), pkg]);
  }
  for (const pkg of packages) {
    const all = [...pkg.dependencies, ...Object.values(pkg.optionalDependencies).flat(), ...Object.values(pkg.devDependencies).flat()];
    for (const dep of all) {
      if (!byName.has(dep.name)) {
        throw lockError("ERR_WW_LOCK_INVALID", `package ${pkg.name} depends on '${dep.name}', which the lock does not contain`, { file, line: pkg.line, package: pkg.name }, "the lock is incomplete; relock (uv lock) to add the missing package");
      }
    }
  }
}

function lineOf(text: string, key: string): number | undefined {
  const index = text.split("\n").findIndex((line) => line.startsWith(`${key} `) || line.startsWith(`${key}=`));
  return index < 0 ? undefined : index + 1;
}
