/**
 * A uv.lock for one environment, the way `uv sync` reads it: walk from the root project(s)
 * along dependency edges whose markers hold for this interpreter, activating the requested
 * extras and groups. Each edge already names one entry (see uv-model), which is how forks
 * (several versions of one package) are told apart. The packages reached become recipes;
 * everything else in the lock is ignored.
 *
 * Conflict markers: for `conflicts`, uv encodes "extra E of package P is active" in markers as
 * `extra == 'extra-<len(P)>-<P>-<E>'` (groups: `group-<len(P)>-<P>-<G>`). Those are answered
 * from the set of activated extras and groups, which — as uv does — is first collected by a
 * walk over the whole graph (extras are also activated by edges like `dep[extra]`), then used
 * by the real walk.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { WheelwrightError, isWheelwrightError } from "../errors.js";
import { normalizeName } from "../pep/names.js";
import { satisfies } from "../pep/pep440.js";
import { evaluateMarker, type Marker } from "../pep/pep508.js";
import { readPyproject, toolTable } from "../pep/pyproject.js";
import { findKeyLine } from "../pep/toml-position.js";
import { supportedTags } from "../pep/tags.js";
import type { MarkerEnvironment } from "../python/types.js";
import { mkRecipe, type DepSpec, type Recipe } from "../scope/recipe.js";
import { directoryHash } from "./tree-hash.js";
import { sourceOf } from "./uv-sources.js";
import type { LockedEnvironment, LockOptions } from "./types.js";
import type { UvDependency, UvLock, UvManifestRequirement, UvPackage, UvSource } from "./uv-model.js";

/** uv's encoding of an activated extra or group as an `extra` marker value. */
export function conflictMarkerValue(kind: "extra" | "group", pkg: string, item: string): string {
  return `${kind}-${pkg.length}-${pkg}-${item}`;
}

type Activation = Map<UvPackage, Set<string>>;

export function selectUvLock(lock: UvLock, options: LockOptions): LockedEnvironment {
  const env = options.python.markerEnvironment;
  const baseDir = options.projectDir ?? dirname(lock.file);
  if (lock.requiresPython !== undefined && !satisfies(env.python_full_version, lock.requiresPython, { prereleases: true })) {
    const line = findKeyLine(lock.text, ["requires-python"]);
    throw new WheelwrightError("ERR_WW_REQUIRES_PYTHON", `${lock.file} requires Python ${lock.requiresPython}, but the interpreter is ${env.python_full_version}`, {
      file: lock.file,
      ...(line !== undefined ? { line } : {}),
      hint: "choose a matching interpreter with --python, or relock for this one",
    });
  }
  const roots = findRoots(lock);
  const { activation, extraRoots } = rootActivation(lock, roots, options, baseDir);
  const evaluator = markerEvaluator(lock, env);

  // Pass 1 (only needed when conflict markers can occur): every extra and group activated.
  const active = new Set<string>();
  for (const [root, keys] of activation) for (const key of keys) active.add(encodeKey(root.name, key));
  if (lock.conflicts.length > 0) walk(lock, activation, extraRoots, evaluator, active, true);
  const selected = walk(lock, activation, extraRoots, evaluator, active, false);

  checkConflicts(lock, selected);
  const chosen = new Map<string, UvPackage>();
  for (const pkg of selected.keys()) {
    const other = chosen.get(pkg.name);
    if (other !== undefined) {
      throw new WheelwrightError("ERR_WW_CONFLICT", `two versions of ${pkg.name} are selected together: ${other.version} and ${pkg.version}`, {
        file: lock.file,
        ...(pkg.line !== undefined ? { line: pkg.line } : {}),
        package: pkg.name,
        hint: "the requested extras or groups were locked as conflicting; choose one of them",
      });
    }
    chosen.set(pkg.name, pkg);
  }

  const tags = supportedTags(options.python);
  const recipes: Record<string, Recipe> = {};
  const sources: Record<string, number> = {};
  for (const [pkg, keys] of selected) {
    const edges = (deps: UvDependency[]): DepSpec => {
      const spec: DepSpec = {};
      for (const dep of deps) {
        if (!selected.has(lock.packages[dep.target]!) || !evaluator(dep.marker, active, pkg)) continue;
        spec[dep.name] = [...new Set([...(spec[dep.name] ?? []), ...dep.extras])];
      }
      return spec;
    };
    const optional = Object.fromEntries(Object.entries(pkg.optionalDependencies).map(([extra, deps]) => [extra, keys.has(`extra:${extra}`) ? edges(deps) : {}]));
    const groups = Object.fromEntries(Object.entries(pkg.devDependencies).map(([group, deps]) => [group, keys.has(`group:${group}`) ? edges(deps) : {}]));
    const { source, candidates } = sourceOf(pkg, lock, baseDir, options, tags);
    sources[source.kind] = (sources[source.kind] ?? 0) + 1;
    const treeHash = source.kind === "tree" && source.tree.type === "directory" ? directoryHash(source.tree.path, pkg.name, lock.file, findKeyLine(lock.text, ["package", pkg.index, "source"]) ?? pkg.line) : undefined;
    recipes[pkg.name] = mkRecipe({
      name: pkg.name,
      version: pkg.version ?? "0",
      source,
      ...(candidates !== undefined ? { candidates } : {}),
      dependencies: edges(pkg.dependencies),
      optionalDependencies: optional,
      dependencyGroups: groups,
      meta: { lock: lock.file, line: pkg.line, ...(treeHash !== undefined ? { treeHash } : {}) },
    });
  }

  const rootSpec: DepSpec = {};
  for (const [root, keys] of activation) rootSpec[root.name] = [...keys].map((k) => k.slice(k.indexOf(":") + 1));
  for (const [pkg, extras] of extraRoots) rootSpec[pkg.name] = [...new Set([...(rootSpec[pkg.name] ?? []), ...extras])];
  const rootPkg = roots.find((r) => r.source.kind !== "virtual") ?? roots[0];
  return {
    file: lock.file,
    format: "uv.lock",
    overlay: () => recipes,
    roots: rootSpec,
    projectName: rootPkg?.name,
    summary: { packages: lock.packages.length, selected: selected.size, sources },
    warnings: lock.warnings,
  };
}

