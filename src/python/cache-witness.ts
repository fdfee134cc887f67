/**
 * The files and directories that decide which interpreter a request resolves to and what its
 * cached probe says — so a caller (the sync fast path, src/sync/fast-path.ts) can tell
 * "same interpreter as last time" from their stat signatures, without probing or discovery.
 *
 * It is a superset of what `findInterpreter` reads: for a path, the file (and where it leads)
 * and the pyvenv.cfg files beside it; for a name (or the default `python3`), that name in every
 * PATH directory up to the first hit; for a version request, the `python*`/`pypy*` entries of
 * every PATH directory and pyenv's versions, each candidate's file and pyvenv.cfg. The probe
 * cache (cache.ts) is keyed by the same facts, so equal signatures give the same answer.
 * A pyenv shim counts with the files pyenv reads to choose a version (pyenv.ts). Other
 * interpreters that are scripts (wrappers, shims pyenv.ts can't follow) are asked afresh on
 * every run: no witness.
 */
import { readdirSync, statSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { listInterpreterCandidates, parseInterpreterRequest } from "./discover.js";
import { isScript } from "./probe.js";
import { pyenvRootOf, pyenvShimTarget } from "./pyenv.js";
import type { Interpreter } from "./types.js";

export interface InterpreterInputs {
  /** Files whose identity (stat signature and resolved target) must stay the same. */
  files: string[];
  /** Directories whose interpreter-like entries (or, for pyenv's versions, all entries) must stay the same. */
  dirs: { dir: string; match: "interpreters" | "all" }[];
}

export interface WitnessOptions {
  /** The search path (default `process.env.PATH`). */
  path?: string;
  /** pyenv's root (default `$PYENV_ROOT` or ~/.pyenv). */
  pyenvRoot?: string;
}

function venvConfigs(executable: string): string[] {
  const bin = dirname(executable);
  return [join(bin, "pyvenv.cfg"), join(dirname(bin), "pyvenv.cfg")];
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
}

/**
 * What to watch for `request` (the `python` setting) having resolved to `chosen`; a string
 * saying why not when the answer can change without any file changing (a script interpreter).
 */
export function interpreterInputs(request: string | undefined, chosen: Interpreter, options: WitnessOptions = {}): InterpreterInputs | string {
  const parsed = parseInterpreterRequest(request);
  const searchPath = options.path ?? process.env.PATH ?? "";
  if (isScript(chosen.realpath ?? chosen.executable) || isScript(chosen.executable)) return `${chosen.executable} is a script (a shim or wrapper), asked afresh on every run`;
  if (parsed.kind === "path") {
    const file = resolve(parsed.path);
    return { files: [file, ...venvConfigs(file)], dirs: [] };
  }
  if (parsed.kind === "default" || parsed.kind === "name") {
    const name = parsed.kind === "default" ? (process.platform === "win32" ? "python" : "python3") : parsed.name;
    const files: string[] = [];
    for (const dir of searchPath.split(delimiter)) {
      if (!dir) continue;
      const file = join(dir, name);
      files.push(file);
      if (!isFile(file)) continue;
      const shim = pyenvShimTarget(file, options.pyenvRoot !== undefined ? { pyenvRoot: options.pyenvRoot } : {});
      if (shim === undefined) return { files: [...files, ...venvConfigs(file)], dirs: [] };
      // pyenv's choice: its version files, and the binary (PYENV_* are in the fast path's key)
      if (shim.executable !== chosen.executable) return `${file} is a pyenv shim whose choice changed meanwhile`;
      return { files: [...files, ...shim.read, shim.executable, ...venvConfigs(shim.executable)], dirs: [] };
    }
    return `no ${name} on PATH`;
  }
  const dirs: InterpreterInputs["dirs"] = [];
  const files: string[] = [];
  const pyenvRoot = options.pyenvRoot ?? pyenvRootOf();
  // Every interpreter-like entry counts, candidate or not: a dangling link or a directory of
  // that name can turn into a candidate without the listing changing.
  const listed = (dir: string, match: RegExp | null): string[] => {
    try {
      return readdirSync(dir).filter((name) => match === null || match.test(name));
    } catch {
      return [];
    }
  };
  for (const dir of searchPath.split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    dirs.push({ dir, match: "interpreters" });
    for (const name of listed(dir, /^(python|pypy)/i)) files.push(join(dir, name));
  }
  const versions = join(pyenvRoot, "versions");
  dirs.push({ dir: versions, match: "all" });
  for (const version of listed(versions, null)) files.push(join(versions, version, "bin", "python"), join(versions, version, "python.exe"));
  for (const file of listInterpreterCandidates({ path: searchPath, pyenvRoot })) {
    // Discovery probes every candidate: one that is a script answers afresh each time.
    if (isScript(file)) return `${file} is a script (a wrapper), asked afresh on every run`;
    files.push(...venvConfigs(file));
  }
  return { files, dirs };
}
