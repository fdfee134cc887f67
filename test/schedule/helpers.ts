/** Small graph builders and controllable fake tasks for the scheduler tests. */
import fc from "fast-check";
import { graphOf, type Graph } from "../../src/schedule/index.js";

/** `{a: ["b"]}` → a graph where a depends on b; nodes in key order, then deps not listed as keys. */
export function graph(spec: Record<string, string[]>): Graph<string> {
  const adjacency = new Map<string, string[]>();
  for (const [node, deps] of Object.entries(spec)) adjacency.set(node, deps);
  for (const deps of Object.values(spec)) for (const d of deps) if (!adjacency.has(d)) adjacency.set(d, []);
  return graphOf(adjacency);
}

/** Lets the event loop run pending promise callbacks and immediate timers. */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A task per node that waits until the test releases (or fails) it. */
export class Gates {
  private readonly pending = new Map<string, { resolve: () => void; reject: (e: unknown) => void }>();
  readonly started: string[] = [];
  readonly finished: string[] = [];

  run = (node: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      this.started.push(node);
      this.pending.set(node, {
        resolve: () => {
          this.finished.push(node);
          resolve();
        },
        reject,
      });
    });

  get running(): string[] {
    return [...this.pending.keys()];
  }

  async release(node: string): Promise<void> {
    this.take(node).resolve();
    await tick();
  }

  async fail(node: string, error: unknown = new Error(`${node} broke`)): Promise<void> {
    this.take(node).reject(error);
    await tick();
  }

  private take(node: string) {
    const gate = this.pending.get(node);
    if (gate === undefined) throw new Error(`${node} is not running (running: ${this.running.join(", ")})`);
    this.pending.delete(node);
    return gate;
  }
}

export interface RandomDag {
  nodes: number[];
  deps: Map<number, number[]>;
}

/**
 * Random DAGs: node i may depend only on nodes of lower rank, so there is no cycle; nodes are
 * then listed in a shuffled order so graph order is not a topological order.
 */
export function arbitraryDag(maxNodes = 25): fc.Arbitrary<RandomDag> {
  return fc
    .integer({ min: 1, max: maxNodes })
    .chain((n) =>
      fc.record({
        n: fc.constant(n),
        edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 3 }),
        order: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
      }),
    )
    .map(({ n, edges, order }) => {
      const deps = new Map<number, number[]>();
      for (let i = 0; i < n; i++) deps.set(i, []);
      for (const [a, b] of edges) if (a !== b) deps.get(Math.max(a, b))!.push(Math.min(a, b));
      return { nodes: order, deps };
    });
}

export function dagGraph(dag: RandomDag): Graph<number> {
  return { nodes: dag.nodes, deps: (node) => dag.deps.get(node)! };
}

/** Every node reachable through dependencies from `node` (not including it). */
export function ancestors(dag: RandomDag, node: number): Set<number> {
  const seen = new Set<number>();
  const stack = [...dag.deps.get(node)!];
  while (stack.length > 0) {
    const d = stack.pop()!;
    if (seen.has(d)) continue;
    seen.add(d);
    stack.push(...dag.deps.get(d)!);
  }
  return seen;
}
