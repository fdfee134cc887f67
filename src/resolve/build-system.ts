/**
 * The build-system resolver: the flat closure of a build-system spec over runtime
 * dependencies, which must be acyclic (a build environment can't import a package that
 * needs itself to be built). A cycle is an error naming it. Results are memoized per spec:
 * every package of a set asks for `{setuptools: []}` or similar, and gets the same list.
 *
 * Iterative depth-first search, so chains of any depth don't exhaust the JS stack.
 */
import { WheelwrightError } from "../errors.js";
import type { DepSpec, Recipe } from "../scope/recipe.js";
import { extraDependencies, type RecipeLookup } from "./virtual-env.js";

export type BuildSystemResolver = (spec: DepSpec) => Recipe[];

interface Frame {
  name: string;
  children: [string, string[]][];
  next: number;
}

export function resolveBuildSystem(get: RecipeLookup): BuildSystemResolver {
  const memo = new Map<string, Recipe[]>();
  return (spec) => {
    const key = specKey(spec);
    let result = memo.get(key);
    if (result === undefined) {
      result = closure(spec, get);
      memo.set(key, result);
    }
    return result;
  };
}

function closure(spec: DepSpec, get: RecipeLookup): Recipe[] {
  const found = new Map<string, Recipe>();
  const visited = new Set<string>();
  for (const [root, rootExtras] of Object.entries(spec)) {
    const stack: Frame[] = [];
    const onStack = new Map<string, number>();
    const push = (name: string, extras: string[], by: string | undefined): void => {
      const nodeKey = `${name}[${extras.join(",")}]`;
      if (visited.has(nodeKey)) return;
      visited.add(nodeKey);
      const recipe = get(name, by);
      found.set(name, recipe);
      onStack.set(name, stack.length);
      stack.push({ name, children: Object.entries(expand(recipe, extras, by)), next: 0 });
    };
    push(root, rootExtras, undefined);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const child = frame.children[frame.next++];
      if (child === undefined) {
        stack.pop();
        onStack.delete(frame.name);
        continue;
      }
      const [dep, extras] = child;
      const position = onStack.get(dep);
      if (position !== undefined) throw cycleError([...stack.slice(position).map((f) => f.name), dep]);
      push(dep, extras, frame.name);
    }
  }
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * A node's edges: its dependencies plus those of the requested extras. A package's extra
 * that requires the package itself with other extras (`foo[all] -> foo[a]`) widens the same
 * node instead of being a cycle.
 */
function expand(recipe: Recipe, extras: string[], by: string | undefined): DepSpec {
  const edges: DepSpec = { ...recipe.dependencies };
  const pending = [...extras];
  const seen = new Set<string>(extras);
  while (pending.length > 0) {
    const extra = pending.pop()!;
    for (const [dep, depExtras] of Object.entries(extraDependencies(recipe, extra, by))) {
      if (dep === recipe.name) {
        for (const e of depExtras) if (!seen.has(e)) (seen.add(e), pending.push(e));
        continue;
      }
      edges[dep] = [...new Set([...(edges[dep] ?? []), ...depExtras])].sort();
    }
  }
  delete edges[recipe.name];
  return edges;
}

function cycleError(path: string[]): WheelwrightError {
  return new WheelwrightError("ERR_WW_BUILD_SYSTEM_CYCLE", `build-system dependency cycle: ${path.join(" -> ")}`, {
    package: path[0]!,
    hint: "a build environment can't contain a package that needs itself; take one member of the cycle as a wheel (source preference 'wheel' for it in [tool.wheelwright]) or drop the edge with a build-system override",
  });
}

function specKey(spec: DepSpec): string {
  return Object.keys(spec)
    .sort()
    .map((name) => `${name}[${(spec[name] ?? []).join(",")}]`)
    .join(" ");
}
