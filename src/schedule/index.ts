/** The scheduler: a pure sequencer over a dependency graph plus a bounded worker pool. */
export { graphOf, indexGraph } from "./graph.js";
export type { Graph, IndexedGraph } from "./graph.js";
export { assertAcyclic, formatCycle, sequence, Sequencer } from "./sequencer.js";
export type { Sequence } from "./sequencer.js";
export { criticalPath, makespanLowerBound, remainingPaths } from "./critical-path.js";
export type { CriticalPath } from "./critical-path.js";
export { ReadyQueue } from "./ready-queue.js";
export { runGraph } from "./pool.js";
export type { RunOptions, TaskContext } from "./pool.js";
export { summarizeResults } from "./results.js";
export type { NodeResult, RunSummary, ScheduleEvent, SlotKind } from "./results.js";
