/**
 * Runs a derivation graph with the scheduler (src/schedule/): each node starts once all its
 * inputs succeeded, at most `jobs` at once, longest remaining path first. After a failure no
 * new node starts (running ones finish), or with `keepGoing` only the nodes that depend on it
 * are skipped while independent ones go on. The failure is then thrown — several failures become one ERR_WW_BUILD_FAILED naming them all, with the
 * first one as its cause.
 */
import { WheelwrightError } from "../errors.js";
import { runGraph as schedule, summarizeResults, type ScheduleEvent } from "../schedule/index.js";

export interface RunGraphOptions<T> {
  jobs: number;
  /** After a failure, run every node that doesn't depend on it (default: start nothing new). */
  keepGoing?: boolean;
  key: (node: T) => string;
  /** Keys of the nodes this one needs (keys not among the nodes are taken as present). */
  inputs: (node: T) => string[];
  run: (node: T) => Promise<void>;
  /** A node's name for messages (default: its key). */
  label?: (node: T) => string;
  /** Which slots run a node: "fetch" ones wait on the network, not the CPU (default "build"). */
  classify?: (node: T) => "fetch" | "build";
  /** Expected cost of a node, for critical-path-first ordering (default 1). */
  estimate?: (node: T) => number;
  /** Called when a node's task starts and when it ends (`ok`: it succeeded); not for skipped nodes. */
  onTask?: (node: T, state: "start" | "end", ok: boolean) => void;
}

export async function runGraph<T>(nodes: readonly T[], options: RunGraphOptions<T>): Promise<void> {
  const byKey = new Map(nodes.map((n) => [options.key(n), n]));
  const graph = {
    nodes,
    deps: (node: T) => {
      const own = options.key(node);
      return options.inputs(node).filter((k) => k !== own && byKey.has(k)).map((k) => byKey.get(k)!);
    },
  };
  const label = options.label ?? options.key;
  const results = await schedule(graph, (node) => options.run(node), {
    jobs: Math.max(1, options.jobs),
    keepGoing: options.keepGoing ?? false,
    label,
    ...(options.estimate !== undefined ? { estimate: options.estimate } : {}),
    ...(options.classify !== undefined ? { classify: options.classify } : {}),
    ...(options.onTask !== undefined
      ? {
          onEvent: (e: ScheduleEvent<T>) => {
            if (e.type === "start") options.onTask!(e.node, "start", true);
            else if (e.result.status === "ok" || e.result.status === "failed") options.onTask!(e.node, "end", e.result.status === "ok");
          },
        }
      : {}),
  });
  const summary = summarizeResults(results);
  if (summary.success) return;
  const [first, ...more] = summary.failures;
  if (first === undefined) throw new Error("the graph run was cancelled");
  if (more.length === 0) throw first.error;
  const cause = first.error;
  throw new WheelwrightError("ERR_WW_BUILD_FAILED", `${summary.failures.length} builds failed: ${summary.failures.map((f) => label(f.node)).join(", ")}; ${summary.skipped} dependents were not built`, {
    cause,
    hint: `the first failure: ${cause instanceof Error ? cause.message.split("\n")[0] : String(cause)}; see each with wheelwright log NAME`,
    ...(cause instanceof WheelwrightError && cause.details !== undefined ? { details: cause.details } : {}),
  });
}
