/** `sync` and `plan` as library calls: the CLI commands are thin shells over these. */
import { isAbsolute, join } from "node:path";
import type { Events } from "../events/emitter.js";
import { findInterpreter } from "../python/discover.js";
import { Store } from "../store/store.js";
import { executePlan, type SyncResult } from "./execute.js";
import { planSync, type Plan } from "./plan.js";
import { loadProject, type ProjectInput } from "./project.js";

export type { Plan, PlanItem, PlanStatus } from "./plan.js";
export type { SyncResult } from "./execute.js";
export { loadProject, findLockFile, type Project } from "./project.js";

export interface SyncInput extends ProjectInput {
  events?: Events;
}

/** Loads the project, interpreter and store, and plans (without writing anything). */
export async function plan(input: SyncInput): Promise<{ plan: Plan; store: Store }> {
  const project = loadProject(input);
  const python = await findInterpreter(project.settings.values.python as string | undefined);
  const store = await Store.open(project.settings.values.store as string | undefined, { env: input.env ?? process.env });
  try {
    return { plan: planSync(project, python, store), store };
  } catch (error) {
    store.close();
    throw error;
  }
}

/** Makes the project's environment match its lock. */
export async function sync(input: SyncInput): Promise<SyncResult> {
  const { plan: p, store } = await plan(input);
  try {
    const venv = p.project.settings.values.venv as string;
    const output = isAbsolute(venv) ? venv : join(p.project.dir, venv);
    return await executePlan(p, { store, output, copy: p.project.settings.values["venv.copy"] as boolean, ...(input.events ? { events: input.events } : {}) });
  } finally {
    store.close();
  }
}

/** A JSON-ready description of a plan: one row per derivation. */
export function describePlan(p: Plan, store: Store): Record<string, unknown> {
  return {
    lock: p.project.lockFile,
    python: { executable: p.python.executable, version: p.python.version },
    store: store.root,
    venv: store.toRealPath(p.venv.path),
    derivations: p.items.map((item) => ({
      name: item.derivation.name,
      version: item.derivation.version,
      kind: item.derivation.builder,
      source: item.recipe?.source.kind ?? null,
      storePath: store.toRealPath(item.derivation.path),
      status: item.status,
      ...(item.reason !== undefined ? { reason: item.reason } : {}),
    })),
  };
}
