/**
 * The `[project]` table (PEP 621 as amended by PEP 639 licensing and PEP 794 import names),
 * typed and validated: every key's type, `name`/`version`/`dynamic` rules, PEP 508
 * dependencies, normalized extras, entry-point groups. Errors name the key and its line.
 */
import { isValidName, normalizeName } from "./names.js";
import { parse as parseVersion, parseSpecifierSet } from "./pep440.js";
import { isTable, keyName, pyprojectError, requirementList, type Pyproject } from "./pyproject.js";
import type { TomlPath } from "./toml-position.js";

export interface ProjectReadme {
  /** Path relative to the project root, when the readme is a file. */
  file: string | null;
  /** Inline text, when given as `{text = ..., content-type = ...}`. */
  text: string | null;
  contentType: string;
}

/** PEP 639 expression string, or the deprecated table forms. */
export type ProjectLicense = { kind: "expression"; expression: string } | { kind: "file"; file: string } | { kind: "text"; text: string };

export interface ProjectContact {
  name: string | null;
  email: string | null;
}

export interface ProjectMetadata {
  /** As written. */
  name: string;
  normalizedName: string;
  /** Null when `version` is dynamic. */
  version: string | null;
  /** Field names the build backend fills in. */
  dynamic: string[];
  description: string | null;
  readme: ProjectReadme | null;
  requiresPython: string | null;
  license: ProjectLicense | null;
  licenseFiles: string[] | null;
  authors: ProjectContact[];
  maintainers: ProjectContact[];
  keywords: string[];
  classifiers: string[];
  urls: Record<string, string>;
  scripts: Record<string, string>;
  guiScripts: Record<string, string>;
  /** Group → name → object reference (never console_scripts / gui_scripts). */
  entryPoints: Record<string, Record<string, string>>;
  /** Requirement strings as written, each valid PEP 508. */
  dependencies: string[];
  /** Normalized extra name → requirement strings. */
  optionalDependencies: Record<string, string[]>;
  importNames: string[] | null;
  importNamespaces: string[] | null;
}

/** Every key the pyproject specification allows in `[project]`. */
const PROJECT_KEYS = [
  "name", "version", "description", "readme", "requires-python", "license", "license-files", "authors", "maintainers",
  "keywords", "classifiers", "urls", "scripts", "gui-scripts", "entry-points", "dependencies", "optional-dependencies",
  "dynamic", "import-names", "import-namespaces",
];

// An entry-point object reference: `module.path` or `module.path:object.attr`, spaces allowed around ':'.
const OBJECT_REF = /^[\p{ID_Start}_][\p{ID_Continue}]*(?:\.[\p{ID_Start}_][\p{ID_Continue}]*)*(?:\s*:\s*[\p{ID_Start}_][\p{ID_Continue}]*(?:\.[\p{ID_Start}_][\p{ID_Continue}]*)*)?(?:\s*\[[^\]]*\])?$/u;

