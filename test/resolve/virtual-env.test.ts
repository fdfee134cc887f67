import { describe, expect, it } from "vitest";
import { isWheelwrightError } from "../../src/errors.js";
import { resolveVirtualEnv } from "../../src/resolve/virtual-env.js";
import type { Recipe } from "../../src/scope/recipe.js";
import { fakeRecipe, fakeSet, names } from "../helpers/recipes.js";

describe("resolveVirtualEnv", () => {
  it("takes a diamond once, in breadth-first order", () => {
    const set = fakeSet({ app: { deps: { left: [], right: [] } }, left: { deps: { base: [] } }, right: { deps: { base: [] } }, base: {} });
    expect(names(set.resolveVirtualEnv({ app: [] }))).toEqual(["app", "left", "right", "base"]);
  });

  it.each([1, 2, 3, 4])("accepts a cycle of length %i", (length) => {
    const graph: Record<string, { deps: Record<string, string[]> }> = {};
    for (let i = 0; i < length; i++) graph[`p${i}`] = { deps: { [`p${(i + 1) % length}`]: [] } };
    const resolved = names(fakeSet(graph).resolveVirtualEnv({ p0: [] }));
    expect(resolved.sort()).toEqual(Object.keys(graph).sort());
  });

  it("follows extras on edges, and extras that pull extras", () => {
    const set = fakeSet({
      app: { deps: { lib: ["fast"] } },
      lib: { extras: { fast: { speedup: ["simd"] }, slow: { turtle: [] } } },
      speedup: { extras: { simd: { vector: [] } } },
      vector: {},
      turtle: {},
    });
    expect(names(set.resolveVirtualEnv({ app: [] }))).toEqual(["app", "lib", "speedup", "vector"]);
  });

  it("expands dependency groups through the same namespace as extras", () => {
    const set = fakeSet({ proj: { deps: { a: [] }, groups: { dev: { pytest: [] } } }, a: {}, pytest: { deps: { pluggy: [] } }, pluggy: {} });
    expect(names(set.resolveVirtualEnv({ proj: ["dev"] }))).toEqual(["proj", "a", "pytest", "pluggy"]);
    expect(names(set.resolveVirtualEnv({ proj: [] }))).toEqual(["proj", "a"]);
  });

  it("names package, extra and requester for an unknown extra", () => {
    const set = fakeSet({ app: { deps: { lib: ["nope"] } }, lib: { extras: { fast: {} }, groups: { test: {} } } });
    try {
      set.resolveVirtualEnv({ app: [] });
      expect.unreachable();
    } catch (error) {
      expect(isWheelwrightError(error, "ERR_WW_UNKNOWN_EXTRA")).toBe(true);
      const e = error as Error & { hint: string };
      expect(e.message).toContain("'lib'");
      expect(e.message).toContain("'nope'");
      expect(e.message).toContain("requested by app");
      expect(e.hint).toContain("fast, test");
    }
  });

  it("names an unknown package and who required it", () => {
    const set = fakeSet({ app: { deps: { reqests: [] } }, requests: {} });
    expect(() => set.resolveVirtualEnv({ app: [] })).toThrowError(/'reqests' \(required by app\)/);
  });

  it("resolves a 10,000-package chain with cross edges in well under a second", () => {
    const graph = new Map<string, Recipe>();
    const n = 10_000;
    for (let i = 0; i < n; i++) {
      const deps: Record<string, string[]> = {};
      if (i + 1 < n) deps[`p${i + 1}`] = [];
      if (i > 10) deps[`p${i - 10}`] = []; // back edges: cycles everywhere
      graph.set(`p${i}`, fakeRecipe(`p${i}`, { deps }));
    }
    const start = performance.now();
    const out = resolveVirtualEnv({ p0: [] }, (name) => graph.get(name)!);
    const ms = performance.now() - start;
    expect(out).toHaveLength(n);
    expect(out[n - 1]!.name).toBe(`p${n - 1}`);
    expect(ms).toBeLessThan(1000);
  });
});
