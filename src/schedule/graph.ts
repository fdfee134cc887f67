/**
 * The graph shape every scheduler function takes, and its dense integer form. Callers hand
 * over their own node type `K` (a derivation, a store path string, …); internally nodes are
 * numbered by their position in `graph.nodes` so hot loops touch arrays, not maps, and every
 * tie is broken by that position, which keeps results deterministic.
 */

/** Nodes and, for each, the nodes it needs finished first. `deps` must only name nodes of `nodes`. */
export interface Graph<K> {
  readonly nodes: readonly K[];
  deps(node: K): Iterable<K>;
}

/** `graph` numbered: `deps[i]` and `dependents[i]` hold indices, without duplicates. */
export interface IndexedGraph<K> {
  readonly nodes: readonly K[];
  readonly index: ReadonlyMap<K, number>;
  readonly deps: readonly (readonly number[])[];
  readonly dependents: readonly (readonly number[])[];
}

/**
 * Numbers `graph`. A node listed twice, or a dependency that is not a node, is a bug in the
 * caller (the derivation graph is closed by construction), so those throw plain errors.
 */
export function indexGraph<K>(graph: Graph<K>): IndexedGraph<K> {
  const nodes = graph.nodes;
  const index = new Map<K, number>();
  nodes.forEach((node, i) => {
    if (index.has(node)) throw new Error(`schedule: node ${String(node)} is listed twice in the graph`);
    index.set(node, i);
  });
  const deps: number[][] = [];
  const dependents: number[][] = nodes.map(() => []);
  // lastSeenBy[j] === i + 1 when node i already listed j: dedupes without a Set per node.
  const lastSeenBy = new Int32Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const list: number[] = [];
    for (const dep of graph.deps(nodes[i] as K)) {
      const j = index.get(dep);
      if (j === undefined) throw new Error(`schedule: ${String(nodes[i])} depends on ${String(dep)}, which is not a node of the graph`);
      if (lastSeenBy[j] === i + 1) continue;
      lastSeenBy[j] = i + 1;
      list.push(j);
      (dependents[j] as number[]).push(i);
    }
    deps.push(list);
  }
  return { nodes, index, deps, dependents };
}

/** A graph from a plain adjacency map (handy for tests and small callers). */
export function graphOf<K>(adjacency: ReadonlyMap<K, readonly K[]>): Graph<K> {
  return { nodes: [...adjacency.keys()], deps: (node) => adjacency.get(node) ?? [] };
}
