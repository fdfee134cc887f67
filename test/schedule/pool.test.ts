import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isWheelwrightError } from "../../src/errors.js";
import { runGraph, summarizeResults, type NodeResult, type ScheduleEvent, type SlotKind } from "../../src/schedule/index.js";
import { ancestors, arbitraryDag, dagGraph, Gates, graph, tick } from "./helpers.js";

const statuses = <K>(results: Map<K, NodeResult<K>>) => Object.fromEntries([...results].map(([k, r]) => [String(k), r.status]));

describe("runGraph: slots", () => {
  it("never runs more than jobs builds and fetchJobs fetches at once, and fills both", async () => {
    // 12 sources to fetch, each feeding one build, all feeding a venv.
    const spec: Record<string, string[]> = { venv: [] };
    for (let i = 0; i < 12; i++) {
      spec[`build${i}`] = [`fetch${i}`];
      spec.venv!.push(`build${i}`);
    }
    const kind = (n: string): SlotKind => (n.startsWith("fetch") ? "fetch" : "build");
    const now: Record<SlotKind, number> = { build: 0, fetch: 0 };
    const peak: Record<SlotKind, number> = { build: 0, fetch: 0 };
    let ticks = 0;
    const results = await runGraph(
      graph(spec),
      async (node) => {
        const k = kind(node);
        peak[k] = Math.max(peak[k], ++now[k]);
        for (let t = 0; t < 1 + ((ticks++ * 7) % 5); t++) await tick();
        now[k]--;
      },
      { jobs: 3, fetchJobs: 2, classify: kind },
    );
    expect(peak).toEqual({ build: 3, fetch: 2 });
    expect(summarizeResults(results)).toMatchObject({ ok: 25, success: true });
  });

  it("runs one at a time with jobs = 1, dependencies first", async () => {
    const gates = new Gates();
    const done = runGraph(graph({ c: ["b"], b: ["a"], a: [], d: [] }), gates.run, { jobs: 1 });
    await tick();
    // a heads the longer chain (a → b → c), so it goes before d.
    expect(gates.running).toEqual(["a"]);
    await gates.release("a");
    expect(gates.running).toEqual(["b"]);
    await gates.release("b");
    await gates.release("c");
    await gates.release("d");
    expect(statuses(await done)).toEqual({ a: "ok", b: "ok", c: "ok", d: "ok" });
    expect(gates.started).toEqual(["a", "b", "c", "d"]);
  });

  it("rejects slot counts below one", async () => {
    await expect(runGraph(graph({ a: [] }), () => {}, { jobs: 0 })).rejects.toThrow(RangeError);
    await expect(runGraph(graph({ a: [] }), () => {}, { jobs: 1, fetchJobs: 1.5 })).rejects.toThrow(RangeError);
  });
});

describe("runGraph: priorities", () => {
  it("starts the ready node with the longest remaining path first", async () => {
    const started: string[] = [];
    // Three ready nodes; `deep` leads a chain of 3 more, `mid` one more, `leaf` none.
    const g = graph({ leaf: [], mid: [], deep: [], m2: ["mid"], d2: ["deep"], d3: ["d2"], d4: ["d3"] });
    await runGraph(g, (n) => void started.push(n), { jobs: 1 });
    // Remaining paths: deep 4, d2 3, mid 2, d3 2, leaf/m2/d4 1; ties go in graph order.
    expect(started).toEqual(["deep", "d2", "mid", "d3", "leaf", "m2", "d4"]);
  });

  it("weights paths by the duration estimate", async () => {
    const started: string[] = [];
    const seconds: Record<string, number> = { numpy: 60, a: 1, b: 1, c: 1, d: 1 };
    // a → b → c → d is the longer chain by count, but numpy is the longer job.
    const g = graph({ a: [], b: ["a"], c: ["b"], d: ["c"], numpy: [] });
    await runGraph(g, (n) => void started.push(n), { jobs: 1, estimate: (n) => seconds[n]! });
    expect(started[0]).toBe("numpy");
    const byCount: string[] = [];
    await runGraph(g, (n) => void byCount.push(n), { jobs: 1 });
    expect(byCount[0]).toBe("a");
  });

  it("uses an explicit priority when given, ties in graph order", async () => {
    const started: string[] = [];
    const g = graph({ a: [], b: [], c: [], d: [] });
    await runGraph(g, (n) => void started.push(n), { jobs: 1, priority: (n) => (n === "c" ? 5 : 0) });
    expect(started).toEqual(["c", "a", "b", "d"]);
  });
});

