/**
 * Assembles a standard virtual environment from member prefixes (store paths laid out as
 * `lib/pythonX.Y/site-packages`, `bin`, `include`, `share`): `pyvenv.cfg`, `bin/python*`
 * links to the base interpreter, activate scripts, `lib64 -> lib`, and the members merged
 * (see merge.ts) with `bin` scripts copied and their shebangs pointed at the venv's python.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { WheelwrightError } from "../errors.js";
import type { Interpreter } from "../python/types.js";
import { activateScripts } from "./activate.js";
import { mergeTrees, type MergeResult } from "./merge.js";
import { sitePackagesDir } from "../install/scheme.js";
import { writePycacheHook } from "./pycache.js";
import { rewriteShebang } from "./shebang.js";

export interface VenvMember {
  name: string;
  /** Absolute path of the member's prefix (its store path). */
  path: string;
}

export interface AssembleVenvOptions {
  /** Directory to create (a store temp dir, or the target of a copy-mode venv). */
  out: string;
  /** Where the venv will finally live; embedded in shebangs and activate scripts. */
  finalPath: string;
  python: Interpreter;
  members: VenvMember[];
  ignoreCollisions?: string[];
  skip?: string[];
  /** "link": symlinks into members (store venvs); "copy": a real, writable tree. */
  mode?: "link" | "copy";
  prompt?: string;
  /**
   * The members carry no bytecode (`compile-bytecode = false`): a link venv gets the hook that
   * points Python's bytecode cache at a writable directory (pycache.ts). A copy is writable,
   * so Python caches beside the sources there as usual.
   */
  lazyBytecode?: boolean;
}

export async function assembleVenv(options: AssembleVenvOptions): Promise<MergeResult> {
  const { python, out, finalPath } = options;
  // The members' site-packages (as the installer laid them out) and its ancestors are always
  // real directories: the base venv adds to them.
  const site = sitePackagesDir(python);
  const realDirs = new Set(["bin", ...site.split("/").map((_, i, parts) => parts.slice(0, i + 1).join("/"))]);
  const interpreters = [python.executable, python.realpath];
  const venvPython = join(finalPath, "bin", "python");

  const result = mergeTrees(
    options.members.map((m) => ({ owner: m.name, root: m.path })),
    out,
    {
      ignoreCollisions: options.ignoreCollisions ?? [],
      skip: options.skip ?? [],
      mode: options.mode ?? "link",
      forceReal: (rel) => realDirs.has(rel),
      placeFile: (rel, source, dest) => {
        if (!rel.startsWith("bin/") || rel.indexOf("/", 4) >= 0) return false;
        const content = readFileSync(source);
        const rewritten = rewriteShebang(content, interpreters, venvPython);
        if (rewritten === undefined) return false;
        writeFileSync(dest, rewritten, { mode: 0o755 });
        return true;
      },
    },
  );

  for (const dir of realDirs) {
    if (!existsSync(join(out, dir))) writeDir(join(out, dir));
  }
  writeBase(options);
  if (options.lazyBytecode === true && (options.mode ?? "link") === "link") await writePycacheHook(python, out, finalPath);
  return result;
}

function writeBase(options: AssembleVenvOptions): void {
  const { python, out, finalPath } = options;
  const bin = join(out, "bin");
  const claim = (rel: string): string => {
    const path = join(out, rel);
    if (existsSync(path)) {
      throw new WheelwrightError("ERR_WW_VENV_COLLISION", `a package installs '${rel}', which the virtual environment itself must own`, {
        hint: `skip it in pyproject.toml: [tool.wheelwright.venv] skip = ["${rel}"]`,
      });
    }
    return path;
  };
  const [major, minor] = python.versionTuple;
  symlinkSync(python.realpath, claim("bin/python"));
  for (const alias of new Set([`python${major}`, `python${major}.${minor}`, basename(python.realpath)])) {
    if (alias !== "python" && !existsSync(join(bin, alias))) symlinkSync("python", join(bin, alias));
  }
  if (python.pointerBits === 64 && !existsSync(join(out, "lib64"))) symlinkSync("lib", join(out, "lib64"));
  const home = python.realpath.slice(0, python.realpath.lastIndexOf("/"));
  writeFileSync(
    claim("pyvenv.cfg"),
    [`home = ${home}`, "include-system-site-packages = false", `version = ${python.version}`, `executable = ${python.realpath}`, "command = wheelwright sync", ""].join("\n"),
  );
  for (const [name, text] of Object.entries(activateScripts(finalPath, options.prompt ?? basename(finalPath)))) {
    writeFileSync(claim(`bin/${name}`), text, { mode: 0o644 });
  }
}

function writeDir(path: string): void {
  mkdirSync(path, { recursive: true });
  chmodSync(path, 0o755);
}
