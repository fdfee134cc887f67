/**
 * `build NAME…`: realise just some packages' store paths and what they need (their build
 * environments and those environments' members), without assembling or linking the project's
 * environment. It makes derivations the way sync's executePlan does (same builders, same
 * realise calls), restricted to the closure of the chosen items over derivation inputs.
 */
import type { Derivation } from "../derivation/derivation.js";
import type { Events } from "../events/emitter.js";
import type { StorePath } from "../store/path.js";
import type { Store } from "../store/store.js";
import { fetchPlanSources, fileSourcesOf, makeBuildContext, realiseItem } from "../sync/execute.js";
import { findPlanItem, type Plan, type PlanItem } from "../sync/index.js";
import { runGraph } from "../sync/run-graph.js";
import { recordDerivation } from "./record.js";

export interface BuiltPackage {
  name: string;
  version: string;
  /** Absolute store path. */
  storePath: string;
  path: StorePath;
  /** Whether it had to be made (false: it was already valid). */
  made: boolean;
}

/** The chosen items plus every item they need, in plan order. */
export function closureOf(plan: Plan, chosen: readonly PlanItem[]): PlanItem[] {
  const byPath = new Map(plan.items.map((i) => [i.derivation.path, i]));
  const keep = new Set<string>();
  const visit = (drv: Derivation): void => {
    if (keep.has(drv.path)) return;
    keep.add(drv.path);
    for (const input of drv.inputs) visit(input);
  };
  for (const item of chosen) visit(item.derivation);
  return plan.items.filter((i) => keep.has(i.derivation.path) && byPath.has(i.derivation.path));
}

export async function buildPackages(plan: Plan, store: Store, names: readonly string[], options: { events?: Events } = {}): Promise<BuiltPackage[]> {
  const { events } = options;
  const chosen = names.map((n) => findPlanItem(plan, n));
  const items = closureOf(plan, chosen);
  const todo = items.filter((i) => i.status !== "present");
  // Keep what is already there alive against a concurrent gc until the store is closed.
  store.addTempRoots(items.filter((i) => i.status === "present").map((i) => i.derivation.path));
  const started = performance.now();
  let fetchedBytes = 0;
  const unsubscribe = events?.on((e) => {
    if (e.type === "fetch-end" && e.source !== "store") fetchedBytes += e.bytes;
  });
  try {
    events?.emit({ type: "phase", phase: "build", state: "start", total: todo.length });
    const files = todo.flatMap((i) => fileSourcesOf(i));
    const sources = await fetchPlanSources(plan, store, files, events);
    const needsSandbox = todo.some((i) => i.derivation.builder === "build-wheel" || i.derivation.builder === "build-editable");
    const ctx = makeBuildContext(plan, store, sources, { needsSandbox, ...(events !== undefined ? { events } : {}) });
    let built = 0;
    const make = async (item: PlanItem): Promise<void> => {
      if (item.status === "present") recordDerivation(store, item.derivation);
      else if ((await realiseItem(plan, store, ctx, item)) === "built") built++;
    };
    await runGraph(items, { jobs: plan.jobs, keepGoing: plan.keepGoing, inputs: (i) => i.derivation.inputs.map((d) => d.path), key: (i) => i.derivation.path, run: make });
    events?.emit({ type: "phase", phase: "build", state: "end", total: todo.length });
    events?.emit({ type: "summary", fetchedBytes, fetched: files.length, built, linked: 0, seconds: (performance.now() - started) / 1000 });
    return chosen.map((i) => ({ name: i.derivation.name, version: i.derivation.version, storePath: store.toRealPath(i.derivation.path), path: i.derivation.path, made: i.status !== "present" }));
  } finally {
    unsubscribe?.();
  }
}
