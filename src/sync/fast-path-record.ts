/**
 * Gathers, from the plan a sync just executed, the inputs its fast-path record must witness
 * (see fast-path.ts), and writes the record. Loaded by the full sync only; the fast path's
 * check needs none of this.
 */
import { dirname, join, resolve } from "node:path";
import { EDITABLE_METADATA_FILES } from "../derivation/instantiate.js";
import { interpreterInputs } from "../python/cache-witness.js";
import type { Store } from "../store/store.js";
import type { SyncResult } from "./execute.js";
import { recordFastPath, type DirWitness, type FastPathKey, type RecordOutcome, type TreeWitness } from "./fast-path.js";
import type { Plan } from "./plan.js";

export interface RecordContext {
  key: FastPathKey;
  /** When the sync started (ms since the epoch), for the race check. */
  startedAt: number;
  /** Listings taken before planning (lock discovery in the project directory). */
  dirsBefore: DirWitness[];
  /** Where records live (default fastPathDir()). */
  dir?: string;
}

/** Records `plan`'s inputs for the fast path; says why not when it can't be trusted to. */
export function recordSync(plan: Plan, store: Store, result: SyncResult, context: RecordContext): RecordOutcome {
  const skip = (reason: string): RecordOutcome => ({ recorded: false, reason });
  const v = plan.project.settings.values;
  if (v["venv.copy"] === true) return skip("copy mode always rewrites the environment");
  const python = interpreterInputs(v.python as string | undefined, plan.python);
  if (typeof python === "string") return skip(python);
  const contentFiles = [join(plan.project.dir, "pyproject.toml"), plan.project.lockFile, join(dirname(plan.project.lockFile), "pyproject.toml")];
  const buildLock = v["build-lock"] as string | undefined;
  if (buildLock !== undefined) {
    const file = resolve(plan.project.dir, buildLock);
    contentFiles.push(file, join(dirname(file), "pyproject.toml"));
  }
  const trees: TreeWitness[] = [];
  const dirs: { dir: string; match: DirWitness["match"] }[] = [];
  // Every file the planner reads besides the lock and pyproject.toml. A new one must be added
  // here too, or the fast path would miss changes to it.
  for (const item of plan.items) {
    const recipe = item.recipe;
    const source = recipe?.source;
    if (recipe === undefined || source === undefined) continue;
    // Patches enter the derivation by content.
    contentFiles.push(...(recipe.patches ?? []));
    // An editable's metadata files enter its derivation; discovery re-reads its build system.
    if (source.kind === "editable") contentFiles.push(...EDITABLE_METADATA_FILES.map((name) => join(source.path, name)));
    else if (source.kind === "prebuilt") {
      // The override picks the .dist-info of the locked version from the directory's listing.
      contentFiles.push(join(source.sitePackages, source.distInfo, "RECORD"));
      dirs.push({ dir: source.sitePackages, match: "dist-info" });
    } else if (source.kind === "tree" && source.tree.type === "directory") {
      const hash = item.recipe?.meta?.treeHash;
      if (typeof hash !== "string") return skip(`the directory source of ${item.derivation.name} has no tree hash`);
      trees.push({ path: source.tree.path, hash });
    }
  }
  return recordFastPath(
    context.key,
    {
      output: result.output,
      venv: result.venv,
      store: { root: store.root, paths: plan.items.map((i) => i.derivation.path) },
      contentFiles,
      statFiles: python.files,
      dirs: [...python.dirs, ...dirs],
      dirsBefore: context.dirsBefore,
      trees,
      startedAt: context.startedAt,
    },
    context.dir !== undefined ? { dir: context.dir } : {},
  );
}
