// The pure parts of inspect/: runtime graph and why-paths over a synthetic package set,
// derivation comparison (plan's reasons), the layered layout, and store-path name parsing.
import { describe, expect, it } from "vitest";
import { makeDerivation, pythonIdentity, type Derivation, type DerivationSpec } from "../../src/derivation/derivation.js";
import { compareRecords, type DerivationRecord } from "../../src/inspect/index.js";
import { layoutGraph } from "../../src/inspect/layout.js";
import { splitPathName } from "../../src/inspect/record.js";
import { dependenciesOf, dependentsOf, runtimeGraph, whyPaths } from "../../src/inspect/runtime-graph.js";
import { FIXED_INTERPRETER } from "../helpers/interpreter.js";
import { fakeSet } from "../helpers/recipes.js";

describe("why paths", () => {
  const set = fakeSet({
    app: { deps: { a: [], b: [] }, extras: { web: { c: [] } }, groups: { dev: { d: ["x"] } } },
    a: { deps: { t: [] } },
    b: { deps: { a: [], t: [] } },
    c: { deps: { b: [] } },
    d: { extras: { x: { t: [] } } },
    t: { deps: { app: [] } }, // a cycle back to the root is harmless
  });
  const graph = runtimeGraph(set, { app: ["web", "dev"] });

  it("lists every simple path, shortest first, with extras and groups as pkg[extra]", () => {
    const result = whyPaths(graph, "t");
    expect(result.paths.map((p) => p.join(" > "))).toEqual([
      "app > a > t",
      "app > b > t",
      "app[dev] > d[x] > t",
      "app > b > a > t",
      "app[web] > c > b > t",
      "app[web] > c > b > a > t",
    ]);
    expect(result.more).toBe(0);
    expect(whyPaths(graph, "app").paths).toEqual([["app"]]);
  });

  it("is bounded: a limit on listed paths and a cap on enumeration", () => {
    expect(whyPaths(graph, "t", { limit: 2 })).toMatchObject({ more: 4, truncated: false });
    const capped = whyPaths(graph, "t", { limit: 1, cap: 3 });
    expect(capped.truncated).toBe(true);
    expect(capped.paths).toHaveLength(1);
  });

  it("gives direct dependencies and dependents in this environment", () => {
    expect(dependenciesOf(graph, "app")).toEqual(["a", "b", "c", "d", "d[x]"]);
    expect(dependentsOf(graph, "b")).toEqual(["app", "c"]);
    expect(dependentsOf(graph, "t")).toEqual(["a", "b", "d[x]"]);
  });

  it("a dense graph stays fast", () => {
    const graph: Record<string, { deps: Record<string, string[]> }> = {};
    for (let i = 0; i < 30; i++) graph[`p${i}`] = { deps: Object.fromEntries(Array.from({ length: 30 - i - 1 }, (_, j) => [`p${i + j + 1}`, []])) };
    const started = performance.now();
    const result = whyPaths(runtimeGraph(fakeSet(graph), { p0: [] }), "p29", { cap: 5000 });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(result.truncated).toBe(true);
    expect(result.paths[0]).toEqual(["p0", "p29"]);
  });
});

describe("derivation comparison", () => {
  const base: DerivationSpec = {
    name: "pkg",
    version: "1.0",
    builder: "build-wheel",
    storeDir: "/s/store",
    python: pythonIdentity(FIXED_INTERPRETER),
    source: { type: "file", filename: "pkg-1.0.tar.gz", sha256: "a".repeat(64) },
    inputs: [],
    settings: { configSettings: {}, env: {} },
  };
  const env = (name: string): Derivation => makeDerivation({ ...base, name: "build-env", version: "", builder: "venv", source: null, inputs: [makeDerivation({ ...base, name, builder: "install-wheel", inputs: [] })], settings: {} });
  const record = (spec: Partial<DerivationSpec>) => JSON.parse(makeDerivation({ ...base, ...spec }).canonical) as DerivationRecord;
  const now = (spec: Partial<DerivationSpec> = {}) => makeDerivation({ ...base, inputs: [env("setuptools")], ...spec });

  it("names each kind of change", () => {
    const old = record({ inputs: [env("setuptools")] });
    expect(compareRecords(now({ source: { type: "file", filename: "pkg-1.0.tar.gz", sha256: "b".repeat(64) } }), old)).toEqual(["source hash changed"]);
    expect(compareRecords(now({ inputs: [env("hatchling")] }), old)).toEqual(["build system changed"]);
    expect(compareRecords(now({ python: { ...pythonIdentity(FIXED_INTERPRETER), version: "3.11.8" } }), old)).toEqual(["interpreter changed"]);
    expect(compareRecords(now({ settings: { configSettings: { x: "1" }, env: {} } }), old)).toEqual(["settings changed"]);
    expect(compareRecords(now({ version: "2.0", source: { type: "file", filename: "pkg-2.0.tar.gz", sha256: "c".repeat(64) } }), old)).toEqual(["version changed (1.0 → 2.0)"]);
    expect(compareRecords(now({ python: { ...pythonIdentity(FIXED_INTERPRETER), soabi: "x" }, settings: { configSettings: {}, env: { CFLAGS: "-O3" } } }), old)).toEqual(["interpreter changed", "settings changed"]);
  });

  it("counts a venv's member changes", () => {
    const m = (n: string, v = "1.0") => makeDerivation({ ...base, name: n, version: v, builder: "install-wheel", inputs: [] });
    const venv = (inputs: Derivation[]) => makeDerivation({ ...base, name: "p-env", version: "", builder: "venv", source: null, inputs, settings: {} });
    const old = JSON.parse(venv([m("a"), m("b")]).canonical) as DerivationRecord;
    expect(compareRecords(venv([m("a", "2.0"), m("b"), m("c")]), old)).toEqual(["packages changed (2 new, 1 gone)"]);
  });
});

describe("layout", () => {
  it("puts every node right of its parents and none on top of another", () => {
    const nodes = ["env", "a", "b", "c", "cyc1", "cyc2"].map((id) => ({ id, width: 50 }));
    const edges: [string, string][] = [["env", "a"], ["env", "b"], ["a", "c"], ["b", "c"], ["cyc1", "cyc2"], ["cyc2", "cyc1"]];
    const { nodes: placed, width, height } = layoutGraph(nodes, edges);
    const at = new Map(placed.map((p) => [p.id, p]));
    expect(placed).toHaveLength(6);
    for (const [from, to] of edges.slice(0, 4)) expect(at.get(to)!.x).toBeGreaterThan(at.get(from)!.x + 50);
    const spots = new Set(placed.map((p) => `${p.x},${p.y}`));
    expect(spots.size).toBe(6);
    for (const p of placed) {
      expect(p.x + p.width).toBeLessThanOrEqual(width);
      expect(p.y).toBeLessThan(height);
    }
  });
});

it("splits store path names into name and version", () => {
  expect(splitPathName("0123456789abcdfghijklmnpqrsvwxyz-my-pkg-1.0.post1")).toEqual({ name: "my-pkg", version: "1.0.post1" });
});
