/**
 * Core metadata (METADATA in wheels and installed .dist-info, PKG-INFO in sdists), versions
 * 1.0 to 2.5. The field grouping, the single/multiple-use rules and the "unparsed" bucket
 * follow `packaging.metadata.parse_email`; validation follows `Metadata.from_raw` with one
 * policy difference: what wheelwright acts on (Metadata-Version, Name, Version,
 * Requires-Dist, Requires-Python, Provides-Extra) throws ERR_WW_INVALID_METADATA, while
 * problems in descriptive fields are returned in `problems` so a wheel with, say, a
 * License-File under Metadata-Version 2.1 (common in real wheels) still installs.
 */
import { WheelwrightError } from "../errors.js";
import { isValidName, normalizeName } from "./names.js";
import { parse as parseVersion, parseSpecifierSet } from "./pep440.js";
import { parseRequirement } from "./pep508.js";
import { parseHeaderBlock, unfoldHeaderValue, type MetadataHeader, type MetadataWhere } from "./metadata-headers.js";
import { checkDescriptionContentType, checkDynamic, checkImportName, checkLicenseFile } from "./metadata-checks.js";

export { unfoldHeaderValue, type MetadataHeader, type MetadataWhere } from "./metadata-headers.js";

/** A validation finding that does not stop wheelwright (it may be reported as a warning). */
export interface MetadataProblem {
  /** Lower-case header name, e.g. "license-file". */
  field: string;
  message: string;
  line?: number;
}

export interface CoreMetadata {
  /** As written, e.g. "2.1". */
  metadataVersion: string;
  /** As written (not normalized). */
  name: string;
  /** As written (PEP 440 valid, not normalized). */
  version: string;
  summary: string | null;
  /** From the body, or the Description header with its continuation escaping removed. */
  description: string | null;
  descriptionSource: "body" | "header" | null;
  descriptionContentType: string | null;
  keywords: string[] | null;
  homePage: string | null;
  downloadUrl: string | null;
  author: string | null;
  authorEmail: string | null;
  maintainer: string | null;
  maintainerEmail: string | null;
  license: string | null;
  licenseExpression: string | null;
  licenseFiles: string[];
  classifiers: string[];
  platforms: string[];
  supportedPlatforms: string[];
  /** Requirement strings as written; each was checked to be valid PEP 508. */
  requiresDist: string[];
  requiresPython: string | null;
  requiresExternal: string[];
  /** Label → URL, in file order. */
  projectUrls: Record<string, string>;
  /** Normalized extra names (PEP 685). */
  providesExtra: string[];
  providesDist: string[];
  obsoletesDist: string[];
  /** Lower-cased field names (PEP 643). */
  dynamic: string[];
  /** PEP 794; null when absent, [] when explicitly empty. */
  importNames: string[] | null;
  importNamespaces: string[] | null;
  /** Deprecated 1.1 fields. */
  requires: string[];
  provides: string[];
  obsoletes: string[];
  /** Every header in file order. */
  headers: MetadataHeader[];
  /** Unknown fields and values that could not be placed (repeated single-use fields, ...), keyed by lower-case name. */
  unparsed: Record<string, string[]>;
  problems: MetadataProblem[];
}

/** Metadata versions in order; "2.0" was never standardized but old wheel tools wrote it. */
const KNOWN_VERSIONS = ["1.0", "1.1", "1.2", "2.0", "2.1", "2.2", "2.3", "2.4", "2.5"];

type FieldKind = "string" | "list" | "keywords" | "urls";
interface FieldSpec {
  key: keyof CoreMetadata;
  kind: FieldKind;
  added: string;
}

