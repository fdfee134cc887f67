import { describe, expect, it } from "vitest";
import { isWheelwrightError } from "../../src/errors.js";
import { resolveBuildSystem } from "../../src/resolve/build-system.js";
import type { Recipe } from "../../src/scope/recipe.js";
import { fakeRecipe, fakeSet, names } from "../helpers/recipes.js";

describe("resolveBuildSystem", () => {
  it("returns the flat, sorted runtime closure of the build requirements", () => {
    const set = fakeSet({
      "hatchling": { deps: { packaging: [], pathspec: [], pluggy: [], "trove-classifiers": [] } },
      packaging: {},
      pathspec: {},
      pluggy: {},
      "trove-classifiers": {},
      unrelated: {},
    });
    expect(names(set.resolveBuildSystem({ hatchling: [] }))).toEqual(["hatchling", "packaging", "pathspec", "pluggy", "trove-classifiers"]);
  });

  it("deduplicates diamonds and honours extras, including self-referencing extras", () => {
    const set = fakeSet({
      "setuptools-scm": { deps: { packaging: [] }, extras: { toml: { tomli: [] }, all: { "setuptools-scm": ["toml", "rich"] }, rich: { rich: [] } } },
      setuptools: { deps: { packaging: [] } },
      packaging: {},
      tomli: {},
      rich: {},
    });
    expect(names(set.resolveBuildSystem({ setuptools: [], "setuptools-scm": ["all"] }))).toEqual(["packaging", "rich", "setuptools", "setuptools-scm", "tomli"]);
  });

  it.each([2, 3, 4])("rejects a cycle of length %i and prints it", (length) => {
    const graph: Record<string, { deps: Record<string, string[]> }> = { root: { deps: { c0: [] } } };
    for (let i = 0; i < length; i++) graph[`c${i}`] = { deps: { [`c${(i + 1) % length}`]: [] } };
    try {
      fakeSet(graph).resolveBuildSystem({ root: [] });
      expect.unreachable();
    } catch (error) {
      expect(isWheelwrightError(error, "ERR_WW_BUILD_SYSTEM_CYCLE")).toBe(true);
      const cycle = [...Array(length).keys()].map((i) => `c${i}`).concat("c0").join(" -> ");
      expect((error as Error).message).toContain(cycle);
    }
  });

  it("treats a package requiring itself (a cycle of length 1) as satisfied by itself", () => {
    // pip and uv accept `a` depending on `a`: the requirement is met by the package itself.
    const set = fakeSet({ root: { deps: { c0: [] } }, c0: { deps: { c0: [], leaf: [] } }, leaf: {} });
    expect(names(set.resolveBuildSystem({ root: [] }))).toEqual(["c0", "leaf", "root"]);
  });

  it("finds a cycle reached only through an extra", () => {
    const set = fakeSet({ a: { deps: { b: ["x"] } }, b: { extras: { x: { a: [] } } } });
    expect(() => set.resolveBuildSystem({ a: [] })).toThrowError(/a -> b -> a/);
  });

  it("memoizes per spec: the same array comes back", () => {
    let lookups = 0;
    const graph = new Map([["setuptools", fakeRecipe("setuptools")]]);
    const resolve = resolveBuildSystem((name) => (lookups++, graph.get(name)!));
    const first = resolve({ setuptools: [] });
    const second = resolve({ setuptools: [] });
    expect(second).toBe(first);
    expect(lookups).toBe(1);
  });

  it("handles a 10,000-deep chain without exhausting the stack, in well under a second", () => {
    const graph = new Map<string, Recipe>();
    const n = 10_000;
    for (let i = 0; i < n; i++) graph.set(`p${i}`, fakeRecipe(`p${i}`, { deps: i + 1 < n ? { [`p${i + 1}`]: [] } : {} }));
    const start = performance.now();
    const out = resolveBuildSystem((name) => graph.get(name)!)({ p0: [] });
    expect(out).toHaveLength(n);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});
