/**
 * Finds what a sync works on: the project directory, its pyproject.toml (optional), its lock
 * file, and the settings in effect (pyproject < environment < flags).
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { loadSettings, type Settings } from "../config/load.js";
import { WheelwrightError } from "../errors.js";
import { normalizeName } from "../pep/names.js";
import { readPyproject, toolTable } from "../pep/pyproject.js";

export interface Project {
  dir: string;
  pyprojectFile: string | undefined;
  lockFile: string;
  /** Normalized project name (pyproject's [project] name, else the directory name). */
  name: string;
  settings: Settings;
}

export interface ProjectInput {
  dir?: string;
  lock?: string;
  env?: NodeJS.ProcessEnv;
  flags?: Record<string, unknown>;
}

export function loadProject(input: ProjectInput): Project {
  const explicitLock = input.lock ?? (input.flags?.lock as string | undefined);
  const dir = resolve(input.dir ?? (explicitLock !== undefined ? dirname(resolve(explicitLock)) : process.cwd()));
  const pyprojectFile = existsSync(join(dir, "pyproject.toml")) ? join(dir, "pyproject.toml") : undefined;
  let tool: Record<string, unknown> | undefined;
  let pyprojectText: string | undefined;
  let name = normalizeName(basename(dir).replace(/[^A-Za-z0-9._-]/g, "-")) || "project";
  if (pyprojectFile !== undefined) {
    pyprojectText = readFileSync(pyprojectFile, "utf8");
    const pyproject = readPyproject(pyprojectText, pyprojectFile);
    tool = toolTable(pyproject, "wheelwright") as Record<string, unknown> | undefined;
    const projectName = (pyproject.data?.project as { name?: unknown } | undefined)?.name;
    if (typeof projectName === "string") name = normalizeName(projectName);
  }
  const settings = loadSettings({
    ...(tool !== undefined ? { tool } : {}),
    ...(pyprojectFile !== undefined ? { pyprojectFile } : {}),
    ...(pyprojectText !== undefined ? { pyprojectText } : {}),
    env: input.env ?? process.env,
    flags: { ...input.flags, ...(input.lock !== undefined ? { lock: input.lock } : {}) },
  });
  const lockSetting = settings.values.lock as string | undefined;
  const lockFile = lockSetting !== undefined ? resolve(dir, lockSetting) : findLockFile(dir);
  if (!existsSync(lockFile)) {
    throw new WheelwrightError("ERR_WW_USAGE", `lock file ${lockFile} does not exist`, { file: lockFile, hint: "pass an existing file with --lock" });
  }
  return { dir, pyprojectFile, lockFile, name, settings };
}

/** `pylock.toml`, else a single `pylock.<name>.toml`, else `uv.lock` (PEP 751 names first). */
export function findLockFile(dir: string): string {
  if (existsSync(join(dir, "pylock.toml"))) return join(dir, "pylock.toml");
  const named = readdirSync(dir).filter((f) => /^pylock\.[^.]+\.toml$/.test(f));
  if (named.length === 1) return join(dir, named[0]!);
  if (existsSync(join(dir, "uv.lock"))) return join(dir, "uv.lock");
  throw new WheelwrightError("ERR_WW_USAGE", `no lock file in ${dir}`, {
    file: dir,
    hint: named.length > 1 ? `several pylock files (${named.join(", ")}): choose one with --lock` : "create one (uv lock, or pip lock / pdm export for pylock.toml), or pass --lock FILE",
  });
}
