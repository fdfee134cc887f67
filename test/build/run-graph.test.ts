// The graph runner sync uses: inputs first, at most `jobs` at once; after a failure nothing new
// starts, or with keep-going a failure stops only its dependents and is reported after the rest.
import { describe, expect, it } from "vitest";
import { runGraph } from "../../src/sync/run-graph.js";

interface Node {
  id: string;
  deps: string[];
  fail?: boolean;
}

async function run(nodes: Node[], jobs: number, keepGoing = false) {
  const started: string[] = [];
  const finished: string[] = [];
  let running = 0;
  let peak = 0;
  const error = await runGraph(nodes, {
    jobs,
    keepGoing,
    key: (n) => n.id,
    inputs: (n) => n.deps,
    run: async (n) => {
      for (const d of n.deps) expect(finished, `${n.id} started before its input ${d}`).toContain(d);
      started.push(n.id);
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (n.fail) throw new Error(`${n.id} failed`);
      finished.push(n.id);
    },
  }).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  return { started, finished, peak, error };
}

describe("runGraph", () => {
  it("runs inputs first and never more than `jobs` at once", async () => {
    const nodes: Node[] = [
      ...Array.from({ length: 8 }, (_, i) => ({ id: `leaf${i}`, deps: [] })),
      { id: "mid", deps: ["leaf0", "leaf1"] },
      { id: "top", deps: ["mid", "leaf7"] },
    ];
    const result = await run(nodes, 3);
    expect(result.error).toBeUndefined();
    expect(result.finished).toHaveLength(10);
    expect(result.peak).toBeLessThanOrEqual(3);
    expect(result.peak).toBeGreaterThan(1);
    expect(result.finished.at(-1)).toBe("top");
  });

  const nodes: Node[] = [
    { id: "bad", deps: [], fail: true },
    { id: "needs-bad", deps: ["bad"] },
    { id: "good", deps: [] },
    { id: "needs-good", deps: ["good"] },
  ];

  it("starts nothing new after a failure without keep-going", async () => {
    const result = await run(nodes, 1);
    expect(result.error?.message).toBe("bad failed");
    expect(result.started).toEqual(["bad"]);
  });

  it("with keep-going stops only the dependents of a failure and throws it after the others finished", async () => {
    const result = await run(nodes, 2, true);
    expect(result.error?.message).toBe("bad failed");
    expect(result.started).not.toContain("needs-bad");
    expect(result.finished).toEqual(expect.arrayContaining(["good", "needs-good"]));
  });
});
