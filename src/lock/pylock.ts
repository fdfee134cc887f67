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
import { evaluateMarker, formatMarker, parseMarker, type Marker, type MarkerEnvironmentInput } from "../pep/pep508.js";
import { supportedTags } from "../pep/tags.js";
import { chooseSource } from "../scope/choose-source.js";
import { mkRecipe, type DepSpec, type Recipe } from "../scope/recipe.js";
import type { Candidates, FileRef, Source } from "../scope/source.js";
import { basenameOf, checkWheelName, fileRef, pickSha256 } from "./files.js";
import { sourcePrefsFor } from "./prefs.js";
import { findKeyLine } from "../pep/toml-position.js";
import { entryLines, lockError, nameStr, optBool, optInt, optStr, optTable, parseLockToml, str, stringArray, tableArray, within, type EntryContext, type Table } from "./toml.js";
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
  /** The document text, for pointing at lines in selection errors. */
  text?: string;
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
  const top: EntryContext = { file, text, path: [] };
  const version = data["lock-version"];
  if (version === undefined) throw lockError("ERR_WW_LOCK_PARSE", "pylock.toml has no 'lock-version'", { file, line: 1 }, "this does not look like a PEP 751 lock file");
  const versionText = str(data, "lock-version", top);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(versionText);
  const warnings: string[] = [];
  if (match === null || Number(match[1]) !== 1) {
    throw lockError("ERR_WW_LOCK_VERSION", `lock-version ${versionText} is not supported (wheelwright reads 1.x)`, top, "PEP 751 requires refusing an unknown major version; upgrade wheelwright or relock", "lock-version");
  }
  if (Number(match[2] ?? 0) > 0) warnings.push(`${file}: lock-version ${versionText} is newer than 1.0; newer fields are ignored`);
  const rawPackages = tableArray(data, "packages", top);
  const lines = entryLines(text, "packages", rawPackages.length);
  const packages = rawPackages.map((raw, index) => parsePackage(raw, index, { file, line: lines[index], text, path: ["packages", index] }, baseDir));
  return {
    file,
    text,
    lockVersion: versionText,
    requiresPython: optStr(data, "requires-python", top),
    environments: stringArray(data, "environments", top).map((m, i) => marker(m, within(top, "environments"), i)),
    extras: stringArray(data, "extras", top).map(normalizeName),
    dependencyGroups: stringArray(data, "dependency-groups", top).map(normalizeName),
    defaultGroups: stringArray(data, "default-groups", top).map(normalizeName),
    createdBy: optStr(data, "created-by", top),
    packages,
    warnings,
  };
}

