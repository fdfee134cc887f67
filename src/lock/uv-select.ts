/**
 * A uv.lock for one environment, the way `uv sync` reads it: walk from the root project(s)
 * along dependency edges whose markers hold for this interpreter, activating the requested
 * extras and groups; edges that name a version or source pick among forks of one package.
 * The packages reached become recipes; everything else in the lock is ignored.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { WheelwrightError } from "../errors.js";
import { normalizeName } from "../pep/names.js";
import { satisfies } from "../pep/pep440.js";
import { evaluateMarker, type Marker, type MarkerEnvironmentInput } from "../pep/pep508.js";
import { readPyproject, toolTable } from "../pep/pyproject.js";
import { supportedTags } from "../pep/tags.js";
import { chooseSource } from "../scope/choose-source.js";
import { mkRecipe, type DepSpec, type Recipe } from "../scope/recipe.js";
import type { Candidates, Source } from "../scope/source.js";
import { fileRef } from "./files.js";
import { sourcePrefsFor } from "./prefs.js";
import { directoryHash } from "./tree-hash.js";
import type { LockedEnvironment, LockOptions } from "./types.js";
import type { UvDependency, UvLock, UvPackage, UvSource } from "./uv-model.js";

export function selectUvLock(lock: UvLock, options: LockOptions): LockedEnvironment {
  const env = options.python.markerEnvironment;
  const baseDir = options.projectDir ?? dirname(lock.file);
  if (lock.requiresPython !== undefined && !satisfies(env.python_full_version, lock.requiresPython, { prereleases: true })) {
    throw new WheelwrightError("ERR_WW_REQUIRES_PYTHON", `${lock.file} requires Python ${lock.requiresPython}, but the interpreter is ${env.python_full_version}`, {
      file: lock.file,
      hint: "choose a matching interpreter with --python, or relock for this one",
    });
  }
  const byName = new Map<string, UvPackage[]>();
  for (const pkg of lock.packages) byName.set(pkg.name, [...(byName.get(pkg.name) ?? []), pkg]);
  const roots = findRoots(lock);
  const activation = rootActivation(lock, roots, options, baseDir);

  // Conflict markers written by uv test `extra == 'extra-<len>-<package>-<extra>'` (groups:
  // 'group-<len>-<package>-<group>'); they read the activated set through the `extras` variable.
  const active = new Set<string>();
  for (const [root, keys] of activation) {
    for (const key of keys) {
      const [kind, item] = key.split(":") as ["extra" | "group", string];
      active.add(`${kind}-${root.name.length}-${root.name}-${item}`);
    }
  }
  const holds = (marker: Marker | null) => marker === null || evaluateMarker(rewriteExtraMarker(marker), { ...env, extras: active } as unknown as MarkerEnvironmentInput);

  const selected = new Map<UvPackage, Set<string>>();
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
  for (let i = 0; i < queue.length; i++) {
    const [pkg, key] = queue[i]!;
    for (const dep of edgesOf(pkg, key)) {
      if (!holds(dep.marker)) continue;
      const target = resolveEdge(dep, pkg, byName, lock, { ...env });
      activate(target, "");
      for (const extra of dep.extras) activate(target, `extra:${extra}`);
    }
  }

  const chosen = new Map<string, UvPackage>();
  for (const pkg of selected.keys()) {
    const other = chosen.get(pkg.name);
    if (other !== undefined) {
      throw new WheelwrightError("ERR_WW_CONFLICT", `two versions of ${pkg.name} are selected together: ${other.version} and ${pkg.version}`, {
        file: lock.file,
        package: pkg.name,
        hint: "the requested extras or groups were locked as conflicting; choose one of them",
      });
    }
    chosen.set(pkg.name, pkg);
  }
  checkConflicts(lock, selected);

  const tags = supportedTags(options.python);
  const recipes: Record<string, Recipe> = {};
  const sources: Record<string, number> = {};
  for (const [pkg, keys] of selected) {
    const edges = (deps: UvDependency[]): DepSpec => {
      const spec: DepSpec = {};
      for (const dep of deps) {
        if (!holds(dep.marker) || chosen.get(dep.name) === undefined) continue;
        spec[dep.name] = [...new Set([...(spec[dep.name] ?? []), ...dep.extras])];
      }
      return spec;
    };
    const optional = Object.fromEntries(Object.entries(pkg.optionalDependencies).map(([extra, deps]) => [extra, keys.has(`extra:${extra}`) ? edges(deps) : {}]));
    const groups = Object.fromEntries(Object.entries(pkg.devDependencies).map(([group, deps]) => [group, keys.has(`group:${group}`) ? edges(deps) : {}]));
    const { source, candidates } = sourceOf(pkg, lock, baseDir, options, tags);
    sources[source.kind] = (sources[source.kind] ?? 0) + 1;
    recipes[pkg.name] = mkRecipe({
      name: pkg.name,
      version: pkg.version ?? "0",
      source,
      ...(candidates !== undefined ? { candidates } : {}),
      dependencies: edges(pkg.dependencies),
      optionalDependencies: optional,
      dependencyGroups: groups,
      meta: { lock: lock.file, line: pkg.line, ...(source.kind === "tree" && source.tree.type === "directory" ? { treeHash: directoryHash(source.tree.path, pkg.name, lock.file) } : {}) },
    });
  }

  const rootSpec: DepSpec = {};
  for (const [root, keys] of activation) rootSpec[root.name] = [...keys].map((k) => k.slice(k.indexOf(":") + 1));
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

/** The project at "." — or, for a virtual workspace root, every workspace member. */
function findRoots(lock: UvLock): UvPackage[] {
  const isLocal = (s: UvSource) => s.kind === "editable" || s.kind === "virtual" || s.kind === "directory";
  const atRoot = lock.packages.filter((p) => isLocal(p.source) && "path" in p.source && (p.source.path === "." || p.source.path === ""));
  const root = atRoot[0];
  if (root !== undefined && root.source.kind !== "virtual") return [root];
  const members = lock.members.map((name) => lock.packages.find((p) => p.name === name && isLocal(p.source))).filter((p): p is UvPackage => p !== undefined);
  if (members.length > 0) return members;
  if (root !== undefined) return [root];
  throw new WheelwrightError("ERR_WW_LOCK_INVALID", `${lock.file} has no project at its root and no workspace members`, {
    file: lock.file,
    hint: "wheelwright syncs a project's lock; lock a project directory with uv, or export a pylock.toml",
  });
}

