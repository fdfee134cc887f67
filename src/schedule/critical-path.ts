/**
 * Lengths that bound a parallel run, for scheduling priorities and for reports. With `slots`
 * identical workers no schedule can finish before max(critical path, total work / slots); a
 * run's makespan divided by that bound says how much the scheduler left on the table.
 */
import { indexGraph, type Graph, type IndexedGraph } from "./graph.js";
import { formatCycle, sequence } from "./sequencer.js";

/**
 * For every node (by index), the longest weighted path from it to a sink (a node nothing
 * depends on), counting its own weight. Starting the ready node with the largest value first
 * is the classic critical-path list-scheduling rule. Throws on a cycle.
 */
export function remainingPaths<K>(graph: Graph<K> | IndexedGraph<K>, weight: (node: K) => number): Float64Array {
  const g = "dependents" in graph ? graph : indexGraph(graph);
  const { order, cycle } = sequence(g);
  if (cycle !== undefined) throw new Error(`schedule: cannot measure paths of a cyclic graph (${formatCycle(cycle)})`);
  const remaining = new Float64Array(g.nodes.length);
  for (let l = order.length - 1; l >= 0; l--) {
    for (const node of order[l] as K[]) {
      const i = g.index.get(node) as number;
      let longest = 0;
      for (const j of g.dependents[i] as number[]) if ((remaining[j] as number) > longest) longest = remaining[j] as number;
      remaining[i] = checkedWeight(weight, node) + longest;
    }
  }
  return remaining;
}

export interface CriticalPath<K> {
  /** Sum of weights along the heaviest dependency chain. */
  length: number;
  /** That chain, in execution order (first node has no dependencies, last is a sink). */
  path: K[];
  /** Sum of all weights. */
  work: number;
}

/** The heaviest chain of `graph` under `weight` (e.g. measured build seconds), and total work. */
export function criticalPath<K>(graph: Graph<K> | IndexedGraph<K>, weight: (node: K) => number): CriticalPath<K> {
  const g = "dependents" in graph ? graph : indexGraph(graph);
  const remaining = remainingPaths(g, weight);
  let work = 0;
  for (const node of g.nodes) work += checkedWeight(weight, node);
  let at = -1;
  // The heaviest chain starts at a node without dependencies (any other node's chain extends back).
  for (let i = 0; i < g.nodes.length; i++) if ((g.deps[i] as number[]).length === 0 && (at < 0 || (remaining[i] as number) > (remaining[at] as number))) at = i;
  const path: K[] = [];
  while (at >= 0) {
    path.push(g.nodes[at] as K);
    let next = -1;
    for (const j of g.dependents[at] as number[]) if (next < 0 || (remaining[j] as number) > (remaining[next] as number)) next = j;
    at = next;
  }
  const length = path.length === 0 ? 0 : (remaining[g.index.get(path[0] as K) as number] as number);
  return { length, path, work };
}

/** max(critical path, work / slots): no schedule on `slots` workers finishes sooner. */
export function makespanLowerBound(measure: { length: number; work: number }, slots: number): number {
  if (!(slots >= 1)) throw new RangeError(`schedule: slots must be at least 1, got ${slots}`);
  return Math.max(measure.length, measure.work / slots);
}

function checkedWeight<K>(weight: (node: K) => number, node: K): number {
  const w = weight(node);
  if (!Number.isFinite(w) || w < 0) throw new RangeError(`schedule: weight of ${String(node)} must be a finite number ≥ 0, got ${w}`);
  return w;
}
