/**
 * The environment resolver: closure over `name` and `name@extra` keys, as pyproject.nix's
 * make-venv resolver does. Cycles are harmless (a key is visited once). Extras and
 * dependency groups share one namespace: `pkg@x` expands `optionalDependencies.x`, else
 * `dependencyGroups.x`, else it is an error. The result is the packages in first-visit order
 * (breadth-first), which is what decides "first wins" under ignored venv collisions.
 */
import { WheelwrightError } from "../errors.js";
import type { DepSpec, Recipe } from "../scope/recipe.js";

export type RecipeLookup = (name: string, requestedBy?: string) => Recipe;

export function resolveVirtualEnv(spec: DepSpec, get: RecipeLookup): Recipe[] {
  const queue: string[] = [];
  const parent = new Map<string, string | undefined>();
  const enqueue = (deps: DepSpec, from: string | undefined): void => {
    for (const [name, extras] of Object.entries(deps)) {
      if (!parent.has(name)) {
        parent.set(name, from);
        queue.push(name);
      }
      for (const extra of extras) {
        const key = `${name}@${extra}`;
        if (!parent.has(key)) {
          parent.set(key, from);
          queue.push(key);
        }
      }
    }
  };
  enqueue(spec, undefined);

  const members: Recipe[] = [];
  for (let i = 0; i < queue.length; i++) {
    const key = queue[i]!;
    const at = key.indexOf("@");
    const from = parent.get(key);
    const requestedBy = from === undefined ? undefined : displayKey(from);
    if (at < 0) {
      const recipe = get(key, requestedBy);
      members.push(recipe);
      enqueue(recipe.dependencies, key);
      continue;
    }
    const name = key.slice(0, at);
    const extra = key.slice(at + 1);
    const recipe = get(name, requestedBy);
    enqueue(extraDependencies(recipe, extra, requestedBy), key);
  }
  return members;
}

/** `optionalDependencies[extra]`, else `dependencyGroups[extra]`, else ERR_WW_UNKNOWN_EXTRA. */
export function extraDependencies(recipe: Recipe, extra: string, requestedBy?: string): DepSpec {
  const deps = recipe.optionalDependencies[extra] ?? recipe.dependencyGroups[extra];
  if (deps !== undefined) return deps;
  const known = [...Object.keys(recipe.optionalDependencies), ...Object.keys(recipe.dependencyGroups)].sort();
  throw new WheelwrightError(
    "ERR_WW_UNKNOWN_EXTRA",
    `package '${recipe.name}' has no extra or dependency group '${extra}'${requestedBy ? ` (requested by ${requestedBy})` : ""}`,
    {
      package: recipe.name,
      hint: known.length > 0 ? `'${recipe.name}' defines: ${known.join(", ")}` : `'${recipe.name}' defines no extras or dependency groups`,
    },
  );
}

function displayKey(key: string): string {
  const at = key.indexOf("@");
  return at < 0 ? key : `${key.slice(0, at)}[${key.slice(at + 1)}]`;
}
