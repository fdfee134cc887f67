import { normalizeName } from "../pep/names.js";
import type { Candidates, Source } from "./source.js";

/** Normalized package name → the extras requested of it. */
export type DepSpec = Record<string, string[]>;

/**
 * What a package set holds per name. Runtime dependencies are metadata here and never
 * inputs of the package's build (the seed's "no propagation"): only `source`, `buildSystem`,
 * `configSettings`, `env`, `patches` and `install` settings enter its derivation.
 */
export interface RecipeAttrs {
  name: string;
  version: string;
  source: Source;
  /** All distributions the lock offered, so an overlay can choose another source. */
  candidates?: Candidates;
  dependencies: DepSpec;
  optionalDependencies: Record<string, DepSpec>;
  dependencyGroups: Record<string, DepSpec>;
  /**
   * The build-system spec (name → extras), resolved against the set with
   * `resolveBuildSystem`. Undefined: discovered from the source's pyproject.toml at build time.
   */
  buildSystem?: DepSpec;
  /** Requirements added to the discovered (or given) build system. */
  buildSystemAdd?: DepSpec;
  /** Names to drop from the build system (override `build-system-drop`). */
  buildSystemDrop?: string[];
  configSettings?: Record<string, string | string[]>;
  env?: Record<string, string>;
  patches?: string[];
  /** Install-time switches (RECORD verification opt-out for broken wheels). */
  verifyRecord?: boolean;
  /** Free-form facts for tools (e.g. the lock file entry it came from). */
  meta?: Record<string, unknown>;
}

export interface Recipe extends Readonly<RecipeAttrs> {
  /** A copy with some attributes replaced; the function form sees the current attributes. */
  override(change: Partial<RecipeAttrs> | ((attrs: RecipeAttrs) => Partial<RecipeAttrs>)): Recipe;
}

export function isRecipe(value: unknown): value is Recipe {
  return typeof value === "object" && value !== null && typeof (value as Recipe).override === "function" && "source" in value;
}

/** Makes a recipe, normalizing the names in it (keys of dependency maps, extras). */
export function mkRecipe(attrs: Partial<RecipeAttrs> & Pick<RecipeAttrs, "name" | "version" | "source">): Recipe {
  const full: RecipeAttrs = {
    ...attrs,
    name: normalizeName(attrs.name),
    dependencies: normalizeSpec(attrs.dependencies ?? {}),
    optionalDependencies: normalizeSpecMap(attrs.optionalDependencies ?? {}),
    dependencyGroups: normalizeSpecMap(attrs.dependencyGroups ?? {}),
  };
  if (attrs.buildSystem !== undefined) full.buildSystem = normalizeSpec(attrs.buildSystem);
  const recipe: Recipe = Object.freeze({
    ...full,
    override(change: Partial<RecipeAttrs> | ((a: RecipeAttrs) => Partial<RecipeAttrs>)): Recipe {
      const { override: _ignored, ...current } = recipe;
      const patch = typeof change === "function" ? change(current) : change;
      return mkRecipe({ ...current, ...patch });
    },
  });
  return recipe;
}

export function normalizeSpec(spec: DepSpec): DepSpec {
  const out: DepSpec = {};
  for (const [name, extras] of Object.entries(spec)) {
    const key = normalizeName(name);
    const merged = new Set([...(out[key] ?? []), ...extras.map(normalizeName)]);
    out[key] = [...merged].sort();
  }
  return out;
}

function normalizeSpecMap(map: Record<string, DepSpec>): Record<string, DepSpec> {
  const out: Record<string, DepSpec> = {};
  for (const [key, spec] of Object.entries(map)) out[normalizeName(key)] = normalizeSpec(spec);
  return out;
}

/** Merges two specs: union of names, union of extras. */
export function mergeSpecs(...specs: DepSpec[]): DepSpec {
  const out: DepSpec = {};
  for (const spec of specs) {
    for (const [name, extras] of Object.entries(spec)) out[name] = [...new Set([...(out[name] ?? []), ...extras])].sort();
  }
  return out;
}
