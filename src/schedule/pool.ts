/**
 * The bounded worker pool: runs a task per node of an acyclic graph once all of its
 * dependencies succeeded, with `jobs` build slots and a separate set of fetch slots. When
 * several nodes are ready it starts the one with the longest remaining path to a sink first
 * (weighted by a duration estimate when given), which keeps the makespan close to
 * max(critical path, work / slots).
 *
 * Failure policy: a failed node settles all its transitive dependents as "skipped". With
 * `keepGoing` everything else still runs; without it no new task starts after the first
 * failure. On abort no new task starts either. In every case `runGraph` resolves only when
 * the tasks already running have settled, so callers never leave half-made work behind.
 */
import { indexGraph, type Graph } from "./graph.js";
import { remainingPaths } from "./critical-path.js";
import { ReadyQueue } from "./ready-queue.js";
import type { NodeResult, ScheduleEvent, SlotKind } from "./results.js";
import { assertAcyclic, Sequencer } from "./sequencer.js";

export interface TaskContext {
  /** Aborted when the run's `signal` is; tasks should stop early and clean up. */
  signal: AbortSignal;
  kind: SlotKind;
}

export interface RunOptions<K> {
  /** Build slots (≥ 1). */
  jobs: number;
  /** Fetch slots (≥ 1); default max(4, jobs). Fetches wait on the network, not the CPU. */
  fetchJobs?: number;
  /** Keep running everything a failure does not block. */
  keepGoing?: boolean;
  signal?: AbortSignal;
  /** Which pool runs a node; default "build". */
  classify?: (node: K) => SlotKind;
  /** Expected duration (any unit, ≥ 0) for critical-path priorities; default 1 per node. */
  estimate?: (node: K) => number;
  /** Replaces the critical-path priority: higher starts first, ties in graph order. */
  priority?: (node: K) => number;
  /** Must not throw; if it does, no new task starts and `runGraph` rejects with that error. */
  onEvent?: (event: ScheduleEvent<K>) => void;
  /** Names nodes in the cycle error; default `String(node)`. */
  label?: (node: K) => string;
}

const KINDS: readonly SlotKind[] = ["fetch", "build"];

/**
 * Runs `run` once per node, dependencies first. Resolves to a result per node, in graph
 * order; task errors are results, not rejections. Rejects (before starting anything) with
 * `ERR_WW_DEPENDENCY_CYCLE` when the graph has a cycle.
 */
export async function runGraph<K>(
  graph: Graph<K>,
  run: (node: K, context: TaskContext) => Promise<unknown> | unknown,
  options: RunOptions<K>,
): Promise<Map<K, NodeResult<K>>> {
  const slots: Record<SlotKind, number> = {
    build: checkSlots("jobs", options.jobs),
    fetch: checkSlots("fetchJobs", options.fetchJobs ?? Math.max(4, options.jobs)),
  };
  const g = indexGraph(graph);
  assertAcyclic(g, options.label);
  const priority = options.priority !== undefined ? Float64Array.from(g.nodes, options.priority) : remainingPaths(g, options.estimate ?? (() => 1));
  const kinds = g.nodes.map((node) => classifyNode(options.classify, node));
  const sequencer = new Sequencer(g);
  const queues: Record<SlotKind, ReadyQueue> = { build: new ReadyQueue(priority), fetch: new ReadyQueue(priority) };
  const running: Record<SlotKind, number> = { build: 0, fetch: 0 };
  const results: (NodeResult<K> | undefined)[] = new Array(g.nodes.length);
  const controller = new AbortController();
  const external = options.signal;

  return new Promise((resolve, reject) => {
    let stopping = false;
    let finished = false;
    let listenerError: { error: unknown } | undefined;

    const emit = (event: ScheduleEvent<K>): void => {
      if (options.onEvent === undefined) return;
      try {
        options.onEvent(event);
      } catch (error) {
        listenerError ??= { error };
        stopping = true;
      }
    };
    const settle = (i: number, result: NodeResult<K>): void => {
      results[i] = result;
      emit({ type: "end", node: g.nodes[i] as K, kind: kinds[i] as SlotKind, result });
    };
    const onAbort = (): void => {
      stopping = true;
      controller.abort(external?.reason);
      finishIfIdle();
    };

    const finishIfIdle = (): void => {
      if (finished || running.build + running.fetch > 0) return;
      if (!stopping && queues.build.size + queues.fetch.size > 0) return;
      finished = true;
      external?.removeEventListener("abort", onAbort);
      for (let i = 0; i < results.length; i++) if (results[i] === undefined) settle(i, { status: "cancelled" });
      if (listenerError !== undefined) reject(listenerError.error);
      else resolve(new Map(g.nodes.map((node, i) => [node, results[i] as NodeResult<K>])));
    };

    const pump = (): void => {
      for (const kind of KINDS) {
        const queue = queues[kind];
        while (!stopping && running[kind] < slots[kind] && queue.size > 0) start(queue.pop() as number);
      }
      finishIfIdle();
    };

    const start = (i: number): void => {
      const node = g.nodes[i] as K;
      const kind = kinds[i] as SlotKind;
      running[kind]++;
      emit({ type: "start", node, kind, running: running[kind] });
      const started = performance.now();
      let task: Promise<unknown>;
      try {
        task = Promise.resolve(run(node, { signal: controller.signal, kind }));
      } catch (error) {
        task = Promise.reject(error);
      }
      task.then(
        () => done(i, started, true, undefined),
        (error: unknown) => done(i, started, false, error),
      );
    };

    const done = (i: number, started: number, ok: boolean, error: unknown): void => {
      const kind = kinds[i] as SlotKind;
      running[kind]--;
      const seconds = (performance.now() - started) / 1000;
      if (ok) {
        settle(i, { status: "ok", seconds });
        for (const j of sequencer.complete(i)) queues[kinds[j] as SlotKind].push(j);
      } else if (controller.signal.aborted) {
        // Most likely the abort itself; its dependents end up cancelled with everything else.
        settle(i, { status: "cancelled", error });
        sequencer.fail(i);
      } else {
        const node = g.nodes[i] as K;
        settle(i, { status: "failed", error, seconds });
        for (const j of sequencer.fail(i)) settle(j, { status: "skipped", dependency: node });
        if (options.keepGoing !== true) stopping = true;
      }
      pump();
    };

    if (external?.aborted) {
      stopping = true;
      controller.abort(external.reason);
    } else external?.addEventListener("abort", onAbort, { once: true });
    for (const i of sequencer.initial()) queues[kinds[i] as SlotKind].push(i);
    pump();
  });
}

function checkSlots(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`schedule: ${name} must be an integer ≥ 1, got ${value}`);
  return value;
}

function classifyNode<K>(classify: ((node: K) => SlotKind) | undefined, node: K): SlotKind {
  const kind = classify === undefined ? "build" : classify(node);
  if (kind !== "build" && kind !== "fetch") throw new Error(`schedule: classify(${String(node)}) returned ${String(kind)}, not "build" or "fetch"`);
  return kind;
}
