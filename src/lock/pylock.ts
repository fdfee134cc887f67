/**
 * PEP 751 pylock.toml: a validated model, then the packages selected for one environment.
 * A pylock file is already a flat list: a package is installed when its marker holds, with
 * the PEP 751 `extras` and `dependency_groups` variables set from the selection; every
 * selected package is a root of the environment. `[tool]` tables never change what is
 * installed; `dependencies` only draw the graph.
 */
import { isAbsolute, dirname, resolve } from "node:path";
import { WheelwrightError, isWheelwrightError } from "../errors.js";
import { normalizeName } from "../pep/names.js";
import { satisfies, tryParse } from "../pep/pep440.js";
import { evaluateMarker, parseMarker, type Marker, type MarkerEnvironmentInput } from "../pep/pep508.js";
import { supportedTags } from "../pep/tags.js";
import { chooseSource } from "../scope/choose-source.js";
import { mkRecipe, type DepSpec, type Recipe } from "../scope/recipe.js";
import type { Candidates, FileRef, Source } from "../scope/source.js";
import { basenameOf, fileRef, pickSha256 } from "./files.js";
import { sourcePrefsFor } from "./prefs.js";
import { isTable, lockError, optInt, optStr, optTable, parseLockToml, str, stringArray, tableArray, tableHeaderLines, type EntryContext, type Table } from "./toml.js";
import { directoryHash } from "./tree-hash.js";
import type { LockedEnvironment, LockOptions } from "./types.js";

export type PylockSource =
  | { kind: "vcs"; type: string; url?: string; path?: string; commit: string; requestedRevision?: string; subdirectory?: string }
  | { kind: "directory"; path: string; editable: boolean; subdirectory?: string }
  | { kind: "archive"; file: FileRef; subdirectory?: string }
  | { kind: "dists"; sdist?: FileRef; wheels: FileRef[] };

export interface PylockPackage {
  index: number;
  line: number | undefined;
  name: string;
  version: string | undefined;
  marker: Marker | null;
  requiresPython: string | undefined;
  source: PylockSource;
  dependencies: { name: string; version?: string }[];
}

export interface Pylock {
  file: string;
  lockVersion: string;
  requiresPython: string | undefined;
  environments: Marker[];
  extras: string[];
  dependencyGroups: string[];
  defaultGroups: string[];
  createdBy: string | undefined;
  packages: PylockPackage[];
  warnings: string[];
}

export function parsePylock(text: string, file: string, baseDir = dirname(file)): Pylock {
  const data = parseLockToml(text, file);
  const top: EntryContext = { file };
  const version = data["lock-version"];
  if (typeof version !== "string") throw lockError("ERR_WW_LOCK_PARSE", "pylock.toml has no 'lock-version'", { file, line: 1 }, "this does not look like a PEP 751 lock file");
  const [major, minor] = version.split(".").map(Number);
  const warnings: string[] = [];
  if (major !== 1 || Number.isNaN(minor)) {
    throw lockError("ERR_WW_LOCK_VERSION", `lock-version ${version} is not supported (wheelwright reads 1.x)`, { file, line: lineOfKey(text, "lock-version") }, "PEP 751 requires refusing an unknown major version; upgrade wheelwright or relock");
  }
  if ((minor ?? 0) > 0) warnings.push(`${file}: lock-version ${version} is newer than 1.0; newer fields are ignored`);
  const headerLines = tableHeaderLines(text, "packages");
  const packages = tableArray(data, "packages", top).map((raw, index) => parsePackage(raw, index, { file, line: headerLines[index] }, baseDir));
  return {
    file,
    lockVersion: version,
    requiresPython: optStr(data, "requires-python", top),
    environments: stringArray(data, "environments", top).map((m) => marker(m, top)),
    extras: stringArray(data, "extras", top).map(normalizeName),
    dependencyGroups: stringArray(data, "dependency-groups", top).map(normalizeName),
    defaultGroups: stringArray(data, "default-groups", top).map(normalizeName),
    createdBy: optStr(data, "created-by", top),
    packages,
    warnings,
  };
}

function parsePackage(raw: Table, index: number, at: EntryContext, baseDir: string): PylockPackage {
  const name = normalizeName(str(raw, "name", at));
  const ctx: EntryContext = { ...at, package: name };
  const version = optStr(raw, "version", ctx);
  if (version !== undefined && tryParse(version) === null) throw lockError("ERR_WW_LOCK_INVALID", `version '${version}' of ${name} is not a valid PEP 440 version`, ctx, "fix the version or relock");
  const m = optStr(raw, "marker", ctx);
  const source = parseSource(raw, ctx, baseDir);
  if (version === undefined && source.kind === "dists") throw lockError("ERR_WW_LOCK_INVALID", `${name} has sdist/wheels but no version`, ctx, "PEP 751 requires 'version' for packages from an index");
  return {
    index,
    line: at.line,
    name,
    version,
    marker: m === undefined ? null : marker(m, ctx),
    requiresPython: optStr(raw, "requires-python", ctx),
    source,
    dependencies: tableArray(raw, "dependencies", ctx)
      .filter((d) => typeof d.name === "string")
      .map((d) => ({ name: normalizeName(d.name as string), ...(typeof d.version === "string" ? { version: d.version } : {}) })),
  };
}

