/**
 * Build-system discovery: what a source's own pyproject.toml declares (`[build-system]`
 * requires, backend, backend-path, or PEP 517's fallback), read once per source and cached
 * in the store database under the source's identity (a content hash or commit, never a
 * path). Requirements are resolved by name against the package set, markers evaluated for
 * the target interpreter. Requirements a backend adds at build time
 * (`get_requires_for_build_wheel`) are remembered in the same fact.
 *
 * Planning is synchronous and discovery needs fetched sources, so planning runs in rounds:
 * `lookup` answers from memory or the database, records what it doesn't know, and
 * `resolvePending` fetches/unpacks those and stores their facts before the next round.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import pLimit from "p-limit";
import { join } from "node:path";
import { WheelwrightError } from "../errors.js";
import { normalizeName } from "../pep/names.js";
import { evaluateMarker, formatRequirement, parseRequirement } from "../pep/pep508.js";
import { buildSystem, readPyproject } from "../pep/pyproject.js";
import type { Interpreter } from "../python/types.js";
import type { DepSpec, Recipe } from "../scope/recipe.js";
import type { FileRef } from "../scope/source.js";
import { removeTree } from "../store/normalise.js";
import { unpackSource } from "./unpack.js";

/** What is cached per source: requirement strings as written, so markers are evaluated per interpreter. */
export interface BuildSystemFact {
  requires: string[];
  backend: string;
  backendPath: string[];
  origin: "declared" | "legacy-backend" | "default";
  /** Requirements the backend asked for through get_requires_for_build_wheel/_editable. */
  dynamic?: string[];
}

/** Bumped when the fact's shape or meaning changes (old facts are then re-read). */
const FACT_VERSION = 1;

/** A stable key for a source's bytes, or undefined for editable trees (always re-read). */
export function sourceFactKey(recipe: Recipe): string | undefined {
  const { source } = recipe;
  let id: string | undefined;
  if (source.kind === "sdist") id = `file:${source.file.sha256}`;
  else if (source.kind === "tree") {
    const tree = source.tree;
    if (tree.type === "archive") id = `file:${tree.file.sha256}:${tree.subdirectory ?? ""}`;
    else if (tree.type === "git") id = `git:${tree.url}@${tree.commit}:${tree.subdirectory ?? ""}`;
    else if (typeof recipe.meta?.treeHash === "string") id = `dir:${recipe.meta.treeHash}`;
  }
  if (id === undefined) return undefined;
  return `build-system:v${FACT_VERSION}:${createHash("sha256").update(id).digest("hex")}`;
}

/** The build system a source tree declares (PEP 517/518 defaults when it declares none). */
export function readBuildSystem(root: string): BuildSystemFact {
  const file = join(root, "pyproject.toml");
  const pyproject = existsSync(file) ? readPyproject(readFileSync(file, "utf8"), file) : undefined;
  const bs = buildSystem(pyproject);
  return {
    requires: bs.requires.map((r) => formatRequirement(r)),
    backend: bs.buildBackend,
    backendPath: bs.backendPath,
    origin: bs.origin,
  };
}

/** Requirement strings → name/extras for `python`; those whose marker is false are dropped. */
export function requirementsToSpec(requirements: readonly string[], python: Interpreter, pkg: string): DepSpec {
  const spec: DepSpec = {};
  for (const text of requirements) {
    const req = parseRequirement(text, { package: pkg });
    if (req.marker !== null && !evaluateMarker(req.marker, { ...python.markerEnvironment, extra: "" })) continue;
    const name = normalizeName(req.name);
    spec[name] = [...new Set([...(spec[name] ?? []), ...req.extras.map(normalizeName)])].sort();
  }
  return spec;
}

export interface FactStore {
  getSourceFact<T>(key: string): T | undefined;
  setSourceFact(key: string, value: unknown): void;
}

export interface DiscoveryOptions {
  store: FactStore;
  python: Interpreter;
  /** Local files for sdist/archive sources (fetching them into the store). */
  fetchFiles: (files: FileRef[]) => Promise<Map<string, string>>;
}

export class BuildSystemDiscovery {
  private readonly facts = new Map<Recipe, BuildSystemFact>();
  private readonly pending = new Map<string, Recipe>();

