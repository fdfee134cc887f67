import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { criticalPath, makespanLowerBound, remainingPaths } from "../../src/schedule/index.js";
import { arbitraryDag, dagGraph, graph, type RandomDag } from "./helpers.js";

describe("criticalPath", () => {
  it("finds the heaviest chain and the total work of a diamond", () => {
    const seconds: Record<string, number> = { backend: 2, numpy: 30, attrs: 1, venv: 0.5 };
    const result = criticalPath(graph({ venv: ["numpy", "attrs"], numpy: ["backend"], attrs: ["backend"], backend: [] }), (n) => seconds[n]!);
    expect(result.path).toEqual(["backend", "numpy", "venv"]);
    expect(result.length).toBe(32.5);
    expect(result.work).toBe(33.5);
  });

  it("is zero for an empty graph", () => {
    expect(criticalPath(graph({}), () => 1)).toEqual({ length: 0, path: [], work: 0 });
  });

  it("rejects negative or non-finite weights and cyclic graphs", () => {
    expect(() => criticalPath(graph({ a: [] }), () => -1)).toThrow(RangeError);
    expect(() => criticalPath(graph({ a: [] }), () => Number.NaN)).toThrow(RangeError);
    expect(() => criticalPath(graph({ a: ["b"], b: ["a"] }), () => 1)).toThrow(/cyclic/);
  });

  it("agrees with brute-force path enumeration on random DAGs", () => {
    fc.assert(
      fc.property(arbitraryDag(12), fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 12, maxLength: 12 }), (dag, weights) => {
        const w = (n: number) => weights[n]!;
        const result = criticalPath(dagGraph(dag), w);
        const best = Math.max(...dag.nodes.map((n) => heaviestEndingAt(dag, n, w)));
        expect(result.length).toBe(best);
        expect(result.work).toBe(dag.nodes.reduce((s, n) => s + w(n), 0));
        // The reported path is a real chain of that weight, from a source to a sink.
        expect(result.path.reduce((s, n) => s + w(n), 0)).toBe(best);
        expect(dag.deps.get(result.path[0]!)).toEqual([]);
        for (let i = 1; i < result.path.length; i++) expect(dag.deps.get(result.path[i]!)).toContain(result.path[i - 1]);
        const last = result.path.at(-1)!;
        expect(dag.nodes.some((n) => dag.deps.get(n)!.includes(last))).toBe(false);
        // remainingPaths: a node's value is its weight plus the best over its dependents.
        const remaining = remainingPaths(dagGraph(dag), w);
        dag.nodes.forEach((n, i) => {
          const dependents = dag.nodes.map((m, j) => [m, j] as const).filter(([m]) => dag.deps.get(m)!.includes(n));
          expect(remaining[i]).toBe(w(n) + Math.max(0, ...dependents.map(([, j]) => remaining[j]!)));
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe("makespanLowerBound", () => {
  it("is the larger of the critical path and work per slot", () => {
    expect(makespanLowerBound({ length: 10, work: 40 }, 2)).toBe(20);
    expect(makespanLowerBound({ length: 30, work: 40 }, 2)).toBe(30);
    expect(() => makespanLowerBound({ length: 1, work: 1 }, 0)).toThrow(RangeError);
  });
});

/** Heaviest chain ending at `node`, by plain recursion over its dependencies (exponential, small graphs). */
function heaviestEndingAt(dag: RandomDag, node: number, w: (n: number) => number): number {
  return w(node) + Math.max(0, ...dag.deps.get(node)!.map((d) => heaviestEndingAt(dag, d, w)));
}