function parseSource(raw: Table, ctx: EntryContext, baseDir: string): PylockSource {
  const kinds = ["vcs", "directory", "archive"].filter((k) => raw[k] !== undefined);
  const dists = raw.sdist !== undefined || raw.wheels !== undefined;
  if (kinds.length + (dists ? 1 : 0) !== 1) {
    const found = [...kinds, ...(raw.sdist !== undefined ? ["sdist"] : []), ...(raw.wheels !== undefined ? ["wheels"] : [])];
    throw lockError("ERR_WW_LOCK_INVALID", `${ctx.package} must have exactly one source (vcs, directory, archive, or sdist/wheels), found ${found.join(", ") || "none"}`, ctx, "PEP 751: each [[packages]] entry names one kind of source");
  }
  const file = (table: Table, what: string): FileRef => {
    const url = optStr(table, "url", ctx);
    const path = optStr(table, "path", ctx);
    if (url === undefined && path === undefined) throw lockError("ERR_WW_LOCK_INVALID", `${ctx.package}: ${what} has neither 'url' nor 'path'`, ctx, "PEP 751 requires one of them");
    const size = optInt(table, "size", ctx);
    return fileRef({ filename: optStr(table, "name", ctx) ?? basenameOf(url ?? path!), ...(url !== undefined ? { url } : {}), ...(path !== undefined ? { path } : {}), sha256: pickSha256(table.hashes, ctx, what), ...(size !== undefined ? { size } : {}) }, baseDir);
  };
  if (raw.vcs !== undefined) {
    const vcs = optTable(raw, "vcs", ctx)!;
    const subdirectory = optStr(vcs, "subdirectory", ctx);
    const url = optStr(vcs, "url", ctx);
    const path = optStr(vcs, "path", ctx);
    const rev = optStr(vcs, "requested-revision", ctx);
    return { kind: "vcs", type: str(vcs, "type", ctx), commit: str(vcs, "commit-id", ctx), ...(url ? { url } : {}), ...(path ? { path } : {}), ...(rev ? { requestedRevision: rev } : {}), ...(subdirectory ? { subdirectory } : {}) };
  }
  if (raw.directory !== undefined) {
    const dir = optTable(raw, "directory", ctx)!;
    const subdirectory = optStr(dir, "subdirectory", ctx);
    const path = str(dir, "path", ctx);
    return { kind: "directory", path: isAbsolute(path) ? path : resolve(baseDir, path), editable: dir.editable === true, ...(subdirectory ? { subdirectory } : {}) };
  }
  if (raw.archive !== undefined) {
    const archive = optTable(raw, "archive", ctx)!;
    const subdirectory = optStr(archive, "subdirectory", ctx);
    return { kind: "archive", file: file(archive, "archive"), ...(subdirectory ? { subdirectory } : {}) };
  }
  const sdist = optTable(raw, "sdist", ctx);
  const wheels = tableArray(raw, "wheels", ctx);
  if (wheels.some((w) => !isTable(w))) throw lockError("ERR_WW_LOCK_PARSE", `${ctx.package}: wheels must be tables`, ctx, "see PEP 751");
  return { kind: "dists", ...(sdist !== undefined ? { sdist: file(sdist, "sdist") } : {}), wheels: wheels.map((w, i) => file(w, `wheels[${i}]`)) };
}

