/**
 * Validity checks for descriptive core-metadata fields, after `packaging.metadata`'s
 * validators. Each returns a message when the value is invalid, or undefined.
 */

const CONTENT_TYPES = new Set(["text/plain", "text/x-rst", "text/markdown"]);
const MARKDOWN_VARIANTS = new Set(["GFM", "CommonMark"]);

/** Description-Content-Type: a known type, charset exactly UTF-8, a known Markdown variant. */
export function checkDescriptionContentType(value: string): string | undefined {
  const [typePart = "", ...paramParts] = value.split(";");
  let contentType = typePart.trim().toLowerCase();
  // Python's email module falls back to text/plain when the type is not `main/sub`.
  if (!/^[^/\s]+\/[^/\s]+$/.test(contentType)) contentType = "text/plain";
  if (!CONTENT_TYPES.has(contentType) || !value.toLowerCase().includes(contentType)) {
    return `description-content-type must be one of text/plain, text/x-rst, text/markdown, not ${JSON.stringify(value)}`;
  }
  const params = new Map<string, string>();
  for (const part of paramParts) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    let v = part.slice(eq + 1).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    params.set(part.slice(0, eq).trim().toLowerCase(), v);
  }
  const charset = params.get("charset") ?? "UTF-8";
  if (charset !== "UTF-8") return `description-content-type can only specify the UTF-8 charset, not ${JSON.stringify(charset)}`;
  const variant = params.get("variant") ?? "GFM";
  if (contentType === "text/markdown" && !MARKDOWN_VARIANTS.has(variant)) {
    return `valid Markdown variants for description-content-type are GFM and CommonMark, not ${JSON.stringify(variant)}`;
  }
  return undefined;
}

/** Dynamic: a core-metadata field name other than the three that identify the distribution. */
export function checkDynamic(value: string, knownFields: readonly string[]): string | undefined {
  const field = value.toLowerCase();
  if (field === "name" || field === "version" || field === "metadata-version") return `${JSON.stringify(field)} is not allowed as a dynamic field`;
  if (!knownFields.includes(field)) return `${JSON.stringify(field)} is not a valid dynamic field`;
  return undefined;
}

/** License-File: a resolved, relative, `/`-delimited path without parent references. */
export function checkLicenseFile(path: string): string | undefined {
  if (path.includes("..")) return `${JSON.stringify(path)} is invalid for license-file, parent directory indicators are not allowed`;
  if (path.includes("*")) return `${JSON.stringify(path)} is invalid for license-file, paths must be resolved`;
  if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path) || /^[\\/]{2}[^\\/]+[\\/]+[^\\/]+/.test(path)) {
    return `${JSON.stringify(path)} is invalid for license-file, paths must be relative`;
  }
  // packaging compares against the Windows-normalized form, which rewrites `\`, repeated
  // separators, `.` segments and trailing separators.
  if (path.includes("\\") || /\/\//.test(path) || /(^|\/)\.(\/|$)/.test(path) || path.endsWith("/") || /^[A-Za-z]:/.test(path)) {
    return `${JSON.stringify(path)} is invalid for license-file, paths must use '/' delimiter`;
  }
  return undefined;
}

// Python 3 keywords (keyword.kwlist); soft keywords such as `match` are valid identifiers.
const PYTHON_KEYWORDS = new Set([
  "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
  "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
  "pass", "raise", "return", "try", "while", "with", "yield",
]);

const IDENTIFIER = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u;

/** Import-Name / Import-Namespace: a dotted Python name, optionally `; private`. */
export function checkImportName(value: string): string | undefined {
  const semicolon = value.indexOf(";");
  const name = (semicolon < 0 ? value : value.slice(0, semicolon)).trimEnd();
  for (const identifier of name.split(".")) {
    if (!IDENTIFIER.test(identifier)) return `${JSON.stringify(name)} is invalid; ${JSON.stringify(identifier)} is not a valid identifier`;
    if (PYTHON_KEYWORDS.has(identifier)) return `${JSON.stringify(name)} is invalid; ${JSON.stringify(identifier)} is a keyword`;
  }
  if (semicolon >= 0 && value.slice(semicolon + 1).trimStart() !== "private") {
    return `${JSON.stringify(value)} is invalid; the only valid option is 'private'`;
  }
  return undefined;
}
