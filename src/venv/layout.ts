/** Paths inside a prefix (a store path or a venv) for an interpreter, POSIX layout. */
import type { Interpreter } from "../python/types.js";

export function pythonDirName(python: Interpreter): string {
  const [major, minor] = python.versionTuple;
  return `python${major}.${minor}${python.freeThreaded ? "t" : ""}`;
}

/** `lib/pythonX.Y/site-packages`, relative to the prefix. */
export function sitePackagesRel(python: Interpreter): string {
  return `lib/${pythonDirName(python)}/site-packages`;
}