function parsePackage(raw: Table, index: number, at: EntryContext, baseDir: string): PylockPackage {
  const name = nameStr(raw, "name", at);
  const ctx: EntryContext = { ...at, package: name };
  const version = optStr(raw, "version", ctx);
  if (version !== undefined && tryParse(version) === null) throw lockError("ERR_WW_LOCK_INVALID", `version '${version}' of ${name} is not a valid PEP 440 version`, ctx, "fix the version or relock", "version");
  const m = optStr(raw, "marker", ctx);
  const source = parseSource(raw, ctx, baseDir);
  if (version === undefined && source.kind === "dists") throw lockError("ERR_WW_LOCK_INVALID", `${name} has sdist/wheels but no version`, ctx, "PEP 751 requires 'version' for packages from an index");
  return {
    index,
    line: at.line,
    name,
    version,
    marker: m === undefined ? null : marker(m, ctx, "marker"),
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
  const file = (table: Table, at: EntryContext, what: string): FileRef => {
    const url = optStr(table, "url", at);
    const path = optStr(table, "path", at);
    if (url === undefined && path === undefined) throw lockError("ERR_WW_LOCK_INVALID", `${ctx.package}: ${what} has neither 'url' nor 'path'`, at, "PEP 751 requires one of them");
    const size = optInt(table, "size", at);
    return fileRef({ filename: optStr(table, "name", at) ?? basenameOf(url ?? path!), ...(url !== undefined ? { url } : {}), ...(path !== undefined ? { path } : {}), sha256: pickSha256(table.hashes, at, what), ...(size !== undefined ? { size } : {}) }, baseDir);
  };
  if (raw.vcs !== undefined) {
    const vcs = optTable(raw, "vcs", ctx)!;
    const at = within(ctx, "vcs");
    const subdirectory = optStr(vcs, "subdirectory", at);
    const url = optStr(vcs, "url", at);
    const path = optStr(vcs, "path", at);
    const rev = optStr(vcs, "requested-revision", at);
    const type = str(vcs, "type", at);
    if (url === undefined && path === undefined) throw lockError("ERR_WW_LOCK_INVALID", `${ctx.package}: vcs source has neither 'url' nor 'path'`, at, "PEP 751 requires one of them");
    const commit = optStr(vcs, "commit-id", at);
    if (commit === undefined || commit === "") throw lockError("ERR_WW_LOCK_INVALID", `${ctx.package}: vcs source is not pinned to a commit ('commit-id' is missing)`, at, "PEP 751 requires the exact commit; relock to record it");
    return { kind: "vcs", type, commit, ...(url ? { url } : {}), ...(path ? { path } : {}), ...(rev ? { requestedRevision: rev } : {}), ...(subdirectory ? { subdirectory } : {}) };
  }
  if (raw.directory !== undefined) {
    const dir = optTable(raw, "directory", ctx)!;
    const at = within(ctx, "directory");
    const subdirectory = optStr(dir, "subdirectory", at);
    const path = str(dir, "path", at);
    return { kind: "directory", path: isAbsolute(path) ? path : resolve(baseDir, path), editable: optBool(dir, "editable", at) === true, ...(subdirectory ? { subdirectory } : {}) };
  }
  if (raw.archive !== undefined) {
    const archive = optTable(raw, "archive", ctx)!;
    const at = within(ctx, "archive");
    const subdirectory = optStr(archive, "subdirectory", at);
    return { kind: "archive", file: file(archive, at, "archive"), ...(subdirectory ? { subdirectory } : {}) };
  }
  const sdist = optTable(raw, "sdist", ctx);
  const wheels = tableArray(raw, "wheels", ctx);
  return { kind: "dists", ...(sdist !== undefined ? { sdist: file(sdist, within(ctx, "sdist"), "sdist") } : {}), wheels: wheels.map((w, i) => {
    const at = within(ctx, "wheels", i);
    const ref = file(w, at, `wheels[${i}]`);
    checkWheelName(ref.filename, at);
    return ref;
  }) };
}

export function selectPylock(lock: Pylock, options: LockOptions): LockedEnvironment {
  const env = options.python.markerEnvironment;
  const lineOf = (path: (string | number)[]) => (lock.text === undefined ? undefined : findKeyLine(lock.text, path));
  const at = (path: (string | number)[]) => {
    const line = lineOf(path);
    return { file: lock.file, ...(line !== undefined ? { line } : {}) };
  };
  if (lock.requiresPython !== undefined && !satisfies(env.python_full_version, lock.requiresPython, { prereleases: true })) {
    throw new WheelwrightError("ERR_WW_REQUIRES_PYTHON", `${lock.file} requires Python ${lock.requiresPython}, but the interpreter is ${env.python_full_version}`, { ...at(["requires-python"]), hint: "choose a matching interpreter with --python" });
  }
  if (lock.environments.length > 0 && !lock.environments.some((m) => evaluateMarker(m, { ...env }))) {
    throw new WheelwrightError("ERR_WW_LOCK_ENVIRONMENT", `${lock.file} was locked for other environments than this interpreter's (Python ${env.python_full_version} on ${env.sys_platform} ${env.platform_machine})`, {
      ...at(["environments"]),
      hint: `its environments: ${lock.environments.map(formatMarker).join(" | ")}; choose an interpreter that matches one, or relock including this one`,
    });
  }
  const extras = new Set(options.allExtras ? lock.extras : []);
  for (const e of (options.extras ?? []).map(normalizeName)) {
    if (!lock.extras.includes(e)) throw unknown(lock, "extra", e, lock.extras, at(["extras"]));
    extras.add(e);
  }
  const groups = new Set(options.allGroups ? lock.dependencyGroups : options.noDefaultGroups ? [] : lock.defaultGroups);
  for (const g of (options.groups ?? []).map(normalizeName)) {
    if (!lock.dependencyGroups.includes(g)) throw unknown(lock, "dependency group", g, lock.dependencyGroups, at(["dependency-groups"]));
    groups.add(g);
  }
  const markerEnv = { ...env, extras, dependency_groups: groups };
  const selected = new Map<string, PylockPackage>();
  for (const pkg of lock.packages) {
    const ctx = { file: lock.file, ...(pkg.line !== undefined ? { line: pkg.line } : {}), package: pkg.name };
    if (pkg.marker !== null && !holds(pkg.marker, markerEnv, ctx)) continue;
    const earlier = selected.get(pkg.name);
    if (earlier !== undefined) throw lockError("ERR_WW_LOCK_INVALID", `${pkg.name} is selected twice (entries at lines ${earlier.line ?? "?"} and ${pkg.line ?? "?"})`, ctx, "entries of one package need mutually exclusive markers");
    if (pkg.requiresPython !== undefined && !satisfies(env.python_full_version, pkg.requiresPython, { prereleases: true })) {
      const line = lineOf(["packages", pkg.index, "requires-python"]) ?? pkg.line;
      throw new WheelwrightError("ERR_WW_REQUIRES_PYTHON", `${pkg.name} ${pkg.version ?? ""} requires Python ${pkg.requiresPython}, but the interpreter is ${env.python_full_version}`, { ...ctx, ...(line !== undefined ? { line } : {}), hint: "choose a matching interpreter with --python" });
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
    const treeHash = source.kind === "tree" && source.tree.type === "directory" ? directoryHash(source.tree.path, pkg.name, lock.file, pkg.line) : undefined;
    recipes[pkg.name] = mkRecipe({
      name: pkg.name,
      version: pkg.version ?? "0",
      source,
      ...(candidates ? { candidates } : {}),
      dependencies: deps,
      meta: { lock: lock.file, line: pkg.line, ...(treeHash !== undefined ? { treeHash } : {}) },
    });
    roots[pkg.name] = [];
  }
  return { file: lock.file, format: "pylock.toml", overlay: () => recipes, roots, projectName: undefined, summary: { packages: lock.packages.length, selected: selected.size, sources }, warnings: lock.warnings };
}

/** A package marker's value; evaluation errors (an unknown variable) name the entry. */
function holds(marker: Marker, env: MarkerEnvironmentInput, ctx: { file: string; line?: number; package: string }): boolean {
  try {
    return evaluateMarker(marker, env);
  } catch (error) {
    if (!isWheelwrightError(error)) throw error;
    throw new WheelwrightError(error.code, `${ctx.package}: ${error.message}`, { ...ctx, cause: error, hint: "PEP 751 markers may use the interpreter's variables plus `extras` and `dependency_groups`" });
  }
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

function unknown(lock: Pylock, kind: string, name: string, known: string[], at: { file: string; line?: number }): WheelwrightError {
  return new WheelwrightError("ERR_WW_UNKNOWN_EXTRA", `${lock.file} has no ${kind} '${name}'`, { ...at, hint: known.length > 0 ? `it lists: ${known.join(", ")}` : `it lists no ${kind}s` });
}

function marker(text: string, ctx: EntryContext, key: string | number): Marker {
  try {
    return parseMarker(text);
  } catch (error) {
    if (isWheelwrightError(error)) throw lockError("ERR_WW_LOCK_INVALID", `${ctx.package ? `${ctx.package}: ` : ""}invalid marker '${text}': ${error.message}`, ctx, "fix the marker or relock", key);
    throw error;
  }
}
