/**
 * A simple bounded runner over a derivation graph, until the scheduler (src/schedule/) takes
 * over: each node starts once all its inputs succeeded, at most `jobs` run at once, and a
 * failure stops only the nodes that depend on it (the others finish). The first failure is
 * then thrown; a failure's dependents are not reported separately.
 */
import pLimit from "p-limit";

export interface RunGraphOptions<T> {
  jobs: number;
  key: (node: T) => string;
  /** Keys of the nodes this one needs (keys not among the nodes are taken as present). */
  inputs: (node: T) => string[];
  run: (node: T) => Promise<void>;
}

class DependencyFailed extends Error {}

export async function runGraph<T>(nodes: readonly T[], options: RunGraphOptions<T>): Promise<void> {
  const limit = pLimit(Math.max(1, options.jobs));
  const promises = new Map<string, Promise<void>>();
  const byKey = new Map(nodes.map((n) => [options.key(n), n]));
  const start = (node: T): Promise<void> => {
    const key = options.key(node);
    let promise = promises.get(key);
    if (promise !== undefined) return promise;
    promise = (async () => {
      const inputs = options.inputs(node).filter((k) => byKey.has(k) && k !== key);
      const results = await Promise.allSettled(inputs.map((k) => start(byKey.get(k)!)));
      if (results.some((r) => r.status === "rejected")) throw new DependencyFailed(key);
      await limit(() => options.run(node));
    })();
    promises.set(key, promise);
    return promise;
  };
  const results = await Promise.allSettled(nodes.map(start));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected" && !(r.reason instanceof DependencyFailed));
  if (failure !== undefined) throw failure.reason;
}