/** `extra:cpu` of `project` → `extra-7-project-cpu`. */
function encodeKey(pkg: string, key: string): string {
  const at = key.indexOf(":");
  return conflictMarkerValue(key.slice(0, at) as "extra" | "group", pkg, key.slice(at + 1));
}

type Evaluator = (marker: Marker | null, active: ReadonlySet<string>, from: UvPackage) => boolean;

/** Marker evaluation with `extra == '…'` read as membership in the active set; errors name the entry. */
function markerEvaluator(lock: UvLock, env: MarkerEnvironment): Evaluator {
  const rewritten = new WeakMap<Marker, Marker>();
  return (marker, active, from) => {
    if (marker === null) return true;
    let tree = rewritten.get(marker);
    if (tree === undefined) rewritten.set(marker, (tree = rewriteExtraMarker(marker)));
    try {
      return evaluateMarker(tree, { ...env, extras: active });
    } catch (error) {
      if (!isWheelwrightError(error)) throw error;
      throw new WheelwrightError(error.code, `${from.name}: ${error.message}`, { file: lock.file, ...(from.line !== undefined ? { line: from.line } : {}), package: from.name, cause: error, ...(error.hint !== undefined ? { hint: error.hint } : {}) });
    }
  };
}

/**
 * Breadth-first walk from the roots. With `collect`, edges also add the extras they activate
 * to `active` (uv's first pass); without, `active` is only read.
 */
function walk(lock: UvLock, activation: Activation, extraRoots: Map<UvPackage, string[]>, holds: Evaluator, active: Set<string>, collect: boolean): Activation {
  const selected: Activation = new Map();
  const queue: [UvPackage, string][] = [];
  const activate = (pkg: UvPackage, key: string) => {
    let keys = selected.get(pkg);
    if (keys === undefined) selected.set(pkg, (keys = new Set()));
    if (keys.has(key)) return;
    keys.add(key);
    queue.push([pkg, key]);
  };
  for (const [root, keys] of activation) {
    activate(root, "");
    for (const key of keys) activate(root, key);
  }
  for (const [pkg, extras] of extraRoots) {
    activate(pkg, "");
    for (const extra of extras) activate(pkg, `extra:${extra}`);
  }
  for (let i = 0; i < queue.length; i++) {
    const [pkg, key] = queue[i]!;
    for (const dep of edgesOf(pkg, key)) {
      const target = lock.packages[dep.target]!;
      if (collect) {
        const added = dep.extras.map((e) => conflictMarkerValue("extra", target.name, e)).filter((v) => !active.has(v));
        if (!holds(dep.marker, added.length === 0 ? active : new Set([...active, ...added]), pkg)) continue;
        for (const v of added) active.add(v);
      } else if (!holds(dep.marker, active, pkg)) {
        continue;
      }
      activate(target, "");
      for (const extra of dep.extras) activate(target, `extra:${extra}`);
    }
  }
  return selected;
}

