/**
 * Merges member trees into one, as pyproject.nix's make-venv does: a path present in one
 * member is linked as a whole (a directory symlink when it is a directory); a path present in
 * several is made a real directory and merged recursively. Files present in several members
 * must have the same bytes, except `__pycache__/*.pyc` and paths matching `ignoreCollisions`
 * (the first member wins). Paths matching `skip` are left out. `forceReal` names directories
 * that are always made real (e.g. `bin`, whose scripts get copied with a new shebang).
 */
import { closeSync, copyFileSync, constants, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, readSync, symlinkSync, type Stats } from "node:fs";
import { join } from "node:path";
import { WheelwrightError } from "../errors.js";
import { globToRegExp } from "../util/glob.js";

export interface MergeSource {
  /** Who provides the tree (a package name), for collision messages. */
  owner: string;
  /** Absolute path of the member's root. */
  root: string;
}

export interface MergeOptions {
  ignoreCollisions?: string[];
  skip?: string[];
  /** Relative paths of directories always made real instead of linked. */
  forceReal?: (rel: string) => boolean;
  /** Called for each file placed; return true when it handled the file itself (e.g. copied it with changes). */
  placeFile?: (rel: string, source: string, dest: string) => boolean;
  /** "link" (default): symlink into members; "copy": real, writable copies everywhere. */
  mode?: "link" | "copy";
}

interface Candidate {
  owner: string;
  path: string;
  stat: Stats;
}

export interface MergeResult {
  links: number;
  files: number;
  directories: number;
  ignoredCollisions: string[];
}

export function mergeTrees(sources: MergeSource[], dest: string, options: MergeOptions = {}): MergeResult {
  const ignore = (options.ignoreCollisions ?? []).map(globToRegExp);
  const skip = (options.skip ?? []).map(globToRegExp);
  const result: MergeResult = { links: 0, files: 0, directories: 0, ignoredCollisions: [] };
  const mode = options.mode ?? "link";

  const mergeDir = (rel: string, candidates: Candidate[], target: string): void => {
    mkdirSync(target, { recursive: true });
    result.directories++;
    const byName = new Map<string, Candidate[]>();
    for (const candidate of candidates) {
      for (const name of readdirSync(candidate.path).sort()) {
        const path = join(candidate.path, name);
        const list = byName.get(name) ?? [];
        list.push({ owner: candidate.owner, path, stat: lstatSync(path) });
        byName.set(name, list);
      }
    }
    for (const name of [...byName.keys()].sort()) {
      const childRel = rel === "" ? name : `${rel}/${name}`;
      if (skip.some((re) => re.test(childRel))) continue;
      place(childRel, byName.get(name)!, join(target, name));
    }
  };

  const place = (rel: string, candidates: Candidate[], target: string): void => {
    const dirs = candidates.filter((c) => c.stat.isDirectory());
    if (dirs.length === candidates.length) {
      if (candidates.length === 1 && mode === "link" && !options.forceReal?.(rel)) {
        symlinkSync(candidates[0]!.path, target);
        result.links++;
      } else mergeDir(rel, candidates, target);
      return;
    }
    const first = candidates[0]!;
    for (const other of candidates.slice(1)) {
      if (sameContent(first, other)) continue;
      if (isIgnorable(rel, ignore)) {
        result.ignoredCollisions.push(rel);
        break;
      }
      throw collision(rel, first, other);
    }
    if (options.placeFile?.(rel, first.path, target)) {
      result.files++;
      return;
    }
    if (first.stat.isDirectory()) {
      mergeDir(rel, [first], target); // a directory that won over ignored file collisions
    } else if (mode === "copy") {
      copyEntry(first, target);
      result.files++;
    } else {
      symlinkSync(first.stat.isSymbolicLink() ? readlinkSync(first.path) : first.path, target);
      result.links++;
    }
  };

  const roots = sources.map((s) => ({ owner: s.owner, path: s.root, stat: lstatSync(s.root) }));
  mergeDir("", roots, dest);
  return result;
}

function isIgnorable(rel: string, ignore: RegExp[]): boolean {
  if (/(^|\/)__pycache__\/[^/]+\.pyc$/.test(rel)) return true;
  return ignore.some((re) => re.test(rel));
}

function collision(rel: string, a: Candidate, b: Candidate): WheelwrightError {
  const kind = (c: Candidate) => (c.stat.isDirectory() ? "a directory" : c.stat.isSymbolicLink() ? "a symlink" : "a file");
  return new WheelwrightError("ERR_WW_VENV_COLLISION", `'${rel}' is ${kind(a)} in ${a.owner} and ${kind(b)} with different content in ${b.owner}`, {
    package: `${a.owner}, ${b.owner}`,
    hint: `if either copy will do, ignore it in pyproject.toml: [tool.wheelwright.venv] ignore-collisions = ["${rel}"] (the first package wins), or drop it with skip = ["${rel}"]`,
  });
}

function sameContent(a: Candidate, b: Candidate): boolean {
  if (a.stat.isSymbolicLink() || b.stat.isSymbolicLink()) {
    return a.stat.isSymbolicLink() && b.stat.isSymbolicLink() && readlinkSync(a.path) === readlinkSync(b.path);
  }
  if (!a.stat.isFile() || !b.stat.isFile()) return false;
  if (a.stat.size !== b.stat.size) return false;
  return sameBytes(a.path, b.path, a.stat.size);
}

function sameBytes(a: string, b: string, size: number): boolean {
  const fa = openSync(a, "r");
  const fb = openSync(b, "r");
  try {
    const ba = Buffer.allocUnsafe(Math.min(size, 1 << 16));
    const bb = Buffer.allocUnsafe(ba.length);
    for (let offset = 0; offset < size; ) {
      const na = readSync(fa, ba, 0, ba.length, offset);
      const nb = readSync(fb, bb, 0, bb.length, offset);
      if (na !== nb || na === 0 || ba.compare(bb, 0, nb, 0, na) !== 0) return false;
      offset += na;
    }
    return true;
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}

function copyEntry(source: Candidate, target: string): void {
  if (source.stat.isSymbolicLink()) symlinkSync(readlinkSync(source.path), target);
  else copyFileSync(source.path, target, constants.COPYFILE_FICLONE);
}
