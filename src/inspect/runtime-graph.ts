/**
 * The runtime dependency graph of an environment, over the resolver's keys: `name` and
 * `name@extra` (extras and dependency groups share the namespace). An edge `a@x → b` says
 * that a's extra x needs b; `a → b@y` that a needs b with extra y. Built by the same walk as
 * resolveVirtualEnv, so it holds exactly the edges that put members into the environment.
 */
import { normalizeName } from "../pep/names.js";
import type { PackageSet } from "../scope/package-set.js";
import type { DepSpec } from "../scope/recipe.js";

export interface RuntimeGraph {
  /** Root keys (the lock's roots with their selected extras/groups). */
  roots: string[];
  /** Key → the keys it needs, in declaration order. */
  edges: Map<string, string[]>;
}

export function runtimeGraph(set: PackageSet, roots: DepSpec): RuntimeGraph {
  const edges = new Map<string, string[]>();
  const rootKeys = keysOf(roots);
  const queue = [...rootKeys];
  const seen = new Set(queue);
  for (let i = 0; i < queue.length; i++) {
    const key = queue[i]!;
    const at = key.indexOf("@");
    const recipe = set.get(at < 0 ? key : key.slice(0, at));
    const deps = at < 0 ? recipe.dependencies : (recipe.optionalDependencies[key.slice(at + 1)] ?? recipe.dependencyGroups[key.slice(at + 1)] ?? {});
    const next = keysOf(deps);
    edges.set(key, next);
    for (const k of next) {
      if (!seen.has(k)) {
        seen.add(k);
        queue.push(k);
      }
    }
  }
  return { roots: rootKeys, edges };
}

function keysOf(spec: DepSpec): string[] {
  return Object.entries(spec).flatMap(([name, extras]) => [name, ...extras.map((e) => `${name}@${e}`)]);
}

/** `a@x` → `a[x]` for display. */
export function displayKey(key: string): string {
  const at = key.indexOf("@");
  return at < 0 ? key : `${key.slice(0, at)}[${key.slice(at + 1)}]`;
}

/** The package name of a key. */
export function keyName(key: string): string {
  const at = key.indexOf("@");
  return at < 0 ? key : key.slice(0, at);
}

/** Packages the environment's edges say `name` needs (through its extras in use too), sorted. */
export function dependenciesOf(graph: RuntimeGraph, name: string): string[] {
  const wanted = normalizeName(name);
  const out = new Set<string>();
  for (const [from, tos] of graph.edges) if (keyName(from) === wanted) for (const to of tos) if (keyName(to) !== wanted) out.add(displayKey(to));
  return [...out].sort();
}

/** Packages whose edges in this environment lead to `name` (as `pkg` or `pkg[extra]`), sorted. */
export function dependentsOf(graph: RuntimeGraph, name: string): string[] {
  const wanted = normalizeName(name);
  const out = new Set<string>();
  for (const [from, tos] of graph.edges) if (keyName(from) !== wanted && tos.some((t) => keyName(t) === wanted)) out.add(displayKey(from));
  return [...out].sort();
}

export interface WhyResult {
  /** Paths of display keys from a root to the package, shortest first. */
  paths: string[][];
  /** Paths found beyond those listed. */
  more: number;
  /** True when enumeration stopped at its cap (then `more` is a lower bound). */
  truncated: boolean;
}

/**
 * Every simple path from a root key to `name` over runtime edges, shortest first, at most
 * `limit` listed. Paths are enumerated by increasing length (iterative deepening, pruned by
 * each node's distance to the target), so the shortest ones are found first even when
 * enumeration stops at `cap` paths — a dense graph has exponentially many.
 */
export function whyPaths(graph: RuntimeGraph, name: string, options: { limit?: number; cap?: number } = {}): WhyResult {
  const target = normalizeName(name);
  const limit = options.limit ?? 20;
  const cap = options.cap ?? 10_000;
  const reverse = new Map<string, string[]>();
  for (const [from, tos] of graph.edges) for (const to of tos) reverse.set(to, [...(reverse.get(to) ?? []), from]);
  // Edges to the target from each node (BFS on reversed edges).
  const dist = new Map<string, number>([[target, 0]]);
  const queue = [target];
  for (let i = 0; i < queue.length; i++) {
    for (const from of reverse.get(queue[i]!) ?? []) {
      if (!dist.has(from)) {
        dist.set(from, dist.get(queue[i]!)! + 1);
        queue.push(from);
      }
    }
  }
  // A path through one of the package's own extras (`name@x`) only comes back to it: skip those.
  const ownExtra = (key: string) => key !== target && keyName(key) === target;
  const roots = graph.roots.filter((r) => dist.has(r) && !ownExtra(r));
  const found: string[][] = [];
  let truncated = false;
  const path: string[] = [];
  const onPath = new Set<string>();
  // Paths with exactly `length` nodes; a path ends at the target.
  const walk = (key: string, length: number): void => {
    if (found.length >= cap) {
      truncated = true;
      return;
    }
    path.push(key);
    onPath.add(key);
    if (key === target) {
      if (path.length === length) found.push(path.map(displayKey));
    } else {
      for (const next of graph.edges.get(key) ?? []) {
        if (!onPath.has(next) && !ownExtra(next) && dist.has(next) && path.length + 1 + dist.get(next)! <= length) walk(next, length);
      }
    }
    path.pop();
    onPath.delete(key);
  };
  const longest = dist.size;
  for (let length = 1; length <= longest && !truncated; length++) {
    const before = found.length;
    for (const root of roots) walk(root, length);
    const batch = found.slice(before).sort((a, b) => a.join(" ").localeCompare(b.join(" ")));
    found.splice(before, batch.length, ...batch);
  }
  return { paths: found.slice(0, limit), more: Math.max(0, found.length - limit), truncated };
}