describe("runGraph: failures", () => {
  // x fails; y and venv need it (directly or not); fx (x's fetch) and z do not.
  const spec = { venv: ["y", "z"], y: ["x"], x: ["fx"], fx: [], z: [] };

  it("with keepGoing, a failure skips exactly its transitive dependents", async () => {
    const broke = new Error("x: gcc exited 1");
    const results = await runGraph(
      graph(spec),
      async (n) => {
        await tick();
        if (n === "x") throw broke;
      },
      { jobs: 2, keepGoing: true },
    );
    expect(statuses(results)).toEqual({ venv: "skipped", y: "skipped", x: "failed", fx: "ok", z: "ok" });
    expect(results.get("x")).toMatchObject({ status: "failed", error: broke });
    expect(results.get("y")).toEqual({ status: "skipped", dependency: "x" });
    expect(results.get("venv")).toEqual({ status: "skipped", dependency: "x" });
    const summary = summarizeResults(results);
    expect(summary).toMatchObject({ ok: 2, failed: 1, skipped: 2, cancelled: 0, success: false });
    expect(summary.failures).toEqual([{ node: "x", error: broke }]);
  });

  it("without keepGoing, starts nothing after a failure but lets running tasks finish", async () => {
    const gates = new Gates();
    let settled = false;
    const done = runGraph(graph({ a: [], b: [], c: [], d: [], e: ["a"] }), gates.run, { jobs: 2 }).then((r) => {
      settled = true;
      return r;
    });
    await tick();
    expect(gates.running.sort()).toEqual(["a", "b"]);
    await gates.fail("a");
    // b is still running; nothing new started in a's slot.
    expect(gates.running).toEqual(["b"]);
    expect(settled).toBe(false);
    await gates.release("b");
    const results = await done;
    expect(gates.started.sort()).toEqual(["a", "b"]);
    expect(statuses(results)).toEqual({ a: "failed", b: "ok", c: "cancelled", d: "cancelled", e: "skipped" });
  });

  it("reports each thrown error on its own node", async () => {
    const results = await runGraph(
      graph({ sync: [], rejects: [], odd: [], fine: [] }),
      (n) => {
        if (n === "sync") throw new TypeError("thrown synchronously");
        if (n === "rejects") return Promise.reject(new Error("rejected later"));
        if (n === "odd") return Promise.reject("a plain string");
        return undefined;
      },
      { jobs: 4, keepGoing: true },
    );
    expect(results.get("sync")).toMatchObject({ status: "failed", error: new TypeError("thrown synchronously") });
    expect(results.get("rejects")).toMatchObject({ status: "failed", error: new Error("rejected later") });
    expect(results.get("odd")).toMatchObject({ status: "failed", error: "a plain string" });
    expect(results.get("fine")).toMatchObject({ status: "ok" });
  });

  it("rejects a cyclic graph with the cycle error before running anything", async () => {
    let ran = 0;
    const attempt = runGraph(graph({ app: ["a"], a: ["b"], b: ["a"] }), () => void ran++, { jobs: 2 });
    await expect(attempt).rejects.toSatisfy((e) => isWheelwrightError(e, "ERR_WW_DEPENDENCY_CYCLE") && e.message.includes("a → b → a"));
    expect(ran).toBe(0);
  });
});

describe("runGraph: abort", () => {
  it("stops starting work, passes the abort to running tasks, and waits for them", async () => {
    const controller = new AbortController();
    const seen: boolean[] = [];
    let started = 0;
    const done = runGraph(
      graph({ a: [], b: [], c: [], d: ["a"] }),
      (_n, { signal }) =>
        new Promise<void>((resolve, reject) => {
          started++;
          signal.addEventListener("abort", () => {
            seen.push(signal.aborted);
            // The first cleans up and rejects; the second finishes anyway.
            if (seen.length === 1) setImmediate(() => reject(signal.reason));
            else resolve();
          });
        }),
      { jobs: 2, signal: controller.signal },
    );
    await tick();
    expect(started).toBe(2);
    controller.abort(new Error("interrupted"));
    const results = await done;
    expect(seen).toEqual([true, true]);
    expect(started).toBe(2);
    expect(statuses(results)).toEqual({ a: "cancelled", b: "ok", c: "cancelled", d: "cancelled" });
    expect(results.get("a")).toEqual({ status: "cancelled", error: new Error("interrupted") });
  });

  it("runs nothing when the signal is already aborted", async () => {
    let ran = 0;
    const results = await runGraph(graph({ a: [], b: ["a"] }), () => void ran++, { jobs: 2, signal: AbortSignal.abort() });
    expect(ran).toBe(0);
    expect(statuses(results)).toEqual({ a: "cancelled", b: "cancelled" });
  });
});