const FIELDS: Record<string, FieldSpec> = {
  "metadata-version": { key: "metadataVersion", kind: "string", added: "1.0" },
  name: { key: "name", kind: "string", added: "1.0" },
  version: { key: "version", kind: "string", added: "1.0" },
  platform: { key: "platforms", kind: "list", added: "1.0" },
  "supported-platform": { key: "supportedPlatforms", kind: "list", added: "1.1" },
  summary: { key: "summary", kind: "string", added: "1.0" },
  description: { key: "description", kind: "string", added: "1.0" },
  "description-content-type": { key: "descriptionContentType", kind: "string", added: "2.1" },
  keywords: { key: "keywords", kind: "keywords", added: "1.0" },
  "home-page": { key: "homePage", kind: "string", added: "1.0" },
  "download-url": { key: "downloadUrl", kind: "string", added: "1.1" },
  author: { key: "author", kind: "string", added: "1.0" },
  "author-email": { key: "authorEmail", kind: "string", added: "1.0" },
  maintainer: { key: "maintainer", kind: "string", added: "1.2" },
  "maintainer-email": { key: "maintainerEmail", kind: "string", added: "1.2" },
  license: { key: "license", kind: "string", added: "1.0" },
  "license-expression": { key: "licenseExpression", kind: "string", added: "2.4" },
  "license-file": { key: "licenseFiles", kind: "list", added: "2.4" },
  classifier: { key: "classifiers", kind: "list", added: "1.1" },
  "requires-dist": { key: "requiresDist", kind: "list", added: "1.2" },
  "requires-python": { key: "requiresPython", kind: "string", added: "1.2" },
  "requires-external": { key: "requiresExternal", kind: "list", added: "1.2" },
  "project-url": { key: "projectUrls", kind: "urls", added: "1.2" },
  "provides-extra": { key: "providesExtra", kind: "list", added: "2.1" },
  "provides-dist": { key: "providesDist", kind: "list", added: "1.2" },
  "obsoletes-dist": { key: "obsoletesDist", kind: "list", added: "1.2" },
  dynamic: { key: "dynamic", kind: "list", added: "2.2" },
  "import-name": { key: "importNames", kind: "list", added: "2.5" },
  "import-namespace": { key: "importNamespaces", kind: "list", added: "2.5" },
  requires: { key: "requires", kind: "list", added: "1.1" },
  provides: { key: "provides", kind: "list", added: "1.1" },
  obsoletes: { key: "obsoletes", kind: "list", added: "1.1" },
};

/** Lower-case names of every field core metadata defines (used by Dynamic validation too). */
export const METADATA_FIELDS: readonly string[] = Object.keys(FIELDS);

/** Parses METADATA / PKG-INFO text. Throws ERR_WW_INVALID_METADATA on what cannot be used. */
export function parseMetadata(text: string, where: MetadataWhere = {}): CoreMetadata {
  const block = parseHeaderBlock(text, where);
  const groups = new Map<string, MetadataHeader[]>();
  for (const header of block.headers) {
    const key = header.name.toLowerCase();
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [header]);
    else group.push(header);
  }
  // Errors carry the package once its name is known.
  const loc: MetadataWhere = { ...where };
  const fail = (message: string, hint: string, line?: number, cause?: unknown): never => {
    throw new WheelwrightError("ERR_WW_INVALID_METADATA", message, { ...loc, line, hint, cause });
  };
  const firstLine = (field: string): number | undefined => groups.get(field)?.[0]?.line;
  const single = (field: string, label: string): string => {
    const found = groups.get(field) ?? [];
    if (found.length === 0) fail(`Core metadata has no ${label} field`, `Every METADATA / PKG-INFO must carry \`${label}:\`.`, 1);
    if (found.length > 1) fail(`Core metadata has ${found.length} ${label} fields`, `\`${label}:\` may appear only once.`, found[1]!.line);
    const value = found[0]!.value;
    if (value === "") fail(`Core metadata field ${label} is empty`, `Give \`${label}:\` a value.`, found[0]!.line);
    return value;
  };

  const metadataVersion = single("metadata-version", "Metadata-Version");
  const versionLine = firstLine("metadata-version");
  const mv = /^(\d+)\.(\d+)$/.exec(metadataVersion);
  if (mv === null || Number(mv[1]) > 2) {
    fail(
      `Metadata-Version ${JSON.stringify(metadataVersion)} is not supported`,
      "wheelwright reads core metadata 1.0 to 2.5; a newer major version is not readable (the core metadata specification requires failing).",
      versionLine,
    );
  }
  const problems: MetadataProblem[] = [];
  const age = ageOf(metadataVersion);
  if (!KNOWN_VERSIONS.includes(metadataVersion)) {
    problems.push({ field: "metadata-version", message: `metadata version ${metadataVersion} is newer than the 2.5 wheelwright knows; unknown fields are kept as unparsed`, line: versionLine });
  } else if (metadataVersion === "2.0") {
    problems.push({ field: "metadata-version", message: "metadata version 2.0 was never standardized (read as 2.1)", line: versionLine });
  }

  const name = single("name", "Name");
  if (!isValidName(name)) fail(`Name ${JSON.stringify(name)} is not a valid project name`, "Names are ASCII letters, digits, and . _ - (not at either end).", firstLine("name"));
  loc.package ??= name;
  const version = single("version", "Version");
  try {
    parseVersion(version);
  } catch (cause) {
    fail(`Version ${JSON.stringify(version)} of ${name} is not a valid PEP 440 version`, "Only PEP 440 versions can be compared and installed; rebuild the distribution with a valid version.", firstLine("version"), cause);
  }

  const result = emptyMetadata(metadataVersion, name, version, block.headers);
  for (const [field, headers] of groups) {
    const values = headers.map((h) => h.value);
    const line = headers[0]!.line;
    const spec = FIELDS[field];
    if (spec === undefined) {
      result.unparsed[field] = values;
      problems.push({ field, message: `unrecognized field ${JSON.stringify(headers[0]!.name)}`, line });
      continue;
    }
    if (spec.key === "metadataVersion" || spec.key === "name" || spec.key === "version") continue;
    if (age !== undefined && ageOf(spec.added)! > age) {
      problems.push({ field, message: `${field} was introduced in metadata version ${spec.added}, not ${metadataVersion}`, line });
    }
    placeField(result, field, spec, values, line, problems);
  }

  // The description may live in the body (2.1+) or in a header; both at once is ambiguous.
  if (block.body !== "") {
    if (result.descriptionSource === "header") {
      result.unparsed["description"] = [...groups.get("description")!.map((h) => h.value), block.body];
      result.description = null;
      result.descriptionSource = null;
      problems.push({ field: "description", message: "the description is given both as a header and as the body", line: block.bodyLine });
    } else if (result.unparsed["description"] !== undefined) {
      result.unparsed["description"].push(block.body);
    } else {
      result.description = block.body;
      result.descriptionSource = "body";
    }
  }

  validateConsumed(result, groups, loc, fail, problems);
  validateDescriptive(result, groups, problems);
  result.problems = problems;
  return result;
}

