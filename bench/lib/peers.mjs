// The Python-side peers of the benches, set up once per machine and cached under $TMPDIR:
//
// - pip: the newest pip available offline. When the local mirror has a pip wheel newer than the
//   interpreter's bundled one, a private "tool" venv (made with --without-pip) gets that wheel;
//   the benches then run `<tool>/bin/python -m pip --python <target venv> …`, so a target venv
//   is a bare `python -m venv --without-pip` and pip's own code runs from the tool venv. Without
//   a mirror the interpreter's bundled pip runs the same way.
// - pypa/installer: not in the mirror; Debian packages it (python3-installer). The package
//   directory is copied from the system's dist-packages when installed, else extracted from the
//   .deb that `apt-get download` fetches (no system change), into a private directory that is
//   the only entry the benches put on PYTHONPATH.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MIRROR_INDEXES } from "./corpus.mjs";

const run = (cmd, args, options = {}) => spawnSync(cmd, args, { encoding: "utf8", timeout: 300_000, ...options });
const cacheRoot = () => join(tmpdir(), "wheelwright-bench-peers");

/** Compares dotted numeric versions (enough for pip's release numbers). */
function compareVersions(a, b) {
  const pa = a.split(".").map((x) => parseInt(x, 10) || 0);
  const pb = b.split(".").map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** The newest `pip-*.whl` the local mirror lists, as `{ version, path }`, or undefined. */
function newestMirrorPip() {
  let best;
  for (const index of MIRROR_INDEXES) {
    const page = join(index, "pip", "index.html");
    if (!existsSync(page)) continue;
    for (const m of readFileSync(page, "utf8").matchAll(/href="([^"#]+pip-([0-9.]+)-py3-none-any\.whl)[^"]*"/g)) {
      const path = fileURLToPath(new URL(m[1], pathToFileURL(page)));
      if (existsSync(path) && (best === undefined || compareVersions(m[2], best.version) > 0)) best = { version: m[2], path };
    }
  }
  return best;
}

/**
 * `{ python, version, source }`: `python` runs pip (`python -m pip …`), `version` is pip's
 * `--version` line. Makes (or reuses) the tool venv described above.
 */
export function setupPip(interpreter, log = () => {}) {
  const bundled = run(interpreter, ["-m", "pip", "--version"]).stdout.trim();
  const bundledVersion = /^pip (\S+)/.exec(bundled)?.[1] ?? "0";
  const mirror = newestMirrorPip();
  if (mirror === undefined || compareVersions(mirror.version, bundledVersion) <= 0) {
    return { python: interpreter, version: bundled, source: `the interpreter's bundled pip ${bundledVersion} (no newer pip wheel offline)` };
  }
  const tool = join(cacheRoot(), `pip-${mirror.version}-${basename(interpreter)}`);
  const toolPython = join(tool, "bin", "python");
  if (!existsSync(join(tool, ".complete"))) {
    log(`setting up pip ${mirror.version} in ${tool}`);
    rmSync(tool, { recursive: true, force: true });
    mkdirSync(cacheRoot(), { recursive: true });
    // a pip wheel runs from the archive itself: use it to install itself into the tool venv
    for (const [cmd, args] of [
      [interpreter, ["-m", "venv", "--without-pip", tool]],
      [toolPython, [join(mirror.path, "pip"), "install", "--isolated", "--no-index", "--no-deps", "--disable-pip-version-check", "-q", mirror.path]],
    ]) {
      const r = run(cmd, args);
      if (r.status !== 0) throw new Error(`setting up pip ${mirror.version} failed: ${cmd} ${args.join(" ")}\n${r.stderr}`);
    }
    writeFileSync(join(tool, ".complete"), "");
  }
  const version = run(toolPython, ["-m", "pip", "--version"]).stdout.trim();
  return { python: toolPython, version, source: `pip ${mirror.version} from the local mirror (${mirror.path}), in a tool venv; the interpreter bundles ${bundledVersion}` };
}

/**
 * `{ dir, version, source }` (`dir` holds the `installer` package and nothing else) or
 * `{ skip: reason }`.
 */
export function setupInstaller(log = () => {}) {
  const dir = join(cacheRoot(), "installer");
  const versionOf = (root) => {
    const info = readdirSync(root).find((d) => /^installer-.*\.dist-info$/.test(d));
    return info ? info.slice("installer-".length, -".dist-info".length) : "unknown";
  };
  if (existsSync(join(dir, "installer", "__init__.py"))) return { dir, version: versionOf(dir), source: readFileSync(join(dir, ".source"), "utf8") };
  mkdirSync(cacheRoot(), { recursive: true });
  const scratch = mkdtempSync(join(cacheRoot(), "installer-"));
  try {
    let from = "/usr/lib/python3/dist-packages";
    let source = "Debian's python3-installer (installed)";
    if (!existsSync(join(from, "installer", "__init__.py"))) {
      log("fetching Debian's python3-installer with apt-get download (not installed system-wide)");
      const r = run("apt-get", ["download", "python3-installer"], { cwd: scratch });
      const deb = existsSync(scratch) ? readdirSync(scratch).find((f) => f.endsWith(".deb")) : undefined;
      if (r.status !== 0 || deb === undefined) return { skip: `pypa/installer is not installed and \`apt-get download python3-installer\` failed: ${(r.stderr || r.error?.message || "").trim().split("\n").pop()}` };
      const x = run("dpkg-deb", ["-x", join(scratch, deb), join(scratch, "x")]);
      if (x.status !== 0) return { skip: `extracting ${deb} failed: ${x.stderr}` };
      from = join(scratch, "x/usr/lib/python3/dist-packages");
      source = `Debian's ${deb.replace(/\.deb$/, "")} (extracted, not installed)`;
    }
    const out = join(scratch, "out");
    mkdirSync(out);
    cpSync(join(from, "installer"), join(out, "installer"), { recursive: true });
    for (const d of readdirSync(from)) if (/^installer-.*\.dist-info$/.test(d)) cpSync(join(from, d), join(out, d), { recursive: true });
    writeFileSync(join(out, ".source"), source);
    rmSync(dir, { recursive: true, force: true });
    renameSync(out, dir);
    return { dir, version: versionOf(dir), source };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * A Python script installing every wheel named on its command line into the prefix given first,
 * in one process, through pypa/installer's API the way its `python -m installer --prefix` does
 * (same scheme, posix scripts), byte-compiling at optimization level 0 only (as pip and
 * wheelwright do; installer's CLI default would also write level 1).
 */
export const INSTALLER_DRIVER = `
import os, sys, sysconfig
import installer
from installer.destinations import SchemeDictionaryDestination
from installer.sources import WheelFile
from installer.utils import get_launcher_kind
prefix = sys.argv[1]
for wheel in sys.argv[2:]:
    with WheelFile.open(wheel) as source:
        scheme = sysconfig.get_paths(vars={"base": prefix, "platbase": prefix})
        scheme["headers"] = os.path.join(sysconfig.get_path("include", vars={"installed_base": prefix}), source.distribution)
        destination = SchemeDictionaryDestination(scheme_dict=scheme, interpreter=sys.executable, script_kind=get_launcher_kind(), bytecode_optimization_levels=[0])
        installer.install(source, destination, {})
`;
