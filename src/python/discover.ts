/**
 * Finding interpreters: every `python`, `pythonX`, `pythonX.Y` (and `pypy…`) on PATH plus
 * pyenv's `versions/*`, deduplicated by realpath (a venv's python counts apart from its base), and choosing one for a request (a path, a
 * version like "3.12" / "3.12.1" / ">=3.10", optionally prefixed by an implementation as in
 * "cpython3.12" or "pypy3.10", optionally suffixed "t" for a free-threaded build).
 */
import { existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, resolve, sep } from "node:path";
import pLimit from "p-limit";
import { WheelwrightError, isWheelwrightError } from "../errors.js";
import { compare, satisfies } from "../pep/pep440.js";
import { isScript, probeInterpreter, type ProbeOptions } from "./probe.js";
import { pyenvRootOf, pyenvShimTarget } from "./pyenv.js";
import type { Interpreter } from "./types.js";

export interface DiscoverOptions extends ProbeOptions {
  /** The search path (default `process.env.PATH`); "" searches nothing. */
  path?: string;
  /** pyenv's root (default `$PYENV_ROOT` or ~/.pyenv); null skips pyenv. */
  pyenvRoot?: string | null;
  /** How many interpreters to probe at once on a cold cache. Default 2. */
  concurrency?: number;
}

const IS_WINDOWS = process.platform === "win32";
const EXE = IS_WINDOWS ? ".exe" : "";
/** python, python3, python3.12, pypy3, pypy3.10 (and ".exe" forms on Windows). */
const INTERPRETER_NAME = IS_WINDOWS ? /^(python|pypy)(\d+(\.\d+)?)?\.exe$/i : /^(python|pypy)(\d+(\.\d+)?)?$/;

function isExecutableFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A pyenv-style shim directory: what its scripts run is chosen elsewhere (version files). */
function inShimDir(path: string, pyenvRoot: string | null): boolean {
  const dir = dirname(path);
  if (pyenvRoot !== null && resolve(dir) === resolve(pyenvRoot, "shims")) return true;
  return dir.split(sep).pop() === "shims";
}

/** The interpreter files found, in search order (PATH first), before probing. */
export function listInterpreterCandidates(options: DiscoverOptions = {}): string[] {
  const pyenvRoot = options.pyenvRoot === undefined ? pyenvRootOf() : options.pyenvRoot;
  const found: string[] = [];
  const searchPath = options.path ?? process.env.PATH ?? "";
  for (const dir of searchPath.split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!INTERPRETER_NAME.test(entry)) continue;
      const file = join(dir, entry);
      if (!isExecutableFile(file)) continue;
      // pyenv's shims run whichever version is selected; the versions are listed below anyway.
      if (isScript(file) && inShimDir(file, pyenvRoot)) continue;
      found.push(file);
    }
  }
  if (pyenvRoot !== null) {
    let versions: string[] = [];
    try {
      versions = readdirSync(join(pyenvRoot, "versions")).sort();
    } catch {
      // no pyenv
    }
    for (const version of versions) {
      const base = join(pyenvRoot, "versions", version);
      const file = IS_WINDOWS ? join(base, "python.exe") : join(base, "bin", "python");
      if (isExecutableFile(file)) found.push(file);
    }
  }
  return found;
}

/** The virtual environment an executable belongs to (pyvenv.cfg beside it or one up), if any. */
function venvRootOf(executable: string): string | null {
  const binDir = dirname(executable);
  for (const dir of [binDir, dirname(binDir)]) if (existsSync(join(dir, "pyvenv.cfg"))) return dir;
  return null;
}

