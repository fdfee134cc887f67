/** What happened to each node of a run, and a summary of a run's results. */

export type SlotKind = "build" | "fetch";

export type NodeResult<K> =
  /** The task resolved. */
  | { status: "ok"; seconds: number }
  /** The task threw or rejected (while the run was not aborted). */
  | { status: "failed"; error: unknown; seconds: number }
  /** Never started: `dependency` (a node that failed) is among its transitive dependencies. */
  | { status: "skipped"; dependency: K }
  /**
   * Never finished because the run stopped: not started after an abort or after another node
   * failed without keepGoing, or started and then rejected after an abort (`error` set).
   */
  | { status: "cancelled"; error?: unknown };

/** Emitted synchronously by `runGraph`; every node gets exactly one "end", only run ones a "start". */
export type ScheduleEvent<K> =
  | { type: "start"; node: K; kind: SlotKind; /** tasks of this kind running, this one included */ running: number }
  | { type: "end"; node: K; kind: SlotKind; result: NodeResult<K> };

export interface RunSummary<K> {
  ok: number;
  failed: number;
  skipped: number;
  cancelled: number;
  /** Failed nodes with their errors, in graph order. */
  failures: { node: K; error: unknown }[];
  /** True when every node is ok. */
  success: boolean;
}

export function summarizeResults<K>(results: ReadonlyMap<K, NodeResult<K>>): RunSummary<K> {
  const summary: RunSummary<K> = { ok: 0, failed: 0, skipped: 0, cancelled: 0, failures: [], success: true };
  for (const [node, result] of results) {
    summary[result.status]++;
    if (result.status === "failed") summary.failures.push({ node, error: result.error });
    if (result.status !== "ok") summary.success = false;
  }
  return summary;
}