function ageOf(version: string): number | undefined {
  // 2.0 files come from early wheel tools that wrote 2.1-era fields.
  const index = KNOWN_VERSIONS.indexOf(version === "2.0" ? "2.1" : version);
  if (index >= 0) return index;
  // An unknown 2.x minor is newer than every field we know.
  return /^2\.\d+$/.test(version) ? KNOWN_VERSIONS.length : undefined;
}

function emptyMetadata(metadataVersion: string, name: string, version: string, headers: MetadataHeader[]): CoreMetadata {
  return {
    metadataVersion, name, version,
    summary: null, description: null, descriptionSource: null, descriptionContentType: null, keywords: null,
    homePage: null, downloadUrl: null, author: null, authorEmail: null, maintainer: null, maintainerEmail: null,
    license: null, licenseExpression: null, licenseFiles: [], classifiers: [], platforms: [], supportedPlatforms: [],
    requiresDist: [], requiresPython: null, requiresExternal: [], projectUrls: {}, providesExtra: [], providesDist: [],
    obsoletesDist: [], dynamic: [], importNames: null, importNamespaces: null, requires: [], provides: [], obsoletes: [],
    headers, unparsed: {}, problems: [],
  };
}

/** Puts one field's values into the typed view, or into `unparsed` the way packaging does. */
function placeField(result: CoreMetadata, field: string, spec: FieldSpec, values: string[], line: number, problems: MetadataProblem[]): void {
  const target = result as unknown as Record<string, unknown>;
  if (spec.kind === "list") {
    target[spec.key] = field === "import-name" && values.length === 1 && values[0] === "" ? [] : values;
    return;
  }
  if (spec.kind === "urls") {
    placeProjectUrls(result, field, values, line, problems);
    return;
  }
  if (values.length !== 1) {
    result.unparsed[field] = values;
    problems.push({ field, message: `${field} may appear only once but appears ${values.length} times`, line });
    return;
  }
  const value = values[0]!;
  if (spec.kind === "keywords") {
    result.keywords = value.split(",").map((k) => k.trim());
  } else if (spec.key === "description") {
    result.description = unfoldHeaderValue(value);
    result.descriptionSource = "header";
  } else {
    target[spec.key] = value;
  }
}

