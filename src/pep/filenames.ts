/**
 * Distribution file names: wheels (binary distribution format, PEP 427/491) and sdists
 * (source distribution format, PEP 625). Parsing follows `packaging.utils.parse_wheel_filename`
 * and `parse_sdist_filename` (conformance vectors pin both); building produces the normalized
 * spelling current tools write.
 */
import { WheelwrightError } from "../errors.js";
import { escapeDistName, normalizeName } from "./names.js";
import { normalize, tryParse } from "./pep440.js";
import { formatTag, isTagSetSorted, parseTagSet, type Tag } from "./tag-set.js";

export interface WheelFilename {
  /** PEP 503-normalized project name. */
  name: string;
  /** PEP 440-normalized version. */
  version: string;
  /** The optional build tag: leading digits as a number, the rest as a string. */
  build: [number, string] | null;
  /** The expanded tag set (compressed sets like "py2.py3" become one tag each). */
  tags: Tag[];
  filename: string;
}

export interface SdistFilename {
  name: string;
  version: string;
  extension: SdistExtension;
  filename: string;
}

/** The two extensions the source distribution format allows (and packaging accepts). */
export const STANDARD_SDIST_EXTENSIONS = [".tar.gz", ".zip"] as const;
/**
 * Older sdists on indexes also came as these (distutils' `--formats`); lock files still point
 * at some of them, so the default parser accepts them. Longest first so ".tar.gz" wins over ".tar".
 */
export const LEGACY_SDIST_EXTENSIONS = [".tar.bz2", ".tar.xz", ".tgz", ".tar"] as const;
export type SdistExtension = (typeof STANDARD_SDIST_EXTENSIONS)[number] | (typeof LEGACY_SDIST_EXTENSIONS)[number];

// PEP 427 escaping leaves word characters, digits, "." and "_" (Python's `\w` = letters,
// numbers and "_", which is what `\p{L}\p{N}_` spells).
const WHEEL_NAME_PART = /^[\p{L}\p{N}_.]*$/u;
const BUILD_TAG = /^(\d+)(.*)$/s;

function invalidWheel(filename: string, why: string): WheelwrightError {
  return new WheelwrightError("ERR_WW_INVALID_WHEEL_FILENAME", `Invalid wheel file name ${JSON.stringify(filename)}: ${why}.`, {
    hint: "Wheel names look like {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl, e.g. foo-1.0-py3-none-any.whl.",
  });
}

export interface ParseWheelOptions {
  /** Reject compressed tag sets whose dotted parts are not sorted (PEP 425); packaging's `validate_order`. */
  validateOrder?: boolean;
}

export function parseWheelFilename(filename: string, options: ParseWheelOptions = {}): WheelFilename {
  if (!filename.endsWith(".whl")) throw invalidWheel(filename, 'the extension must be ".whl"');
  const stem = filename.slice(0, -4);
  const dashes = stem.split("-").length - 1;
  if (dashes !== 4 && dashes !== 5) throw invalidWheel(filename, `expected 5 or 6 dash-separated parts, found ${dashes + 1}`);
  const pieces = stem.split("-");
  const namePart = pieces[0] as string;
  const versionPart = pieces[1] as string;
  if (namePart.includes("__") || !WHEEL_NAME_PART.test(namePart)) throw invalidWheel(filename, `invalid project name ${JSON.stringify(namePart)}`);
  if (tryParse(versionPart) === null) throw invalidWheel(filename, `invalid version ${JSON.stringify(versionPart)}`);
  let build: [number, string] | null = null;
  if (dashes === 5) {
    const match = BUILD_TAG.exec(pieces[2] as string);
    if (match === null) throw invalidWheel(filename, `the build tag ${JSON.stringify(pieces[2])} must start with a digit`);
    build = [Number(match[1]), match[2] as string];
  }
  const tagSet = pieces.slice(-3).join("-");
  if (options.validateOrder && !isTagSetSorted(tagSet)) throw invalidWheel(filename, "compressed tag set components must be sorted (PEP 425)");
  return { name: normalizeName(namePart), version: normalize(versionPart), build, tags: parseTagSet(tagSet), filename };
}

