/**
 * What a pyenv shim would run, told from the files pyenv itself reads, without running it.
 * A shim (`$PYENV_ROOT/shims/python3`) is a script that starts pyenv, which picks a version
 * from `$PYENV_VERSION`, else the nearest `.python-version` from the current directory up,
 * else `$PYENV_ROOT/version`, and runs `versions/<version>/bin/<name>`. Starting it costs
 * ~0.3 s here; reading those files costs nothing, and the answer is a real binary whose probe
 * is cached. Anything this does not follow exactly (several versions, "system", a version
 * prefix pyenv would expand, `$PYENV_DIR`, a missing binary) gives undefined, and the caller
 * runs the shim as before.
 */
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { isScript } from "./probe.js";

export interface PyenvShimTarget {
  /** The interpreter the shim runs: `$PYENV_ROOT/versions/<version>/bin/<name>`. */
  executable: string;
  /**
   * Every file whose presence or content decided the version (each `.python-version` looked
   * for, found or not, and `$PYENV_ROOT/version` when it was reached): watch them, and the
   * environment variables `PYENV_VERSION`, `PYENV_DIR` and `PYENV_ROOT`, to know the answer holds.
   */
  read: string[];
}

export interface PyenvOptions {
  /** The directory the shim would run in (default: this process's). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** pyenv's root (default `$PYENV_ROOT` or ~/.pyenv). */
  pyenvRoot?: string;
}

/** One plain version name, as `pyenv install` names its directories. */
const VERSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** `$PYENV_ROOT`, else ~/.pyenv. */
export function pyenvRootOf(env: NodeJS.ProcessEnv = process.env): string {
  return env.PYENV_ROOT || join(homedir(), ".pyenv");
}

function readIfFile(path: string): string | undefined {
  try {
    return statSync(path).isFile() ? readFileSync(path, "utf8") : undefined;
  } catch {
    return undefined;
  }
}

/** The one version a version file or variable names, or undefined when it names anything else. */
function singleVersion(text: string): string | undefined {
  const words = text
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[0] ?? "")
    .filter((word) => word !== "" && !word.startsWith("#"));
  if (words.length !== 1) return undefined;
  const [version] = words as [string];
  return VERSION_NAME.test(version) && version !== "system" ? version : undefined;
}

/** The binary the pyenv shim at `shim` would run now, or undefined when only running it can tell. */
export function pyenvShimTarget(shim: string, options: PyenvOptions = {}): PyenvShimTarget | undefined {
  const env = options.env ?? process.env;
  const root = options.pyenvRoot ?? pyenvRootOf(env);
  if (resolve(dirname(shim)) !== resolve(root, "shims") || !isScript(shim)) return undefined;
  if (env.PYENV_DIR) return undefined;
  const read: string[] = [];
  let chosen: string | undefined;
  if (env.PYENV_VERSION) chosen = env.PYENV_VERSION.replaceAll(":", "\n");
  else {
    for (let dir = resolve(options.cwd ?? process.cwd()); chosen === undefined; dir = dirname(dir)) {
      const file = join(dir, ".python-version");
      read.push(file);
      chosen = readIfFile(file);
      if (dirname(dir) === dir) break;
    }
    if (chosen === undefined) {
      const global = join(root, "version");
      read.push(global);
      chosen = readIfFile(global);
    }
  }
  const version = chosen === undefined ? undefined : singleVersion(chosen);
  if (version === undefined) return undefined;
  const executable = join(root, "versions", version, "bin", basename(shim));
  try {
    if (!statSync(executable).isFile() || isScript(executable)) return undefined;
  } catch {
    return undefined;
  }
  return { executable, read };
}