const isLocal = (s: UvSource) => s.kind === "editable" || s.kind === "virtual" || s.kind === "directory";

/**
 * The project at the lock's directory (a virtual one too: `tool.uv.package = false`), as
 * `uv sync` installs it; or, for a workspace whose root is not a project, every member.
 */
function findRoots(lock: UvLock): UvPackage[] {
  const atRoot = projectAtRoot(lock);
  if (atRoot !== undefined) return [atRoot];
  const members = lock.members.map((name) => lock.packages.find((p) => p.name === name && isLocal(p.source))).filter((p): p is UvPackage => p !== undefined);
  if (members.length > 0) return members;
  throw new WheelwrightError("ERR_WW_LOCK_INVALID", `${lock.file} has no project at its root and no workspace members`, {
    file: lock.file,
    hint: "wheelwright syncs a project's lock; lock a project directory with uv, or export a pylock.toml",
  });
}

/**
 * Requested extras and groups per root, validated against what the roots declare; groups
 * default to `[tool.uv] default-groups` of the pyproject.toml next to the lock, else `dev`.
 * Groups of a non-project workspace root (`[manifest.dependency-groups]`) become extra roots.
 */
function rootActivation(lock: UvLock, roots: UvPackage[], options: LockOptions, baseDir: string): { activation: Activation; extraRoots: Map<UvPackage, string[]> } {
  const activation: Activation = new Map(roots.map((r) => [r, new Set<string>()]));
  const manifestGroups = projectAtRoot(lock) !== undefined ? {} : lock.manifestGroups;
  const extras = (options.extras ?? []).map(normalizeName);
  const groups = (options.groups ?? []).map(normalizeName);
  for (const extra of extras) {
    const owners = roots.filter((r) => r.declaredExtras.includes(extra));
    if (owners.length === 0) throw unknownSelection(lock, roots, "extra", extra, roots.flatMap((r) => r.declaredExtras));
    for (const r of owners) if (extra in r.optionalDependencies) activation.get(r)!.add(`extra:${extra}`);
  }
  const wantedGroups = new Set<string>();
  for (const group of groups) {
    const owners = roots.filter((r) => r.declaredGroups.includes(group));
    if (owners.length === 0 && !(group in manifestGroups)) throw unknownSelection(lock, roots, "group", group, [...roots.flatMap((r) => r.declaredGroups), ...Object.keys(manifestGroups)]);
    wantedGroups.add(group);
  }
  const allGroups = new Set([...roots.flatMap((r) => Object.keys(r.devDependencies)), ...Object.keys(manifestGroups)]);
  if (options.allGroups) for (const g of allGroups) wantedGroups.add(g);
  else if (!options.noDefaultGroups) {
    const defaults = defaultGroups(baseDir);
    for (const g of defaults === "all" ? allGroups : defaults) wantedGroups.add(g);
  }
  for (const r of roots) {
    if (options.allExtras) for (const e of Object.keys(r.optionalDependencies)) activation.get(r)!.add(`extra:${e}`);
    for (const g of wantedGroups) if (g in r.devDependencies) activation.get(r)!.add(`group:${g}`);
  }
  const extraRoots = new Map<UvPackage, string[]>();
  for (const g of wantedGroups) {
    for (const req of manifestGroups[g] ?? []) {
      const pkg = findByMarkers(lock, req, options.python.markerEnvironment);
      if (pkg !== undefined) extraRoots.set(pkg, [...new Set([...(extraRoots.get(pkg) ?? []), ...req.extras])]);
    }
  }
  return { activation, extraRoots };
}

/** The lock's entry for `.` — the project `uv sync` installs — if the root is a project. */
function projectAtRoot(lock: UvLock): UvPackage | undefined {
  return lock.packages.find((p) => isLocal(p.source) && "path" in p.source && (p.source.path === "." || p.source.path === ""));
}

/**
 * The entry of a manifest requirement for this environment, as uv looks it up: skipped when
 * its marker is false; among several entries of the name, the one whose fork markers
 * (`resolution-markers`) hold.
 */