/** Project-URL is `label, url`; a repeated label makes the whole field unusable (as in packaging). */
function placeProjectUrls(result: CoreMetadata, field: string, values: string[], line: number, problems: MetadataProblem[]): void {
  const urls = new Map<string, string>();
  for (const pair of values) {
    const comma = pair.indexOf(",");
    const label = (comma < 0 ? pair : pair.slice(0, comma)).trim();
    const url = comma < 0 ? "" : pair.slice(comma + 1).trim();
    if (urls.has(label)) {
      result.unparsed[field] = values;
      problems.push({ field, message: `Project-URL label ${JSON.stringify(label)} appears more than once`, line });
      return;
    }
    urls.set(label, url);
  }
  result.projectUrls = Object.fromEntries(urls);
}

type Fail = (message: string, hint: string, line?: number, cause?: unknown) => never;

/** The fields wheelwright acts on: invalid values stop it. */
function validateConsumed(result: CoreMetadata, groups: Map<string, MetadataHeader[]>, at: MetadataWhere, fail: Fail, problems: MetadataProblem[]): void {
  for (const header of groups.get("requires-dist") ?? []) {
    try {
      parseRequirement(header.value, { file: at.file, line: header.line, package: at.package });
    } catch (cause) {
      fail(`Requires-Dist ${JSON.stringify(header.value)} of ${result.name} is not a valid PEP 508 requirement`, "Each Requires-Dist must be a dependency specifier such as `name[extra] >=1.0 ; python_version >= \"3.9\"`.", header.line, cause);
    }
  }
  const requiresPython = groups.get("requires-python") ?? [];
  if (requiresPython.length > 1) fail(`Requires-Python appears ${requiresPython.length} times in ${result.name}`, "Requires-Python may appear only once.", requiresPython[1]!.line);
  if (result.requiresPython !== null) {
    try {
      parseSpecifierSet(result.requiresPython);
    } catch (cause) {
      fail(`Requires-Python ${JSON.stringify(result.requiresPython)} of ${result.name} is not a valid PEP 440 specifier set`, "Use comma-separated specifiers such as `>=3.9,<4`.", requiresPython[0]!.line, cause);
    }
  }
  // PEP 685: extras must be valid names; 2.3+ producers must have normalized them, older
  // ones get the benefit of the doubt (the invalid name is dropped, not used).
  const strictExtras = (ageOf(result.metadataVersion) ?? 0) >= KNOWN_VERSIONS.indexOf("2.3");
  const extras: string[] = [];
  for (const header of groups.get("provides-extra") ?? []) {
    if (isValidName(header.value)) {
      extras.push(normalizeName(header.value));
    } else if (strictExtras) {
      fail(`Provides-Extra ${JSON.stringify(header.value)} of ${result.name} is not a valid extra name`, "Extra names follow the project-name rules (PEP 685).", header.line);
    } else {
      problems.push({ field: "provides-extra", message: `${JSON.stringify(header.value)} is not a valid extra name and is ignored`, line: header.line });
    }
  }
  result.providesExtra = extras;
}

/** Checks packaging performs on descriptive fields, reported as problems. */
function validateDescriptive(result: CoreMetadata, groups: Map<string, MetadataHeader[]>, problems: MetadataProblem[]): void {
  const lineOf = (field: string): number | undefined => groups.get(field)?.[0]?.line;
  const add = (field: string, message: string | undefined): void => {
    if (message !== undefined) problems.push({ field, message, line: lineOf(field) });
  };
  if (result.summary !== null && result.summary.includes("\n")) add("summary", "summary must be a single line");
  if (result.descriptionContentType !== null) add("description-content-type", checkDescriptionContentType(result.descriptionContentType));
  if (groups.has("dynamic")) {
    for (const value of result.dynamic) add("dynamic", checkDynamic(value, METADATA_FIELDS));
    result.dynamic = result.dynamic.map((d) => d.toLowerCase());
  }
  for (const path of result.licenseFiles) add("license-file", checkLicenseFile(path));
  for (const name of result.importNames ?? []) add("import-name", checkImportName(name));
  for (const name of result.importNamespaces ?? []) add("import-namespace", checkImportName(name));
}