export function selectPylock(lock: Pylock, options: LockOptions): LockedEnvironment {
  const env = options.python.markerEnvironment;
  if (lock.requiresPython !== undefined && !satisfies(env.python_full_version, lock.requiresPython, { prereleases: true })) {
    throw new WheelwrightError("ERR_WW_REQUIRES_PYTHON", `${lock.file} requires Python ${lock.requiresPython}, but the interpreter is ${env.python_full_version}`, { file: lock.file, hint: "choose a matching interpreter with --python" });
  }
  if (lock.environments.length > 0 && !lock.environments.some((m) => evaluateMarker(m, { ...env }))) {
    throw new WheelwrightError("ERR_WW_REQUIRES_PYTHON", `${lock.file} was locked for other environments than this interpreter's (Python ${env.python_full_version} on ${env.sys_platform})`, {
      file: lock.file,
      hint: "choose an interpreter that matches its `environments`, or relock including this one",
    });
  }
  const extras = new Set(options.allExtras ? lock.extras : []);
  for (const e of (options.extras ?? []).map(normalizeName)) {
    if (!lock.extras.includes(e)) throw unknown(lock, "extra", e, lock.extras);
    extras.add(e);
  }
  const groups = new Set(options.allGroups ? lock.dependencyGroups : options.noDefaultGroups ? [] : lock.defaultGroups);
  for (const g of (options.groups ?? []).map(normalizeName)) {
    if (!lock.dependencyGroups.includes(g)) throw unknown(lock, "dependency group", g, lock.dependencyGroups);
    groups.add(g);
  }
  const markerEnv = { ...env, extras, dependency_groups: groups } as unknown as MarkerEnvironmentInput;
  const selected = new Map<string, PylockPackage>();
  for (const pkg of lock.packages) {
    if (pkg.marker !== null && !evaluateMarker(pkg.marker, markerEnv)) continue;
    const ctx = { file: lock.file, line: pkg.line, package: pkg.name };
    const earlier = selected.get(pkg.name);
    if (earlier !== undefined) throw lockError("ERR_WW_LOCK_INVALID", `${pkg.name} is selected twice (entries at lines ${earlier.line ?? "?"} and ${pkg.line ?? "?"})`, ctx, "entries of one package need mutually exclusive markers");
    if (pkg.requiresPython !== undefined && !satisfies(env.python_full_version, pkg.requiresPython, { prereleases: true })) {
      throw new WheelwrightError("ERR_WW_REQUIRES_PYTHON", `${pkg.name} ${pkg.version ?? ""} requires Python ${pkg.requiresPython}, but the interpreter is ${env.python_full_version}`, { ...ctx, line: pkg.line ?? 0, hint: "choose a matching interpreter with --python" });
    }
    selected.set(pkg.name, pkg);
  }
  const tags = supportedTags(options.python);
  const recipes: Record<string, Recipe> = {};
  const sources: Record<string, number> = {};
  const roots: DepSpec = {};
  for (const pkg of selected.values()) {
    const { source, candidates } = sourceOf(pkg, lock, options, tags);
    sources[source.kind] = (sources[source.kind] ?? 0) + 1;
    const deps: DepSpec = {};
    for (const d of pkg.dependencies) if (selected.has(d.name)) deps[d.name] = [];
    recipes[pkg.name] = mkRecipe({
      name: pkg.name,
      version: pkg.version ?? "0",
      source,
      ...(candidates ? { candidates } : {}),
      dependencies: deps,
      meta: { lock: lock.file, line: pkg.line, ...(source.kind === "tree" && source.tree.type === "directory" ? { treeHash: directoryHash(source.tree.path, pkg.name, lock.file) } : {}) },
    });
    roots[pkg.name] = [];
  }
  return { file: lock.file, format: "pylock.toml", overlay: () => recipes, roots, projectName: undefined, summary: { packages: lock.packages.length, selected: selected.size, sources }, warnings: lock.warnings };
}

function sourceOf(pkg: PylockPackage, lock: Pylock, options: LockOptions, tags: ReturnType<typeof supportedTags>): { source: Source; candidates?: Candidates } {
  const s = pkg.source;
  const sub = (p: string, d?: string) => (d === undefined ? p : resolve(p, d));
  switch (s.kind) {
    case "dists": {
      const candidates: Candidates = { wheels: s.wheels, ...(s.sdist ? { sdist: s.sdist } : {}) };
      const where = { name: pkg.name, version: pkg.version ?? "", file: lock.file, ...(pkg.line !== undefined ? { line: pkg.line } : {}) };
      return { source: chooseSource(where, candidates, sourcePrefsFor(pkg.name, options), tags), candidates };
    }
    case "archive":
      return { source: { kind: "tree", tree: { type: "archive", file: s.file, ...(s.subdirectory ? { subdirectory: s.subdirectory } : {}) } } };
    case "directory":
      return { source: s.editable ? { kind: "editable", path: sub(s.path, s.subdirectory) } : { kind: "tree", tree: { type: "directory", path: sub(s.path, s.subdirectory) } } };
    case "vcs": {
      if (s.type !== "git") throw lockError("ERR_WW_LOCK_INVALID", `${pkg.name}: ${s.type} sources are not supported (only git)`, { file: lock.file, line: pkg.line, package: pkg.name }, "vendor the package as a directory or archive source");
      return { source: { kind: "tree", tree: { type: "git", url: s.url ?? s.path!, commit: s.commit, ...(s.requestedRevision ? { ref: s.requestedRevision } : {}), ...(s.subdirectory ? { subdirectory: s.subdirectory } : {}) } } };
    }
  }
}

function unknown(lock: Pylock, kind: string, name: string, known: string[]): WheelwrightError {
  return new WheelwrightError("ERR_WW_UNKNOWN_EXTRA", `${lock.file} has no ${kind} '${name}'`, { file: lock.file, hint: known.length > 0 ? `it lists: ${known.join(", ")}` : `it lists no ${kind}s` });
}

function marker(text: string, ctx: EntryContext): Marker {
  try {
    return parseMarker(text);
  } catch (error) {
    if (isWheelwrightError(error)) throw lockError("ERR_WW_LOCK_INVALID", `${ctx.package ? `${ctx.package}: ` : ""}invalid marker '${text}': ${error.message}`, ctx, "fix the marker or relock");
    throw error;
  }
}

function lineOfKey(text: string, key: string): number | undefined {
  const i = text.split("\n").findIndex((l) => l.trimStart().startsWith(key));
  return i < 0 ? undefined : i + 1;
}