/** Like `parseWheelFilename` but null instead of an error (for scanning lists of files). */
export function tryParseWheelFilename(filename: string): WheelFilename | null {
  try {
    return parseWheelFilename(filename);
  } catch (error) {
    if (error instanceof WheelwrightError) return null;
    throw error;
  }
}

export interface ParseSdistOptions {
  /** Accept only ".tar.gz" and ".zip", exactly like packaging. Default false: legacy extensions too. */
  strict?: boolean;
}

export function parseSdistFilename(filename: string, options: ParseSdistOptions = {}): SdistFilename {
  const allowed: readonly SdistExtension[] = options.strict ? STANDARD_SDIST_EXTENSIONS : [...STANDARD_SDIST_EXTENSIONS, ...LEGACY_SDIST_EXTENSIONS];
  const extension = allowed.find((ext) => filename.endsWith(ext));
  const fail = (why: string): WheelwrightError =>
    new WheelwrightError("ERR_WW_INVALID_SDIST_FILENAME", `Invalid source distribution file name ${JSON.stringify(filename)}: ${why}.`, {
      hint: "Source distribution names look like {name}-{version}.tar.gz, e.g. foo-1.0.tar.gz.",
    });
  if (extension === undefined) throw fail(`the extension must be one of ${allowed.join(", ")}`);
  const stem = filename.slice(0, -extension.length);
  // A PEP 440 version has no dash, so the name is everything before the last one.
  const dash = stem.lastIndexOf("-");
  if (dash < 0) throw fail("no dash separates the name from the version");
  const versionPart = stem.slice(dash + 1);
  if (tryParse(versionPart) === null) throw fail(`invalid version ${JSON.stringify(versionPart)}`);
  return { name: normalizeName(stem.slice(0, dash)), version: normalize(versionPart), extension, filename };
}

export interface WheelFilenameParts {
  name: string;
  version: string;
  build?: [number, string] | null;
  /** A (compressed) tag set string such as "py2.py3-none-any", or tags forming a full product. */
  tags: string | readonly Tag[];
}

function uniqueSorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** Compresses tags into "a.b-c-d.e"; the tags must be exactly a product of their parts. */
export function compressTags(tags: readonly Tag[]): string {
  if (tags.length === 0) throw new Error("compressTags: no tags");
  const interpreters = uniqueSorted(tags.map((t) => t.interpreter));
  const abis = uniqueSorted(tags.map((t) => t.abi));
  const platforms = uniqueSorted(tags.map((t) => t.platform));
  const distinct = new Set(tags.map(formatTag)).size;
  if (distinct !== interpreters.length * abis.length * platforms.length) {
    throw new Error(`compressTags: ${tags.map(formatTag).join(", ")} are not one compressed tag set`);
  }
  return `${interpreters.join(".")}-${abis.join(".")}-${platforms.join(".")}`;
}

/** The normalized wheel file name for the given parts (escaped name, normalized version). */
export function wheelFilename(parts: WheelFilenameParts): string {
  if (tryParse(parts.version) === null) {
    throw new WheelwrightError("ERR_WW_INVALID_VERSION", `Cannot name a wheel: ${JSON.stringify(parts.version)} is not a PEP 440 version.`, {
      package: parts.name,
    });
  }
  const tagSet = typeof parts.tags === "string" ? parts.tags : compressTags(parts.tags);
  const build = parts.build ? `-${parts.build[0]}${parts.build[1]}` : "";
  return `${escapeDistName(parts.name)}-${normalize(parts.version).replaceAll("-", "_")}${build}-${tagSet}.whl`;
}

/** The PEP 625 sdist file name: `{escaped name}-{normalized version}.tar.gz`. */
export function sdistFilename(name: string, version: string): string {
  if (tryParse(version) === null) {
    throw new WheelwrightError("ERR_WW_INVALID_VERSION", `Cannot name an sdist: ${JSON.stringify(version)} is not a PEP 440 version.`, { package: name });
  }
  return `${escapeDistName(name)}-${normalize(version)}.tar.gz`;
}
