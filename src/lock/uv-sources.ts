/**
 * The source of a selected uv.lock entry: registry, url and path files become wheel/sdist
 * candidates chosen by tags and preferences; url archives with a subdirectory, directories
 * and git checkouts become trees; editable and virtual entries map directly.
 */
import { isAbsolute, resolve } from "node:path";
import { WheelwrightError } from "../errors.js";
import { findKeyLine } from "../pep/toml-position.js";
import type { supportedTags } from "../pep/tags.js";
import { chooseSource } from "../scope/choose-source.js";
import type { Candidates, Source } from "../scope/source.js";
import { fileRef } from "./files.js";
import { sourcePrefsFor } from "./prefs.js";
import type { LockOptions } from "./types.js";
import type { UvLock, UvPackage } from "./uv-model.js";

export function sourceOf(pkg: UvPackage, lock: UvLock, baseDir: string, options: LockOptions, tags: ReturnType<typeof supportedTags>): { source: Source; candidates?: Candidates } {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const s = pkg.source;
  const where = { name: pkg.name, version: pkg.version ?? "", file: lock.file, ...(pkg.line !== undefined ? { line: pkg.line } : {}) };
  switch (s.kind) {
    case "registry":
    case "url":
    case "path": {
      const location = s.kind === "path" ? { path: s.path } : s.kind === "url" ? { url: s.url } : {};
      if (s.kind === "url" && s.subdirectory !== undefined && pkg.sdist !== undefined) {
        return { source: { kind: "tree", tree: { type: "archive", file: fileRef({ ...location, ...pkg.sdist }, baseDir), subdirectory: s.subdirectory } } };
      }
      const candidates: Candidates = { wheels: pkg.wheels.map((w) => fileRef(w.url || w.path ? w : { ...location, ...w }, baseDir)) };
      if (pkg.sdist !== undefined) candidates.sdist = fileRef(pkg.sdist.url || pkg.sdist.path ? pkg.sdist : { ...location, ...pkg.sdist }, baseDir);
      if (s.kind === "path" && candidates.wheels.length === 0 && candidates.sdist === undefined) {
        return { source: { kind: "tree", tree: { type: "directory", path: abs(s.path) } } };
      }
      if (s.kind === "registry") checkLocated(pkg, lock);
      return { source: chooseSource(where, candidates, sourcePrefsFor(pkg.name, options), tags), candidates };
    }
    case "git":
      return { source: { kind: "tree", tree: { type: "git", url: s.url, commit: s.commit, ...(s.ref ? { ref: s.ref } : {}), ...(s.subdirectory ? { subdirectory: s.subdirectory } : {}) } } };
    case "directory":
      return { source: { kind: "tree", tree: { type: "directory", path: abs(s.path) } } };
    case "editable":
      return { source: { kind: "editable", path: abs(s.path) } };
    case "virtual":
      return { source: { kind: "virtual" } };
  }
}

/** A registry entry's files must say where they are: the registry is not a place by itself. */
function checkLocated(pkg: UvPackage, lock: UvLock): void {
  const files = [...(pkg.sdist !== undefined ? [["sdist", pkg.sdist] as const] : []), ...pkg.wheels.map((w, i) => [`wheels[${i}]`, w] as const)];
  for (const [what, file] of files) {
    if (file.url === undefined && file.path === undefined) {
      const line = findKeyLine(lock.text, ["package", pkg.index, ...(what === "sdist" ? ["sdist"] : ["wheels", Number(what.slice(7, -1))])]) ?? pkg.line;
      throw new WheelwrightError("ERR_WW_LOCK_INVALID", `${pkg.name}: ${what} of a registry package has neither 'url' nor 'path'`, {
        file: lock.file,
        ...(line !== undefined ? { line } : {}),
        package: pkg.name,
        hint: "uv records a url for every registry file; relock (uv lock)",
      });
    }
  }
}
