/**
 * uv.lock (version 1, revisions up to 3) → a validated, environment-independent model.
 * Everything that affects installation is read and checked the way uv checks it when it
 * loads a lock: shapes and types, sha256 hashes, git commit pins, markers, versions,
 * duplicate entries, and that every dependency edge names exactly one entry (by name, plus
 * `version`/`source` when several entries share the name). `[package.metadata]` is kept as is.
 */
import { normalizeName } from "../pep/names.js";
import { tryParse } from "../pep/pep440.js";
import { parseMarker, type Marker } from "../pep/pep508.js";
import type { TomlPath } from "../pep/toml-position.js";
import { isWheelwrightError } from "../errors.js";
import { basenameOf, checkWheelName, parseUvHash } from "./files.js";
import { entryLines, isTable, lockError, nameStr, optArray, optInt, optStr, optTable, parseLockToml, str, stringArray, tableArray, within, type EntryContext, type Table } from "./toml.js";

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
  /** Index of the `[[package]]` entry this edge points at (set once the lock is checked). */
  target: number;
  /** TOML path of the edge, for messages. */
  path: TomlPath;
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
  /** Extras and groups the project declares (`provides-extras`, `requires-dev`), even empty ones. */
  declaredExtras: string[];
  declaredGroups: string[];
}

export interface UvConflictItem {
  package: string;
  extra?: string;
  group?: string;
}

/** A requirement of a non-project workspace root (`[manifest.dependency-groups]`). */
export interface UvManifestRequirement {
  name: string;
  extras: string[];
  marker: Marker | null;
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
  /** Dependency groups of a workspace root that is not itself a project. */
  manifestGroups: Record<string, UvManifestRequirement[]>;
  packages: UvPackage[];
  warnings: string[];
}

const SOURCE_KINDS = ["registry", "git", "url", "path", "directory", "editable", "virtual"] as const;
const RELOCK = "regenerate the lock file (uv lock)";

export function parseUvLock(text: string, file: string): UvLock {
  const data = parseLockToml(text, file);
  const top: EntryContext = { file, text, path: [] };
  const version = optInt(data, "version", top);
  if (version === undefined) throw lockError("ERR_WW_LOCK_PARSE", "uv.lock has no 'version'", { file, line: 1 }, "this does not look like a uv.lock; pass the right file with --lock");
  if (version !== UV_LOCK_VERSION) {
    throw lockError("ERR_WW_LOCK_VERSION", `uv.lock version ${version} is not supported (wheelwright reads version ${UV_LOCK_VERSION})`, top, "upgrade wheelwright, or relock with a uv release that writes version 1", "version");
  }
  const revision = optInt(data, "revision", top) ?? 1;
  const warnings: string[] = [];
  if (revision > UV_MAX_REVISION) warnings.push(`${file}: revision ${revision} is newer than ${UV_MAX_REVISION}; reading it as revision ${UV_MAX_REVISION}`);

  const rawPackages = tableArray(data, "package", top);
  const lines = entryLines(text, "package", rawPackages.length);
  const packages = rawPackages.map((raw, index) => parsePackage(raw, index, { file, line: lines[index], text, path: ["package", index] }));
  linkPackages(packages, file, text);

  const conflicts = (optArray(data, "conflicts", top) ?? []).map((set, i) => {
    const at = within(top, "conflicts");
    if (!Array.isArray(set)) throw lockError("ERR_WW_LOCK_PARSE", `'conflicts[${i}]' must be an array of tables`, at, RELOCK, i);
    return set.map((item, j) => {
      const itemAt = within(at, i);
      if (!isTable(item) || typeof item.package !== "string") throw lockError("ERR_WW_LOCK_PARSE", `'conflicts[${i}][${j}]' must be a table with a 'package'`, itemAt, RELOCK, j);
      const kinds = (["extra", "group"] as const).filter((k) => item[k] !== undefined);
      if (kinds.length !== 1 || typeof item[kinds[0]!] !== "string") {
        throw lockError("ERR_WW_LOCK_PARSE", `'conflicts[${i}][${j}]' (package ${normalizeName(item.package)}) must name exactly one 'extra' or 'group'`, { ...itemAt, package: normalizeName(item.package) }, RELOCK, j);
      }
      const out: UvConflictItem = { package: normalizeName(item.package) };
      out[kinds[0]!] = normalizeName(item[kinds[0]!] as string);
      return out;
    });
  });
  const manifest = optTable(data, "manifest", top);
  const manifestAt = within(top, "manifest");
  return {
    file,
    text,
    version,
    revision,
    requiresPython: optStr(data, "requires-python", top),
    resolutionMarkers: stringArray(data, "resolution-markers", top),
    conflicts,
    members: manifest === undefined ? [] : stringArray(manifest, "members", manifestAt).map(normalizeName),
    manifestGroups: manifest === undefined ? {} : parseManifestGroups(manifest, manifestAt),
    packages,
    warnings,
  };
}