describe("runGraph: events", () => {
  it("emits one end per node and a start per run node", async () => {
    const events: ScheduleEvent<string>[] = [];
    await runGraph(graph({ venv: ["y", "z"], y: ["x"], x: [], z: [] }), (n) => (n === "x" ? Promise.reject(new Error("no")) : undefined), {
      jobs: 2,
      keepGoing: true,
      onEvent: (e) => events.push(e),
    });
    const ends = events.filter((e) => e.type === "end").map((e) => e.node);
    const starts = events.filter((e) => e.type === "start").map((e) => e.node);
    expect(ends.sort()).toEqual(["venv", "x", "y", "z"]);
    expect(starts.sort()).toEqual(["x", "z"]);
    for (const e of events) if (e.type === "start") expect(e.running).toBeLessThanOrEqual(2);
  });

  it("rejects with a listener's error once running tasks have settled", async () => {
    const gates = new Gates();
    const boom = new Error("listener bug");
    let settled = false;
    const done = runGraph(graph({ a: [], b: [], c: [] }), gates.run, {
      jobs: 2,
      onEvent: (e) => {
        if (e.type === "start" && e.node === "b") throw boom;
      },
    });
    done.catch(() => (settled = true));
    await tick();
    expect(gates.running.sort()).toEqual(["a", "b"]);
    await gates.release("a");
    expect(gates.started).not.toContain("c");
    expect(settled).toBe(false);
    await gates.release("b");
    await expect(done).rejects.toBe(boom);
  });
});

describe("runGraph: scale", () => {
  it("schedules a 10,000-node graph in well under a second", async () => {
    const n = 10_000;
    const nodes = Array.from({ length: n }, (_, i) => i);
    // Each node needs up to 3 of the 50 nodes before it: many levels, wide ready sets.
    const deps = (i: number) => (i === 0 ? [] : [i - 1 - (i % 50), i - 1 - ((i * 7) % Math.min(i, 50)), Math.floor(i / 2)].filter((d) => d >= 0 && d < i));
    let ran = 0;
    const started = performance.now();
    const cpu = process.cpuUsage();
    const results = await runGraph({ nodes, deps }, () => void ran++, { jobs: 8 });
    const { user, system } = process.cpuUsage(cpu);
    const ms = performance.now() - started;
    const cpuMs = (user + system) / 1000;
    console.log(`10,000 nodes scheduled and run: ${ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU`);
    expect(ran).toBe(n);
    expect(summarizeResults(results).ok).toBe(n);
    // CPU time, not wall time: other work on a loaded machine inflates the wall clock.
    expect(cpuMs).toBeLessThan(1000);
  });
});

describe("runGraph: random DAGs", () => {
  it("runs each node at most once, after all of its dependencies, within the slots", async () => {
    await fc.assert(
      fc.asyncProperty(
        arbitraryDag(20),
        fc.array(fc.nat(19), { maxLength: 4 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.nat(3), { minLength: 20, maxLength: 20 }),
        async (dag, failing, keepGoing, jobs, delays) => {
          const fails = new Set(failing);
          const finishedOk = new Set<number>();
          const runs = new Map<number, number>();
          const earlyStarts: string[] = [];
          // The pool's own view (events), so "after a failure" means after the pool saw it.
          const log: ScheduleEvent<number>[] = [];
          let running = 0;
          let peak = 0;
          const results = await runGraph(
            dagGraph(dag),
            async (node) => {
              runs.set(node, (runs.get(node) ?? 0) + 1);
              // Recorded, not thrown: a throw here would just look like a task failure.
              for (const d of dag.deps.get(node)!) if (!finishedOk.has(d)) earlyStarts.push(`${node} before ${d}`);
              peak = Math.max(peak, ++running);
              for (let t = 0; t < delays[node]!; t++) await tick();
              running--;
              if (fails.has(node)) throw new Error(`node ${node}`);
              finishedOk.add(node);
            },
            { jobs, keepGoing, onEvent: (e) => log.push(e) },
          );
          expect(earlyStarts).toEqual([]);
          expect(peak).toBeLessThanOrEqual(jobs);
          for (const count of runs.values()) expect(count).toBe(1);
          for (const node of dag.nodes) {
            const result = results.get(node)!;
            const failedAncestor = [...ancestors(dag, node)].some((a) => results.get(a)!.status === "failed");
            if (runs.has(node)) expect(result.status).toBe(fails.has(node) ? "failed" : "ok");
            else expect(result.status).toBe(failedAncestor ? "skipped" : keepGoing ? "(never: keepGoing runs all)" : "cancelled");
            if (result.status === "skipped") expect(ancestors(dag, node).has(result.dependency)).toBe(true);
          }
          if (!keepGoing) {
            // Nothing starts after the first failure has been seen.
            const firstFailure = log.findIndex((e) => e.type === "end" && e.result.status === "failed");
            if (firstFailure >= 0) expect(log.slice(firstFailure).some((e) => e.type === "start")).toBe(false);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
