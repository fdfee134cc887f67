/**
 * wheelwright's library entry point. The CLI is a thin shell over these exports.
 *
 * Standards (namespaces): `pep440`, `pep508`, `names`, `filenames`, `tags`, `metadata`,
 * `pyproject`. Pipeline stages: interpreters, lock readers, package sets and resolvers,
 * derivations, the store, fetching, the installer, venvs, and `sync`/`plan`.
 */
export { WheelwrightError, isWheelwrightError, ERROR_CODES } from "./errors.js";
export type { ErrorCode, ErrorLocation, WheelwrightErrorOptions } from "./errors.js";
export { Events, silentEvents } from "./events/emitter.js";
export type { WheelwrightEvent, Listener } from "./events/types.js";

export * as pep440 from "./pep/pep440.js";
export * as pep508 from "./pep/pep508.js";
export * as names from "./pep/names.js";
export * as filenames from "./pep/filenames.js";
export * as tags from "./pep/tags.js";
export * as metadata from "./pep/metadata.js";
export * as pyproject from "./pep/pyproject.js";

export { findInterpreter, findInterpreters } from "./python/discover.js";
export { probeInterpreter } from "./python/probe.js";
export type { Interpreter, MarkerEnvironment } from "./python/types.js";

export { packages, PackageSet } from "./scope/package-set.js";
export type { Overlay, OverlayValue, PackageView } from "./scope/package-set.js";
export { mkRecipe } from "./scope/recipe.js";
export type { DepSpec, Recipe, RecipeAttrs } from "./scope/recipe.js";
export type { Source, FileRef, TreeRef, Candidates } from "./scope/source.js";
export { chooseSource } from "./scope/choose-source.js";
export { resolveVirtualEnv } from "./resolve/virtual-env.js";
export { resolveBuildSystem } from "./resolve/build-system.js";

export { makeDerivation, pythonIdentity } from "./derivation/derivation.js";
export type { Derivation, DerivationSpec } from "./derivation/derivation.js";
export { Instantiator } from "./derivation/instantiate.js";
export { canonicalJson } from "./derivation/canonical.js";

export { readLock, parseUvLock, parsePylock } from "./lock/index.js";
export type { LockOptions, LockedEnvironment } from "./lock/index.js";

export { Store } from "./store/store.js";
export { fixedOutputPath, makeStorePath, parseStorePath } from "./store/path.js";
export type { StorePath } from "./store/path.js";
export { narHash } from "./store/nar.js";

export { fetchSource, fetchSources } from "./fetch/index.js";
export type { FetchOptions, FileSource } from "./fetch/index.js";
export { installWheel } from "./install/wheel.js";
export { assembleVenv } from "./venv/assemble.js";

export { sync, plan, describePlan, loadProject } from "./sync/index.js";
export { loadSettings } from "./config/load.js";
export { SETTINGS } from "./config/schema.js";