function parsePackage(raw: Table, index: number, at: EntryContext): UvPackage {
  const name = nameStr(raw, "name", at);
  const ctx: EntryContext = { ...at, package: name };
  const version = optStr(raw, "version", ctx);
  if (version !== undefined && tryParse(version) === null) {
    throw lockError("ERR_WW_LOCK_INVALID", `version '${version}' of ${name} is not a valid PEP 440 version`, ctx, RELOCK, "version");
  }
  const sourceTable = optTable(raw, "source", ctx);
  if (sourceTable === undefined) throw lockError("ERR_WW_LOCK_PARSE", `package ${name} has no 'source'`, ctx, "every [[package]] of a uv.lock names its source, e.g. source = { registry = \"...\" }");
  const source = parseSource(sourceTable, within(ctx, "source"));
  const deps = (table: Table, key: string, tableCtx: EntryContext) => tableArray(table, key, tableCtx).map((d, i) => parseDependency(d, within(tableCtx, key, i)));
  const groupMap = (key: string) => {
    const table = optTable(raw, key, ctx) ?? {};
    const out: Record<string, UvDependency[]> = {};
    for (const group of Object.keys(table)) out[normalizeName(group)] = deps(table, group, within(ctx, key));
    return out;
  };
  const sdistTable = optTable(raw, "sdist", ctx);
  const metadata = optTable(raw, "metadata", ctx);
  const pkg: UvPackage = {
    index,
    line: at.line,
    name,
    version,
    source,
    resolutionMarkers: stringArray(raw, "resolution-markers", ctx).map((m, i) => marker(m, within(ctx, "resolution-markers"), i)),
    dependencies: deps(raw, "dependencies", ctx),
    optionalDependencies: groupMap("optional-dependencies"),
    devDependencies: groupMap("dev-dependencies"),
    sdist: sdistTable === undefined ? undefined : parseFile(sdistTable, within(ctx, "sdist"), "sdist"),
    wheels: tableArray(raw, "wheels", ctx).map((w, i) => parseFile(w, within(ctx, "wheels", i), `wheels[${i}]`)),
    metadata,
    declaredExtras: [],
    declaredGroups: [],
  };
  const provides = metadata?.["provides-extras"];
  pkg.declaredExtras = [...new Set([...Object.keys(pkg.optionalDependencies), ...(Array.isArray(provides) ? provides.filter((e): e is string => typeof e === "string").map(normalizeName) : [])])];
  const requiresDev = metadata?.["requires-dev"];
  pkg.declaredGroups = [...new Set([...Object.keys(pkg.devDependencies), ...(isTable(requiresDev) ? Object.keys(requiresDev).map(normalizeName) : [])])];
  return pkg;
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
  const location = filename ?? url ?? path;
  if (what !== "sdist" && location !== undefined) checkWheelName(basenameOf(location), ctx);
  return file;
}

export function parseSource(table: Table, ctx: EntryContext): UvSource {
  const kinds = SOURCE_KINDS.filter((k) => table[k] !== undefined);
  if (kinds.length !== 1) {
    throw lockError("ERR_WW_LOCK_PARSE", `${ctx.package}: 'source' must have exactly one of ${SOURCE_KINDS.join(", ")} (found ${kinds.join(", ") || "none"})`, ctx, RELOCK);
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
      return { kind, path: value };
  }
}

