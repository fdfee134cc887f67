// Independent oracles for the archive tests: the reference interpreter's zipfile/tarfile and
// GNU tar. Tests that need them skip (saying why) when they are missing.
import { execFileSync, spawnSync } from "node:child_process";

function works(command: string, args: string[]): boolean {
  try {
    return spawnSync(command, args, { stdio: "ignore" }).status === 0;
  } catch {
    return false;
  }
}

export const havePython = works("python3", ["-c", "import zipfile, tarfile, hashlib"]);
// Resolve the real interpreter once: version-manager shims cost ~0.1-3 s per start.
const interpreter = havePython ? execFileSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).trim() : "python3";
export const haveGnuTar = works("tar", ["--version"]);

/** Runs a Python snippet (argv after the script in sys.argv[1:]) and parses its JSON stdout. */
export function python<T>(code: string, ...args: string[]): T {
  return JSON.parse(execFileSync(interpreter, ["-c", code, ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 })) as T;
}

export function warnSkip(condition: boolean, reason: string): boolean {
  if (condition) console.warn(`skipped: ${reason}`);
  return condition;
}