/** `[project]`, or null when the table is absent (a legacy, setup.py-only project). */
export function project(pyproject: Pyproject): ProjectMetadata | null {
  const table = pyproject.data["project"];
  if (table === undefined) return null;
  const fail = (path: TomlPath, message: string, hint: string, cause?: unknown): never => {
    throw pyprojectError(pyproject, ["project", ...path], message, hint, cause);
  };
  if (!isTable(table)) fail([], "`project` must be a table", "Write a `[project]` section.");
  const t = table as Record<string, unknown>;
  for (const key of Object.keys(t)) {
    if (!PROJECT_KEYS.includes(key)) fail([key], `project.${key} is not a [project] key`, `Allowed keys: ${PROJECT_KEYS.join(", ")}. Tool-specific settings belong in [tool.<name>].`);
  }
  const str = (key: string): string | null => {
    const value = t[key];
    if (value === undefined) return null;
    if (typeof value !== "string") fail([key], `project.${key} must be a string`, `Write \`${key} = "..."\`.`);
    return value as string;
  };
  const strings = (key: string): string[] | null => {
    const value = t[key];
    if (value === undefined) return null;
    if (!Array.isArray(value)) fail([key], `project.${key} must be a list of strings`, `Write \`${key} = ["...", "..."]\`.`);
    (value as unknown[]).forEach((item, i) => {
      if (typeof item !== "string") fail([key, i], `${keyName(["project", key, i])} must be a string`, `Every entry of project.${key} is a string.`);
    });
    return value as string[];
  };
  const stringTable = (path: TomlPath, value: unknown, checkValue?: (v: string, at: TomlPath) => void): Record<string, string> => {
    if (value === undefined) return {};
    if (!isTable(value)) fail(path, `${keyName(["project", ...path])} must be a table of strings`, "Write `name = \"value\"` entries.");
    const out: [string, string][] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v !== "string") fail([...path, k], `${keyName(["project", ...path, k])} must be a string`, "Each entry's value is a string.");
      checkValue?.(v as string, [...path, k]);
      out.push([k, v as string]);
    }
    return Object.fromEntries(out);
  };
  const objectRef = (v: string, at: TomlPath): void => {
    if (!OBJECT_REF.test(v.trim())) fail(at, `${keyName(["project", ...at])} ${JSON.stringify(v)} is not an object reference`, "Entry points name `module.path:function` (or a module).");
  };

  // name: required, static, valid.
  const name = str("name");
  if (name === null) fail([], "[project] has no `name`", "`name` is required and cannot be dynamic.");
  if (!isValidName(name!)) fail(["name"], `project.name ${JSON.stringify(name)} is not a valid project name`, "Names are ASCII letters, digits, and . _ - (not at either end).");

  // dynamic: known keys only, never name, never both static and dynamic.
  const dynamic = strings("dynamic") ?? [];
  dynamic.forEach((field, i) => {
    if (field === "name") fail(["dynamic", i], "project.name cannot be dynamic", "The name must be given statically in [project].");
    if (!PROJECT_KEYS.includes(field)) fail(["dynamic", i], `project.dynamic lists ${JSON.stringify(field)}, which is not a [project] key`, `Dynamic fields are [project] keys: ${PROJECT_KEYS.filter((k) => k !== "name" && k !== "dynamic").join(", ")}.`);
    if (Object.hasOwn(t, field)) fail([field], `project.${field} is given statically and also listed in project.dynamic`, `Remove ${JSON.stringify(field)} from dynamic, or remove the static value.`);
  });

  const version = str("version");
  if (version === null && !dynamic.includes("version")) fail([], "[project] has no `version` and does not list it in `dynamic`", 'Add `version = "1.0"`, or `dynamic = ["version"]` if the build backend computes it.');
  if (version !== null) {
    try {
      parseVersion(version);
    } catch (cause) {
      fail(["version"], `project.version ${JSON.stringify(version)} is not a valid PEP 440 version`, "Versions look like 1.2.3, 1.0rc1, 2.0.post1.", cause);
    }
  }

  const requiresPython = str("requires-python");
  if (requiresPython !== null) {
    try {
      parseSpecifierSet(requiresPython);
    } catch (cause) {
      fail(["requires-python"], `project.requires-python ${JSON.stringify(requiresPython)} is not a valid specifier set`, "Write e.g. `requires-python = \">=3.9\"`.", cause);
    }
  }

  const classifiers = strings("classifiers") ?? [];
  const license = readLicense(t["license"], fail);
  const licenseFiles = strings("license-files");
  if (licenseFiles !== null) {
    if (license !== null && license.kind !== "expression") fail(["license-files"], "project.license-files cannot be combined with the table form of project.license", "PEP 639: use `license = \"<SPDX expression>\"` together with license-files.");
    licenseFiles.forEach((pattern, i) => {
      const problem = checkLicenseGlob(pattern);
      if (problem !== undefined) fail(["license-files", i], `project.license-files entry ${JSON.stringify(pattern)} ${problem}`, "PEP 639 globs use `/`, letters, digits, . _ - and * ? ** [...]; no `..`, no absolute paths.");
    });
  }
  if (license?.kind === "expression") {
    const i = classifiers.findIndex((c) => c.startsWith("License ::"));
    if (i >= 0) fail(["classifiers", i], "project.classifiers has a License classifier although project.license is an SPDX expression", "PEP 639: drop the `License ::` classifiers when using a license expression.");
  }

  const entryPoints: Record<string, Record<string, string>> = {};
  const rawEntryPoints = t["entry-points"];
  if (rawEntryPoints !== undefined) {
    if (!isTable(rawEntryPoints)) fail(["entry-points"], "project.entry-points must be a table of groups", "Write `[project.entry-points.\"group.name\"]` sections.");
    for (const [group, entries] of Object.entries(rawEntryPoints as Record<string, unknown>)) {
      if (group === "console_scripts" || group === "gui_scripts") {
        const key = group === "console_scripts" ? "scripts" : "gui-scripts";
        fail(["entry-points", group], `project.entry-points.${group} is not allowed`, `Use [project.${key}] instead.`);
      }
      entryPoints[group] = stringTable(["entry-points", group], entries, objectRef);
    }
  }

  const optionalDependencies: Record<string, string[]> = {};
  const rawOptional = t["optional-dependencies"];
  if (rawOptional !== undefined) {
    if (!isTable(rawOptional)) fail(["optional-dependencies"], "project.optional-dependencies must be a table of extras", "Write `[project.optional-dependencies]` with `extra = [\"req\"]` entries.");
    const seen = new Map<string, string>();
    for (const [extra, reqs] of Object.entries(rawOptional as Record<string, unknown>)) {
      if (!isValidName(extra)) fail(["optional-dependencies", extra], `Extra name ${JSON.stringify(extra)} is not valid`, "Extra names follow the project-name rules (PEP 685).");
      const key = normalizeName(extra);
      const earlier = seen.get(key);
      if (earlier !== undefined) fail(["optional-dependencies", extra], `Extras ${JSON.stringify(earlier)} and ${JSON.stringify(extra)} have the same normalized name ${JSON.stringify(key)}`, "Extra names are compared after normalization; merge them.");
      seen.set(key, extra);
      requirementList(pyproject, reqs, ["project", "optional-dependencies", extra]);
      optionalDependencies[key] = reqs as string[];
    }
  }

  const dependencies = t["dependencies"] === undefined ? [] : (requirementList(pyproject, t["dependencies"], ["project", "dependencies"]), t["dependencies"] as string[]);

  return {
    name: name!,
    normalizedName: normalizeName(name!),
    version,
    dynamic,
    description: str("description"),
    readme: readReadme(t["readme"], fail),
    requiresPython,
    license,
    licenseFiles,
    authors: readContacts(t["authors"], "authors", fail),
    maintainers: readContacts(t["maintainers"], "maintainers", fail),
    keywords: strings("keywords") ?? [],
    classifiers,
    urls: stringTable(["urls"], t["urls"]),
    scripts: stringTable(["scripts"], t["scripts"], objectRef),
    guiScripts: stringTable(["gui-scripts"], t["gui-scripts"], objectRef),
    entryPoints,
    dependencies,
    optionalDependencies,
    importNames: strings("import-names"),
    importNamespaces: strings("import-namespaces"),
  };
}

