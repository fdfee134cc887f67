/**
 * pyproject.toml readers: the file itself, `[build-system]` (PEP 517/518), `[project]`
 * (PEP 621, in pyproject-project.ts), `[dependency-groups]` (PEP 735, in
 * dependency-groups.ts) and `[tool.<name>]`. Errors are ERR_WW_INVALID_PYPROJECT and name the
 * key and its line.
 */
import { parse as parseToml, TomlError } from "smol-toml";
import { WheelwrightError } from "../errors.js";
import { parseDependencyGroups, resolveDependencyGroup as resolveGroup, type DependencyGroups } from "./dependency-groups.js";
import { parseRequirement } from "./pep508.js";
import type { Requirement } from "./pep508.js";
import { findKeyLine, findNearestLine, type TomlPath } from "./toml-position.js";

export { project, type ProjectContact, type ProjectLicense, type ProjectMetadata, type ProjectReadme } from "./pyproject-project.js";
export type { DependencyGroup, DependencyGroupEntry, DependencyGroups } from "./dependency-groups.js";

/** A parsed pyproject.toml; the text is kept so errors can point at lines. */
export interface Pyproject {
  file: string | undefined;
  text: string;
  data: Record<string, unknown>;
}

export interface BuildSystem {
  requires: Requirement[];
  /** `module.path` or `module.path:object.path`. */
  buildBackend: string;
  /** Directories (relative to the project root, inside it) put first on sys.path for an in-tree backend. */
  backendPath: string[];
  /** "declared": both keys given; "legacy-backend": no build-backend; "default": no [build-system] at all. */
  origin: "declared" | "legacy-backend" | "default";
}

/** PEP 517's fallback for projects that do not name a backend. */
export const LEGACY_BACKEND = "setuptools.build_meta:__legacy__";
/** PEP 518's default build requirements when there is no `[build-system]` table. */
export const DEFAULT_BUILD_REQUIRES: readonly string[] = ["setuptools>=40.8.0"];

export function readPyproject(text: string, file?: string): Pyproject {
  let data: Record<string, unknown>;
  try {
    data = parseToml(text, { integersAsBigInt: "asNeeded" }) as Record<string, unknown>;
  } catch (cause) {
    const at = cause instanceof TomlError ? { line: cause.line, column: cause.column } : {};
    const reason = cause instanceof TomlError ? cause.message.split("\n")[0] : String(cause);
    throw new WheelwrightError("ERR_WW_INVALID_PYPROJECT", `${file ?? "pyproject.toml"} is not valid TOML: ${reason}`, {
      file,
      ...at,
      hint: "Fix the TOML syntax at the reported position (quotes, brackets, duplicate keys).",
      cause,
    });
  }
  return { file, text, data };
}

/**
 * Throws ERR_WW_INVALID_PYPROJECT located at `path` (or its nearest existing ancestor).
 * Exported for the other pyproject readers.
 */
export function pyprojectError(pyproject: Pyproject, path: TomlPath, message: string, hint: string, cause?: unknown): WheelwrightError {
  const line = findKeyLine(pyproject.text, path) ?? findNearestLine(pyproject.text, path);
  return new WheelwrightError("ERR_WW_INVALID_PYPROJECT", message, { file: pyproject.file, line, hint, cause });
}

/** Dotted display form of a key path: `build-system.requires[2]`. */
export function keyName(path: TomlPath): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : (i > 0 ? "." : "") + (/^[A-Za-z0-9_-]+$/.test(p) ? p : JSON.stringify(p)))).join("");
}

export function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Reads a list of requirement strings at `path`, each validated as PEP 508. */
export function requirementList(pyproject: Pyproject, value: unknown, path: TomlPath): Requirement[] {
  if (!Array.isArray(value)) throw pyprojectError(pyproject, path, `${keyName(path)} must be a list of requirement strings`, 'Write e.g. `["setuptools>=61", "wheel"]`.');
  return value.map((item, index) => {
    const at = [...path, index];
    if (typeof item !== "string") throw pyprojectError(pyproject, at, `${keyName(at)} must be a string`, "Each entry is a PEP 508 requirement string.");
    try {
      return parseRequirement(item, { file: pyproject.file, line: findKeyLine(pyproject.text, at) });
    } catch (cause) {
      throw pyprojectError(pyproject, at, `${keyName(at)} ${JSON.stringify(item)} is not a valid PEP 508 requirement`, "Requirements look like `name[extra]>=1.0; python_version >= \"3.9\"`.", cause);
    }
  });
}

// A Python dotted name, for build-backend's `module:object` reference.
const DOTTED = String.raw`[\p{ID_Start}_][\p{ID_Continue}]*(?:\.[\p{ID_Start}_][\p{ID_Continue}]*)*`;
const BACKEND_REF = new RegExp(`^${DOTTED}(?::${DOTTED})?$`, "u");

