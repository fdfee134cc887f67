/**
 * Source → a writable build tree. Sdists and url archives are extracted (their one top-level
 * directory becomes the root); directories are copied without VCS data and build leftovers;
 * git sources are cloned from a local or remote repository and checked out at the pinned
 * commit. A `subdirectory` then selects the project inside the tree.
 *
 * A caller that needs only a few files of the project (build-system discovery reads
 * `pyproject.toml`) passes `only`: an archive is then still read whole, but only those files
 * are written. Wherever that can't give the same answer as a full unpack (the file is a link,
 * the layout is unusual, the archive is refused), the full unpack runs instead.
 */
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { basename, join, posix, relative, resolve } from "node:path";
import { extractArchive, type ArchiveEntry } from "../archive/index.js";
import { WheelwrightError } from "../errors.js";
import type { Source } from "../scope/source.js";

/** Left out when copying a directory source: the same things its tree hash ignores. */
const SKIPPED = new Set([".git", ".hg", ".svn", "__pycache__", ".venv", "build", "dist", ".tox", ".nox", "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache"]);

export interface UnpackInput {
  source: Source;
  /** The local file of an sdist or archive source (fetched into the store). */
  file?: string;
  /** Empty directory (or not yet existing) to unpack into. */
  dest: string;
  package: string;
  /**
   * Paths relative to the project root that are all the caller reads: from an archive only
   * these are written (the rest of the tree is absent). Ignored for directories and git.
   */
  only?: readonly string[];
}

/** Unpacks and returns the project root inside `dest`. */
export async function unpackSource(input: UnpackInput): Promise<string> {
  const { source, dest } = input;
  mkdirSync(dest, { recursive: true });
  switch (source.kind) {
    case "sdist":
      return extractProject(requireFile(input), dest, input.package, undefined, input.only);
    case "tree": {
      const tree = source.tree;
      if (tree.type === "directory") return copyDirectory(tree.path, join(dest, basename(tree.path) || "source"), input.package);
      if (tree.type === "archive") return extractProject(requireFile(input), dest, input.package, tree.subdirectory, input.only);
      const root = join(dest, "checkout");
      await cloneGit(tree.url, tree.commit, root, input.package);
      return subdirectory(root, tree.subdirectory, input.package);
    }
    default:
      throw new Error(`unpackSource: ${source.kind} sources are not unpacked`);
  }
}

function requireFile(input: UnpackInput): string {
  if (input.file === undefined) throw new Error(`unpackSource: no local file for ${input.package}`);
  return input.file;
}

/** The project inside an archive: all of it, or just `only` when that gives the same answer. */
async function extractProject(file: string, dest: string, pkg: string, sub: string | undefined, only: readonly string[] | undefined): Promise<string> {
  if (only !== undefined) {
    const project = await extractSelected(file, dest, pkg, sub, only).catch(() => undefined);
    if (project !== undefined) return project;
    rmSync(join(dest, "archive"), { recursive: true, force: true });
  }
  return subdirectory((await extractToRoot(file, dest, pkg)).root, sub, pkg);
}

/**
 * Writes only `only` (relative to the project root) out of an archive. Undefined when the
 * full unpack must decide: a wanted path is a link, or the subdirectory is odd or absent.
 */
async function extractSelected(file: string, dest: string, pkg: string, sub: string | undefined, only: readonly string[]): Promise<string | undefined> {
  const inner = sub === undefined || sub === "" ? "" : posix.normalize(sub).replace(/\/+$/, "");
  if (inner === "." || inner.startsWith("../") || inner === ".." || inner.startsWith("/")) return undefined;
  const wanted = new Set(only.map((p) => (inner === "" ? p : `${inner}/${p}`)));
  // The root is not known before the last entry: keep the wanted paths under the archive's top
  // and under each top-level directory.
  const forms = (name: string): string[] => (name.includes("/") ? [name, name.slice(name.indexOf("/") + 1)] : [name]);
  const isAncestor = (name: string, of: string): boolean => of === name || of.startsWith(`${name}/`);
  let unsure = false;
  const { root, names } = await extractToRoot(file, dest, pkg, (entry) => {
    // A link on the way to a wanted file would need its target, which is not written.
    if (entry.type === "symlink" && forms(entry.name).some((f) => [...wanted].some((w) => isAncestor(f, w)))) unsure = true;
    return entry.type === "file" && forms(entry.name).some((f) => wanted.has(f));
  });
  if (unsure) return undefined;
  if (inner === "") return root;
  const project = join(root, inner);
  const inArchive = relative(join(dest, "archive"), project);
  if (!names.some((n) => isAncestor(inArchive, n))) return undefined;
  mkdirSync(project, { recursive: true });
  return project;
}