type Fail = (path: TomlPath, message: string, hint: string, cause?: unknown) => never;

function readReadme(value: unknown, fail: Fail): ProjectReadme | null {
  if (value === undefined) return null;
  if (typeof value === "string") {
    const lower = value.toLowerCase();
    const contentType = lower.endsWith(".md") ? "text/markdown" : lower.endsWith(".rst") ? "text/x-rst" : lower.endsWith(".txt") ? "text/plain" : undefined;
    if (contentType === undefined) fail(["readme"], `project.readme ${JSON.stringify(value)} has an unknown extension`, "Use a .md, .rst or .txt file, or the table form with an explicit content-type.");
    return { file: value, text: null, contentType: contentType! };
  }
  if (!isTable(value)) fail(["readme"], "project.readme must be a file path or a table", 'Write `readme = "README.md"` or `readme = {file = "README.txt", content-type = "text/plain"}`.');
  const t = value as Record<string, unknown>;
  for (const key of Object.keys(t)) if (!["file", "text", "content-type"].includes(key)) fail(["readme", key], `project.readme.${key} is not a readme key`, "The readme table has `file` or `text`, and `content-type`.");
  const file = t["file"];
  const text = t["text"];
  if (file !== undefined && text !== undefined) fail(["readme"], "project.readme has both `file` and `text`", "Give exactly one of them.");
  if (file === undefined && text === undefined) fail(["readme"], "project.readme has neither `file` nor `text`", "Give exactly one of them.");
  if (file !== undefined && typeof file !== "string") fail(["readme", "file"], "project.readme.file must be a string", "It is a path relative to the project root.");
  if (text !== undefined && typeof text !== "string") fail(["readme", "text"], "project.readme.text must be a string", "It is the readme's content.");
  const contentType = t["content-type"];
  if (typeof contentType !== "string") fail(["readme"], "project.readme needs a string `content-type`", "e.g. `content-type = \"text/markdown\"`.");
  return { file: (file as string | undefined) ?? null, text: (text as string | undefined) ?? null, contentType: contentType as string };
}

