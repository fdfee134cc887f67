/**
 * The project environment as `run` sees it: whether it matches the plan (else sync first),
 * and the process environment a command runs with inside it — what `activate` would set.
 */
import { delimiter, join } from "node:path";
import type { Store } from "../store/store.js";
import { currentTarget } from "../sync/link.js";
import type { Plan } from "../sync/index.js";

export interface EnvironmentState {
  stale: boolean;
  /** Why it is stale (empty when it is current). */
  reasons: string[];
}

/** Current when every derivation is present and `output` links to the plan's venv. */
export function environmentState(plan: Plan, store: Store, output: string, copy = false): EnvironmentState {
  const reasons: string[] = [];
  const missing = plan.items.filter((i) => i.status !== "present").length;
  if (missing > 0) reasons.push(`${missing} store path${missing === 1 ? "" : "s"} to make`);
  if (copy) reasons.push("copy mode rewrites the environment every time");
  else {
    const target = currentTarget(output);
    const wanted = store.toRealPath(plan.venv.path);
    if (target === undefined) reasons.push(`${output} is not a link to the store`);
    else if (target !== wanted) reasons.push(`${output} points at ${target}, not ${wanted}`);
  }
  return { stale: reasons.length > 0, reasons };
}

/**
 * `base` with the environment's `bin` first on PATH and VIRTUAL_ENV set; PYTHONHOME (which
 * would make the venv's python look for its standard library elsewhere) is removed.
 */
export function environmentVariables(venv: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  delete env.PYTHONHOME;
  env.VIRTUAL_ENV = venv;
  env.PATH = [join(venv, "bin"), ...(base.PATH ?? "").split(delimiter).filter((p) => p !== "" && p !== join(venv, "bin"))].join(delimiter);
  return env;
}
