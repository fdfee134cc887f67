/**
 * A content hash of a local source tree (directory sources), so a directory's derivation
 * changes exactly when its files do. Left out: VCS metadata, caches and build outputs that a
 * build writes into the tree itself (.git, .hg, __pycache__, .venv, build, dist, *.egg-info,
 * .tox, .nox, node_modules). File modes count only through the executable bit.
 */
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { WheelwrightError } from "../errors.js";

const EXCLUDED = new Set([".git", ".hg", ".svn", "__pycache__", ".venv", "build", "dist", ".tox", ".nox", "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache"]);

export function treeHash(root: string): string {
  const hash = createHash("sha256");
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (EXCLUDED.has(name) || name.endsWith(".egg-info") || name.endsWith(".pyc")) continue;
      const path = join(dir, name);
      const childRel = rel === "" ? name : `${rel}/${name}`;
      const stat = lstatSync(path);
      if (stat.isDirectory()) {
        hash.update(`d ${childRel}\0`);
        walk(path, childRel);
      } else if (stat.isSymbolicLink()) {
        hash.update(`l ${childRel}\0${readlinkSync(path)}\0`);
      } else if (stat.isFile()) {
        hash.update(`${stat.mode & 0o111 ? "x" : "f"} ${childRel}\0${stat.size}\0`);
        hash.update(readFileSync(path));
      }
    }
  };
  walk(root, "");
  return hash.digest("hex");
}

/** `treeHash` of a lock's directory source, or ERR_WW_FETCH when the directory is missing. */
export function directoryHash(path: string, pkg: string, file: string, line?: number): string {
  try {
    if (!lstatSync(path).isDirectory()) throw new Error("not a directory");
  } catch (cause) {
    throw new WheelwrightError("ERR_WW_FETCH", `the directory source of ${pkg}, ${path}, does not exist or is not a directory`, {
      file,
      ...(line !== undefined ? { line } : {}),
      package: pkg,
      cause,
      hint: "paths in a lock are relative to the lock file's directory; run from the project the lock belongs to",
    });
  }
  return treeHash(path);
}