/**
 * Extracts an archive into `dest/archive` (only the entries `keep` accepts, when given) and
 * finds its root from every entry's name: an sdist holds one `<name>-<version>/` directory; a
 * bare archive may hold the tree itself.
 */
async function extractToRoot(file: string, dest: string, pkg: string, keep?: (entry: ArchiveEntry) => boolean): Promise<{ root: string; names: string[] }> {
  const out = join(dest, "archive");
  /** Top-level names → whether each is a directory (is one, or holds entries). */
  const tops = new Map<string, boolean>();
  const names: string[] = [];
  await extractArchive(file, out, {
    allowSymlinks: true,
    map: (entry) => {
      const slash = entry.name.indexOf("/");
      const top = slash < 0 ? entry.name : entry.name.slice(0, slash);
      tops.set(top, (tops.get(top) ?? false) || slash >= 0 || entry.type === "directory");
      names.push(entry.name);
      return keep === undefined || keep(entry) ? entry.name : null;
    },
  });
  if (tops.size === 0) throw new WheelwrightError("ERR_WW_ARCHIVE_FORMAT", `the source archive of ${pkg} is empty`, { file, package: pkg, hint: "check the file the lock points at" });
  const [[top, isDirectory]] = [...tops] as [[string, boolean]];
  const root = tops.size === 1 && isDirectory ? join(out, top) : out;
  mkdirSync(root, { recursive: true });
  return { root, names };
}

function copyDirectory(from: string, to: string, pkg: string): string {
  if (!existsSync(from)) {
    throw new WheelwrightError("ERR_WW_BUILD_FAILED", `the source directory of ${pkg} does not exist: ${from}`, { file: from, package: pkg, hint: "fix the path in the lock file" });
  }
  cpSync(from, to, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (src) => {
      const name = basename(src);
      return src === from || !(SKIPPED.has(name) || name.endsWith(".egg-info") || name.endsWith(".pyc"));
    },
  });
  return to;
}

function subdirectory(root: string, sub: string | undefined, pkg: string): string {
  if (sub === undefined || sub === "") return root;
  const path = resolve(root, sub);
  if (!path.startsWith(root + "/") || !existsSync(path)) {
    throw new WheelwrightError("ERR_WW_BUILD_FAILED", `subdirectory '${sub}' of ${pkg}'s source ${existsSync(path) ? "leaves the source tree" : "does not exist"}`, { package: pkg, hint: "fix `subdirectory` in the lock file" });
  }
  return path;
}

/** `git+https://…`, `git+file:///…`, `/local/repo`; query and fragment (uv's ?rev=…#sha) dropped. */
export function gitCloneUrl(url: string): string {
  let plain = url.startsWith("git+") ? url.slice(4) : url;
  if (/^[a-z+]+:\/\//.test(plain)) plain = plain.replace(/[?#].*$/, "");
  return plain;
}

async function cloneGit(url: string, commit: string, dest: string, pkg: string): Promise<void> {
  const from = gitCloneUrl(url);
  const env = { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1", GIT_ADVICE: "0" };
  await git(["clone", "--quiet", "--no-checkout", from, dest], undefined, env, pkg, url);
  await git(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", commit], dest, env, pkg, url);
  if (existsSync(join(dest, ".gitmodules"))) await git(["submodule", "update", "--quiet", "--init", "--recursive"], dest, env, pkg, url);
}

function git(args: string[], cwd: string | undefined, env: NodeJS.ProcessEnv, pkg: string, url: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn("git", args, { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", (error) =>
      reject(new WheelwrightError("ERR_WW_FETCH", `cannot run git for ${pkg}: ${error.message}`, { package: pkg, hint: "install git", cause: error })),
    );
    child.on("close", (code) => {
      if (code === 0) return resolvePromise();
      reject(new WheelwrightError("ERR_WW_FETCH", `git ${args[0] === "-c" ? "checkout" : args[0]} of ${url} for ${pkg} failed: ${stderr.trim().split("\n").slice(-2).join(" ")}`, {
        package: pkg,
        hint: "check that the repository is reachable and contains the locked commit",
      }));
    });
  });
}
