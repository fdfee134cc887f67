/** Distribution files as lock files describe them → `FileRef`s (filename, sha256, url/path). */
import { isAbsolute, resolve } from "node:path";
import { tryParseWheelFilename } from "../pep/filenames.js";
import type { FileRef } from "../scope/source.js";
import { lockError, type EntryContext } from "./toml.js";

/** The last path segment of a URL or path, percent-decoded, without query or fragment. */
export function basenameOf(location: string): string {
  const clean = location.replace(/[?#].*$/, "");
  const last = clean.slice(clean.lastIndexOf("/") + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** `sha256:<hex>` (uv) → lowercase hex; other algorithms are refused with a hint. */
export function parseUvHash(hash: string, ctx: EntryContext): string {
  const match = /^sha256:([0-9a-fA-F]{64})$/.exec(hash);
  if (match === null) {
    throw lockError("ERR_WW_LOCK_INVALID", `${ctx.package}: hash '${hash}' is not a sha256 hash`, ctx, "wheelwright verifies files by sha256; regenerate the lock with sha256 hashes", "hash");
  }
  return match[1]!.toLowerCase();
}

/** PEP 751 `hashes = { sha256 = "..." }` → lowercase hex. */
export function pickSha256(hashes: unknown, ctx: EntryContext, what: string): string {
  if (hashes === undefined) throw lockError("ERR_WW_LOCK_INVALID", `${ctx.package}: ${what} has no hashes`, ctx, "every archive, sdist and wheel in a pylock.toml must carry `hashes` (PEP 751)");
  if (typeof hashes !== "object" || hashes === null || Array.isArray(hashes)) throw lockError("ERR_WW_LOCK_PARSE", `${ctx.package}: ${what}: 'hashes' must be a table`, ctx, "write hashes as { sha256 = \"...\" }", "hashes");
  const sha = (hashes as Record<string, unknown>).sha256;
  if (typeof sha !== "string" || !/^[0-9a-fA-F]{64}$/.test(sha)) {
    throw lockError("ERR_WW_LOCK_INVALID", `${ctx.package}: ${what} has no valid sha256 hash (found: ${Object.keys(hashes).join(", ") || "none"})`, ctx, "wheelwright verifies files by sha256; relock so that sha256 hashes are recorded", "hashes");
  }
  return sha.toLowerCase();
}

export function fileRef(parts: { filename?: string; url?: string; path?: string; sha256: string; size?: number }, baseDir: string): FileRef {
  const location = parts.url ?? parts.path ?? "";
  const ref: FileRef = { filename: parts.filename ?? basenameOf(location), sha256: parts.sha256 };
  if (parts.size !== undefined) ref.size = parts.size;
  if (parts.url !== undefined) ref.url = parts.url;
  if (parts.path !== undefined) ref.path = isAbsolute(parts.path) ? parts.path : resolve(baseDir, parts.path);
  return ref;
}

/** A wheel's file name must follow the binary distribution format: its tags decide where it installs. */
export function checkWheelName(filename: string, ctx: EntryContext): void {
  if (tryParseWheelFilename(filename) === null) {
    throw lockError("ERR_WW_LOCK_INVALID", `${ctx.package}: '${filename}' is not a valid wheel file name`, ctx, "wheel names are {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl; fix the entry or relock");
  }
}