function findByMarkers(lock: UvLock, req: UvManifestRequirement, env: MarkerEnvironment): UvPackage | undefined {
  const evaluate = (m: Marker) => evaluateMarker(rewriteExtraMarker(m), { ...env, extra: "", extras: new Set<string>() });
  if (req.marker !== null && !evaluate(req.marker)) return undefined;
  let candidates = lock.packages.filter((p) => p.name === req.name);
  if (candidates.length > 1) candidates = candidates.filter((c) => c.resolutionMarkers.length === 0 || c.resolutionMarkers.some(evaluate));
  if (candidates.length === 1) return candidates[0];
  const line = findKeyLine(lock.text, ["manifest", "dependency-groups"]);
  throw new WheelwrightError("ERR_WW_LOCK_INVALID", `the workspace requirement '${req.name}' matches ${candidates.length} entries of the lock for this environment`, {
    file: lock.file,
    ...(line !== undefined ? { line } : {}),
    package: req.name,
    hint: "the lock is inconsistent; relock (uv lock)",
  });
}

/** `[tool.uv] default-groups` of the project next to the lock: a list, "all", else `["dev"]` (uv's default). */
function defaultGroups(baseDir: string): string[] | "all" {
  const file = join(baseDir, "pyproject.toml");
  if (!existsSync(file)) return ["dev"];
  const uv = toolTable(readPyproject(readFileSync(file, "utf8"), file), "uv");
  const groups = uv?.["default-groups"];
  if (Array.isArray(groups)) return groups.filter((g): g is string => typeof g === "string").map(normalizeName);
  if (groups === "all") return "all";
  return ["dev"];
}

function unknownSelection(lock: UvLock, roots: UvPackage[], kind: "extra" | "group", name: string, known: string[]): WheelwrightError {
  const root = roots[0];
  return new WheelwrightError("ERR_WW_UNKNOWN_EXTRA", `${roots.map((r) => r.name).join(", ")} has no ${kind} '${name}'`, {
    file: lock.file,
    ...(root?.line !== undefined ? { line: root.line } : {}),
    package: root?.name ?? "",
    hint: known.length > 0 ? `available ${kind}s: ${[...new Set(known)].sort().join(", ")}` : `the project defines no ${kind}s`,
  });
}

function edgesOf(pkg: UvPackage, key: string): UvDependency[] {
  if (key === "") return pkg.dependencies;
  const at = key.indexOf(":");
  const item = key.slice(at + 1);
  return (key.slice(0, at) === "extra" ? pkg.optionalDependencies[item] : pkg.devDependencies[item]) ?? [];
}

function checkConflicts(lock: UvLock, selected: Activation): void {
  const activeOf = (name: string, key: string) => [...selected].some(([p, keys]) => p.name === name && keys.has(key));
  for (const [i, set] of lock.conflicts.entries()) {
    const on = set.filter((item) => (item.extra !== undefined ? activeOf(item.package, `extra:${item.extra}`) : item.group !== undefined ? activeOf(item.package, `group:${item.group}`) : false));
    if (on.length > 1) {
      const label = (item: (typeof on)[number]) => (item.extra !== undefined ? `${item.package}[${item.extra}]` : `${item.package} group '${item.group}'`);
      const line = findKeyLine(lock.text, ["conflicts", i]) ?? findKeyLine(lock.text, ["conflicts"]);
      throw new WheelwrightError("ERR_WW_CONFLICT", `${on.map(label).join(" and ")} are declared as conflicting and cannot be selected together`, {
        file: lock.file,
        ...(line !== undefined ? { line } : {}),
        package: on[0]!.package,
        hint: "select at most one member of each conflict set (see `conflicts` in the lock / [tool.uv] conflicts); mind default groups (--no-default-groups)",
      });
    }
  }
}

/** `extra == 'x'` → `'x' in extras`, so one activated set answers every such test. */
function rewriteExtraMarker(marker: Marker): Marker {
  if (marker.op !== "compare") return { op: marker.op, left: rewriteExtraMarker(marker.left), right: rewriteExtraMarker(marker.right) };
  const isExtra = (v: typeof marker.lhs) => "variable" in v && v.variable === "extra";
  if ((marker.comparator === "==" || marker.comparator === "!=") && (isExtra(marker.lhs) || isExtra(marker.rhs))) {
    const literal = isExtra(marker.lhs) ? marker.rhs : marker.lhs;
    return { op: "compare", lhs: literal, comparator: marker.comparator === "==" ? "in" : "not in", rhs: { variable: "extras" } };
  }
  return marker;
}
