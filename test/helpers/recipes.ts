// Builds synthetic recipes and package sets for resolver, scope and derivation tests.
import { mkRecipe, type DepSpec, type Recipe } from "../../src/scope/recipe.js";
import { packages, type PackageSet } from "../../src/scope/package-set.js";

export interface FakePackage {
  deps?: DepSpec;
  extras?: Record<string, DepSpec>;
  groups?: Record<string, DepSpec>;
  version?: string;
  buildSystem?: DepSpec;
}

export function fakeRecipe(name: string, pkg: FakePackage = {}): Recipe {
  return mkRecipe({
    name,
    version: pkg.version ?? "1.0",
    source: { kind: "wheel", file: { filename: `${name.replace(/-/g, "_")}-${pkg.version ?? "1.0"}-py3-none-any.whl`, sha256: "0".repeat(64) } },
    dependencies: pkg.deps ?? {},
    optionalDependencies: pkg.extras ?? {},
    dependencyGroups: pkg.groups ?? {},
    ...(pkg.buildSystem ? { buildSystem: pkg.buildSystem } : {}),
  });
}

/** A package set holding the given graph as one overlay. */
export function fakeSet(graph: Record<string, FakePackage>): PackageSet {
  return packages().overrideScope(() => Object.fromEntries(Object.entries(graph).map(([n, p]) => [n, fakeRecipe(n, p)])));
}

export const names = (recipes: Recipe[]): string[] => recipes.map((r) => r.name);