  constructor(private readonly options: DiscoveryOptions) {}

  /** The fact for a recipe's source if known now; otherwise undefined, and it is queued. */
  fact(recipe: Recipe): BuildSystemFact | undefined {
    const known = this.facts.get(recipe);
    if (known !== undefined) return known;
    const { source } = recipe;
    let fact: BuildSystemFact | undefined;
    if (source.kind === "editable") fact = readBuildSystem(source.path);
    else {
      const key = sourceFactKey(recipe);
      if (key !== undefined) fact = this.options.store.getSourceFact<BuildSystemFact>(key);
      if (fact === undefined && source.kind === "tree" && source.tree.type === "directory") fact = readBuildSystem(source.tree.path);
      if (fact !== undefined && key !== undefined) this.options.store.setSourceFact(key, fact);
    }
    if (fact === undefined) {
      this.pending.set(sourceFactKey(recipe) ?? recipe.name, recipe);
      return undefined;
    }
    this.facts.set(recipe, fact);
    return fact;
  }

  /** The build-system spec (declared + dynamic) for the Instantiator; `{}` while pending. */
  lookup(recipe: Recipe): DepSpec {
    const fact = this.fact(recipe);
    if (fact === undefined) return {};
    return requirementsToSpec([...fact.requires, ...(fact.dynamic ?? [])], this.options.python, recipe.name);
  }

  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** Fetches/unpacks every queued source and stores its fact. */
  async resolvePending(): Promise<void> {
    const recipes = [...this.pending.values()];
    this.pending.clear();
    const files: FileRef[] = [];
    for (const r of recipes) {
      if (r.source.kind === "sdist") files.push(r.source.file);
      else if (r.source.kind === "tree" && r.source.tree.type === "archive") files.push(r.source.tree.file);
    }
    const local = files.length > 0 ? await this.options.fetchFiles(files) : new Map<string, string>();
    // Reading an archive is decompression: run a few at once (one per core); the facts are
    // stored in the order they finish, which no result depends on.
    const limit = pLimit(Math.max(1, availableParallelism()));
    await Promise.all(
      recipes.map((recipe) =>
        limit(async () => {
          const work = mkdtempSync(join(tmpdir(), "ww-discover-"));
          try {
            const { source } = recipe;
            const file = source.kind === "sdist" ? local.get(source.file.sha256) : source.kind === "tree" && source.tree.type === "archive" ? local.get(source.tree.file.sha256) : undefined;
            // Only pyproject.toml is read: from an archive, nothing else is written.
            const root = await unpackSource({ source, dest: work, package: recipe.name, only: ["pyproject.toml"], ...(file !== undefined ? { file } : {}) });
            const fact = readBuildSystem(root);
            const key = sourceFactKey(recipe);
            if (key !== undefined) this.options.store.setSourceFact(key, fact);
            this.facts.set(recipe, fact);
          } finally {
            removeTree(work);
          }
        }),
      ),
    );
  }

  /** Remembers requirements a backend asked for at build time (for the next plan). */
  addDynamic(recipe: Recipe, requirements: string[]): void {
    const fact = this.fact(recipe);
    if (fact === undefined) return;
    const updated = { ...fact, dynamic: [...new Set([...(fact.dynamic ?? []), ...requirements])].sort() };
    this.facts.set(recipe, updated);
    const key = sourceFactKey(recipe);
    if (key !== undefined) this.options.store.setSourceFact(key, updated);
  }
}

/** ERR_WW_BUILD_SYSTEM_MISSING for `pkg` needing `requirement` (by name) that the set lacks. */
export function buildSystemMissing(pkg: string, version: string, requirement: string, how: string): WheelwrightError {
  const name = normalizeName(parseRequirement(requirement).name);
  return new WheelwrightError("ERR_WW_BUILD_SYSTEM_MISSING", `${pkg} ${version} needs '${requirement}' to build (${how}), but ${name} is not in the package set`, {
    package: pkg,
    hint: `add it: give a build lock with a wheel of ${name} (--build-lock FILE, a pylock.toml), or set [tool.wheelwright.packages.${pkg}] build-system = [...] to requirements the lock provides`,
  });
}
