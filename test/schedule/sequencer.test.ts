import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isWheelwrightError } from "../../src/errors.js";
import { assertAcyclic, formatCycle, indexGraph, sequence, Sequencer } from "../../src/schedule/index.js";
import { ancestors, arbitraryDag, dagGraph, graph } from "./helpers.js";

describe("sequence", () => {
  it("orders a chain one node per level", () => {
    expect(sequence(graph({ c: ["b"], b: ["a"], a: [] }))).toEqual({ order: [["a"], ["b"], ["c"]] });
  });

  it("puts both sides of a diamond on one level", () => {
    // venv needs app and lib; both need the backend.
    const result = sequence(graph({ venv: ["app", "lib"], app: ["backend"], lib: ["backend"], backend: [] }));
    expect(result).toEqual({ order: [["backend"], ["app", "lib"], ["venv"]] });
  });

  it("keeps graph order within a level and handles a forest", () => {
    const result = sequence(graph({ z: [], y: ["z"], x: [], w: ["x"], v: [] }));
    expect(result.order).toEqual([["z", "x", "v"], ["y", "w"]]);
    expect(result.cycle).toBeUndefined();
  });

  it("places a node on the level after its deepest dependency", () => {
    // d needs a (level 0) and c (level 2), so it is on level 3, not 1.
    const result = sequence(graph({ d: ["a", "c"], c: ["b"], b: ["a"], a: [] }));
    expect(result.order).toEqual([["a"], ["b"], ["c"], ["d"]]);
  });

  it("handles an empty graph and duplicate dependency entries", () => {
    expect(sequence(graph({}))).toEqual({ order: [] });
    expect(sequence(graph({ b: ["a", "a"], a: [] })).order).toEqual([["a"], ["b"]]);
  });

  it("reports a cycle path, starting at its earliest node", () => {
    // setuptools needs wheel needs flit needs setuptools; `app` merely hangs off the cycle.
    const g = graph({ app: ["setuptools"], setuptools: ["wheel"], wheel: ["flit"], flit: ["setuptools"], ok: [] });
    const result = sequence(g);
    expect(result.order).toEqual([["ok"]]);
    expect(result.cycle).toEqual(["setuptools", "wheel", "flit"]);
    const printed = formatCycle(result.cycle!);
    console.log(`cycle found: ${printed}`);
    expect(printed).toBe("setuptools → wheel → flit → setuptools");
  });

  it("reports a self-dependency as a cycle of one", () => {
    expect(sequence(graph({ a: ["a"] })).cycle).toEqual(["a"]);
  });

  it("every cycle it reports is a real cycle of the graph", () => {
    fc.assert(
      fc.property(arbitraryDag(15), fc.array(fc.tuple(fc.nat(14), fc.nat(14)), { minLength: 1, maxLength: 4 }), (dag, back) => {
        // Adding edges from low to high rank may close cycles; check any that is reported.
        for (const [a, b] of back) if (a < dag.nodes.length && b < dag.nodes.length) dag.deps.get(Math.min(a, b))!.push(Math.max(a, b));
        const { order, cycle } = sequence(dagGraph(dag));
        const hasCycle = dag.nodes.some((n) => ancestors(dag, n).has(n));
        expect(cycle !== undefined).toBe(hasCycle);
        if (cycle === undefined) {
          expect(order.flat().length).toBe(dag.nodes.length);
          return;
        }
        expect(new Set(cycle).size).toBe(cycle.length);
        cycle.forEach((node, i) => expect(dag.deps.get(node)).toContain(cycle[(i + 1) % cycle.length]));
      }),
      { numRuns: 300 },
    );
  });

  it("levels respect dependencies on random DAGs", () => {
    fc.assert(
      fc.property(arbitraryDag(), (dag) => {
        const { order, cycle } = sequence(dagGraph(dag));
        expect(cycle).toBeUndefined();
        const levelOf = new Map<number, number>();
        order.forEach((level, l) => level.forEach((node) => levelOf.set(node, l)));
        expect(levelOf.size).toBe(dag.nodes.length);
        for (const node of dag.nodes) {
          const deps = dag.deps.get(node)!;
          for (const d of deps) expect(levelOf.get(d)!).toBeLessThan(levelOf.get(node)!);
          // Not later than needed: the level is one past the deepest dependency.
          const expected = deps.length === 0 ? 0 : Math.max(...deps.map((d) => levelOf.get(d)!)) + 1;
          expect(levelOf.get(node)).toBe(expected);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("assertAcyclic", () => {
  it("throws ERR_WW_DEPENDENCY_CYCLE naming the cycle and a hint", () => {
    let error: unknown;
    try {
      assertAcyclic(graph({ a: ["b"], b: ["a"] }), (n) => `pkg-${n}`);
    } catch (e) {
      error = e;
    }
    expect(isWheelwrightError(error, "ERR_WW_DEPENDENCY_CYCLE")).toBe(true);
    const e = error as import("../../src/errors.js").WheelwrightError;
    expect(e.message).toContain("pkg-a → pkg-b → pkg-a");
    expect(e.hint).toBeTruthy();
    expect(e.details).toEqual({ cycle: ["pkg-a", "pkg-b"] });
  });

  it("accepts a DAG", () => {
    expect(() => assertAcyclic(graph({ a: ["b"], b: [] }))).not.toThrow();
  });
});

describe("indexGraph", () => {
  it("rejects a dependency outside the graph and a repeated node", () => {
    expect(() => indexGraph({ nodes: ["a"], deps: () => ["nope"] })).toThrow(/not a node/);
    expect(() => indexGraph({ nodes: ["a", "a"], deps: () => [] })).toThrow(/twice/);
  });
});

describe("Sequencer", () => {
  it("hands out nodes as their dependencies complete", () => {
    const g = indexGraph(graph({ venv: ["app", "lib"], app: ["backend"], lib: ["backend"], backend: [] }));
    const s = new Sequencer(g);
    const name = (is: number[]) => is.map((i) => g.nodes[i]);
    expect(name(s.initial())).toEqual(["backend"]);
    expect(name(s.complete(g.index.get("backend")!))).toEqual(["app", "lib"]);
    expect(name(s.complete(g.index.get("lib")!))).toEqual([]);
    expect(name(s.complete(g.index.get("app")!))).toEqual(["venv"]);
    expect(() => s.complete(g.index.get("app")!)).toThrow(/twice/);
  });

  it("fail settles exactly the transitive dependents", () => {
    const g = indexGraph(graph({ venv: ["app", "lib", "other"], app: ["backend"], lib: ["backend"], backend: [], other: [] }));
    const s = new Sequencer(g);
    s.initial();
    expect(s.fail(g.index.get("backend")!).map((i) => g.nodes[i])).toEqual(["venv", "app", "lib"]);
    expect(s.unsettled().map((i) => g.nodes[i])).toEqual(["other"]);
    expect(s.complete(g.index.get("other")!)).toEqual([]);
  });
});