/** Requested extras and groups per root, validated; groups default to `dev` as uv does. */
function rootActivation(lock: UvLock, roots: UvPackage[], options: LockOptions, baseDir: string): Map<UvPackage, Set<string>> {
  const out = new Map<UvPackage, Set<string>>(roots.map((r) => [r, new Set<string>()]));
  const extras = (options.extras ?? []).map(normalizeName);
  const groups = (options.groups ?? []).map(normalizeName);
  for (const extra of extras) {
    const owners = roots.filter((r) => extra in r.optionalDependencies);
    if (owners.length === 0) throw unknownSelection(lock, roots, "extra", extra, roots.flatMap((r) => Object.keys(r.optionalDependencies)));
    for (const r of owners) out.get(r)!.add(`extra:${extra}`);
  }
  for (const group of groups) {
    const owners = roots.filter((r) => group in r.devDependencies);
    if (owners.length === 0) throw unknownSelection(lock, roots, "group", group, roots.flatMap((r) => Object.keys(r.devDependencies)));
    for (const r of owners) out.get(r)!.add(`group:${group}`);
  }
  for (const r of roots) {
    if (options.allExtras) for (const e of Object.keys(r.optionalDependencies)) out.get(r)!.add(`extra:${e}`);
    if (options.allGroups) for (const g of Object.keys(r.devDependencies)) out.get(r)!.add(`group:${g}`);
    else if (!options.noDefaultGroups) for (const g of defaultGroups(baseDir)) if (g in r.devDependencies) out.get(r)!.add(`group:${g}`);
  }
  return out;
}

/** `[tool.uv] default-groups` of the project next to the lock, else `["dev"]` (uv's default). */
function defaultGroups(baseDir: string): string[] {
  const file = join(baseDir, "pyproject.toml");
  if (!existsSync(file)) return ["dev"];
  const uv = toolTable(readPyproject(readFileSync(file, "utf8"), file), "uv");
  const groups = uv?.["default-groups"];
  if (Array.isArray(groups)) return groups.filter((g): g is string => typeof g === "string").map(normalizeName);
  if (groups === "all") return ["*"];
  return ["dev"];
}

function unknownSelection(lock: UvLock, roots: UvPackage[], kind: "extra" | "group", name: string, known: string[]): WheelwrightError {
  return new WheelwrightError("ERR_WW_UNKNOWN_EXTRA", `${roots.map((r) => r.name).join(", ")} has no ${kind} '${name}'`, {
    file: lock.file,
    package: roots[0]?.name ?? "",
    hint: known.length > 0 ? `available ${kind}s: ${[...new Set(known)].sort().join(", ")}` : `the project defines no ${kind}s`,
  });
}

