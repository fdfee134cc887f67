/** `show NAME`: a package's recipe, derivation, store path and place in the environment. */
import { findPlanItem, type Plan } from "../sync/index.js";
import { WheelwrightError } from "../errors.js";
import { normalizeName } from "../pep/names.js";
import { describeSource } from "../scope/source.js";
import type { DepSpec } from "../scope/recipe.js";
import type { Store } from "../store/store.js";
import { explainPlan } from "./explain.js";
import { dependenciesOf, dependentsOf, runtimeGraph } from "./runtime-graph.js";

export interface PackageReport {
  name: string;
  version: string;
  source: string;
  /** Whether it is a member of the environment (else only in a build environment). */
  member: boolean;
  recipe: { dependencies: DepSpec; extras: Record<string, DepSpec>; groups: Record<string, DepSpec> };
  derivation: { builder: string; hash: string; inputs: string[]; canonical: unknown } | null;
  storePath: string | null;
  present: boolean;
  /** NAR size from the store database (bytes), when present. */
  narSize: number | null;
  /** Why it would be made, when not present. */
  reasons: string[];
  dependencies: string[];
  dependents: string[];
  /** Packages whose build environment contains it. */
  buildDependents: string[];
}

export function showPackage(plan: Plan, store: Store, name: string): PackageReport {
  const wanted = normalizeName(name);
  if (!plan.set.has(wanted)) findPlanItem(plan, name); // throws the standard unknown-package error
  const recipe = plan.set.get(wanted);
  const member = plan.members.some((m) => m.name === wanted);
  let item;
  try {
    item = findPlanItem(plan, wanted);
  } catch (error) {
    if (!(error instanceof WheelwrightError) || recipe.source.kind !== "virtual") throw error;
    item = undefined; // virtual packages have no derivation
  }
  const drv = item?.derivation;
  const info = drv === undefined ? undefined : store.queryPathInfo(drv.path);
  const graph = runtimeGraph(plan.set, plan.locked.roots);
  const reasons = item !== undefined && item.status !== "present" ? (explainPlan(plan, store).find((e) => e.storePath === store.toRealPath(item.derivation.path))?.reasons ?? []) : [];
  const buildDependents = plan.items.filter((i) => i.derivation.builder !== "venv" && i.derivation.inputs.some((env) => env.builder === "venv" && env.inputs.some((m) => m.name === wanted))).map((i) => i.derivation.name);
  return {
    name: recipe.name,
    version: recipe.version,
    source: describeSource(recipe.source),
    member,
    recipe: { dependencies: recipe.dependencies, extras: recipe.optionalDependencies, groups: recipe.dependencyGroups },
    derivation: drv === undefined ? null : { builder: drv.builder, hash: drv.hash, inputs: drv.inputs.map((d) => store.toRealPath(d.path)), canonical: JSON.parse(drv.canonical) },
    storePath: drv === undefined ? null : store.toRealPath(drv.path),
    present: info !== undefined,
    narSize: info?.narSize ?? null,
    reasons,
    dependencies: dependenciesOf(graph, wanted),
    dependents: dependentsOf(graph, wanted),
    buildDependents: [...new Set(buildDependents)].sort(),
  };
}
