/**
 * The bytecode-cache hook of an environment synced with `compile-bytecode = false` (the
 * default). Its packages were installed without `.pyc` files into the read-only store, so
 * Python could not cache what it compiles beside the sources and would compile every module
 * again at every start. The hook — a module plus the `.pth` line that imports it at start-up —
 * gives Python's `cache_from_source` (which every source loader asks where a module's pyc
 * lives) a mapping of its own: a module whose real path lies in the store is cached under
 * `$XDG_CACHE_HOME/wheelwright/pycache/<store key>/<store path name>/…`, any other module
 * (the standard library, the project's own code) where Python would cache it anyway.
 *
 * The cache is keyed by the store path a module's file really lives in, not by the
 * environment that imported it: a store path's files never change, so a pyc cached for one
 * environment is valid in every other one that links the same package (the next sync, another
 * project, a build environment), and can't go stale although every store file has the same
 * mtime (Python's default pycs are validated by mtime and size). `wheelwright gc` deletes a
 * store path's cache with it. A user's own choice (`PYTHONPYCACHEPREFIX`, `-X pycache_prefix`)
 * wins: the hook then does nothing.
 *
 * Builds run with `PYTHONDONTWRITEBYTECODE` (nothing may appear in the source tree) and a
 * private HOME, so they set `WHEELWRIGHT_BUILD_PYCACHE` to the caller's cache directory
 * instead: store modules are then cached there, as at run time, the interpreter's own modules
 * are read from where they are, and every other module that is imported gets no bytecode
 * (a backend that compiles files on purpose, as meson's install step does, is answered as
 * Python would answer it).
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { WheelwrightError } from "../errors.js";
import { compileAll } from "../install/bytecode.js";
import { sitePackagesDir } from "../install/scheme.js";
import type { Interpreter } from "../python/types.js";
import { cacheDir } from "../util/cache-dir.js";

export const PYCACHE_MODULE = "_wheelwright_pycache";

/** Set in builds: the bytecode cache's root directory (see the module comment). */
export const BUILD_PYCACHE_VAR = "WHEELWRIGHT_BUILD_PYCACHE";

/** The root of every store's bytecode cache, for the user whose environment is `env`. */
export function pycacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return cacheDir("pycache", env);
}

/** The store's own part of the cache: stores in different places never share pycs. */
const storeKey = (storeDir: string): string => createHash("sha256").update(storeDir).digest("hex").slice(0, 16);

/** Where the bytecode of the modules under `storePath` (a store path's real path) is cached. */
export function pycacheDir(storePath: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(pycacheRoot(env), storeKey(dirname(storePath)), basename(storePath));
}

/** Whether `python` can use the hook (a `sys.pycache_prefix` to defer to, added in 3.8). */
export function supportsPycachePrefix(python: Interpreter): boolean {
  const [major = 0, minor = 0] = python.versionTuple;
  return major > 3 || (major === 3 && minor >= 8);
}

/**
 * Writes the hook into the site-packages of the environment being assembled in `root`, whose
 * final path is `finalPath`, with its own bytecode: it runs before it could cache anything,
 * so it would otherwise be compiled at every start, and compiling anything at all costs a
 * fresh interpreter some milliseconds (or, run by root, would write a pyc into the sealed
 * environment).
 */
export async function writePycacheHook(python: Interpreter, root: string, finalPath: string): Promise<void> {
  const site = join(root, sitePackagesDir(python));
  const source = hookSource(dirname(finalPath));
  writeFileSync(join(site, `${PYCACHE_MODULE}.pth`), `import ${PYCACHE_MODULE}\n`, { mode: 0o644 });
  writeFileSync(join(site, `${PYCACHE_MODULE}.py`), source, { mode: 0o644 });
  const pyc = await hookBytecode(python, join(site, `${PYCACHE_MODULE}.py`), source);
  mkdirSync(join(site, "__pycache__"));
  writeFileSync(join(site, "__pycache__", pyc.name), pyc.data, { mode: 0o644 });
}

/**
 * The hook's pyc. Its source is the same for every environment of one store, and the path
 * its code object records is fixed (Python replaces it with the module's real path when it
 * loads the pyc), so the bytes are too: they are compiled once per store and interpreter and
 * kept in the cache, which spares a warm sync starting an interpreter just to compile them.
 */
