/**
 * Probing: run probe.py with an interpreter and turn its JSON into an `Interpreter`, once per
 * interpreter. Results are cached on disk (see cache.ts); a shim (a script standing in for an
 * interpreter, like pyenv's) is never cached under its own name, because what it runs changes
 * without the shim changing; its result is cached under the real binary it ran.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, openSync, readFileSync, readSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { WheelwrightError } from "../errors.js";
import type { Events } from "../events/emitter.js";
import { currentProbeKey, defaultProbeCacheDir, readProbeCache, writeProbeCache } from "./cache.js";
import type { Interpreter } from "./types.js";

export interface ProbeOptions {
  /** Where probe results are cached; `false` disables the cache. Default: defaultProbeCacheDir(). */
  cacheDir?: string | false;
  /** Kill a probe that takes longer than this (ms). Default 30 s (a cold disk can be slow). */
  timeoutMs?: number;
  /** Receives a debug `log` event for every interpreter actually spawned. */
  events?: Events;
}

const PROBE_SCRIPT = fileURLToPath(new URL("./probe.py", import.meta.url));
let probeHashMemo: string | undefined;

/** Absolute path of probe.py (next to this module in src/ and in dist/). */
export function probeScriptPath(): string {
  return PROBE_SCRIPT;
}

/** sha256 of probe.py: part of every cache key, so a changed probe reprobes everything. */
export function probeScriptHash(): string {
  probeHashMemo ??= createHash("sha256").update(readFileSync(PROBE_SCRIPT)).digest("hex");
  return probeHashMemo;
}

/** True when the file is a script ("#!") rather than a binary: a shim or wrapper. */
export function isScript(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head.toString("latin1") === "#!";
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function notFound(path: string, cause?: unknown): WheelwrightError {
  return new WheelwrightError("ERR_WW_PYTHON_NOT_FOUND", `No interpreter at ${path}.`, {
    hint: "Pass the path of an existing Python executable, or a version such as 3.12.",
    cause,
  });
}

function runProbe(executable: string, timeoutMs: number): Promise<string> {
  // -E -s -S (not -I: Python 2.7 lacks it): ignore PYTHON* variables, user site and site.py,
  // so nothing the user installed can slow the probe down or change its answers.
  return new Promise((resolvePromise, reject) => {
    execFile(
      executable,
      ["-E", "-s", "-S", PROBE_SCRIPT],
      { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, encoding: "utf8", windowsHide: true },
      (error, stdout, stderr) => {
        if (error) {
          const tail = stderr.trim().split("\n").slice(-5).join("\n");
          reject(
            new WheelwrightError("ERR_WW_PYTHON_PROBE", `Probing the interpreter ${executable} failed: ${error.message}${tail ? `\n${tail}` : ""}`, {
              hint: "Check that it runs: `" + executable + " -c 'import sys; print(sys.version)'`.",
              cause: error,
              details: { stderr },
            }),
          );
        } else resolvePromise(stdout);
      },
    );
  });
}

function toInterpreter(executable: string, stdout: string): Interpreter {
  let raw: Omit<Interpreter, "executable">;
  try {
    raw = JSON.parse(stdout) as Omit<Interpreter, "executable">;
  } catch (cause) {
    throw new WheelwrightError("ERR_WW_PYTHON_PROBE", `The interpreter ${executable} printed something other than the probe's JSON.`, {
      hint: "A sitecustomize or wrapper script may be writing to stdout.",
      cause,
      details: { stdout: stdout.slice(0, 2000) },
    });
  }
  if (typeof raw.version !== "string" || !Array.isArray(raw.versionTuple)) {
    throw new WheelwrightError("ERR_WW_PYTHON_PROBE", `The probe of ${executable} returned an incomplete answer.`, {
      details: { stdout: stdout.slice(0, 2000) },
    });
  }
  return { executable, ...raw };
}

/**
 * Probes the interpreter at `path` (made absolute; symlinks kept as given, since a venv's
 * python is a symlink whose prefix differs from its target's). Returns the cached result when
 * the interpreter has not changed since it was last probed.
 */
export async function probeInterpreter(path: string, options: ProbeOptions = {}): Promise<Interpreter> {
  const executable = isAbsolute(path) ? path : resolve(path);
  let realpath: string;
  try {
    realpath = realpathSync(executable);
    if (!statSync(realpath).isFile()) throw new Error("not a file");
  } catch (cause) {
    throw notFound(executable, cause);
  }
  const cacheDir = options.cacheDir === false ? null : (options.cacheDir ?? defaultProbeCacheDir());
  const timeoutMs = options.timeoutMs ?? 30_000;
  const shim = isScript(realpath);
  const key = shim ? null : currentProbeKey(executable, realpath, probeScriptHash());
  if (cacheDir !== null && key !== null) {
    const cached = readProbeCache(cacheDir, key);
    if (cached !== null) return cached;
  }
  options.events?.emit({ type: "log", level: "debug", message: `probing interpreter ${executable}` });
  const interpreter = toInterpreter(executable, await runProbe(executable, timeoutMs));
  if (cacheDir !== null) {
    if (key !== null) writeProbeCache(cacheDir, key, interpreter);
    else if (interpreter.realpath && !isScript(interpreter.realpath)) {
      // The shim ran a real binary: cache the answer under that binary's own path.
      try {
        const realKey = currentProbeKey(interpreter.realpath, realpathSync(interpreter.realpath), probeScriptHash());
        if (interpreter.prefix === interpreter.basePrefix) writeProbeCache(cacheDir, realKey, { ...interpreter, executable: interpreter.realpath });
      } catch {
        // the binary vanished meanwhile; nothing to cache
      }
    }
  }
  return interpreter;
}
