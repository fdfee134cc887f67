/**
 * Bytecode compilation with the target interpreter, one process for any number of files or
 * directories (the sync can batch every wheel of an environment into one call). Output is
 * reproducible: unchecked-hash pycs (Python >= 3.7), PYTHONHASHSEED=0 so set/frozenset
 * constants marshal in a fixed order, a fixed umask, and code objects that record the final
 * (post-rename) path instead of the temporary one. Only optimization level 0 is written (pip
 * writes only that level too).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { WheelwrightError } from "../errors.js";
import type { Interpreter } from "../python/types.js";

const COMPILE_SCRIPT = fileURLToPath(new URL("./compile.py", import.meta.url));

export interface CompileTarget {
  /** A .py file or a directory to walk (sorted, `__pycache__` skipped). */
  path: string;
  /** The path code objects should record for it (default: `path`). */
  displayPath?: string;
}

export interface CompileResult {
  compiled: { source: string; pyc: string }[];
  /** Sources that do not compile on this interpreter (skipped, as pip does). */
  failed: { source: string; message: string }[];
}

export interface CompileOptions {
  /**
   * Pythons before 3.7 only write mtime-stamped pycs; sources get this mtime first so their
   * pycs are reproducible (and stay valid when the store normalizes mtimes to the same value).
   * Default 1, the mtime store paths are normalized to.
   */
  legacyMtime?: number;
}

/** Byte-compiles every target with `interpreter` in one process. */
export async function compileAll(interpreter: Interpreter, targets: readonly CompileTarget[], options: CompileOptions = {}): Promise<CompileResult> {
  if (targets.length === 0) return { compiled: [], failed: [] };
  const request = JSON.stringify({
    items: targets.map((t) => [t.path, t.displayPath ?? t.path]),
    legacy_mtime: options.legacyMtime ?? 1,
  });
  // A clean environment: nothing inherited from PYTHON* can change what gets written.
  const env: NodeJS.ProcessEnv = { PYTHONHASHSEED: "0", PYTHONIOENCODING: "utf-8", PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C.UTF-8" };
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(interpreter.executable, ["-s", COMPILE_SCRIPT], { env, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (status) => resolve({ code: status, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
    child.stdin.on("error", () => {}); // a crash before reading stdin is reported via the exit code
    child.stdin.end(request);
  }).catch((error: unknown) => {
    throw new WheelwrightError("ERR_WW_BYTECODE", `Could not run ${interpreter.executable} to compile bytecode: ${(error as Error).message}`, {
      cause: error,
      hint: "Check that the interpreter still exists and runs.",
    });
  });
  if (code !== 0) {
    throw new WheelwrightError("ERR_WW_BYTECODE", `Compiling bytecode with ${interpreter.executable} failed (exit ${code})`, {
      hint: "The interpreter's output is shown below; check that the interpreter runs and the disk is writable.",
      details: { stderr: stderr.slice(-4000) },
    });
  }
  const reply = JSON.parse(stdout) as { compiled: [string, string][]; failed: [string, string][] };
  return {
    compiled: reply.compiled.map(([source, pyc]) => ({ source, pyc })),
    failed: reply.failed.map(([source, message]) => ({ source, message })),
  };
}