/** Every interpreter on this machine that could be probed, deduplicated by realpath. */
export async function findInterpreters(options: DiscoverOptions = {}): Promise<Interpreter[]> {
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const file of listInterpreterCandidates(options)) {
    let real: string;
    try {
      real = realpathSync(file);
    } catch {
      continue;
    }
    // A venv's python links to its base interpreter but is a different environment.
    const key = `${real}\0${venvRootOf(file) ?? ""}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(file);
  }
  const limit = pLimit(Math.max(1, options.concurrency ?? 2));
  const probed = await Promise.all(
    unique.map((file) =>
      limit(async () => {
        try {
          return await probeInterpreter(file, options);
        } catch (error) {
          if (!isWheelwrightError(error)) throw error;
          options.events?.emit({ type: "log", level: "warn", message: `skipping interpreter ${file}: ${error.message}` });
          return null;
        }
      }),
    ),
  );
  // A wrapper script resolves to a binary found elsewhere too: keep the first.
  const byBinary = new Set<string>();
  return probed.filter((interpreter): interpreter is Interpreter => {
    if (interpreter === null) return false;
    const key = `${interpreter.realpath}\0${interpreter.prefix}`;
    if (byBinary.has(key)) return false;
    byBinary.add(key);
    return true;
  });
}

/** What a request string asks for (see parseInterpreterRequest). */
export type InterpreterRequest =
  | { kind: "default" }
  | { kind: "path"; path: string }
  | { kind: "version"; implementation: string | null; specifier: string; freeThreaded: boolean; text: string }
  | { kind: "name"; name: string };

const IMPLEMENTATIONS: Record<string, string | null> = { cpython: "cpython", cp: "cpython", pypy: "pypy", pp: "pypy", graalpy: "graalpy", python: null, "": null };
const VERSION_REQUEST = /^(cpython|cp|pypy|pp|graalpy|python|)(?:-?)(\d+(?:\.\d+){0,2}(?:(?:a|b|rc)\d+)?|(?:[<>=!~][^t]*))?(t)?$/i;

/**
 * Classifies a request: undefined → `python3` on PATH; something with a path separator (or
 * starting with ".") → that file; a version or specifier with an optional implementation
 * prefix → the best matching interpreter; anything else → an executable of that name on PATH.
 */
export function parseInterpreterRequest(request: string | undefined): InterpreterRequest {
  if (request === undefined || request.trim() === "") return { kind: "default" };
  const text = request.trim();
  if (text.includes("/") || text.includes("\\") || text.startsWith(".")) return { kind: "path", path: text };
  const match = VERSION_REQUEST.exec(text.replace(/\s+/g, ""));
  const prefix = (match?.[1] ?? "").toLowerCase();
  if (match && (match[2] !== undefined || (prefix !== "" && prefix !== "python"))) {
    const implementation = IMPLEMENTATIONS[prefix] ?? null;
    const version = match[2] ?? "";
    let specifier = "";
    if (/^[<>=!~]/.test(version)) specifier = version;
    else if (/^\d+(\.\d+){0,2}$/.test(version) && version.split(".").length < 3) specifier = `==${version}.*`;
    else if (version !== "") specifier = `==${version}`;
    return { kind: "version", implementation, specifier, freeThreaded: match[3] !== undefined, text };
  }
  return { kind: "name", name: text };
}

function whichOnPath(name: string, searchPath: string): string | null {
  for (const dir of searchPath.split(delimiter)) {
    if (!dir) continue;
    for (const candidate of IS_WINDOWS && !name.endsWith(EXE) ? [name + EXE, name] : [name]) {
      const file = join(dir, candidate);
      if (isExecutableFile(file)) return file;
    }
  }
  return null;
}

function describe(interpreter: Interpreter): string {
  return `${interpreter.implementation} ${interpreter.version}${interpreter.freeThreaded ? "t" : ""} (${interpreter.executable})`;
}

function notFound(request: string, found: Interpreter[], why: string): WheelwrightError {
  const list = found.length === 0 ? "none" : found.map(describe).join(", ");
  return new WheelwrightError("ERR_WW_PYTHON_NOT_FOUND", `No interpreter matches ${JSON.stringify(request)}: ${why}. Found: ${list}.`, {
    hint: "Install a matching Python (e.g. with pyenv), or pass the interpreter's path instead of a version.",
    details: { request, found: found.map((i) => ({ implementation: i.implementation, version: i.version, executable: i.executable })) },
  });
}

export function matchesRequest(interpreter: Interpreter, request: Extract<InterpreterRequest, { kind: "version" }>): boolean {
  if (request.implementation !== null && interpreter.implementation !== request.implementation) return false;
  if (request.freeThreaded && !interpreter.freeThreaded) return false;
  return request.specifier === "" || satisfies(interpreter.version, request.specifier, { prereleases: true });
}

/** Orders by version; dev builds ("3.14.0a1+") aren't PEP 440, so fall back to the tuple. */
function compareInterpreterVersions(a: Interpreter, b: Interpreter): number {
  try {
    return compare(a.version, b.version);
  } catch {
    for (let i = 0; i < 3; i++) if (a.versionTuple[i] !== b.versionTuple[i]) return (a.versionTuple[i] ?? 0) - (b.versionTuple[i] ?? 0);
    return 0;
  }
}

/**
 * The interpreter for a request (see parseInterpreterRequest); for version requests, the
 * highest matching version (a tie keeps discovery order: PATH before pyenv). Throws
 * ERR_WW_PYTHON_NOT_FOUND listing what was found.
 */
export async function findInterpreter(request?: string, options: DiscoverOptions = {}): Promise<Interpreter> {
  const parsed = parseInterpreterRequest(request);
  const searchPath = options.path ?? process.env.PATH ?? "";
  if (parsed.kind === "path") {
    const path = resolve(parsed.path);
    if (!existsSync(path)) throw notFound(parsed.path, await findInterpreters(options), "no such file");
    return probeInterpreter(path, options);
  }
  if (parsed.kind === "default" || parsed.kind === "name") {
    const name = parsed.kind === "default" ? (IS_WINDOWS ? "python" : "python3") : parsed.name;
    const file = whichOnPath(name, searchPath);
    if (file === null) throw notFound(request ?? name, await findInterpreters(options), `no ${name} on PATH`);
    // A pyenv shim: the binary it would run, when pyenv's version files tell (see pyenv.ts).
    const target = options.pyenvRoot === null ? undefined : pyenvShimTarget(file, options.pyenvRoot !== undefined ? { pyenvRoot: options.pyenvRoot } : {});
    return probeInterpreter(target?.executable ?? file, options);
  }
  const found = await findInterpreters(options);
  let best: Interpreter | null = null;
  for (const interpreter of found) {
    if (!matchesRequest(interpreter, parsed)) continue;
    if (best === null || compareInterpreterVersions(interpreter, best) > 0) best = interpreter;
  }
  if (best === null) throw notFound(parsed.text, found, "no installed version satisfies it");
  return best;
}
