/**
 * Local files: `file:` URLs and plain paths. Copies stream through the hasher like downloads,
 * so a local file is verified byte for byte as it lands in the store.
 */
import { createReadStream } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { WheelwrightError } from "../errors.js";
import { writeHashed, type Written } from "./verify.js";

/** Turn a `file:` URL or a path (relative to `baseDir`) into an absolute path. */
export function localPath(location: string, baseDir: string): string {
  if (location.startsWith("file:")) {
    try {
      return fileURLToPath(location);
    } catch (error) {
      throw new WheelwrightError("ERR_WW_FETCH", `${location} is not a usable file: URL`, {
        cause: error,
        hint: "Use file:///absolute/path, or a plain path relative to the project.",
      });
    }
  }
  return isAbsolute(location) ? location : resolve(baseDir, location);
}

/** True when `location` is an `http:` or `https:` URL (i.e. needs the network). */
export function isNetworkUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/** True for locations a local copy can serve: `file:` URLs and anything not URL-shaped. */
export function isLocalLocation(location: string): boolean {
  return location.startsWith("file:") || !/^[a-z][a-z0-9+.-]*:\/\//i.test(location);
}

/**
 * Copy `source` to `target` while hashing. `maxBytes` stops at the first byte past the pinned
 * size. A missing source is an ERR_WW_FETCH naming the path.
 */
export async function copyLocalFile(source: string, target: string, onBytes?: (bytes: number) => void, maxBytes?: number): Promise<Written> {
  const stream = createReadStream(source, { highWaterMark: 1 << 20 });
  try {
    return await writeHashed(stream, target, onBytes, maxBytes);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if ((code === "ENOENT" || code === "EISDIR" || code === "EACCES") && (error as { path?: unknown }).path === source) {
      throw new WheelwrightError("ERR_WW_FETCH", `cannot read ${source}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : "permission denied"}`, {
        cause: error,
        hint: "Check the path in the lock file (relative paths are resolved against the project directory).",
        details: { path: source },
      });
    }
    throw error;
  } finally {
    stream.destroy();
  }
}
