/**
 * The bytecode-cache hook of an environment synced with `compile-bytecode = false`. Its
 * packages were installed without `.pyc` files, and they live in the read-only store, so
 * Python could not cache what it compiles beside the sources and would compile every module
 * again at every start. The hook — a module plus the `.pth` line that imports it at start-up —
 * points `sys.pycache_prefix` (Python ≥ 3.8) at a writable directory private to this
 * environment, unless the user chose one (`PYTHONPYCACHEPREFIX`, `-X pycache_prefix`).
 *
 * The directory is named after the environment's store path: the files under one store path
 * never change, so a cached pyc can't go stale even though every store file has the same
 * mtime (Python's default pycs are validated by mtime and size). Another environment — a new
 * sync — gets a new directory.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Interpreter } from "../python/types.js";
import { cacheDir } from "../util/cache-dir.js";

export const PYCACHE_MODULE = "_wheelwright_pycache";

/** Where the hook caches bytecode, for `environment` (a store path's base name), in `env`. */
export function pycacheDir(environment: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir("pycache", env), environment);
}

/** Whether `python` honours `sys.pycache_prefix` (added in 3.8). */
export function supportsPycachePrefix(python: Interpreter): boolean {
  const [major = 0, minor = 0] = python.versionTuple;
  return major > 3 || (major === 3 && minor >= 8);
}

/** Writes the hook into `sitePackages` (a directory of the environment being assembled). */
export function writePycacheHook(sitePackages: string, environment: string): void {
  writeFileSync(join(sitePackages, `${PYCACHE_MODULE}.pth`), `import ${PYCACHE_MODULE}\n`, { mode: 0o644 });
  writeFileSync(join(sitePackages, `${PYCACHE_MODULE}.py`), hookSource(environment), { mode: 0o644 });
}

function hookSource(environment: string): string {
  return `"""Written by wheelwright: this environment was synced with compile-bytecode = false.

Its packages carry no bytecode and live in a read-only store, so Python's bytecode cache
(sys.pycache_prefix) is pointed at a writable directory of this environment's own:
$XDG_CACHE_HOME/wheelwright/pycache/<environment> (else ~/.cache/...), unless
PYTHONPYCACHEPREFIX or -X pycache_prefix already chose one.
"""
import os
import sys

ENVIRONMENT = ${JSON.stringify(environment)}


def _point_bytecode_cache():
    if getattr(sys, "pycache_prefix", None) is not None:
        return
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    sys.pycache_prefix = os.path.join(root, "wheelwright", "pycache", ENVIRONMENT)


_point_bytecode_cache()
`;
}