function readLicense(value: unknown, fail: Fail): ProjectLicense | null {
  if (value === undefined) return null;
  if (typeof value === "string") {
    if (value.trim() === "") fail(["license"], "project.license is empty", "Give an SPDX license expression such as \"MIT\" or \"Apache-2.0 OR MIT\".");
    return { kind: "expression", expression: value };
  }
  if (!isTable(value)) fail(["license"], "project.license must be an SPDX expression string or a table", 'Write `license = "MIT"`.');
  const t = value as Record<string, unknown>;
  for (const key of Object.keys(t)) if (key !== "file" && key !== "text") fail(["license", key], `project.license.${key} is not a license key`, "The (deprecated) table form has `file` or `text`.");
  if (Object.hasOwn(t, "file") && Object.hasOwn(t, "text")) fail(["license"], "project.license has both `file` and `text`", "Give exactly one of them (or an SPDX expression string).");
  if (typeof t["file"] === "string") return { kind: "file", file: t["file"] };
  if (typeof t["text"] === "string") return { kind: "text", text: t["text"] };
  return fail(["license"], "project.license needs a string `file` or `text`", 'Prefer an SPDX expression: `license = "MIT"`.');
}

function readContacts(value: unknown, key: string, fail: Fail): ProjectContact[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail([key], `project.${key} must be a list of tables`, `Write \`${key} = [{name = "Ada", email = "ada@example.org"}]\`.`);
  return (value as unknown[]).map((item, i) => {
    if (!isTable(item)) fail([key, i], `${keyName(["project", key, i])} must be a table with name and/or email`, "Write `{name = \"...\", email = \"...\"}`.");
    const t = item as Record<string, unknown>;
    for (const k of Object.keys(t)) if (k !== "name" && k !== "email") fail([key, i, k], `${keyName(["project", key, i, k])} is not a contact key`, "Contacts have only `name` and `email`.");
    const name = t["name"];
    const email = t["email"];
    if (name !== undefined && typeof name !== "string") fail([key, i, "name"], `${keyName(["project", key, i, "name"])} must be a string`, "Write the person's or organization's name.");
    if (email !== undefined && typeof email !== "string") fail([key, i, "email"], `${keyName(["project", key, i, "email"])} must be a string`, "Write an email address.");
    if (name === undefined && email === undefined) fail([key, i], `${keyName(["project", key, i])} has neither name nor email`, "Give at least one of them.");
    if (typeof name === "string" && name.includes(",")) fail([key, i, "name"], `${keyName(["project", key, i, "name"])} ${JSON.stringify(name)} contains a comma`, "Core metadata joins contacts with commas; list each person separately.");
    return { name: (name as string | undefined) ?? null, email: (email as string | undefined) ?? null };
  });
}

/** PEP 639's license-files glob rules; returns why a pattern is invalid, or undefined. */
function checkLicenseGlob(pattern: string): string | undefined {
  if (pattern === "") return "is empty";
  if (pattern.startsWith("/") || /^[A-Za-z]:/.test(pattern)) return "is an absolute path";
  if (pattern.includes("\\")) return "uses `\\`; path delimiters must be `/`";
  if (pattern.split("/").includes("..")) return "uses `..`";
  const withoutRanges = pattern.replace(/\[[^\]/]*\]/g, "");
  if (/[[\]]/.test(withoutRanges)) return "has an unbalanced `[`";
  if (!/^[A-Za-z0-9._\-*?/]*$/.test(withoutRanges)) return "has characters outside letters, digits, . _ - * ? / and [...]";
  return undefined;
}
