// The `task` events a sync emits for every derivation it makes (what bench/source.mjs rebuilds
// a schedule from): a start with the task's inputs and an end, in dependency order, for a wheel
// install, a build environment, a source build and the project's environment; and the source
// build's duration, recorded for the next plan's estimates.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Events } from "../../src/events/emitter.js";
import type { EventOf, WheelwrightEvent } from "../../src/events/types.js";
import { runGraph } from "../../src/sync/run-graph.js";
import { estimateSeconds } from "../../src/sync/execute.js";
import type { PlanItem } from "../../src/sync/plan.js";
import { Store } from "../../src/store/store.js";
import { sync } from "../../src/sync/index.js";
import { backendClosure, buildLockText, type BackendClosure } from "../helpers/backends.js";
import { hasPython311 } from "../helpers/interpreter.js";
import { makeSdist, writeProject } from "../helpers/projects.js";
import { makeWorkspace, syncFlags, writeProjectLock, type Workspace } from "../build/fixtures.js";

describe("runGraph onTask", () => {
  it("reports a start and an end for every run node, and nothing for skipped ones", async () => {
    const seen: string[] = [];
    const nodes = [
      { id: "a", deps: [] as string[], fail: true },
      { id: "b", deps: ["a"] },
      { id: "c", deps: [] as string[] },
    ];
    await expect(
      runGraph(nodes, {
        jobs: 1,
        keepGoing: true,
        key: (n) => n.id,
        inputs: (n) => n.deps,
        run: async (n) => {
          if ("fail" in n) throw new Error("a failed");
        },
        onTask: (n, state, ok) => seen.push(`${n.id}:${state}${state === "end" ? `:${ok}` : ""}`),
      }),
    ).rejects.toThrow("a failed");
    expect(seen.sort()).toEqual(["a:end:false", "a:start", "c:end:true", "c:start"]);
  });
});

const closure: BackendClosure | { missing: string } = hasPython311 ? backendClosure(["flit_core"]) : { missing: "pyenv 3.11.7 is not installed" };
if ("missing" in closure) console.warn(`skipping the task-event sync: ${closure.missing}`);

describe.skipIf("missing" in closure)("task events of a sync", () => {
  let ws: Workspace | undefined;
  afterAll(() => ws?.cleanup());

  it("has a start with inputs and an end for each derivation made, inputs first", async () => {
    ws = makeWorkspace("task-events");
    const buildLock = join(ws.dir, "build-lock.toml");
    writeFileSync(buildLock, buildLockText(closure as BackendClosure));
    const src = writeProject(join(ws.dir, "src"), { name: "task-demo", version: "1.0", backend: "flit_core", modules: { "__init__.py": '"""Demo."""\n__version__ = "1.0"\n' } });
    const project = join(ws.dir, "project");
    mkdirSync(project);
    writeProjectLock(project, [{ name: "task-demo", version: "1.0", source: { sdist: makeSdist(src, join(ws.dir, "dist"), "task-demo", "1.0") } }]);
    const events = new Events();
    const seen: WheelwrightEvent[] = [];
    events.on((e) => seen.push(e));
    await sync({ dir: project, flags: syncFlags(ws, buildLock), events });

    const tasks = seen.filter((e): e is EventOf<"task"> => e.type === "task");
    const starts = tasks.filter((t) => t.state === "start");
    const ends = tasks.filter((t) => t.state === "end");
    expect(starts.map((t) => t.kind).sort()).toEqual(["build-wheel", "install-wheel", "venv", "venv"]);
    expect(ends.map((t) => t.storePath).sort()).toEqual(starts.map((t) => t.storePath).sort());
    expect(ends.every((t) => t.ok === true)).toBe(true);
    // every input that ran a task ended before the task that needs it started
    const endIndex = new Map(tasks.map((t, i) => [t, i] as const).filter(([t]) => t.state === "end").map(([t, i]) => [t.storePath, i]));
    for (const t of starts) {
      expect(t.inputs, `${t.name} lists its inputs`).toBeDefined();
      for (const input of t.inputs!) if (endIndex.has(input)) expect(endIndex.get(input)!, `${input} before ${t.name}`).toBeLessThan(tasks.indexOf(t));
    }
    const build = starts.find((t) => t.kind === "build-wheel")!;
    expect(build.name).toBe("task-demo");
    const env = starts.find((t) => t.storePath === build.inputs![0])!;
    expect(env.kind).toBe("venv");
    expect(env.inputs).toContain(starts.find((t) => t.kind === "install-wheel")!.storePath);

    // the source build's duration is kept for the next plan's estimates (longest path first)
    const buildEnd = seen.find((e): e is EventOf<"build-end"> => e.type === "build-end" && e.name === "task-demo")!;
    const store = await Store.open(ws.store, { fsync: false });
    try {
      const recorded = store.getSourceFact<number>("build-seconds:build-wheel:task-demo");
      expect(recorded).toBeGreaterThanOrEqual(buildEnd.seconds);
      expect(recorded).toBeLessThan(buildEnd.seconds + 5);
      const item = (name: string) => ({ status: "missing", derivation: { builder: "build-wheel", name } }) as unknown as PlanItem;
      expect(estimateSeconds(item("task-demo"), store)).toBe(recorded);
      expect(estimateSeconds(item("never-built"), store)).toBe(10);
    } finally {
      store.close();
    }
  }, 300_000);
});