async function hookBytecode(python: Interpreter, module: string, source: string): Promise<{ name: string; data: Buffer }> {
  const kept = join(pycacheRoot(), "hook", createHash("sha256").update(`${python.realpath}\0${python.version}\0${source}`).digest("hex").slice(0, 32));
  try {
    const [name] = readdirSync(kept);
    if (name?.endsWith(".pyc")) return { name, data: readFileSync(join(kept, name)) };
  } catch {
    // not kept yet
  }
  const { compiled, failed } = await compileAll(python, [{ path: module, displayPath: `${PYCACHE_MODULE}.py` }], { returnBytes: true });
  const [pyc] = compiled;
  if (pyc?.data === undefined || failed.length > 0) {
    throw new WheelwrightError("ERR_WW_BYTECODE", `The environment's bytecode-cache hook does not compile with ${python.executable}${failed[0] ? `: ${failed[0].message}` : ""}`, { hint: "This is a bug in wheelwright; `compile-bytecode = true` avoids the hook." });
  }
  const result = { name: basename(pyc.pyc), data: pyc.data };
  let temp: string | undefined;
  try {
    // whole or not at all: a directory holding the finished file is renamed into place
    mkdirSync(dirname(kept), { recursive: true });
    temp = mkdtempSync(`${kept}.tmp-`);
    writeFileSync(join(temp, result.name), result.data);
    renameSync(temp, kept);
  } catch {
    // another sync kept it first, or the cache isn't writable: nothing is lost
    if (temp !== undefined) rmSync(temp, { recursive: true, force: true });
  }
  return result;
}

function hookSource(storeDir: string): string {
  return `"""Written by wheelwright: this environment's packages carry no bytecode (compile-bytecode = false).

They live in a read-only store, so the bytecode Python compiles for them is cached under
$XDG_CACHE_HOME/wheelwright/pycache (else ~/.cache/...), keyed by the store path each module's
file really lives in, and shared by every environment that links it. Modules outside the store
are cached where Python caches them anyway. PYTHONPYCACHEPREFIX or -X pycache_prefix turns
this off. In a wheelwright build, ${BUILD_PYCACHE_VAR} names the cache, and modules outside
both the store and the interpreter that are imported get no bytecode (explicit compiles, such
as compileall's, are answered as usual).
"""
import os
import sys

STORE = ${JSON.stringify(storeDir)}
STORE_KEY = ${JSON.stringify(storeKey(storeDir))}


def _install():
    if getattr(sys, "pycache_prefix", None) is not None:
        return
    try:
        import _frozen_importlib_external as bootstrap
    except ImportError:
        return
    build = os.environ.get(${JSON.stringify(BUILD_PYCACHE_VAR)})
    if build:
        root = build
        interpreter = tuple({os.path.realpath(p) + os.sep for p in (sys.base_prefix, sys.base_exec_prefix)})
    else:
        home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(home, "wheelwright", "pycache")
    root = os.path.join(root, STORE_KEY)
    real_store = os.path.realpath(STORE)
    store = real_store + os.sep
    default = bootstrap.cache_from_source
    imports = vars(bootstrap)
    real_dirs = {}

    def cache_from_source(path, debug_override=None, **kwargs):
        path = os.fspath(path)
        head, tail = os.path.split(path)
        real = real_dirs.get(head)
        if real is None:
            real = real_dirs[head] = os.path.realpath(head)
        real = os.path.join(real, tail)
        if os.path.islink(real):
            real = os.path.realpath(real)
        if real.startswith(store):
            return root + default(real, debug_override, **kwargs)[len(real_store):]
        if build and not real.startswith(interpreter) and sys._getframe(1).f_globals is imports:
            # an import's cache: none (an explicit compile, e.g. compileall, is answered as usual)
            raise NotImplementedError("no bytecode for imports outside the store in a build")
        return default(path, debug_override, **kwargs)

    bootstrap.cache_from_source = cache_from_source
    util = sys.modules.get("importlib.util")
    if util is not None:
        util.cache_from_source = cache_from_source
    if build:
        sys.dont_write_bytecode = False


_install()
`;
}
