/**
 * Planning a sync: lock → package set (lock overlay, then the user's overrides) → members of
 * the environment → derivations, each marked present, to fetch (and install), or to build.
 * Nothing is written; `plan --json` prints this, `sync` executes it.
 */
import { cpus } from "node:os";
import { overridesOverlay } from "../config/overrides.js";
import { Instantiator } from "../derivation/instantiate.js";
import type { Derivation } from "../derivation/derivation.js";
import { readLock, type LockedEnvironment } from "../lock/index.js";
import { supportedTags } from "../pep/tags.js";
import type { Interpreter } from "../python/types.js";
import { packages, type PackageSet } from "../scope/package-set.js";
import type { Recipe } from "../scope/recipe.js";
import type { Store } from "../store/store.js";
import type { Project } from "./project.js";

export type PlanStatus = "present" | "fetch" | "build";

export interface PlanItem {
  derivation: Derivation;
  recipe: Recipe | undefined;
  status: PlanStatus;
  /** Why it must be made (for `plan`): "not in store", … */
  reason?: string;
}

export interface Plan {
  project: Project;
  python: Interpreter;
  locked: LockedEnvironment;
  set: PackageSet;
  members: Recipe[];
  venv: Derivation;
  /** Packages (and build environments) in a deterministic order, then the venv last. */
  items: PlanItem[];
  jobs: number;
}

export function planSync(project: Project, python: Interpreter, store: Store): Plan {
  const v = project.settings.values;
  const prefs = {
    preference: v["source-preference"] as "wheel" | "sdist",
    noBuild: v["no-build"] === true,
    noBinary: v["no-binary"] === true,
  };
  const locked = readLock(project.lockFile, {
    python,
    extras: v.extras as string[],
    allExtras: v["all-extras"] as boolean,
    groups: v.groups as string[],
    allGroups: v["all-groups"] as boolean,
    noDefaultGroups: v["no-default-groups"] as boolean,
    sourcePreference: prefs.preference,
    noBuild: v["no-build"] as boolean | string[],
    noBinary: v["no-binary"] as boolean | string[],
    projectDir: project.dir,
  });
  const tags = supportedTags(python);
  const set = packages({ python })
    .overrideScope(locked.overlay)
    .overrideScope(overridesOverlay(project.settings.packages, { environment: python.markerEnvironment, tags, prefs, ...(project.pyprojectFile ? { file: project.pyprojectFile } : {}) }));
  const members = set.resolveVirtualEnv(locked.roots);
  const inst = new Instantiator({ set, python, storeDir: store.storeDir });
  const venv = inst.venv(`${project.name}-env`, members, {
    ignoreCollisions: v["venv.ignore-collisions"] as string[],
    skip: v["venv.skip"] as string[],
  });

  const items: PlanItem[] = [];
  const recipes = new Map<string, Recipe>();
  for (const member of members) {
    const drv = inst.package(member);
    if (drv !== null) recipes.set(drv.path, member);
  }
  const seen = new Set<string>();
  const visit = (drv: Derivation): void => {
    if (seen.has(drv.path)) return;
    seen.add(drv.path);
    for (const input of drv.inputs) visit(input);
    items.push({ derivation: drv, recipe: recipes.get(drv.path), status: "present" });
  };
  visit(venv);
  const valid = store.validPaths(items.map((i) => i.derivation.path));
  for (const item of items) {
    if (valid.has(item.derivation.path)) continue;
    item.status = item.derivation.builder === "install-wheel" ? "fetch" : "build";
    item.reason = "not in store";
  }
  const jobs = (v.jobs as number) > 0 ? (v.jobs as number) : cpus().length;
  return { project, python, locked, set, members, venv, items, jobs };
}