function edgesOf(pkg: UvPackage, key: string): UvDependency[] {
  if (key === "") return pkg.dependencies;
  const [kind, item] = key.split(":") as [string, string];
  return (kind === "extra" ? pkg.optionalDependencies[item] : pkg.devDependencies[item]) ?? [];
}

function resolveEdge(dep: UvDependency, from: UvPackage, byName: Map<string, UvPackage[]>, lock: UvLock, env: MarkerEnvironmentInput): UvPackage {
  let candidates = byName.get(dep.name) ?? [];
  if (candidates.length > 1 && dep.version !== undefined) candidates = candidates.filter((c) => c.version === dep.version);
  if (candidates.length > 1 && dep.source !== undefined) candidates = candidates.filter((c) => JSON.stringify(c.source) === JSON.stringify(dep.source));
  if (candidates.length > 1) {
    const forked = candidates.filter((c) => c.resolutionMarkers.length === 0 || c.resolutionMarkers.some((m) => evaluateMarker(m, env)));
    if (forked.length > 0) candidates = forked;
  }
  if (candidates.length !== 1) {
    throw new WheelwrightError("ERR_WW_LOCK_INVALID", `${from.name} depends on ${dep.name}${dep.version ? ` ${dep.version}` : ""}, which matches ${candidates.length} entries of the lock`, {
      file: lock.file,
      ...(from.line !== undefined ? { line: from.line } : {}),
      package: from.name,
      hint: "the lock is inconsistent; relock with uv",
    });
  }
  return candidates[0]!;
}

function checkConflicts(lock: UvLock, selected: Map<UvPackage, Set<string>>): void {
  const activeOf = (name: string, key: string) => [...selected].some(([p, keys]) => p.name === name && keys.has(key));
  for (const set of lock.conflicts) {
    const on = set.filter((item) => (item.extra !== undefined ? activeOf(item.package, `extra:${item.extra}`) : item.group !== undefined ? activeOf(item.package, `group:${item.group}`) : false));
    if (on.length > 1) {
      const label = (i: (typeof on)[number]) => (i.extra !== undefined ? `${i.package}[${i.extra}]` : `${i.package} group ${i.group}`);
      throw new WheelwrightError("ERR_WW_CONFLICT", `${on.map(label).join(" and ")} are declared as conflicting and cannot be selected together`, {
        file: lock.file,
        package: on[0]!.package,
        hint: "select at most one member of each conflict set (see `conflicts` in the lock / [tool.uv] conflicts)",
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

function sourceOf(pkg: UvPackage, lock: UvLock, baseDir: string, options: LockOptions, tags: ReturnType<typeof supportedTags>): { source: Source; candidates?: Candidates } {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const s = pkg.source;
  const where = { name: pkg.name, version: pkg.version ?? "", file: lock.file, ...(pkg.line !== undefined ? { line: pkg.line } : {}) };
  switch (s.kind) {
    case "registry":
    case "url":
    case "path": {
      const location = s.kind === "path" ? { path: s.path } : s.kind === "url" ? { url: s.url } : {};
      if (s.kind === "url" && s.subdirectory !== undefined && pkg.sdist !== undefined) {
        return { source: { kind: "tree", tree: { type: "archive", file: fileRef({ ...location, ...pkg.sdist }, baseDir), subdirectory: s.subdirectory } } };
      }
      const candidates: Candidates = { wheels: pkg.wheels.map((w) => fileRef(w.url || w.path ? w : { ...location, ...w }, baseDir)) };
      if (pkg.sdist !== undefined) candidates.sdist = fileRef(pkg.sdist.url || pkg.sdist.path ? pkg.sdist : { ...location, ...pkg.sdist }, baseDir);
      if (s.kind === "path" && candidates.wheels.length === 0 && candidates.sdist === undefined) {
        return { source: { kind: "tree", tree: { type: "directory", path: abs(s.path) } } };
      }
      return { source: chooseSource(where, candidates, sourcePrefsFor(pkg.name, options), tags), candidates };
    }
    case "git":
      return { source: { kind: "tree", tree: { type: "git", url: s.url, commit: s.commit, ...(s.ref ? { ref: s.ref } : {}), ...(s.subdirectory ? { subdirectory: s.subdirectory } : {}) } } };
    case "directory":
      return { source: { kind: "tree", tree: { type: "directory", path: abs(s.path) } } };
    case "editable":
      return { source: { kind: "editable", path: abs(s.path) } };
    case "virtual":
      return { source: { kind: "virtual" } };
  }
}
