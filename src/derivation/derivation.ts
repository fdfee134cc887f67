/**
 * A derivation is an instantiated recipe: what a build reads, in canonical JSON, hashed to a
 * store path. Runtime dependencies are deliberately absent (the seed's "fewer rebuilds"):
 * bumping a dependency changes only the environments that list it.
 */
import { createHash } from "node:crypto";
import type { Interpreter } from "../python/types.js";
import { makeStorePath, type StorePath } from "../store/path.js";
import { canonicalJson } from "./canonical.js";

/** How a derivation's output is made. Each builder has a version that enters the hash. */
export type BuilderName = "install-wheel" | "build-wheel" | "build-editable" | "adopt-prebuilt" | "virtual" | "venv";

/**
 * Bump a builder's version whenever its output for the same inputs changes (a new RECORD
 * format, a different script template...): every affected path then gets a new hash.
 */
export const BUILDER_VERSIONS: Readonly<Record<BuilderName, number>> = {
  // 2: bytecode from long-lived compile workers (pyc bytes differ from one-shot compiles)
  "install-wheel": 2,
  "build-wheel": 2,
  "build-editable": 2,
  "adopt-prebuilt": 1,
  virtual: 1,
  venv: 2,
};

/** The parts of an interpreter that can change a build's output. */
export interface PythonIdentity {
  implementation: string;
  version: string;
  realpath: string;
  soabi: string | null;
  platform: string;
}

export function pythonIdentity(python: Interpreter): PythonIdentity {
  return { implementation: python.implementation, version: python.version, realpath: python.realpath, soabi: python.soabi, platform: python.platform };
}

/** What identifies a source's bytes: a content hash, a commit, or a local path's own hash. */
export type SourceIdentity =
  | { type: "file"; filename: string; sha256: string; subdirectory?: string }
  | { type: "git"; url: string; commit: string; subdirectory?: string }
  | { type: "directory"; path: string; treeHash: string }
  /**
   * The working tree is live (not an input), but its metadata files decide what the editable
   * wheel holds (dependencies, entry points, package layout): their content is hashed.
   */
  | { type: "editable"; path: string; metadataHash: string }
  | { type: "prebuilt"; sitePackages: string; distInfo: string; recordHash: string };

export interface DerivationSpec {
  name: string;
  version: string;
  builder: BuilderName;
  /** Store directory the output will live in: outputs embed absolute paths (shebangs, .pyc). */
  storeDir: string;
  python: PythonIdentity | null;
  source: SourceIdentity | null;
  /** Derivations whose outputs the build reads (a build env; a venv's members, in order). */
  inputs: readonly Derivation[];
  /** Everything else the build reads: config settings, env, patches (by hash), switches. */
  settings: Record<string, unknown>;
}

export interface Derivation extends Readonly<DerivationSpec> {
  /** sha256 (hex) of the canonical JSON. */
  readonly hash: string;
  readonly path: StorePath;
  readonly canonical: string;
}

/** The frozen, hashed form: only what determines the output, with inputs by store path. */
export function derivationFingerprint(spec: DerivationSpec): Record<string, unknown> {
  return {
    format: "wheelwright-derivation-1",
    name: spec.name,
    version: spec.version,
    builder: spec.builder,
    builderVersion: BUILDER_VERSIONS[spec.builder],
    storeDir: spec.storeDir,
    python: spec.python,
    source: spec.source,
    inputs: spec.inputs.map((input) => input.path),
    settings: spec.settings,
  };
}

export function makeDerivation(spec: DerivationSpec): Derivation {
  const canonical = canonicalJson(derivationFingerprint(spec));
  const digest = createHash("sha256").update(canonical, "utf8").digest();
  return Object.freeze({ ...spec, canonical, hash: digest.toString("hex"), path: makeStorePath(digest, storePathNameOf(spec.name, spec.version)) });
}

/** `<name>-<version>` with characters a store path name can't hold replaced by `_`. */
export function storePathNameOf(name: string, version: string): string {
  const raw = version === "" ? name : `${name}-${version}`;
  return raw.replace(/[^A-Za-z0-9+\-._?=]/g, "_").replace(/^\./, "_");
}
