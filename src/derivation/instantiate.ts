/**
 * Turns recipes of a package set into derivations. A package's derivation reads its source,
 * its builder, the interpreter, its settings and — for source builds — the build
 * environment (a venv derivation over the resolved build-system closure). Never its runtime
 * dependencies: those only shape venv derivations.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { WheelwrightError } from "../errors.js";
import type { Interpreter } from "../python/types.js";
import type { PackageSet } from "../scope/package-set.js";
import { mergeSpecs, type DepSpec, type Recipe } from "../scope/recipe.js";
import type { Source } from "../scope/source.js";
import { makeDerivation, pythonIdentity, type Derivation, type SourceIdentity } from "./derivation.js";

export interface VenvSettings {
  /** Globs of venv paths whose collisions are ignored (first member wins). */
  ignoreCollisions?: string[];
  /** Globs of venv paths left out of the environment. */
  skip?: string[];
}

export interface InstantiateOptions {
  set: PackageSet;
  python: Interpreter;
  storeDir: string;
  /** Build-system spec of a source whose recipe doesn't name one (read from its pyproject). */
  discoverBuildSystem?: (recipe: Recipe) => DepSpec;
  /**
   * "compile" (when not given; `compile-bytecode = true`): installs byte-compile into the
   * store. "lazy" (what a sync chooses by default): installs write no bytecode and venvs carry
   * the hook that caches it outside the store (src/venv/pycache.ts). Only "lazy" enters
   * derivations, so compiled paths are the same as before the setting existed.
   */
  bytecode?: "compile" | "lazy";
}

/** Whether `drv` was instantiated with `bytecode: "lazy"`: installed without bytecode, or a venv carrying the cache hook. */
export const hasLazyBytecode = (drv: Derivation): boolean => drv.settings.bytecode === "lazy";

/** Instantiates recipes once each, sharing build environments between equal closures. */
export class Instantiator {
  private readonly byRecipe = new Map<Recipe, Derivation | null>();
  private readonly envs = new Map<string, Derivation>();

  /** `{ bytecode: "lazy" }` in the settings of every installing derivation, or nothing. */
  private readonly lazy: { bytecode?: "lazy" };

  constructor(private readonly options: InstantiateOptions) {
    this.lazy = options.bytecode === "lazy" ? { bytecode: "lazy" } : {};
  }

  /** The derivation of a recipe; null for virtual packages, which install nothing. */
  package(recipe: Recipe): Derivation | null {
    let drv = this.byRecipe.get(recipe);
    if (drv === undefined) {
      drv = this.make(recipe);
      this.byRecipe.set(recipe, drv);
    }
    return drv;
  }

  /** A venv over `members` in order (their derivations, virtual ones left out). */
  venv(name: string, members: readonly Recipe[], settings: VenvSettings = {}): Derivation {
    const inputs = members.map((m) => this.package(m)).filter((d): d is Derivation => d !== null);
    return makeDerivation({
      name,
      version: "",
      builder: "venv",
      storeDir: this.options.storeDir,
      python: pythonIdentity(this.options.python),
      source: null,
      inputs,
      settings: { ignoreCollisions: [...(settings.ignoreCollisions ?? [])].sort(), skip: [...(settings.skip ?? [])].sort(), ...this.lazy },
    });
  }

  /** The build environment for a build-system spec: one derivation per distinct closure. */
  buildEnv(spec: DepSpec): Derivation {
    const members = this.options.set.resolveBuildSystem(spec);
    const env = this.venv("build-env", members);
    const known = this.envs.get(env.path);
    if (known !== undefined) return known;
    this.envs.set(env.path, env);
    return env;
  }

  private make(recipe: Recipe): Derivation | null {
    const { source } = recipe;
    if (source.kind === "virtual") return null;
    const base = {
      name: recipe.name,
      version: recipe.version,
      storeDir: this.options.storeDir,
      python: pythonIdentity(this.options.python),
      source: sourceIdentity(source, recipe),
    };
    switch (source.kind) {
      case "wheel":
        return makeDerivation({ ...base, builder: "install-wheel", inputs: [], settings: { verifyRecord: recipe.verifyRecord ?? true, ...this.lazy } });
      case "prebuilt":
        return makeDerivation({ ...base, builder: "adopt-prebuilt", inputs: [], settings: {} });
      case "sdist":
      case "tree":
      case "editable": {
        const env = this.buildEnv(this.buildSystemOf(recipe));
        return makeDerivation({
          ...base,
          builder: source.kind === "editable" ? "build-editable" : "build-wheel",
          inputs: [env],
          settings: { configSettings: recipe.configSettings ?? {}, env: recipe.env ?? {}, patches: (recipe.patches ?? []).map(hashFile), verifyRecord: recipe.verifyRecord ?? true, ...this.lazy },
        });
      }
    }
  }

  private buildSystemOf(recipe: Recipe): DepSpec {
    let spec = recipe.buildSystem ?? this.options.discoverBuildSystem?.(recipe);
    if (spec === undefined) {
      throw new WheelwrightError("ERR_WW_BUILD_SYSTEM_MISSING", `no build system is known for ${recipe.name} ${recipe.version}`, {
        package: recipe.name,
        hint: `declare one in pyproject.toml: [tool.wheelwright.packages.${recipe.name}] build-system = { setuptools = [] }`,
      });
    }
    if (recipe.buildSystemAdd !== undefined) spec = mergeSpecs(spec, recipe.buildSystemAdd);
    if (recipe.buildSystemDrop !== undefined) {
      spec = Object.fromEntries(Object.entries(spec).filter(([name]) => !recipe.buildSystemDrop!.includes(name)));
    }
    return spec;
  }
}

function sourceIdentity(source: Source, recipe: Recipe): SourceIdentity | null {
  switch (source.kind) {
    case "wheel":
    case "sdist":
      return { type: "file", filename: source.file.filename, sha256: source.file.sha256 };
    case "tree": {
      const tree = source.tree;
      if (tree.type === "git") return { type: "git", url: tree.url, commit: tree.commit, ...(tree.subdirectory ? { subdirectory: tree.subdirectory } : {}) };
      if (tree.type === "archive") return { type: "file", filename: tree.file.filename, sha256: tree.file.sha256, ...(tree.subdirectory ? { subdirectory: tree.subdirectory } : {}) };
      const treeHash = recipe.meta?.treeHash;
      if (typeof treeHash !== "string") throw new Error(`directory source of ${recipe.name} has no meta.treeHash (set by the lock reader)`);
      return { type: "directory", path: tree.path, treeHash };
    }
    case "editable":
      return { type: "editable", path: source.path, metadataHash: editableMetadataHash(source.path) };
    case "prebuilt":
      return { type: "prebuilt", sitePackages: source.sitePackages, distInfo: source.distInfo, recordHash: hashFile(join(source.sitePackages, source.distInfo, "RECORD")) };
    case "virtual":
      return null;
  }
}

/**
 * Files of an editable project that decide its editable wheel's content, like uv's default
 * cache keys: a change to one rebuilds the editable; a change to a module does not need to.
 */
export const EDITABLE_METADATA_FILES = ["pyproject.toml", "setup.py", "setup.cfg"] as const;

function editableMetadataHash(dir: string): string {
  const hash = createHash("sha256");
  for (const name of EDITABLE_METADATA_FILES) {
    const path = join(dir, name);
    hash.update(`${name}\0`);
    hash.update(existsSync(path) ? createHash("sha256").update(readFileSync(path)).digest("hex") : "absent");
    hash.update("\0");
  }
  return hash.digest("hex");
}

function hashFile(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}
