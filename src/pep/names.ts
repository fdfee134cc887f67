/**
 * Project names (PEP 503 normalization, PEP 508 name grammar) and the escaped form used in
 * wheel and dist-info file names (binary distribution format). Matches
 * `packaging.utils.canonicalize_name`.
 */

const VALID_NAME = /^(?:[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;
const SEPARATOR_RUNS = /[-_.]+/g;
const NORMALIZED_NAME = /^(?:[a-z0-9]|[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9])$/;

/**
 * PEP 503 normalization: lowercase, every run of `-`, `_`, `.` becomes one `-`. Works on any
 * string (extra and group names are normalized the same way), valid or not.
 */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(SEPARATOR_RUNS, "-");
}

/** Whether `name` matches the PEP 508 name grammar (ASCII letters, digits, `._-` inside). */
export function isValidName(name: string): boolean {
  return VALID_NAME.test(name);
}

/** Whether `name` is already in PEP 503 normal form (`normalizeName(name) === name` and valid). */
export function isNormalizedName(name: string): boolean {
  return NORMALIZED_NAME.test(name);
}

/** The form used in `{name}-{version}.dist-info` and wheel file names: normalized, `-` → `_`. */
export function escapeDistName(name: string): string {
  return normalizeName(name).replaceAll("-", "_");
}
