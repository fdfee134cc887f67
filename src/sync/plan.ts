/**
 * Planning a sync: lock → package set (lock overlay, then the user's overrides) → members of
 * the environment → derivations, each marked present, to fetch (and install), or to build.
 * Nothing is built; discovery may fetch sources to read their build systems (sync/index.ts).
 * `plan --json` prints this, `sync` executes it.
 */
import { cpus } from "node:os";
import { dirname, resolve } from "node:path";
import type { BuildSystemDiscovery } from "../build/discover.js";
import { buildSystemMissing } from "../build/discover.js";
import { overridesOverlay } from "../config/overrides.js";
import { Instantiator } from "../derivation/instantiate.js";
import type { Derivation } from "../derivation/derivation.js";
import { WheelwrightError } from "../errors.js";
import { readLock, type LockedEnvironment } from "../lock/index.js";
import { normalizeName } from "../pep/names.js";
import { supportedTags } from "../pep/tags.js";
import type { Interpreter } from "../python/types.js";
import { packages, type PackageSet } from "../scope/package-set.js";
import { mergeSpecs, type DepSpec, type Recipe } from "../scope/recipe.js";
import type { Store } from "../store/store.js";
import type { Project } from "./project.js";
import { supportsPycachePrefix } from "../venv/pycache.js";

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
  /** Go on with independent builds after a failure (else nothing new starts after the first). */
  keepGoing: boolean;
  /** The build lock read (`--build-lock`), if any. */
  buildLock?: LockedEnvironment;
}

export interface PlanOptions {
  /**
   * Answers "which build system does this source declare" for recipes without one. While it
   * still has sources to read (`hasPending`), the plan is provisional: the caller resolves
   * them and plans again (see sync/index.ts).
   */
  discovery?: BuildSystemDiscovery;
}

export function planSync(project: Project, python: Interpreter, store: Store, options: PlanOptions = {}): Plan {
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
  // A build lock's packages join the set (for build systems) but are no roots; the main lock
  // wins where both have a package.
  const buildLockSetting = v["build-lock"] as string | undefined;
  const buildLock = buildLockSetting === undefined ? undefined : readBuildLock(resolve(project.dir, buildLockSetting), python, prefs.preference);
  const set = (buildLock !== undefined ? packages({ python }).overrideScope(buildLock.overlay) : packages({ python }))
    .overrideScope(locked.overlay)
    .overrideScope(overridesOverlay(project.settings.packages, { environment: python.markerEnvironment, tags, prefs, ...(project.pyprojectFile ? { file: project.pyprojectFile } : {}) }));
  // Overrides are lazy; force each one so an override of a package the lock lacks is an error now.
  for (const name of Object.keys(project.settings.packages)) set.get(name);
  const discovery = options.discovery;
  const discoverBuildSystem = discovery === undefined ? undefined : (recipe: Recipe): DepSpec => checkedBuildSystem(discovery, set, recipe);
  const members = resolveMembers(set, locked.roots, discoverBuildSystem);
  checkBuildCycles(set, members, discoverBuildSystem);
  // Lazy bytecode needs sys.pycache_prefix (3.8+); older interpreters always compile.
  const bytecode = v["compile-bytecode"] === false && supportsPycachePrefix(python) ? "lazy" : "compile";
  const inst = new Instantiator({ set, python, storeDir: store.storeDir, bytecode, ...(discoverBuildSystem !== undefined ? { discoverBuildSystem } : {}) });
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
  // Build-system packages are not members; find their recipes by name (same derivation).
  for (const item of items) {
    if (item.recipe !== undefined || item.derivation.builder === "venv" || !set.has(item.derivation.name)) continue;
    const recipe = set.get(item.derivation.name);
    if (inst.package(recipe) === item.derivation) item.recipe = recipe;
  }
  const valid = store.validPaths(items.map((i) => i.derivation.path));
  for (const item of items) {
    if (valid.has(item.derivation.path)) continue;
    item.status = item.derivation.builder === "install-wheel" ? "fetch" : "build";
    item.reason = "not in store";
  }
  const jobs = (v.jobs as number) > 0 ? (v.jobs as number) : cpus().length;
  const keepGoing = v["keep-going"] === true;
  return { project, python, locked, set, members, venv, items, jobs, keepGoing, ...(buildLock !== undefined ? { buildLock } : {}) };
}

