/** `sync` and `plan` as library calls: the CLI commands are thin shells over these. */
import { isAbsolute, join } from "node:path";
import { BuildSystemDiscovery } from "../build/discover.js";
import { isWheelwrightError } from "../errors.js";
import type { Events } from "../events/emitter.js";
import { fetchSources } from "../fetch/index.js";
import { findInterpreter } from "../python/discover.js";
import type { Interpreter } from "../python/types.js";
import { Store } from "../store/store.js";
import { checkRebuild, findPlanItem, type CheckResult } from "./check.js";
import { executePlan, type SyncResult } from "./execute.js";
import { planSync, type Plan } from "./plan.js";
import { loadProject, type Project, type ProjectInput } from "./project.js";

export type { Plan, PlanItem, PlanStatus } from "./plan.js";
export type { SyncResult } from "./execute.js";
export { loadProject, findLockFile, type Project } from "./project.js";

export interface SyncInput extends ProjectInput {
  events?: Events;
  /** Called after a successful sync with the plan it executed (the store still open). */
  onSynced?: (plan: Plan, store: Store, result: SyncResult) => void;
}

/** Rounds of build-system discovery before giving up (each reads the sources found last round). */
const MAX_DISCOVERY_ROUNDS = 20;
/** Times a sync re-plans because a backend asked for more than its pyproject declared. */
const MAX_REPLANS = 3;

/** Loads the project, interpreter and store, and plans (without writing anything but fetched sources). */
export async function plan(input: SyncInput): Promise<{ plan: Plan; store: Store }> {
  const project = loadProject(input);
  const python = await findInterpreter(project.settings.values.python as string | undefined);
  const store = await Store.open(project.settings.values.store as string | undefined, { env: input.env ?? process.env });
  try {
    return { plan: await planWithDiscovery(project, python, store, discoveryFor(project, python, store, input.events)), store };
  } catch (error) {
    store.close();
    throw error;
  }
}

/** Makes the project's environment match its lock. */
export async function sync(input: SyncInput): Promise<SyncResult> {
  const project = loadProject(input);
  const python = await findInterpreter(project.settings.values.python as string | undefined);
  const store = await Store.open(project.settings.values.store as string | undefined, { env: input.env ?? process.env });
  try {
    const discovery = discoveryFor(project, python, store, input.events);
    const venv = project.settings.values.output as string;
    const output = isAbsolute(venv) ? venv : join(project.dir, venv);
    for (let attempt = 0; ; attempt++) {
      const p = await planWithDiscovery(project, python, store, discovery);
      try {
        const result = await executePlan(p, { store, output, discovery, copy: project.settings.values["venv.copy"] as boolean, ...(input.events ? { events: input.events } : {}) });
        input.onSynced?.(p, store, result);
        return result;
      } catch (error) {
        // A backend asked (get_requires_for_build_*) for packages the set has: plan again with them.
        if (attempt < MAX_REPLANS && isWheelwrightError(error, "ERR_WW_BUILD_SYSTEM_MISSING") && error.details?.replan === true) {
          input.events?.emit({ type: "log", level: "info", message: error.message, ...(error.location.package ? { package: error.location.package } : {}) });
          continue;
        }
        throw error;
      }
    }
  } finally {
    store.close();
  }
}

function discoveryFor(project: Project, python: Interpreter, store: Store, events: Events | undefined): BuildSystemDiscovery {
  const v = project.settings.values;
  return new BuildSystemDiscovery({
    store,
    python,
    fetchFiles: async (files) => {
      const paths = await fetchSources(files, {
        store,
        findLinks: v["find-links"] as string[],
        mirrors: v.mirrors as string[],
        offline: v.offline as boolean,
        baseDir: project.dir,
        ...(events !== undefined ? { events } : {}),
      });
      return new Map([...paths].map(([sha, path]) => [sha, store.toRealPath(path)]));
    },
  });
}

/** Plans until every source's build system is known (reading new sources between rounds). */
async function planWithDiscovery(project: Project, python: Interpreter, store: Store, discovery: BuildSystemDiscovery): Promise<Plan> {
  for (let round = 0; round < MAX_DISCOVERY_ROUNDS; round++) {
    const p = planSync(project, python, store, { discovery });
    if (!discovery.hasPending) return p;
    await discovery.resolvePending();
  }
  throw new Error(`build-system discovery did not settle after ${MAX_DISCOVERY_ROUNDS} rounds`);
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

export { checkRebuild, findPlanItem };
export type { CheckResult };

/** The build log file of a package in the project's plan (it may not exist: wheels have none). */
export async function buildLogOf(input: SyncInput & { name: string }): Promise<{ name: string; version: string; file: string; storePath: string }> {
  const { plan: p, store } = await plan(input);
  try {
    const item = findPlanItem(p, input.name);
    return { name: item.derivation.name, version: item.derivation.version, file: store.logFile(item.derivation.path), storePath: store.toRealPath(item.derivation.path) };
  } finally {
    store.close();
  }
}

/** Rebuilds a package's store path and compares content hashes (`wheelwright check`). */
export async function check(input: SyncInput & { name: string }): Promise<CheckResult> {
  const { plan: p, store } = await plan(input);
  try {
    return await checkRebuild(p, store, input.name, input.events);
  } finally {
    store.close();
  }
}
