/**
 * The project a distribution file belongs to, for mirror lookups and messages. Only the name
 * matters here, so this is lenient: a filename the strict parsers reject (an odd legacy
 * sdist) still gets a best guess — the content hash, not the name, decides whether a file is
 * the right one.
 */
import { WheelwrightError } from "../errors.js";
import { parseSdistFilename, tryParseWheelFilename } from "../pep/filenames.js";
import { normalizeName } from "../pep/names.js";

const SDIST_SUFFIXES = [".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tgz", ".tar", ".zip"];

/**
 * The PEP 503-normalised project name of a wheel or sdist filename, or undefined when no
 * `-` separates a name from a version. Wheels: the first `-` field; sdists: everything
 * before the last `-` (as `packaging.utils.parse_sdist_filename`).
 */
export function projectNameOf(filename: string): string | undefined {
  const lower = filename.toLowerCase();
  if (lower.endsWith(".whl")) {
    const wheel = tryParseWheelFilename(filename);
    if (wheel !== null) return wheel.name;
    const dash = filename.indexOf("-");
    return dash > 0 ? normalizeName(filename.slice(0, dash)) : undefined;
  }
  try {
    return parseSdistFilename(filename).name;
  } catch (error) {
    if (!(error instanceof WheelwrightError)) throw error;
  }
  const suffix = SDIST_SUFFIXES.find((s) => lower.endsWith(s));
  const stem = suffix === undefined ? filename : filename.slice(0, -suffix.length);
  const dash = stem.lastIndexOf("-");
  return dash > 0 ? normalizeName(stem.slice(0, dash)) : undefined;
}
