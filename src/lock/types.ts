import type { Interpreter } from "../python/types.js";
import type { Overlay } from "../scope/package-set.js";
import type { DepSpec } from "../scope/recipe.js";

export interface LockOptions {
  /** Markers are evaluated against its marker environment; wheels are chosen by its tags. */
  python: Interpreter;
  extras?: string[];
  allExtras?: boolean;
  groups?: string[];
  allGroups?: boolean;
  noDefaultGroups?: boolean;
  sourcePreference?: "wheel" | "sdist";
  packageSourcePreference?: Record<string, "wheel" | "sdist">;
  noBuild?: boolean | string[];
  noBinary?: boolean | string[];
  /** Base of relative paths in the lock (default: the lock file's directory). */
  projectDir?: string;
}

export interface LockSummary {
  /** Package entries in the file. */
  packages: number;
  /** Entries selected for this environment. */
  selected: number;
  /** Selected entries by source kind (wheel, sdist, tree, editable, virtual). */
  sources: Record<string, number>;
}

export interface LockedEnvironment {
  file: string;
  format: "uv.lock" | "pylock.toml";
  /** One recipe per package selected for this environment. */
  overlay: Overlay;
  /** The environment's roots: project(s) with their selected extras and groups. */
  roots: DepSpec;
  projectName: string | undefined;
  summary: LockSummary;
  /** Non-fatal observations (a newer minor lock version, …). */
  warnings: string[];
}
