/**
 * The pure half of the scheduler: what may run, in what order, and why not when there is a
 * cycle. No timers, no promises — `runGraph` (pool.ts) drives a `Sequencer`, and tests drive
 * it directly.
 */
import { WheelwrightError } from "../errors.js";
import { indexGraph, type Graph, type IndexedGraph } from "./graph.js";

export interface Sequence<K> {
  /**
   * Topological levels: level 0 has no dependencies; every node of level n depends on at least
   * one node of level n-1 and only on earlier levels. Within a level, nodes keep graph order.
   * With a cycle, the levels hold only the nodes that could be ordered.
   */
  order: K[][];
  /** One cycle, when there is any: `cycle[i]` depends on `cycle[i+1]`, and the last on the first. */
  cycle?: K[];
}

/** Orders `graph` into levels (Kahn's algorithm) and reports one cycle if it cannot. O(V + E). */
export function sequence<K>(graph: Graph<K> | IndexedGraph<K>): Sequence<K> {
  const g = "dependents" in graph ? graph : indexGraph(graph);
  const waiting = g.deps.map((d) => d.length);
  const order: K[][] = [];
  let level: number[] = [];
  for (let i = 0; i < waiting.length; i++) if (waiting[i] === 0) level.push(i);
  let placed = 0;
  while (level.length > 0) {
    order.push(level.map((i) => g.nodes[i] as K));
    placed += level.length;
    const next: number[] = [];
    for (const i of level) {
      for (const j of g.dependents[i] as number[]) if (--(waiting[j] as number) === 0) next.push(j);
    }
    // Dependents are discovered in the order of their dependencies; graph order is the contract.
    level = next.sort((a, b) => a - b);
  }
  if (placed === g.nodes.length) return { order };
  return { order, cycle: traceCycle(g, waiting).map((i) => g.nodes[i] as K) };
}

/**
 * A cycle among the nodes Kahn's algorithm could not place (`waiting[i] > 0`). Each of those
 * still waits on another such node, so following the first unplaced dependency from any of
 * them must come back to a node already seen; the loop from there is a cycle. Rotated to start
 * at its earliest node so the report does not depend on where the walk began.
 */
function traceCycle<K>(g: IndexedGraph<K>, waiting: readonly number[]): number[] {
  const start = waiting.findIndex((w) => w > 0);
  const seenAt = new Map<number, number>();
  const walk: number[] = [];
  let at = start;
  while (!seenAt.has(at)) {
    seenAt.set(at, walk.length);
    walk.push(at);
    const next = (g.deps[at] as number[]).find((d) => (waiting[d] as number) > 0);
    if (next === undefined) throw new Error("schedule: unplaced node without an unplaced dependency");
    at = next;
  }
  const cycle = walk.slice(seenAt.get(at));
  const first = cycle.indexOf(Math.min(...cycle));
  return [...cycle.slice(first), ...cycle.slice(0, first)];
}

/** `a → b → c → a` for a cycle `[a, b, c]`. */
export function formatCycle<K>(cycle: readonly K[], label: (node: K) => string = String): string {
  return [...cycle, cycle[0] as K].map((node) => label(node)).join(" → ");
}

/** Throws `ERR_WW_DEPENDENCY_CYCLE` naming the cycle when `graph` has one. */
export function assertAcyclic<K>(graph: Graph<K> | IndexedGraph<K>, label: (node: K) => string = String): void {
  const { cycle } = sequence(graph);
  if (cycle === undefined) return;
  throw new WheelwrightError("ERR_WW_DEPENDENCY_CYCLE", `these depend on each other in a cycle: ${formatCycle(cycle, label)}`, {
    package: label(cycle[0] as K),
    hint: "a build system needs itself through the packages shown; drop or replace one of those build requirements with an override in [tool.wheelwright], or provide that package as a wheel",
    details: { cycle: cycle.map((node) => label(node)) },
  });
}

/**
 * Incremental readiness over an acyclic indexed graph: which nodes became runnable when a node
 * finished, and which nodes can never run because one failed. Holds no policy about slots or
 * priorities; the caller decides what to start.
 */
export class Sequencer<K> {
  private readonly waiting: number[];
  /** 0 pending, 1 handed out as ready, 2 settled (done, failed, or given up). */
  private readonly state: Uint8Array;

  constructor(readonly graph: IndexedGraph<K>) {
    this.waiting = graph.deps.map((d) => d.length);
    this.state = new Uint8Array(graph.nodes.length);
  }

  /** Nodes with no dependencies, in graph order. Call once, before anything completes. */
  initial(): number[] {
    const ready: number[] = [];
    for (let i = 0; i < this.waiting.length; i++) {
      if (this.waiting[i] === 0 && this.state[i] === 0) {
        this.state[i] = 1;
        ready.push(i);
      }
    }
    return ready;
  }

  /** Marks `i` done and returns the dependents that just became ready, in graph order. */
  complete(i: number): number[] {
    this.settle(i);
    const ready: number[] = [];
    for (const j of this.graph.dependents[i] as number[]) {
      if (--(this.waiting[j] as number) === 0 && this.state[j] === 0) {
        this.state[j] = 1;
        ready.push(j);
      }
    }
    return ready.sort((a, b) => a - b);
  }

  /**
   * Marks `i` failed and settles every transitive dependent not settled yet; returns those (in
   * graph order). None of them can have started: each waits, directly or not, on `i`.
   */
  fail(i: number): number[] {
    this.settle(i);
    const lost: number[] = [];
    const stack = [i];
    while (stack.length > 0) {
      for (const j of this.graph.dependents[stack.pop() as number] as number[]) {
        if (this.state[j] === 2) continue;
        this.state[j] = 2;
        lost.push(j);
        stack.push(j);
      }
    }
    return lost.sort((a, b) => a - b);
  }

  /** Nodes not settled yet (pending or handed out and not reported back). */
  unsettled(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.state.length; i++) if (this.state[i] !== 2) out.push(i);
    return out;
  }

  private settle(i: number): void {
    if (this.state[i] === 2) throw new Error(`schedule: ${String(this.graph.nodes[i])} reported twice`);
    this.state[i] = 2;
  }
}