/**
 * `[build-system]` with PEP 517/518 defaults. Pass `undefined` for a source tree without a
 * pyproject.toml: it gets the same default as a file without the table.
 */
export function buildSystem(pyproject: Pyproject | undefined): BuildSystem {
  const table = pyproject?.data["build-system"];
  if (pyproject === undefined || table === undefined) {
    return { requires: DEFAULT_BUILD_REQUIRES.map((r) => parseRequirement(r)), buildBackend: LEGACY_BACKEND, backendPath: [], origin: "default" };
  }
  const at = ["build-system"];
  if (!isTable(table)) throw pyprojectError(pyproject, at, "[build-system] must be a table", "Write a `[build-system]` section with `requires` and `build-backend`.");
  if (!Object.hasOwn(table, "requires")) {
    throw pyprojectError(pyproject, at, "[build-system] has no `requires` key", 'PEP 518 makes `requires` mandatory once the table exists, e.g. `requires = ["setuptools>=61"]`.');
  }
  const requires = requirementList(pyproject, table["requires"], [...at, "requires"]);
  const backend = table["build-backend"];
  if (backend !== undefined && typeof backend !== "string") throw pyprojectError(pyproject, [...at, "build-backend"], "build-system.build-backend must be a string", 'Write e.g. `build-backend = "hatchling.build"`.');
  if (typeof backend === "string" && !BACKEND_REF.test(backend)) {
    throw pyprojectError(pyproject, [...at, "build-backend"], `build-system.build-backend ${JSON.stringify(backend)} is not a Python object reference`, "Use `module.path` or `module.path:object`, e.g. `setuptools.build_meta`.");
  }
  const backendPath = readBackendPath(pyproject, table["backend-path"]);
  return {
    requires,
    buildBackend: backend ?? LEGACY_BACKEND,
    backendPath,
    origin: backend === undefined ? "legacy-backend" : "declared",
  };
}

function readBackendPath(pyproject: Pyproject, value: unknown): string[] {
  const at = ["build-system", "backend-path"];
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw pyprojectError(pyproject, at, "build-system.backend-path must be a list of directories", 'Write e.g. `backend-path = ["_build"]`.');
  return value.map((entry, index) => {
    const where = [...at, index];
    if (typeof entry !== "string") throw pyprojectError(pyproject, where, `${keyName(where)} must be a string`, "Each entry is a directory relative to the project root.");
    if (!isInsideTree(entry)) {
      throw pyprojectError(pyproject, where, `${keyName(where)} ${JSON.stringify(entry)} is not a relative path inside the source tree`, "PEP 517 requires backend-path entries to be relative to the project root and to stay inside it.");
    }
    return entry;
  });
}

/** Lexical check: relative, and no `..` climbs above the root (either separator counts). */
function isInsideTree(entry: string): boolean {
  if (entry.includes("\0")) return false;
  const unified = entry.replace(/\\/g, "/");
  if (unified.startsWith("/") || /^[A-Za-z]:/.test(unified)) return false;
  let depth = 0;
  for (const segment of unified.split("/")) {
    if (segment === "" || segment === ".") continue;
    depth += segment === ".." ? -1 : 1;
    if (depth < 0) return false;
  }
  return true;
}

/** `[dependency-groups]`, validated, keyed by normalized name (empty when absent). */
export function dependencyGroups(pyproject: Pyproject): DependencyGroups {
  const table = pyproject.data["dependency-groups"];
  if (table === undefined) return new Map();
  return parseDependencyGroups(table, { file: pyproject.file, text: pyproject.text });
}

/** Expands one dependency group (any spelling of its name) into requirement strings. */
export function resolveDependencyGroup(source: Pyproject | DependencyGroups, name: string): string[] {
  if (source instanceof Map) return resolveGroup(source, name);
  return resolveGroup(dependencyGroups(source), name, { file: source.file, text: source.text });
}

/** The raw `[tool.<name>]` table, or undefined when absent. Its schema belongs to its tool. */
export function toolTable(pyproject: Pyproject, name: string): Record<string, unknown> | undefined {
  const tool = pyproject.data["tool"];
  if (tool === undefined) return undefined;
  if (!isTable(tool)) throw pyprojectError(pyproject, ["tool"], "`tool` must be a table", "Tool settings live in `[tool.<name>]` sections.");
  if (!Object.prototype.hasOwnProperty.call(tool, name)) return undefined;
  const table = tool[name];
  if (!isTable(table)) throw pyprojectError(pyproject, ["tool", name], `tool.${name} must be a table`, `Write settings under a \`[tool.${name}]\` section.`);
  return table;
}