function readBuildLock(file: string, python: Interpreter, preference: "wheel" | "sdist"): LockedEnvironment {
  return readLock(file, { python, sourcePreference: preference, allExtras: true, allGroups: true, projectDir: dirname(file) });
}

/**
 * The environment's members. An editable member's build system joins the environment (as in
 * pyproject.nix): editable installs import their backend's support code at run time.
 */
function resolveMembers(set: PackageSet, roots: DepSpec, discover: ((recipe: Recipe) => DepSpec) | undefined): Recipe[] {
  let spec = roots;
  for (;;) {
    const members = set.resolveVirtualEnv(spec);
    let extra: DepSpec = {};
    for (const member of members) {
      if (member.source.kind !== "editable") continue;
      const bs = member.buildSystem ?? discover?.(member) ?? {};
      for (const [name, extras] of Object.entries(mergeSpecs(bs, member.buildSystemAdd ?? {}))) {
        if (member.buildSystemDrop?.includes(name)) continue;
        if (!members.some((m) => m.name === name)) extra = mergeSpecs(extra, { [name]: extras });
      }
    }
    if (Object.keys(extra).length === 0) return members;
    spec = mergeSpecs(spec, extra);
  }
}

const BUILT_FROM_SOURCE = new Set(["sdist", "tree", "editable"]);

/**
 * A package whose build environment contains (transitively, through the build environments
 * of its build system's own source builds) the package itself can't be built: report the
 * cycle before instantiating, which would otherwise recurse forever.
 */
function checkBuildCycles(set: PackageSet, roots: readonly Recipe[], discover: ((recipe: Recipe) => DepSpec) | undefined): void {
  const done = new Set<string>();
  const specOf = (recipe: Recipe): DepSpec => {
    let spec = mergeSpecs(recipe.buildSystem ?? discover?.(recipe) ?? {}, recipe.buildSystemAdd ?? {});
    if (recipe.buildSystemDrop !== undefined) spec = Object.fromEntries(Object.entries(spec).filter(([n]) => !recipe.buildSystemDrop!.includes(n)));
    return spec;
  };
  const visit = (recipe: Recipe, path: string[]): void => {
    if (done.has(recipe.name) || !BUILT_FROM_SOURCE.has(recipe.source.kind)) return;
    const at = path.indexOf(recipe.name);
    if (at >= 0) {
      throw new WheelwrightError("ERR_WW_BUILD_SYSTEM_CYCLE", `build-system dependency cycle: ${[...path.slice(at), recipe.name].join(" -> ")} (each needs the next in its build environment, built from source)`, {
        package: recipe.name,
        hint: "a build environment can't contain a package that needs itself; take one member of the cycle as a wheel (source preference 'wheel' for it in [tool.wheelwright], or a wheel in --build-lock) or drop the edge with a build-system override",
      });
    }
    if (recipe.buildSystem === undefined && discover === undefined) return;
    for (const member of set.resolveBuildSystem(specOf(recipe))) visit(member, [...path, recipe.name]);
    done.add(recipe.name);
  };
  for (const recipe of roots) visit(recipe, []);
}

/** The discovered build system, with a clear error for requirements the set doesn't have. */
function checkedBuildSystem(discovery: BuildSystemDiscovery, set: PackageSet, recipe: Recipe): DepSpec {
  const spec = discovery.lookup(recipe);
  const fact = discovery.fact(recipe);
  for (const name of Object.keys(spec)) {
    if (set.has(name) || recipe.buildSystemDrop?.includes(name)) continue;
    const text = [...(fact?.requires ?? []), ...(fact?.dynamic ?? [])].find((r) => normalizeName(r.split(/[\s\[<>=!~;@(]/)[0]!) === name) ?? name;
    throw buildSystemMissing(recipe.name, recipe.version, text, "its pyproject.toml [build-system] requires it");
  }
  return spec;
}