/** `https://host/repo.git?tag=v1&subdirectory=pkg#<commit>` → url, ref, commit, subdirectory. */
export function parseGitSource(value: string, ctx: EntryContext): Extract<UvSource, { kind: "git" }> {
  const hashAt = value.indexOf("#");
  const commit = hashAt < 0 ? "" : value.slice(hashAt + 1);
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) {
    throw lockError("ERR_WW_LOCK_INVALID", `${ctx.package}: git source '${value}' is not pinned to a full commit hash`, ctx, "uv pins git sources as <url>#<commit>; relock to record the commit", "git");
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
  const name = nameStr(raw, "name", ctx);
  const dep: UvDependency = { name, extras: stringArray(raw, "extra", ctx).map(normalizeName), marker: null, target: -1, path: ctx.path ?? [] };
  const version = optStr(raw, "version", ctx);
  if (version !== undefined) dep.version = version;
  const source = optTable(raw, "source", ctx);
  if (source !== undefined) dep.source = parseSource(source, within(ctx, "source"));
  const m = optStr(raw, "marker", ctx);
  if (m !== undefined) dep.marker = marker(m, ctx, "marker");
  return dep;
}

function parseManifestGroups(manifest: Table, ctx: EntryContext): Record<string, UvManifestRequirement[]> {
  const table = optTable(manifest, "dependency-groups", ctx) ?? {};
  const at = within(ctx, "dependency-groups");
  const out: Record<string, UvManifestRequirement[]> = {};
  for (const group of Object.keys(table)) {
    out[normalizeName(group)] = tableArray(table, group, at).map((raw, i) => {
      const reqAt = within(at, group, i);
      const m = optStr(raw, "marker", reqAt);
      return { name: normalizeName(str(raw, "name", reqAt)), extras: stringArray(raw, "extras", reqAt).map(normalizeName), marker: m === undefined ? null : marker(m, reqAt, "marker") };
    });
  }
  return out;
}

function marker(text: string, ctx: EntryContext, key: string | number): Marker {
  try {
    return parseMarker(text);
  } catch (error) {
    if (isWheelwrightError(error)) throw lockError("ERR_WW_LOCK_INVALID", `${ctx.package}: invalid marker '${text}': ${error.message}`, ctx, RELOCK, key);
    throw error;
  }
}

const sameSource = (a: UvSource, b: UvSource) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Duplicate entries, and every edge resolved to one entry as uv resolves it: by name when
 * the name is unique, else by `version` and `source`.
 */
function linkPackages(packages: UvPackage[], file: string, text: string): void {
  const byName = new Map<string, UvPackage[]>();
  const seen = new Map<string, UvPackage>();
  for (const pkg of packages) {
    const key = `${pkg.name} ${pkg.version ?? ""} ${JSON.stringify(pkg.source)}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw lockError("ERR_WW_LOCK_INVALID", `package ${pkg.name} ${pkg.version ?? ""} appears twice with the same source (also at line ${earlier.line ?? "?"})`, { file, line: pkg.line, package: pkg.name }, "remove the duplicate entry or relock");
    }
    seen.set(key, pkg);
    const list = byName.get(pkg.name);
    if (list === undefined) byName.set(pkg.name, [pkg]);
    else list.push(pkg);
  }
  for (const pkg of packages) {
    const all = [...pkg.dependencies, ...Object.values(pkg.optionalDependencies).flat(), ...Object.values(pkg.devDependencies).flat()];
    for (const dep of all) {
      const ctx: EntryContext = { file, line: pkg.line, package: pkg.name, text, path: dep.path };
      const named = byName.get(dep.name);
      if (named === undefined) {
        throw lockError("ERR_WW_LOCK_INVALID", `package ${pkg.name} depends on '${dep.name}', which the lock does not contain`, ctx, "the lock is incomplete; relock (uv lock) to add the missing package");
      }
      let candidates = named;
      if (dep.version !== undefined) candidates = candidates.filter((c) => c.version === dep.version);
      if (dep.source !== undefined) candidates = candidates.filter((c) => sameSource(c.source, dep.source!));
      if (candidates.length === 0) {
        const wanted = `${dep.name}${dep.version !== undefined ? ` ${dep.version}` : ""}`;
        throw lockError("ERR_WW_LOCK_INVALID", `package ${pkg.name} depends on ${wanted}${dep.source !== undefined ? ` from ${JSON.stringify(dep.source)}` : ""}, which matches no entry (the lock has ${named.map((c) => c.version ?? "?").join(", ")})`, ctx, RELOCK);
      }
      if (candidates.length > 1) {
        throw lockError("ERR_WW_LOCK_INVALID", `package ${pkg.name} depends on '${dep.name}' without saying which of its ${candidates.length} entries (versions ${candidates.map((c) => c.version ?? "?").join(", ")})`, ctx, "uv writes `version` and `source` on edges to a package with several entries; relock (uv lock)");
      }
      dep.target = candidates[0]!.index;
    }
  }
}
